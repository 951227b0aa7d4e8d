package report

import (
	"math"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/store"
)

const tokyoYAML = `global:
  history_start: 2025-12-01
calendars:
  tokyo: {timezone: Asia/Tokyo, hours: "09:00-18:00"}
vendors:
  - name: acme
    calendar: tokyo
    sla:
      first_response: {urgent: 1h}
      objective: 0.5
    tickets:
      - {name: support, kind: zendesk_requests, url: "https://acme.zendesk.com", http_client: {basic_auth: {username: me, password: token}}}
  - name: quiet
    tickets:
      - {name: desk, kind: zendesk_requests, url: "https://quiet.zendesk.com", http_client: {basic_auth: {username: me, password: token}}}
`

// TestRepliesByHourMondayFirst: the replies chart's row 0 is Monday, in the
// vendor calendar's zone (the metric's weekday label, like PromQL's
// day_of_week, has 0 = Sunday), and the chart names that zone.
func TestRepliesByHourMondayFirst(t *testing.T) {
	cfg := testConfig(t, tokyoYAML)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// from is Saturday Jan 10 (UTC). Tokyo is UTC+9.
	sun := from.Add(24 * time.Hour)     // Sunday 00:00 UTC
	mon := from.Add(2*24*time.Hour - 4) // Sunday 23:59:56 UTC = Monday 08:59:56 in Tokyo
	putTickets(t, st, cfg, "acme", "support", synced, []item.Ticket{
		// Answered Sunday 02:00 UTC = Sunday 11:00 Tokyo: row 6 (Sunday), hour 11. Met.
		ticket("t1", "urgent", sun.Add(90*time.Minute), item.StatusOpen, ev(item.EventVendorReply, sun.Add(2*time.Hour))),
		// Answered Monday 08:59 Tokyo (a Sunday in UTC): row 0, hour 8. Breach (2h).
		ticket("t2", "urgent", mon.Add(-2*time.Hour), item.StatusOpen, ev(item.EventVendorReply, mon)),
		// Answered Monday 15:00 Tokyo, 3 h late: breach.
		ticket("t3", "urgent", mon.Add(3*time.Hour), item.StatusOpen, ev(item.EventVendorReply, mon.Add(6*time.Hour))),
	})
	putTickets(t, st, cfg, "quiet", "desk", synced, nil)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme", "quiet"},
		Period: Period{From: from, To: to}, Now: now, Kinds: collectors.Kinds.Config()})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	if !v.Sections.ReplyHours {
		t.Fatal("zendesk has a reply timeline, the section says not")
	}
	if v.Charts.Zone != "Asia/Tokyo" {
		t.Errorf("zone %q, want Asia/Tokyo", v.Charts.Zone)
	}
	want := map[[2]int]uint64{{6, 11}: 1, {0, 8}: 1, {0, 14}: 1}
	for day := range v.Charts.RepliesByHour {
		for h, n := range v.Charts.RepliesByHour[day] {
			if n != want[[2]int{day, h}] {
				t.Errorf("replies[%d][%d] = %d, want %d (row 0 = Monday, Tokyo hours)", day, h, n, want[[2]int{day, h}])
			}
		}
	}
	if ind := indicator(t, v, "week_hours_covered"); ind.Value == nil || *ind.Value != 3.0/168 || ind.Samples != 3 {
		t.Errorf("week hours covered %s of %d, want 3/168 of 3 replies", val(ind.Value), ind.Samples)
	}
	// One met of three against an objective of 0.5: missed.
	for _, row := range v.SLA {
		if row.Priority != "urgent" || row.Target != "first_response" {
			continue
		}
		if row.Compliance == nil || math.Abs(*row.Compliance-1.0/3) > 1e-12 || row.Met == nil || *row.Met {
			t.Errorf("urgent first response: compliance %s met %v, want 1/3, missed against 0.5", val(row.Compliance), row.Met)
		}
	}
	if ind := indicator(t, v, "tickets_opened"); !ind.Neutral {
		t.Error("tickets opened is a volume: want neutral")
	}
	if ind := indicator(t, v, "first_response_compliance"); ind.Neutral {
		t.Error("first-response compliance has a better direction: not neutral")
	}

	// A vendor without a reply in the period: no data, not "no hour
	// covered"; no calendar: UTC; no SLA objective: no Met.
	q := r.Vendors[1]
	if ind := indicator(t, q, "week_hours_covered"); ind.Value != nil || ind.Samples != 0 {
		t.Errorf("quiet: week hours covered %s of %d, want no data", val(ind.Value), ind.Samples)
	}
	if q.Charts.Zone != "UTC" {
		t.Errorf("quiet: zone %q, want UTC", q.Charts.Zone)
	}
}

// TestSLARowMet: a row is met when its compliance reaches the objective
// (sla.objective, 0.95 by default), missed below it, and neither without
// a clock ended in the period.
func TestSLARowMet(t *testing.T) {
	st, cfg := smallStore(t)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, Now: now, Kinds: collectors.Kinds.Config()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"urgent/first_response": "missed", // t2 breached, t3 met: 0.5
		"high/first_response":   "met",    // t4 met: 1
		"urgent/resolution":     "missed", // t3 breached: 0.5
	}
	got := map[string]string{}
	for _, row := range r.Vendors[0].SLA {
		k, m := row.Priority+"/"+row.Target, "nil"
		if row.Objective != 0.95 {
			t.Errorf("%s: objective %v, want the default 0.95", k, row.Objective)
		}
		if row.Met != nil {
			m = map[bool]string{true: "met", false: "missed"}[*row.Met]
		}
		if row.Compliance == nil && row.Met != nil {
			t.Errorf("%s: met %v without a compliance", k, *row.Met)
		}
		got[k] = m
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s (rows %v)", k, got[k], w, got)
		}
	}
}

// TestPreviousPeriod: a named calendar period is compared with the
// calendar period before it, whatever their lengths; any other period with
// the period of the same length just before.
func TestPreviousPeriod(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		p    Period
		want Period
	}{
		// Q3 has 92 days, Q2 91: not the 92 days before July 1.
		{Period{From: d(2026, 7, 1), To: d(2026, 10, 1), Name: "2026Q3"}, Period{From: d(2026, 4, 1), To: d(2026, 7, 1), Name: "2026Q2"}},
		{Period{From: d(2026, 1, 1), To: d(2026, 4, 1), Name: "2026Q1"}, Period{From: d(2025, 10, 1), To: d(2026, 1, 1), Name: "2025Q4"}},
		// November has 30 days, October 31.
		{Period{From: d(2026, 11, 1), To: d(2026, 12, 1), Name: "2026-11"}, Period{From: d(2026, 10, 1), To: d(2026, 11, 1), Name: "2026-10"}},
		{Period{From: d(2026, 3, 1), To: d(2026, 4, 1), Name: "2026-03"}, Period{From: d(2026, 2, 1), To: d(2026, 3, 1), Name: "2026-02"}},
		{Period{From: d(2026, 1, 1), To: d(2026, 2, 1), Name: "2026-01"}, Period{From: d(2025, 12, 1), To: d(2026, 1, 1), Name: "2025-12"}},
		// "So far": the whole previous quarter.
		{Period{From: d(2026, 10, 1), To: d(2026, 11, 15), Name: "2026Q4"}, Period{From: d(2026, 7, 1), To: d(2026, 10, 1), Name: "2026Q3"}},
		// From/to: the same length just before.
		{Period{From: d(2026, 3, 1), To: d(2026, 4, 1)}, Period{From: d(2026, 1, 29), To: d(2026, 3, 1)}},
		// A name that does not match the start is not trusted.
		{Period{From: d(2026, 3, 2), To: d(2026, 4, 1), Name: "2026-03"}, Period{From: d(2026, 1, 31), To: d(2026, 3, 2)}},
	} {
		if got := previousPeriod(tc.p); !got.From.Equal(tc.want.From) || !got.To.Equal(tc.want.To) || got.Name != tc.want.Name {
			t.Errorf("previous of %s %s..%s = %s %s..%s, want %s %s..%s", tc.p.Name, tc.p.From, tc.p.To,
				got.Name, got.From, got.To, tc.want.Name, tc.want.From, tc.want.To)
		}
	}
}

// TestBuildComparesPreviousMonth: Build reads the previous calendar month
// of a named month (October's 31 days before November), and names it.
func TestBuildComparesPreviousMonth(t *testing.T) {
	st, cfg := smallStore(t)
	// January 2: in January, not in the 28 days before February 1.
	putTickets(t, st, cfg, "acme", "support", synced, []item.Ticket{ticket("t9", "low", day0.Add(36*time.Hour), item.StatusOpen)})
	feb := Period{From: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Name: "2026-02"}
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"}, Period: feb,
		ComparePrevious: true, Now: feb.To.AddDate(0, 1, 0), Kinds: collectors.Kinds.Config()})
	if err != nil {
		t.Fatal(err)
	}
	if p := r.Previous; p == nil || !p.From.Equal(day0) || !p.To.Equal(feb.From) || p.Name != "2026-01" {
		t.Fatalf("previous %+v, want January 2026", r.Previous)
	}
	// smallStore's six tickets were opened January 5 to 19, t9 January 2:
	// the 28 days before February 1 would miss t9.
	if prev := indicator(t, r.Vendors[0], "tickets_opened").Previous; prev == nil || *prev != 7 {
		t.Errorf("previous tickets opened %s, want 7 (all of January's)", val(prev))
	}
}
