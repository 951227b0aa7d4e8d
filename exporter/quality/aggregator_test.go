package quality

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestStoreItems(t *testing.T) {
	r := mustRules(t, testVendor(), t0)
	sources := map[string]string{"helpdesk": "zendesk", "helpdesk-eu": "zendesk", "status": "statuspage", "github": "github"}
	a := NewAggregator(r, sources, []string{"helpdesk", "helpdesk-eu", "github"})
	early := &item.Ticket{ID: "early", CreatedAt: after(-time.Hour)}
	t1 := &item.Ticket{ID: "1", CreatedAt: t0}
	t1b := &item.Ticket{ID: "1", CreatedAt: t0, Status: item.StatusSolved}
	steps := []struct {
		name   string
		change func()
		want   map[string]uint64
	}{
		{"every kind listed, even empty", func() {}, map[string]uint64{"zendesk": 0, "statuspage": 0, "github": 0}},
		{"items before history_start are held too", func() { a.ReplaceTicket("helpdesk", nil, early) },
			map[string]uint64{"zendesk": 1, "statuspage": 0, "github": 0}},
		{"sources of a kind add up", func() { a.ReplaceTicket("helpdesk-eu", nil, t1) },
			map[string]uint64{"zendesk": 2, "statuspage": 0, "github": 0}},
		{"a new version is the same item", func() { a.ReplaceTicket("helpdesk-eu", t1, t1b) },
			map[string]uint64{"zendesk": 2, "statuspage": 0, "github": 0}},
		{"incidents and maintenances count", func() {
			a.ReplaceIncident("status", nil, &item.Incident{ID: "i", CreatedAt: t0})
			a.ReplaceMaintenance("status", nil, &item.Maintenance{ID: "m", CreatedAt: t0})
		}, map[string]uint64{"zendesk": 2, "statuspage": 2, "github": 0}},
		{"removal", func() { a.ReplaceTicket("helpdesk", early, nil) },
			map[string]uint64{"zendesk": 1, "statuspage": 2, "github": 0}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change()
			if got := a.Snapshot(at(t0)).StoreItems; !reflect.DeepEqual(got, s.want) {
				t.Errorf("store items = %v, want %v", got, s.want)
			}
		})
	}
}

// Replacing an item by nil takes back all it contributed.
func TestRemovalTakesBackTheContribution(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name string
		add  func(a *Aggregator) func() // adds an item, returns its removal
	}{
		{"open ticket", func(a *Aggregator) func() {
			tk := a.Rules().MergeTicket(nil, item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0,
				Tags: []string{"escalated"}, Events: []item.Event{ev(item.EventCustomerReply, after(h))}}, Judged{})
			a.ReplaceTicket("helpdesk", nil, &tk)
			return func() { a.ReplaceTicket("helpdesk", &tk, nil) }
		}},
		{"closed ticket", func(a *Aggregator) func() {
			tk := a.Rules().MergeTicket(nil, item.Ticket{ID: "1", Priority: "high", Status: item.StatusClosed, CreatedAt: t0,
				Satisfaction: item.RatingGood, Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}}, Judged{})
			a.ReplaceTicket("helpdesk", nil, &tk)
			return func() { a.ReplaceTicket("helpdesk", &tk, nil) }
		}},
		{"open incident", func(a *Aggregator) func() {
			i := a.Rules().MergeIncident(nil, item.Incident{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0, Updates: []time.Time{after(h)}}, Judged{})
			a.ReplaceIncident("status", nil, &i)
			return func() { a.ReplaceIncident("status", &i, nil) }
		}},
		{"resolved incident", func(a *Aggregator) func() {
			i := a.Rules().MergeIncident(nil, item.Incident{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, ResolvedAt: after(h),
				PostmortemPublishedAt: after(3 * h), Updates: []time.Time{after(h)}}, Judged{})
			a.ReplaceIncident("status", nil, &i)
			return func() { a.ReplaceIncident("status", &i, nil) }
		}},
		{"upcoming maintenance", func(a *Aggregator) func() {
			m := item.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: after(100 * h)}
			a.ReplaceMaintenance("status", nil, &m)
			return func() { a.ReplaceMaintenance("status", &m, nil) }
		}},
	}
	now := after(50 * h)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRules(t, testVendor(), time.Time{})
			a := NewAggregator(r, testSources, testTicketSources)
			empty := counterValues(a.Snapshot(at(now)))
			remove := tc.add(a)
			if reflect.DeepEqual(counterValues(a.Snapshot(at(now))), empty) {
				t.Fatal("the item contributed nothing: the test proves nothing")
			}
			remove()
			assertSnapshot(t, r, a.Snapshot(at(now)), now, nil)
		})
	}
}

// Sources of a vendor sync in parallel: the result is the same as one by
// one.
func TestConcurrentSources(t *testing.T) {
	r := mustRules(t, testVendor(), time.Time{})
	sources, ticketSources := map[string]string{}, []string{}
	for i := range 4 {
		sources[fmt.Sprint("desk", i)] = "zendesk"
		ticketSources = append(ticketSources, fmt.Sprint("desk", i))
	}
	ticket := func(id int) *item.Ticket {
		tk := r.MergeTicket(nil, item.Ticket{ID: fmt.Sprint(id), Priority: rawPriorities[id%len(rawPriorities)],
			Status: []item.Status{item.StatusOpen, item.StatusSolved}[id%2], CreatedAt: after(time.Duration(id) * time.Minute),
			Events: []item.Event{ev(item.EventVendorReply, after(time.Duration(id)*time.Minute+time.Hour))}}, Judged{})
		return &tk
	}
	parallel, serial := NewAggregator(r, sources, ticketSources), NewAggregator(r, sources, ticketSources)
	var wg sync.WaitGroup
	for source := range sources {
		wg.Go(func() {
			for id := range 500 {
				parallel.ReplaceTicket(source, nil, ticket(id))
				parallel.Snapshot(at(after(24 * time.Hour)))
			}
		})
	}
	wg.Wait()
	for source := range sources {
		for id := range 500 {
			serial.ReplaceTicket(source, nil, ticket(id))
		}
	}
	now := after(24 * time.Hour)
	if got, want := parallel.Snapshot(at(now)), serial.Snapshot(at(now)); !reflect.DeepEqual(got, want) {
		t.Errorf("parallel sync differs:\n%s", snapshotDiff(want, got))
	}
}
