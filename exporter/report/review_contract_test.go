package report

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

const contractYAML = `global:
  history_start: 2025-10-01
vendors:
  - name: acme
    agreements:
      - name: api
        measure: availability
        components: [API]
        period: month
        tiers:
          - {below: 0.999, credit: 0.10}
        claim: {within: 30d}
    status_pages:
      - {name: status, kind: statuspage, url: "https://status.acme.com"}
`

// A quarter's review of a monthly availability agreement: January's
// outage (a credit owed, in the quarter) is not listed.
func TestReviewContractQuarterMonths(t *testing.T) {
	cfg := testConfig(t, contractYAML)
	rules, _ := quality.NewRules(cfg.Vendors[0], cfg.Global)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	jan10 := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	inc := item.Incident{ID: "i1", Impact: item.ImpactMajor, StartedAt: jan10, CreatedAt: jan10, Components: []string{"API"},
		Updates: []time.Time{jan10.Add(3 * time.Hour)}, ResolvedAt: jan10.Add(3 * time.Hour), UpdatedAt: jan10.Add(3 * time.Hour)}
	putStatus(t, st, rules, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), []item.Incident{inc}, nil, quality.Judged{})
	q1, q2 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: q1, To: q2, Name: "2026Q1"}, Now: time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Vendors[0].Contracts[0]
	for _, p := range c.Periods {
		t.Logf("period %s..%s availability %v credit %v deadline %v", p.Start, p.End, *p.Availability, p.CreditRatio, p.ClaimDeadline)
	}
	if len(c.Periods) != 3 {
		t.Errorf("%d contract periods listed for a quarter of monthly periods, want 3 (January's outage owes a credit)", len(c.Periods))
	}
	if len(c.Periods) > 0 && (!c.Periods[0].Start.Equal(q1) || c.Periods[0].CreditRatio != 0.10 || c.Periods[0].ClaimDeadline == nil) {
		t.Errorf("January: %+v, want a 10 %% credit and a claim deadline", c.Periods[0])
	}
}

const signalYAML = `global:
  history_start: 2025-12-01
vendors:
  - name: acme
    signals: {priorities: [urgent]}
    tickets:
      - {name: support, kind: zendesk, url: "https://acme.zendesk.com", http_client: {basic_auth: {username: agent, password: token}}}
    status_pages:
      - {name: status, kind: statuspage, url: "https://status.acme.com"}
`

// An incident announced just before To, while the ticket source's last
// complete sync started before its first post: undecided, shown as not
// customer-first although an urgent ticket came 20 minutes before it.
func TestReviewUndecidedIncidentShownVendorFirst(t *testing.T) {
	cfg := testConfig(t, signalYAML)
	rules, _ := quality.NewRules(cfg.Vendors[0], cfg.Global)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := time.Minute
	post := to.Add(-10 * m)
	inc := item.Incident{ID: "i1", Impact: item.ImpactMajor, StartedAt: post, CreatedAt: post, UpdatedAt: post}
	putStatus(t, st, rules, to, []item.Incident{inc}, nil, quality.Judged{})
	putTickets(t, st, cfg, "acme", "support", to.Add(-15*m), []item.Ticket{ticket("t1", "urgent", post.Add(-20*m), item.StatusOpen)})
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, Now: to})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	t.Logf("incidents %+v; vendor_first samples %d", v.Incidents, indicator(t, v, "vendor_first_ratio").Samples)
	if len(v.Incidents) != 1 || v.Incidents[0].CustomerFirst != nil {
		t.Errorf("incident shown customer_first=%v (false reads: the vendor noticed first) while undecided, want nil", v.Incidents)
	}
}

// A GitHub Enterprise Server source: the link goes to github.com.
func TestReviewGHELink(t *testing.T) {
	cfg := testConfig(t, `vendors:
  - name: acme
    tickets:
      - {name: gh, kind: github, url: "https://ghe.corp.example/api/v3", repositories: [acme/widget]}
`)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := newCollector(t.Context(), &Options{Store: st, Config: cfg, Kinds: collectors.Kinds.Config()}, cfg.Vendors[0], from, to)
	u := c.ticketURL("gh", "acme/widget#12")
	t.Logf("link %q", u)
	if u != "https://ghe.corp.example/acme/widget/issues/12" {
		t.Errorf("a GitHub Enterprise issue links to %s, want its page on the server", u)
	}
}

// Finding 8: an open incident's silence runs to the status source's last
// complete sync start, not to the period's end: nobody looked after it.
func TestReviewOpenIncidentSilenceToAsOf(t *testing.T) {
	cfg := testConfig(t, signalYAML)
	rules, _ := quality.NewRules(cfg.Vendors[0], cfg.Global)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := time.Hour
	post := to.Add(-5 * h)
	inc := item.Incident{ID: "i1", Impact: item.ImpactMajor, StartedAt: post, CreatedAt: post, UpdatedAt: post}
	putStatus(t, st, rules, to.Add(-2*h), []item.Incident{inc}, nil, quality.Judged{})
	putTickets(t, st, cfg, "acme", "support", to, nil)
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, Now: to})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	if len(v.Incidents) != 1 || v.Incidents[0].LongestGapSeconds != (3*h).Seconds() {
		t.Errorf("incidents %+v: want one, silent 3 h (to the status page's last sync), not 5 h", v.Incidents)
	}
}
