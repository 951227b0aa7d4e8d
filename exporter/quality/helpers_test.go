package quality

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	commonmodel "github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/calendar"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// The test vendor: targets first_response urgent 1h, high 4h, normal 8h;
// resolution urgent 24h, high 72h; escalation tag "escalated"; no calendar
// unless a test sets one.
func testVendor() *config.Vendor {
	return &config.Vendor{
		Name:       "acme",
		Priorities: map[string][]string{"urgent": {"urgent", "P1"}, "high": {"high", "p2"}},
		SLA: config.SLATerms{{
			Objective:     0.95,
			FirstResponse: map[string]commonmodel.Duration{"urgent": hours(1), "high": hours(4), "normal": hours(8)},
			Resolution:    map[string]commonmodel.Duration{"urgent": hours(24), "high": hours(72)},
		}},
		Escalation:  config.Escalation{Tags: []string{"Escalated"}},
		Tickets:     []*config.Source{{Name: "helpdesk", Kind: "zendesk"}},
		StatusPages: []*config.Source{{Name: "status", Kind: "statuspage"}},
	}
}

// testSources is the test vendor's source -> kind map, and
// testTicketSources its ticket sources (helpdesk).
var testSources, testTicketSources = VendorSources(testVendor())

func hours(n float64) commonmodel.Duration {
	return commonmodel.Duration(time.Duration(n * float64(time.Hour)))
}

// shanghai is an office calendar: Mon-Fri 09:00-18:00 in Asia/Shanghai,
// Monday 2026-03-09 a holiday.
func shanghai(t testing.TB) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New("Asia/Shanghai", []string{"mon", "tue", "wed", "thu", "fri"}, "09:00-18:00",
		[]time.Time{time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustRules(t testing.TB, v *config.Vendor, historyStart time.Time) *Rules {
	t.Helper()
	return mustRulesOf(t, v, config.Global{HistoryStart: config.Date{Time: historyStart}})
}

// mustRulesOf is mustRules with every global setting.
func mustRulesOf(t testing.TB, v *config.Vendor, g config.Global) *Rules {
	t.Helper()
	r, err := NewRules(v, g)
	if err != nil {
		t.Fatalf("NewRules: %v", err)
	}
	return r
}

// datedTerm is a contract term taking effect at start, dated as the config's
// validation dates it (config.SLA.Start).
func datedTerm(start time.Time, sla config.SLA) config.SLA {
	sla.From, sla.Start = config.Date{Time: start}, start
	return sla
}

// ts parses an RFC 3339 time.
func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// t0 is a Monday, 09:00 UTC.
var t0 = ts("2026-03-02T09:00:00Z")

func after(d time.Duration) time.Time { return t0.Add(d) }

func ev(kind item.EventKind, at time.Time) item.Event { return item.Event{Kind: kind, At: at} }

// observe records v seconds in an expected histogram.
func observe(h *Histogram, v float64) {
	i, _ := slices.BinarySearch(h.Bounds, v)
	h.Counts[i]++
	h.Count++
	h.Sum += v
	if h.Native == nil {
		h.Native = &Native{}
	}
	switch {
	case v == 0:
		h.Native.Zero++
	case v > 0:
		if h.Native.Positive == nil {
			h.Native.Positive = map[int32]uint64{}
		}
		h.Native.Positive[NativeIndex(v)]++
	default:
		if h.Native.Negative == nil {
			h.Native.Negative = map[int32]uint64{}
		}
		h.Native.Negative[NativeIndex(-v)]++
	}
}

// store plays the exporter's part: it keeps the stored versions and feeds
// each fetched item through Merge and Replace, as after a store commit.
type store struct {
	sources       map[string]string // source -> kind
	ticketSources []string
	agg           *Aggregator
	tickets       map[itemKey]*item.Ticket
	incidents     map[itemKey]*item.Incident
	maintenances  map[itemKey]*item.Maintenance
	alerts        map[alertKey]bool // customer alerts stored
	// asOf is what the exporter's asOf would answer: the instants as of
	// which snapshots judge each source, given to the merges
	// (Aggregator.Judged); nil: the zero time, the aggregator then judges
	// by what its own snapshots judged.
	asOf func(string) time.Time
	// onTicket and onIncident, when set, see each merge: the stored
	// version (nil when new), the fetched one, the merged result and the
	// Judged it was merged with.
	onTicket   func(old *item.Ticket, fetched item.Ticket, merged *item.Ticket, j Judged)
	onIncident func(old *item.Incident, fetched item.Incident, merged *item.Incident)
}

// alertKey identifies a customer alert as the store does.
type alertKey struct {
	fingerprint string
	startsAt    time.Time
}

func newStore(r *Rules) *store { return newStoreOf(r, testVendor()) }

// newStoreOf is newStore for the sources of another vendor than the test
// vendor.
func newStoreOf(r *Rules, v *config.Vendor) *store {
	sources, ticketSources := VendorSources(v)
	return &store{
		sources:       sources,
		ticketSources: ticketSources,
		agg:           NewAggregator(r, sources, ticketSources),
		tickets:       map[itemKey]*item.Ticket{},
		incidents:     map[itemKey]*item.Incident{},
		maintenances:  map[itemKey]*item.Maintenance{},
		alerts:        map[alertKey]bool{},
	}
}

func (s *store) ticket(source string, fetched item.Ticket) {
	k := itemKey{source, fetched.ID}
	old := s.tickets[k]
	j := s.judged(source)
	merged := s.agg.Rules().MergeTicket(old, fetched, j)
	if s.onTicket != nil {
		s.onTicket(old, fetched, &merged, j)
	}
	s.agg.ReplaceTicket(source, old, &merged)
	s.tickets[k] = &merged
}

// judged is what the exporter passes to the merges of source's items.
func (s *store) judged(source string) Judged {
	asOf := s.asOf
	if asOf == nil {
		asOf = func(string) time.Time { return time.Time{} }
	}
	return s.agg.Judged(source, asOf)
}

// removeTicket takes a stored ticket out of the store.
func (s *store) removeTicket(source, id string) {
	k := itemKey{source, id}
	s.agg.ReplaceTicket(source, s.tickets[k], nil)
	delete(s.tickets, k)
}

func (s *store) incident(source string, fetched item.Incident) {
	k := itemKey{source, fetched.ID}
	old := s.incidents[k]
	merged := s.agg.Rules().MergeIncident(old, fetched, s.judged(source))
	if s.onIncident != nil {
		s.onIncident(old, fetched, &merged)
	}
	s.agg.ReplaceIncident(source, old, &merged)
	s.incidents[k] = &merged
}

// removeIncident takes a stored incident out of the store.
func (s *store) removeIncident(source, id string) {
	k := itemKey{source, id}
	s.agg.ReplaceIncident(source, s.incidents[k], nil)
	delete(s.incidents, k)
}

func (s *store) maintenance(source string, fetched item.Maintenance) {
	k := itemKey{source, fetched.ID}
	old := s.maintenances[k]
	merged := s.agg.Rules().MergeMaintenance(old, fetched, s.judged(source))
	s.agg.ReplaceMaintenance(source, old, &merged)
	s.maintenances[k] = &merged
}

// alert receives a customer alert as the exporter does: stored once, a
// re-delivery of the same alert and start changes nothing.
func (s *store) alert(fingerprint string, startsAt time.Time) {
	k := alertKey{fingerprint, startsAt}
	if s.alerts[k] {
		return
	}
	s.alerts[k] = true
	s.agg.AddAlertSignal(startsAt)
}

// reload is what a restart does: a fresh aggregator fed every stored item
// once, with old == nil.
func (s *store) reload() *Aggregator {
	a := NewAggregator(s.agg.Rules(), s.sources, s.ticketSources)
	for k, t := range s.tickets {
		a.ReplaceTicket(k.source, nil, t)
	}
	for k, i := range s.incidents {
		a.ReplaceIncident(k.source, nil, i)
	}
	for k, m := range s.maintenances {
		a.ReplaceMaintenance(k.source, nil, m)
	}
	for k := range s.alerts {
		a.AddAlertSignal(k.startsAt)
	}
	return a
}

// assertSnapshot compares a snapshot with the one of an empty aggregator
// changed by want; StoreItems are left out (tested on their own).
func assertSnapshot(t *testing.T, r *Rules, got *VendorSnapshot, now time.Time, want func(*VendorSnapshot)) {
	t.Helper()
	expected := NewAggregator(r, testSources, testTicketSources).Snapshot(at(now))
	if want != nil {
		want(expected)
	}
	got.StoreItems, expected.StoreItems = nil, nil
	if !reflect.DeepEqual(got, expected) {
		t.Errorf("snapshot differs:\n%s", snapshotDiff(expected, got))
	}
}

// snapshotDiff lists the fields of two snapshots that differ.
func snapshotDiff(want, got *VendorSnapshot) string {
	var out string
	wv, gv := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	for i := range wv.NumField() {
		if w, g := wv.Field(i).Interface(), gv.Field(i).Interface(); !reflect.DeepEqual(w, g) {
			out += fmt.Sprintf("  %s:\n    want %+v\n    got  %+v\n", wv.Type().Field(i).Name, w, g)
		}
	}
	return out
}

// at judges every source as of one instant.
func at(t time.Time) func(string) time.Time {
	return func(string) time.Time { return t }
}
