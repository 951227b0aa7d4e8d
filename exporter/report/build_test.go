package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

func TestHistogramQuantile(t *testing.T) {
	bounds := []float64{1, 2, 4}
	for _, tc := range []struct {
		name   string
		q      float64
		counts []uint64
		want   float64
	}{
		// 10 observations: 2 in (0,1], 3 in (1,2], 5 in (2,4], none above.
		{"median in third bucket", 0.5, []uint64{2, 3, 5, 0}, 2}, // rank 5 = cum of bucket 2: its upper bound
		{"p90 interpolated", 0.9, []uint64{2, 3, 5, 0}, 2 + 2*(9.0-5)/5},
		{"lowest bucket from zero", 0.1, []uint64{2, 3, 5, 0}, 0 + 1*(1.0/2)},
		{"rank in +Inf bucket gives highest bound", 0.9, []uint64{1, 0, 0, 9}, 4},
		{"q=1 all in +Inf", 1, []uint64{0, 0, 0, 3}, 4},
		// q=0 with an empty lowest bucket: rank 0 is reached there, 0/0 (Prometheus too gives NaN).
		{"q=0 empty lowest bucket", 0, []uint64{0, 2, 0, 0}, math.NaN()},
		{"q=0 lowest bucket filled", 0, []uint64{2, 2, 0, 0}, 0},
		{"empty", 0.5, []uint64{0, 0, 0, 0}, math.NaN()},
		{"q above 1", 1.5, []uint64{1, 0, 0, 0}, math.Inf(1)},
		{"q below 0", -0.5, []uint64{1, 0, 0, 0}, math.Inf(-1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := histogramQuantile(tc.q, bounds, tc.counts)
			if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
				t.Errorf("histogramQuantile(%v, %v) = %v, want %v", tc.q, tc.counts, got, tc.want)
			}
		})
	}
	// A lowest bound at or below zero is returned as is (Prometheus).
	if got := histogramQuantile(0.1, []float64{0, 1}, []uint64{5, 5, 0}); got != 0 {
		t.Errorf("non-positive lowest bound: got %v, want 0", got)
	}
}

var (
	day0   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	from   = day0.AddDate(0, 0, 9)  // Jan 10
	to     = day0.AddDate(0, 0, 19) // Jan 20
	synced = day0.AddDate(0, 0, 24) // Jan 25
	now    = day0.AddDate(0, 0, 25)
)

const testYAML = `global:
  history_start: 2025-12-01
vendors:
  - name: acme
    sla:
      first_response: {urgent: 1h, high: 4h}
      resolution: {urgent: 24h}
    tickets:
      - {name: support, kind: zendesk, url: "https://acme.zendesk.com", http_client: {basic_auth: {username: agent, password: token}}}
  - name: other
    tickets:
      - {name: desk, kind: zendesk, url: "https://other.zendesk.com", http_client: {basic_auth: {username: agent, password: token}}}
`

func testConfig(t testing.TB, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "test.yml", collectors.Kinds.Config())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// ticket builds a ticket created at created with events after it.
func ticket(id, priority string, created time.Time, status item.Status, events ...item.Event) item.Ticket {
	t := item.Ticket{ID: id, Priority: priority, CreatedAt: created, UpdatedAt: created, Status: status}
	for _, e := range events {
		t.Events = append(t.Events, e)
		t.UpdatedAt = e.At
	}
	return t
}

func ev(k item.EventKind, at time.Time) item.Event { return item.Event{Kind: k, At: at} }

func putTickets(t testing.TB, st *store.Store, cfg *config.Config, vendor, source string, at time.Time, tickets []item.Ticket) {
	t.Helper()
	var vc *config.Vendor
	for _, v := range cfg.Vendors {
		if v.Name == vendor {
			vc = v
		}
	}
	rules, err := quality.NewRules(vc, cfg.Global)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(store.SourceKey{Vendor: vendor, Source: source}, func(tx *store.Tx) error {
		for _, tk := range tickets {
			merged := rules.MergeTicket(nil, tk, quality.Judged{})
			if _, err := tx.PutTicket(&merged); err != nil {
				return err
			}
		}
		return tx.SetSyncedAt(at)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func smallStore(t *testing.T) (*store.Store, *config.Config) {
	cfg := testConfig(t, testYAML)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := time.Hour
	tickets := []item.Ticket{
		// Before the period entirely: the previous period's.
		ticket("t1", "urgent", day0.AddDate(0, 0, 4), item.StatusSolved,
			ev(item.EventVendorReply, day0.AddDate(0, 0, 4).Add(h/2)), ev(item.EventSolved, day0.AddDate(0, 0, 5))),
		// In the period: first response 2h (breach of 1h), solved after 10h.
		ticket("t2", "urgent", from.Add(24*h), item.StatusSolved,
			ev(item.EventVendorReply, from.Add(26*h)), ev(item.EventSolved, from.Add(34*h))),
		// First response 30m, solved after 30h (resolution breach).
		ticket("t3", "urgent", from.Add(48*h), item.StatusSolved,
			ev(item.EventVendorReply, from.Add(48*h+h/2)), ev(item.EventSolved, from.Add(78*h))),
		// Opened before the period, answered in it after 2h (met).
		ticket("t4", "high", from.Add(-h), item.StatusOpen, ev(item.EventVendorReply, from.Add(h))),
		// Opened at the period's end, no answer: its deadline is after To.
		ticket("t5", "high", to.Add(-h), item.StatusOpen),
		// Escalated and open at To; no target for normal.
		ticket("t6", "normal", from.Add(5*24*h), item.StatusOpen, ev(item.EventEscalated, from.Add(5*24*h+h))),
	}
	tickets[5].Escalated = true
	putTickets(t, st, cfg, "acme", "support", synced, tickets)
	putTickets(t, st, cfg, "other", "desk", synced, nil)
	return st, cfg
}

func indicator(t *testing.T, v Vendor, id string) Indicator {
	t.Helper()
	for _, ind := range v.Indicators {
		if ind.ID == id {
			return ind
		}
	}
	t.Fatalf("no indicator %q", id)
	return Indicator{}
}

func val(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func TestBuildSmallStore(t *testing.T) {
	st, cfg := smallStore(t)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme", "other"},
		Period: Period{From: from, To: to}, ComparePrevious: true, Now: now, Kinds: collectors.Kinds.Config()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Vendors) != 2 || r.Vendors[0].Name != "acme" || r.Vendors[1].Name != "other" {
		t.Fatalf("vendors %+v", r.Vendors)
	}
	if r.Previous == nil || !r.Previous.From.Equal(day0.AddDate(0, 0, -1)) || !r.Previous.To.Equal(from) {
		t.Errorf("previous period %+v", r.Previous)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("the report is not JSON: %v", err)
	}
	v := r.Vendors[0]
	if v.Volume.TicketsOpened != 4 {
		t.Errorf("tickets opened = %d, want 4 (t2, t3, t5, t6)", v.Volume.TicketsOpened)
	}
	// Clocks ended in the period: FR urgent t2 (breach), t3; FR high t4;
	// resolution urgent t2, t3 (breach).
	if v.Volume.SLAChecks != 5 {
		t.Errorf("SLA checks = %d, want 5", v.Volume.SLAChecks)
	}
	check := func(id string, want *float64) {
		t.Helper()
		got := indicator(t, v, id).Value
		if (got == nil) != (want == nil) || got != nil && math.Abs(*got-*want) > 1e-9 {
			t.Errorf("%s = %s, want %s", id, val(got), val(want))
		}
	}
	// Urgent first responses 1800 s and 7200 s: buckets (900, 1800] and
	// (3600, 7200]. p50: rank 1 reaches the first at its top, 1800; p90:
	// rank 1.8, 0.8 into (3600, 7200]: 6480.
	check("first_response_p50_urgent", fptr(1800))
	check("first_response_p90_urgent", fptr(6480))
	check("first_response_p50_low", nil)
	check("tickets_opened", fptr(4))
	check("first_response_compliance", fptr(2.0/3))
	check("resolution_compliance", fptr(0.5))
	check("satisfaction", nil)
	check("escalations_open", fptr(1))
	ind := indicator(t, v, "first_response_p90_urgent")
	if ind.Target == nil || *ind.Target != 3600 || ind.Met == nil || *ind.Met {
		t.Errorf("p90 urgent target %s met %v, want 3600 missed", val(ind.Target), ind.Met)
	}
	if prev := indicator(t, v, "tickets_opened").Previous; prev == nil || *prev != 2 {
		t.Errorf("previous tickets opened %s, want 2 (t1, t4)", val(prev))
	}
	// SLA rows: urgent FR worst t2 (breached) then t3.
	var fr *SLARow
	for i := range v.SLA {
		if v.SLA[i].Priority == "urgent" && v.SLA[i].Target == "first_response" {
			fr = &v.SLA[i]
		}
	}
	if fr == nil || fr.Checks != 2 || fr.Breaches != 1 || len(fr.Worst) != 2 ||
		fr.Worst[0].ID != "t2" || !fr.Worst[0].Breached || fr.Worst[0].Seconds != 7200 || fr.Worst[1].ID != "t3" {
		t.Fatalf("urgent first-response row %+v", fr)
	}
	if fr.Worst[0].URL == "" {
		t.Errorf("no link to a zendesk ticket")
	}
	for _, row := range v.SLA {
		if uint64(len(row.Worst)) != min(row.Checks, WorstTickets) {
			t.Errorf("row %s/%s: %d worst of %d checks", row.Priority, row.Target, len(row.Worst), row.Checks)
		}
	}
	if len(v.Escalations) != 1 || v.Escalations[0].ID != "t6" || v.Escalations[0].Seconds != to.Sub(from.Add(5*24*time.Hour)).Seconds() {
		t.Errorf("escalations %+v, want t6 with its age at To", v.Escalations)
	}
	// Other vendor: nothing, so every quantile and ratio is no data.
	for _, ind := range r.Vendors[1].Indicators {
		if ind.Unit != UnitCount && ind.Value != nil && ind.ID != "week_hours_covered" {
			t.Errorf("other: %s = %v without any data", ind.ID, *ind.Value)
		}
	}
	if len(r.Footnotes) == 0 {
		t.Error("no footnotes")
	}
	for _, ind := range v.Indicators {
		found := false
		for _, f := range r.Footnotes {
			found = found || f.ID == ind.Footnote
		}
		if !found {
			t.Errorf("%s: footnote %q missing", ind.ID, ind.Footnote)
		}
	}
	// Weekly chart: Jan 10-17, Jan 17-20.
	weeks := map[time.Time]bool{}
	for _, w := range v.Charts.WeeklyFirstResponse {
		weeks[w.Start] = true
	}
	if len(weeks) != 2 {
		t.Errorf("weeks %v, want 2", weeks)
	}
}

func TestBuildInputErrors(t *testing.T) {
	st, cfg := smallStore(t)
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"no vendor", Options{Period: Period{From: from, To: to}}},
		{"unknown vendor", Options{Vendors: []string{"nope"}, Period: Period{From: from, To: to}}},
		{"from after to", Options{Vendors: []string{"acme"}, Period: Period{From: to, To: from}}},
		{"from equals to", Options{Vendors: []string{"acme"}, Period: Period{From: to, To: to}}},
		{"before history start", Options{Vendors: []string{"acme"}, Period: Period{From: day0.AddDate(-1, 0, 0), To: to}}},
		{"from after now", Options{Vendors: []string{"acme"}, Period: Period{From: now.Add(time.Hour), To: now.Add(2 * time.Hour)}}},
		{"longer than three years", Options{Vendors: []string{"acme"}, Period: Period{From: from, To: from.AddDate(3, 0, 2)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Store, tc.o.Config, tc.o.Now = st, cfg, now
			_, err := Build(t.Context(), tc.o)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an InputError", err)
			}
		})
	}
	// A To after now is the period so far.
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"}, Now: now,
		Period: Period{From: from, To: now.AddDate(0, 1, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Period.To.Equal(now) || r.Period.RequestedTo == nil || !r.Period.RequestedTo.Equal(now.AddDate(0, 1, 0)) {
		t.Errorf("period %+v, want cut at now with the requested end kept", r.Period)
	}
}

func TestBuildCancelled(t *testing.T) {
	st, cfg := smallStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Build(ctx, Options{Store: st, Config: cfg, Vendors: []string{"acme"}, Period: Period{From: from, To: to}, Now: now})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// A panic while building a vendor is the request's error: the endpoint
// runs Build inside the exporter, whose other work must go on.
func TestBuildPanicIsAnError(t *testing.T) {
	st, cfg := smallStore(t)
	testHook = func(string, *collector) { panic("boom") }
	defer func() { testHook = nil }()
	_, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"}, Period: Period{From: from, To: to}, Now: now})
	if err == nil || !strings.Contains(err.Error(), "internal error: boom") {
		t.Errorf("err = %v, want the panic as an error", err)
	}
}

// Footnotes are numbered as a reader meets them in the indicator table.
func TestFootnotesInReadingOrder(t *testing.T) {
	st, cfg := smallStore(t)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"}, Period: Period{From: from, To: to}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, f := range r.Footnotes {
		pos[f.ID] = i
	}
	last := -1
	for _, ind := range r.Vendors[0].Indicators {
		n, ok := pos[ind.Footnote]
		if !ok {
			t.Fatalf("indicator %s cites footnote %q, which the report lacks", ind.ID, ind.Footnote)
		}
		if n > last+1 {
			t.Errorf("indicator %s cites footnote %d (%s) before footnote %d was cited", ind.ID, n+1, ind.Footnote, last+2)
		}
		last = max(last, n)
	}
}
