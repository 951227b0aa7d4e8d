package exposition

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

// benchConfig is one vendor with an office calendar, SLA targets on every
// priority, a ticket source and a status page.
const benchConfig = `
calendars:
  office:
    timezone: Europe/Berlin
    hours: "09:00-18:00"
vendors:
  - name: acme
    calendar: office
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
      resolution: {urgent: 24h, high: 72h, normal: 120h}
      maintenance_notice: 72h
    escalation:
      tags: [escalated]
    tickets:
      - name: helpdesk
        kind: zendesk
        http_client: {basic_auth: {username: agent, password: token}}
        url: https://acme.zendesk.example
    status_pages:
      - name: status
        kind: statuspage
        url: https://status.acme.example
`

// benchNow is the instant the benchmark's snapshot is judged at: every
// ticket was created before it.
var benchNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// benchLive is the number of unsettled tickets added to every stored set:
// what the snapshot evaluates on each rebuild.
const benchLive = 1000

// BenchmarkScrape is one scrape of the metrics endpoint: the registry
// gathers the collector, which reads a prebuilt snapshot, and the result is
// encoded in the text format. Its cost must not depend on how many tickets
// are stored, so it runs with a thousand and with a million settled tickets
// (plus a thousand live ones each).
func BenchmarkScrape(b *testing.B) {
	for _, bc := range []struct {
		name    string
		settled int
	}{
		{"tickets=1k", 1_000},
		{"tickets=1M", 1_000_000},
	} {
		b.Run(bc.name, func(b *testing.B) {
			state := benchBuildState(b, bc.settled)
			reg := prometheus.NewRegistry()
			reg.MustRegister(New(state))
			size := benchScrapeOnce(b, reg, io.Discard)
			b.ReportAllocs()
			for b.Loop() {
				benchScrapeOnce(b, reg, io.Discard)
			}
			b.ReportMetric(float64(size), "exposition-bytes")
		})
	}
}

// benchScrapeOnce gathers reg and writes it to w in the text format, as
// promhttp does for a client without content negotiation; it returns the
// bytes written.
func benchScrapeOnce(b *testing.B, reg *prometheus.Registry, w io.Writer) int {
	fams, err := reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	cw := &benchCountingWriter{w: w}
	enc := expfmt.NewEncoder(cw, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			b.Fatal(err)
		}
	}
	return cw.n
}

type benchCountingWriter struct {
	w io.Writer
	n int
}

func (c *benchCountingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}

// benchState is a fixed exposition.State: the snapshot of an aggregator fed
// with settled tickets, live tickets and a status page's history.
type benchState struct {
	snap      *quality.Snapshot
	sources   []SourceStatus
	contracts []Contract
}

func (s *benchState) Snapshot() *quality.Snapshot    { return s.snap }
func (s *benchState) SourceStatuses() []SourceStatus { return s.sources }
func (s *benchState) Contracts() []Contract          { return s.contracts }
func (s *benchState) ReloadSuccessful() bool         { return true }
func (s *benchState) RebuiltAt() []Rebuild           { return nil }

func benchBuildState(b *testing.B, settled int) *benchState {
	b.Helper()
	cfg, err := config.Parse([]byte(benchConfig), "bench.yml", collectors.Kinds.Config())
	if err != nil {
		b.Fatal(err)
	}
	v := cfg.Vendors[0]
	rules, err := quality.NewRules(v, config.Global{})
	if err != nil {
		b.Fatal(err)
	}
	sources, ticketSources := quality.VendorSources(v)
	agg := quality.NewAggregator(rules, sources, ticketSources)
	rng := rand.New(rand.NewPCG(1, 2))
	// Tickets arrive every 45 s, so a million span about a year and a half.
	first := benchNow.Add(-time.Duration(settled+benchLive) * 45 * time.Second)
	for i := range settled + benchLive {
		t := benchTicket(rng, i, first.Add(time.Duration(i)*45*time.Second), i >= settled)
		merged := rules.MergeTicket(nil, t, quality.Judged{})
		agg.ReplaceTicket("helpdesk", nil, &merged)
	}
	benchStatusPage(agg, rng)
	vs := agg.Snapshot(func(string) time.Time { return benchNow })
	var created uint64
	for _, n := range vs.TicketsCreated {
		created += n
	}
	if want := uint64(settled + benchLive); created != want {
		b.Fatalf("snapshot counts %d tickets created, want %d", created, want)
	}
	return &benchState{
		snap:      &quality.Snapshot{At: benchNow, Vendors: []*quality.VendorSnapshot{vs}},
		sources:   benchSources(),
		contracts: []Contract{benchContract(v)},
	}
}

var benchPriorities = []string{"urgent", "high", "high", "normal", "normal", "normal", "low", ""}

// benchTicket is ticket i as Zendesk's export gives it: a timeline of
// customer and vendor replies, the API's metric figures, sometimes a
// reopen, an escalation tag or a rating. A live ticket is new, open,
// pending or on hold; the others are solved or closed.
func benchTicket(rng *rand.Rand, i int, created time.Time, live bool) item.Ticket {
	t := item.Ticket{
		ID: fmt.Sprint(100_000 + i), CreatedAt: created,
		Priority: benchPriorities[rng.IntN(len(benchPriorities))],
		Tags:     []string{"product_api", "region_eu"},
	}
	at := created
	step := func() time.Time {
		at = at.Add(time.Duration(5+rng.IntN(600)) * time.Minute)
		return at
	}
	replies, reopens := 0, 0
	var firstReply, firstSolve time.Time
	rounds := 1 + rng.IntN(4)
	for r := range rounds {
		if r > 0 {
			t.Events = append(t.Events, item.Event{Kind: item.EventCustomerReply, At: step()})
		}
		t.Events = append(t.Events, item.Event{Kind: item.EventVendorReply, At: step()})
		if firstReply.IsZero() {
			firstReply = at
		}
		replies++
	}
	switch {
	case live:
		t.Status = []item.Status{item.StatusNew, item.StatusOpen, item.StatusPending, item.StatusOnHold}[rng.IntN(4)]
		if t.Status == item.StatusNew {
			t.Events, replies, firstReply = nil, 0, time.Time{}
		}
	default:
		t.Events = append(t.Events, item.Event{Kind: item.EventSolved, At: step()})
		firstSolve = at
		if rng.IntN(20) == 0 {
			t.Events = append(t.Events,
				item.Event{Kind: item.EventReopened, At: step()},
				item.Event{Kind: item.EventVendorReply, At: step()},
				item.Event{Kind: item.EventSolved, At: step()})
			replies++
			reopens++
		}
		t.Status = item.StatusSolved
		if rng.IntN(3) > 0 {
			t.Status = item.StatusClosed
		}
		switch rng.IntN(4) {
		case 0:
			t.Satisfaction = item.RatingGood
		case 1:
			t.Satisfaction = item.RatingBad
		}
	}
	if rng.IntN(30) == 0 {
		t.Tags = append(t.Tags, "escalated")
	}
	t.UpdatedAt = at
	t.Figures = &item.Figures{FirstReplyAt: firstReply, FirstSolvedAt: firstSolve, Replies: replies, Reopens: reopens}
	return t
}

// benchStatusPage adds a status page's year: 150 incidents (two still
// open), 50 maintenances (one announced) and 25 components.
func benchStatusPage(agg *quality.Aggregator, rng *rand.Rand) {
	impacts := []item.Impact{item.ImpactNone, item.ImpactMinor, item.ImpactMajor, item.ImpactCritical}
	for i := range 150 {
		created := benchNow.Add(-time.Duration(150-i) * 58 * time.Hour)
		in := item.Incident{
			ID: fmt.Sprintf("inc%03d", i), Impact: impacts[rng.IntN(len(impacts))],
			CreatedAt: created, StartedAt: created.Add(-time.Duration(rng.IntN(60)) * time.Minute), UpdatedAt: created,
		}
		for u := range 1 + rng.IntN(6) {
			in.Updates = append(in.Updates, created.Add(time.Duration(u*(10+rng.IntN(50)))*time.Minute))
		}
		if i < 148 {
			in.ResolvedAt = in.Updates[len(in.Updates)-1].Add(time.Minute)
		}
		if rng.IntN(5) == 0 {
			in.PostmortemPublishedAt = created.Add(72 * time.Hour)
		}
		merged := agg.Rules().MergeIncident(nil, in, quality.Judged{})
		agg.ReplaceIncident("status", nil, &merged)
	}
	for i := range 50 {
		start := benchNow.Add(-time.Duration(49-i) * 7 * 24 * time.Hour)
		m := item.Maintenance{
			ID: fmt.Sprintf("mnt%02d", i), CreatedAt: start.Add(-time.Duration(24+rng.IntN(120)) * time.Hour),
			ScheduledFor: start, ScheduledUntil: start.Add(2 * time.Hour),
		}
		if i == 49 {
			m.ScheduledFor, m.ScheduledUntil = benchNow.Add(48*time.Hour), benchNow.Add(50*time.Hour)
		} else {
			m.CompletedAt = m.ScheduledUntil
		}
		m.UpdatedAt = m.CreatedAt
		merged := agg.Rules().MergeMaintenance(nil, m, quality.Judged{})
		agg.ReplaceMaintenance("status", nil, &merged)
	}
	components := make([]item.Component, 25)
	for i := range components {
		components[i] = item.Component{Name: fmt.Sprintf("Component %02d", i), Status: quality.ComponentStatuses[rng.IntN(len(quality.ComponentStatuses))]}
	}
	agg.SetComponents("status", components)
}

// benchSources are the two sources' sync states after a few hundred polls.
func benchSources() []SourceStatus {
	synced := benchNow.Add(-time.Minute)
	return []SourceStatus{
		{Vendor: "acme", Source: "helpdesk", Kind: "zendesk", Up: true, LastSync: synced, LastSuccess: synced,
			LastDuration: 800 * time.Millisecond, Requests: map[string]uint64{"200": 1204, "429": 3, "error": 1},
			Errors: map[string]uint64{"rate_limited": 3, "network": 1}},
		{Vendor: "acme", Source: "status", Kind: "statuspage", Up: true, LastSync: synced, LastSuccess: synced,
			LastDuration: 120 * time.Millisecond, Requests: map[string]uint64{"200": 2410}, Errors: map[string]uint64{}},
	}
}

// benchContract is the vendor's SLA as the exporter exposes it.
func benchContract(v *config.Vendor) Contract {
	k := Contract{Vendor: v.Name, Objective: v.SLA[0].Objective, MaintenanceNotice: time.Duration(v.SLA[0].MaintenanceNotice)}
	for name, d := range v.SLA[0].FirstResponse {
		if p, ok := quality.ParsePriority(name); ok {
			k.Targets[p][quality.FirstResponse] = time.Duration(d)
		}
	}
	for name, d := range v.SLA[0].Resolution {
		if p, ok := quality.ParsePriority(name); ok {
			k.Targets[p][quality.Resolution] = time.Duration(d)
		}
	}
	return k
}
