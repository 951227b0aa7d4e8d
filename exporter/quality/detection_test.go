package quality

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	commonmodel "github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// ticketAt is a ticket stored from a source, created at an instant, with
// its priority and tags.
type ticketAt struct {
	source, id string
	created    time.Time
	priority   string
	tags       []string
}

type detectionStep struct {
	tickets         []ticketAt
	drillTickets    []ticketAt  // stored marked as a drill's test tickets (item.Ticket.Drill), after tickets
	alerts          []time.Time // starts of customer alerts received
	removeTickets   []string    // ids, from helpdesk
	incidents       []item.Incident
	removeIncidents []string // ids, from status
	asOf            map[string]time.Time
	detected        [NumFirsts]uint64
	leads           []float64 // seconds, one per customer-first incident
}

func TestWhoNoticedFirst(t *testing.T) {
	m := time.Minute
	h := time.Hour
	// The incident of most cases: impact began at t0, first post 20 minutes
	// later.
	incident := item.Incident{ID: "i", Impact: item.ImpactMajor, StartedAt: t0, CreatedAt: after(20 * m)}
	complete := map[string]time.Time{"helpdesk": after(h), "status": after(h), AlertSource: after(h)}
	// Tickets opened urgent: customer signals by default (signals.priorities
	// [urgent]; before turn 2 every ticket was one).
	tk := func(id string, at time.Time) ticketAt { return ticketAt{"helpdesk", id, at, "urgent", nil} }
	normal := func(id string, at time.Time, tags ...string) ticketAt {
		return ticketAt{"helpdesk", id, at, "normal", tags}
	}
	undecided := map[string]time.Time{"helpdesk": after(10 * m), "status": after(h), AlertSource: after(h)}
	tests := []struct {
		name         string
		vendor       func(*config.Vendor) // its sources are the aggregator's (VendorSources)
		historyStart time.Time
		steps        []detectionStep
	}{
		{
			name: "ticket 10 min before started_at: customer-first, lead from the ticket to the first post",
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(-10*m))}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1800},
			}},
		},
		{
			name: "ticket 31 min before started_at: vendor-first",
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(-31*m))}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name: "ticket exactly DefaultNoticeWindow before started_at counts",
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(-DefaultNoticeWindow))}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{3000},
			}},
		},
		{
			name: "ticket after created_at: vendor-first",
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(21*m))}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name: "ticket at created_at itself: customer-first with a zero lead",
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(20*m))}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{0},
			}},
		},
		{
			name: "no started_at: the window starts DefaultNoticeWindow before created_at",
			steps: []detectionStep{{
				tickets:   []ticketAt{tk("1", after(-15*m)), tk("2", after(-5*m))},
				incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: after(20 * m)}}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1500},
			}},
		},
		{
			name: "two tickets in the window: lead from the earliest, whatever the order they arrive in",
			steps: []detectionStep{{
				tickets:   []ticketAt{tk("late", after(10*m)), tk("early", after(-20*m))},
				incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{2400},
			}},
		},
		{
			name: "undecided while the ticket source is not complete past created_at, decided after",
			steps: []detectionStep{
				{
					incidents: []item.Incident{incident},
					asOf:      map[string]time.Time{"helpdesk": after(10 * m), "status": after(h), AlertSource: after(h)},
				},
				{
					// Complete up to created_at itself: a ticket of that
					// very millisecond may still come.
					tickets: []ticketAt{tk("1", after(5*m))},
					asOf:    map[string]time.Time{"helpdesk": after(20 * m), "status": after(h), AlertSource: after(h)},
				},
				{
					asOf:     map[string]time.Time{"helpdesk": after(20*m + time.Millisecond), "status": after(h), AlertSource: after(h)},
					detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{900},
				},
			},
		},
		{
			name: "every ticket source must be complete",
			vendor: func(v *config.Vendor) {
				v.Tickets = append(v.Tickets, &config.Source{Name: "issues", Kind: "github"})
			},
			steps: []detectionStep{
				{
					incidents: []item.Incident{incident},
					asOf:      complete,
				},
				{
					tickets:  []ticketAt{{"issues", "7", after(-m), "P1", nil}},
					asOf:     map[string]time.Time{"helpdesk": after(h), "issues": after(h), "status": after(h), AlertSource: after(h)},
					detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1260},
				},
			},
		},
		{
			name:   "vendor without ticket sources: decided once the alerts are complete",
			vendor: func(v *config.Vendor) { v.Tickets = nil },
			steps: []detectionStep{
				{incidents: []item.Incident{incident}, asOf: map[string]time.Time{AlertSource: after(20 * m)}},
				{
					asOf:     map[string]time.Time{AlertSource: after(20*m + time.Millisecond)},
					detected: [NumFirsts]uint64{VendorFirst: 1},
				},
			},
		},
		{
			// The sources waited for are the vendor's `tickets` list, not a
			// list of kinds in quality: a new kind is waited for as soon as
			// the config lets it feed tickets.
			name: "a ticket source of a kind quality knows nothing of is waited for",
			vendor: func(v *config.Vendor) {
				v.Tickets = append(v.Tickets, &config.Source{Name: "inbox", Kind: "mailbox"})
			},
			steps: []detectionStep{
				{
					incidents: []item.Incident{incident},
					asOf:      complete,
				},
				{
					tickets:  []ticketAt{{"inbox", "7", after(-m), "urgent", nil}},
					asOf:     map[string]time.Time{"helpdesk": after(h), "inbox": after(h), "status": after(h), AlertSource: after(h)},
					detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1260},
				},
			},
		},
		{
			// Never complete, yet not waited for: a status page feeds no
			// customer signal, whatever its kind.
			name: "a status page is not waited for, whatever its kind",
			vendor: func(v *config.Vendor) {
				v.StatusPages = append(v.StatusPages, &config.Source{Name: "status-eu", Kind: "zendesk"})
			},
			steps: []detectionStep{{
				incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name: "alert 20 min before the first post: customer-first with a lead of 20 min",
			steps: []detectionStep{{
				alerts: []time.Time{t0}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1200},
			}},
		},
		{
			name: "alert after the first post: vendor-first",
			steps: []detectionStep{{
				alerts: []time.Time{after(20*m + time.Millisecond)}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name: "alert and ticket in the window: lead from the earlier",
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(-10*m))}, alerts: []time.Time{after(-25 * m)},
				incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{2700},
			}},
		},
		{
			name: "undecided until the alerts are complete past created_at (alert_grace), decided after",
			steps: []detectionStep{
				{
					incidents: []item.Incident{incident},
					asOf:      map[string]time.Time{"helpdesk": after(h), "status": after(h), AlertSource: after(10 * m)},
				},
				{
					// Alertmanager delivers late an alert that started
					// before the first post.
					alerts: []time.Time{after(5 * m)},
					asOf:   map[string]time.Time{"helpdesk": after(h), "status": after(h), AlertSource: after(20 * m)},
				},
				{
					asOf:     map[string]time.Time{"helpdesk": after(h), "status": after(h), AlertSource: after(20*m + time.Millisecond)},
					detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{900},
				},
			},
		},
		{
			name:         "alert before history_start is no signal",
			historyStart: after(-5 * m),
			steps: []detectionStep{{
				alerts: []time.Time{after(-10 * m)}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name:   "notice_window 10m: a signal 15 min before started_at is outside",
			vendor: func(v *config.Vendor) { v.NoticeWindow = commonmodel.Duration(10 * m) },
			steps: []detectionStep{{
				alerts: []time.Time{after(-15 * m)}, tickets: []ticketAt{tk("1", after(-11*m))},
				incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name:   "notice_window 1h: a signal 45 min before started_at counts",
			vendor: func(v *config.Vendor) { v.NoticeWindow = commonmodel.Duration(h) },
			steps: []detectionStep{{
				alerts: []time.Time{after(-45 * m)}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{3900},
			}},
		},
		{
			name: "started_at backdated before the decision: the window moves with it",
			steps: []detectionStep{
				{
					tickets:   []ticketAt{tk("1", after(-50*m))},
					incidents: []item.Incident{incident},
					asOf:      map[string]time.Time{"status": after(h)},
				},
				{
					incidents: []item.Incident{func() item.Incident { i := incident; i.StartedAt = after(-40 * m); return i }()},
					asOf:      complete,
					detected:  [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{4200},
				},
			},
		},
		{
			name: "a ticket of another priority than signals.priorities is no signal",
			steps: []detectionStep{{
				tickets: []ticketAt{normal("1", after(-10*m)), {"helpdesk", "2", after(-5 * m), "high", nil}}, incidents: []item.Incident{incident},
				asOf: complete, detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name:   "signals.priorities [urgent, high]: a ticket opened high is a signal",
			vendor: func(v *config.Vendor) { v.Signals.Priorities = []string{"urgent", "high"} },
			steps: []detectionStep{{
				tickets: []ticketAt{normal("1", after(-20*m)), {"helpdesk", "2", after(-5 * m), "p2", nil}}, incidents: []item.Incident{incident},
				asOf: complete, detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1500},
			}},
		},
		{
			name:   "signals.priorities empty: only tags make signals",
			vendor: func(v *config.Vendor) { v.Signals.Priorities, v.Signals.Tags = []string{}, []string{"outage"} },
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(-10*m))}, incidents: []item.Incident{incident},
				asOf: complete, detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name:   "the priority a ticket was opened with decides: raised to urgent later, it is no signal",
			vendor: func(v *config.Vendor) { v.Signals.Tags = []string{"Outage"} },
			steps: []detectionStep{
				{tickets: []ticketAt{normal("1", after(-10*m), "vip")}, incidents: []item.Incident{incident}, asOf: undecided},
				{tickets: []ticketAt{{"helpdesk", "1", after(-10 * m), "urgent", nil}}, asOf: complete, detected: [NumFirsts]uint64{VendorFirst: 1}},
			},
		},
		{
			name:   "a ticket carrying a signals tag (any case) is a signal, whatever its priority",
			vendor: func(v *config.Vendor) { v.Signals.Tags = []string{"Outage"} },
			steps: []detectionStep{{
				tickets: []ticketAt{normal("1", after(-10*m), "billing", "OUTAGE ")}, incidents: []item.Incident{incident},
				asOf: complete, detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1800},
			}},
		},
		{
			name:   "a signals tag added before the decision, then removed, still counts",
			vendor: func(v *config.Vendor) { v.Signals.Tags = []string{"outage"} },
			steps: []detectionStep{
				{tickets: []ticketAt{normal("1", after(-10*m))}, incidents: []item.Incident{incident}, asOf: undecided},
				{tickets: []ticketAt{normal("1", after(-10*m), "outage")}, asOf: undecided},
				{tickets: []ticketAt{normal("1", after(-10*m))}, asOf: complete, detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1800}},
			},
		},
		{
			name:   "a signals tag added after the decision does not flip it, nor does a restart",
			vendor: func(v *config.Vendor) { v.Signals.Tags = []string{"outage"} },
			steps: []detectionStep{
				{tickets: []ticketAt{normal("1", after(-10*m))}, incidents: []item.Incident{incident}, asOf: complete,
					detected: [NumFirsts]uint64{VendorFirst: 1}},
				{tickets: []ticketAt{normal("1", after(-10*m), "outage")}, asOf: complete, detected: [NumFirsts]uint64{VendorFirst: 1}},
			},
		},
		{
			name:   "a late signal counts for an incident decided after it became known",
			vendor: func(v *config.Vendor) { v.Signals.Tags = []string{"outage"} },
			steps: []detectionStep{
				// Tagged once the signals were complete up to 1h: a signal
				// from its creation (00:10) on, known from 1h.
				{tickets: []ticketAt{normal("1", after(10*m))}, asOf: complete},
				{tickets: []ticketAt{normal("1", after(10*m), "outage")}, asOf: complete},
				{
					incidents: []item.Incident{
						{ID: "before", StartedAt: after(5 * m), CreatedAt: after(50 * m)}, // in its window, known only after
						{ID: "after", StartedAt: after(-m), CreatedAt: after(2 * h)},      // known by then: customer-first
					},
					asOf:     map[string]time.Time{"helpdesk": after(3 * h), "status": after(3 * h), AlertSource: after(3 * h)},
					detected: [NumFirsts]uint64{VendorFirst: 1, CustomerFirst: 1}, leads: []float64{6600},
				},
			},
		},
		{
			name:         "incident before history_start is ignored",
			historyStart: after(30 * m),
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(40*m))}, incidents: []item.Incident{incident}, asOf: complete,
			}},
		},
		{
			name:         "ticket before history_start is no signal",
			historyStart: after(-5 * m),
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(-10*m))}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name: "a ticket removed from the store before the decision is no signal",
			steps: []detectionStep{
				{tickets: []ticketAt{tk("1", after(-10*m))}, incidents: []item.Incident{incident}},
				{removeTickets: []string{"1"}, asOf: complete, detected: [NumFirsts]uint64{VendorFirst: 1}},
			},
		},
		{
			name: "an incident removed from the store takes back its verdict",
			steps: []detectionStep{
				{
					tickets: []ticketAt{tk("1", after(-10*m))}, incidents: []item.Incident{incident}, asOf: complete,
					detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1800},
				},
				{removeIncidents: []string{"i"}, asOf: complete},
			},
		},
		{
			name: "a drill's test ticket in the window is no signal: vendor-first",
			steps: []detectionStep{{
				drillTickets: []ticketAt{tk("1", after(-10*m))}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
		},
		{
			name: "a drill's test ticket tagged as a signal is none either",
			steps: []detectionStep{{
				drillTickets: []ticketAt{normal("1", after(-10*m), "outage")}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{VendorFirst: 1},
			}},
			vendor: func(v *config.Vendor) { v.Signals.Tags = []string{"outage"} },
		},
		{
			name: "a drill's test ticket before a customer's: the lead runs from the customer's",
			steps: []detectionStep{{
				tickets: []ticketAt{tk("2", after(-10*m))}, drillTickets: []ticketAt{tk("1", after(-25*m))}, incidents: []item.Incident{incident}, asOf: complete,
				detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1800},
			}},
		},
		{
			name: "a drill ticket stored after the decision, its mark from its first store: the verdict stands",
			steps: []detectionStep{
				{incidents: []item.Incident{incident}, asOf: complete, detected: [NumFirsts]uint64{VendorFirst: 1}},
				{drillTickets: []ticketAt{tk("1", after(-10*m))}, asOf: complete, detected: [NumFirsts]uint64{VendorFirst: 1}},
			},
		},
		{
			name: "a mark shown only after the ticket was a signal keeps it one, decided or not (pinned: a restart agrees)",
			steps: []detectionStep{
				{tickets: []ticketAt{tk("1", after(-10*m))}, incidents: []item.Incident{incident}, asOf: undecided},
				{drillTickets: []ticketAt{tk("1", after(-10*m))}, asOf: undecided},
				{asOf: complete, detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1800}},
				{tickets: []ticketAt{tk("1", after(-10*m))}, asOf: complete, detected: [NumFirsts]uint64{CustomerFirst: 1}, leads: []float64{1800}},
			},
		},
		{
			name: "each incident is judged on its own window",
			steps: []detectionStep{{
				tickets: []ticketAt{tk("1", after(-10*m)), tk("2", after(5*h))},
				incidents: []item.Incident{
					incident,
					{ID: "j", CreatedAt: after(3 * h)},
					{ID: "k", StartedAt: after(5*h - 10*m), CreatedAt: after(6 * h)},
				},
				asOf:     map[string]time.Time{"helpdesk": after(7 * h), "status": after(7 * h), AlertSource: after(7 * h)},
				detected: [NumFirsts]uint64{VendorFirst: 1, CustomerFirst: 2}, leads: []float64{1800, 3600},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := testVendor()
			if tc.vendor != nil {
				tc.vendor(v)
			}
			r := mustRules(t, v, tc.historyStart)
			s := newStoreOf(r, v)
			for i, step := range tc.steps {
				for _, tk := range step.tickets {
					s.ticket(tk.source, item.Ticket{ID: tk.id, CreatedAt: tk.created, Status: item.StatusOpen, Priority: tk.priority, Tags: tk.tags})
				}
				for _, tk := range step.drillTickets {
					s.ticket(tk.source, item.Ticket{ID: tk.id, CreatedAt: tk.created, Status: item.StatusOpen, Priority: tk.priority, Tags: tk.tags, Drill: true})
				}
				for _, at := range step.alerts {
					s.alert(at.String(), at)
				}
				for _, id := range step.removeTickets {
					s.removeTicket("helpdesk", id)
				}
				for _, inc := range step.incidents {
					s.incident("status", inc)
				}
				for _, id := range step.removeIncidents {
					s.removeIncident("status", id)
				}
				asOf := func(source string) time.Time { return step.asOf[source] }
				got := s.agg.Snapshot(asOf)
				assertDetected(t, fmt.Sprint("step ", i), got, step.detected, step.leads)
				if fresh := s.reload().Snapshot(asOf); !reflect.DeepEqual(fresh, got) {
					t.Errorf("step %d: incremental snapshot differs from a recomputation:\n%s", i, snapshotDiff(fresh, got))
				}
			}
		})
	}
}

// Once decided, a verdict never flips, even when the vendor moves the
// window afterwards or a ticket of the window is fetched after its source
// was judged complete; and a restart, deciding again from the store,
// decides the same: the window is pinned in the incident once decidable,
// and the late ticket is known only from when it was stored (before turn
// 2 a restart decided customer-first for both).
func TestVerdictSurvivesRestart(t *testing.T) {
	m := time.Minute
	tests := []struct {
		name   string
		change func(s *store)
	}{
		{"started_at backdated after the decision", func(s *store) {
			s.incident("status", item.Incident{ID: "i", StartedAt: after(-40 * m), CreatedAt: after(20 * m)})
		}},
		{"ticket of the window fetched after the decision", func(s *store) {
			s.ticket("helpdesk", item.Ticket{ID: "2", CreatedAt: after(-20 * m), Status: item.StatusOpen, Priority: "urgent"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(mustRules(t, testVendor(), time.Time{}))
			asOf := at(after(2 * time.Hour))
			s.ticket("helpdesk", item.Ticket{ID: "1", CreatedAt: after(-50 * m), Status: item.StatusOpen, Priority: "urgent"})
			s.incident("status", item.Incident{ID: "i", StartedAt: t0, CreatedAt: after(20 * m)})
			assertDetected(t, "decided", s.agg.Snapshot(asOf), [NumFirsts]uint64{VendorFirst: 1}, nil)
			tc.change(s)
			assertDetected(t, "changed", s.agg.Snapshot(asOf), [NumFirsts]uint64{VendorFirst: 1}, nil)
			assertDetected(t, "after a restart", s.reload().Snapshot(asOf), [NumFirsts]uint64{VendorFirst: 1}, nil)
		})
	}
}

// assertDetected compares a snapshot's who-noticed-first aggregates with
// the expected counts and customer leads (seconds).
func assertDetected(t *testing.T, what string, got *VendorSnapshot, detected [NumFirsts]uint64, leads []float64) {
	t.Helper()
	want := got.CustomerLead
	want.Counts, want.Sum, want.Count, want.Native = make([]uint64, len(want.Bounds)+1), 0, 0, &Native{}
	for _, l := range leads {
		observe(&want, l)
	}
	if got.Detected != detected {
		t.Errorf("%s: detected = %v, want %v", what, got.Detected, detected)
	}
	if !reflect.DeepEqual(got.CustomerLead, want) {
		t.Errorf("%s: customer lead = %+v, want %+v", what, got.CustomerLead, want)
	}
	if !reflect.DeepEqual(want.Bounds, DefaultBuckets) {
		t.Errorf("%s: customer lead buckets = %v, want the defaults", what, want.Bounds)
	}
}

func TestSignalSetEarliest(t *testing.T) {
	epoch := time.Unix(0, 0).UTC()
	signals := []time.Time{
		epoch.Add(-90 * time.Minute), // before 1970: negative hours
		epoch.Add(-time.Millisecond),
		epoch,
		t0.Add(59*time.Minute + 59*time.Second + 999*time.Millisecond), // the last millisecond of an hour
		t0.Add(5 * time.Hour),
		t0.Add(5 * time.Hour), // twice: a multiset
	}
	s := signalSet{}
	for _, at := range signals {
		s.add(at)
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Time // zero: none
	}{
		{"before 1970", epoch.Add(-2 * time.Hour), epoch.Add(-time.Hour), epoch.Add(-90 * time.Minute)},
		{"across the epoch", epoch.Add(-time.Hour), epoch.Add(time.Hour), epoch.Add(-time.Millisecond)},
		{"bounds included", epoch, epoch, epoch},
		{"last millisecond of an hour", t0.Add(30 * time.Minute), t0.Add(3 * time.Hour), signals[3]},
		{"hours without signals skipped", t0.Add(time.Hour), t0.Add(6 * time.Hour), t0.Add(5 * time.Hour)},
		{"nothing inside", t0.Add(5*time.Hour + time.Millisecond), t0.Add(48 * time.Hour), time.Time{}},
		{"empty window", t0.Add(6 * time.Hour), t0.Add(5 * time.Hour), time.Time{}},
		// Windows spanning more hours than hold signals are searched
		// through the signals' hours.
		{"decades long", epoch.AddDate(-30, 0, 0), t0.AddDate(30, 0, 0), signals[0]},
		{"decades long, bounds inside hours", epoch.Add(time.Millisecond), t0.Add(5 * time.Hour), signals[3]},
		{"decades long, nothing inside", t0.Add(6 * time.Hour), t0.AddDate(30, 0, 0), time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := s.earliest(tc.from, tc.to)
			if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
				t.Errorf("earliest(%v, %v) = %v %v, want %v", tc.from, tc.to, got, ok, tc.want)
			}
		})
	}
	t.Run("removal takes out one of equal signals, and the hour once empty", func(t *testing.T) {
		s.remove(t0.Add(5 * time.Hour))
		if got, ok := s.earliest(t0.Add(time.Hour), t0.Add(6*time.Hour)); !ok || !got.Equal(t0.Add(5*time.Hour)) {
			t.Fatalf("after one removal: %v %v, want the other signal", got, ok)
		}
		s.remove(t0.Add(5 * time.Hour))
		s.remove(t0.Add(5 * time.Hour)) // not there any more: no effect
		if _, ok := s.earliest(t0.Add(time.Hour), t0.Add(6*time.Hour)); ok {
			t.Fatal("a removed signal is still found")
		}
		h, _ := hourOf(t0.Add(5 * time.Hour))
		if _, ok := s[h]; ok {
			t.Fatal("an empty hour is kept")
		}
	})
}
