package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// demoClocks are instants the demo must work at: every 1h41m over a week
// (so every hour and many minutes of each weekday), each office's local
// midnight, and both sides of the 2026 DST changes in America and Europe.
func demoClocks(t *testing.T) []time.Time {
	t.Helper()
	var out []time.Time
	base := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC) // a Monday
	for at := base; at.Before(base.Add(week)); at = at.Add(101 * time.Minute) {
		out = append(out, at)
	}
	for _, v := range Demo(base) {
		loc, err := time.LoadLocation(v.Timezone)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Date(2026, 3, 10, 0, 0, 0, 0, loc))
	}
	for _, s := range []string{"2026-03-08T09:59:59Z", "2026-03-08T10:00:00Z", "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z"} {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, at)
	}
	return out
}

// demoAt is the demo world started at start, and the instant its APIs are
// read at: a minute later, by which TestDemo wants every family.
type demoAt struct {
	t          *testing.T
	s          *Sim
	start, now time.Time
	sources    map[string]DemoSource
	open       map[string][]TicketTruth // by vendor, once asked
}

func newDemoAt(t *testing.T, start time.Time) *demoAt {
	t.Helper()
	now := start.Add(time.Minute)
	s, err := New(Options{Seed: 42, Start: start, Clock: func() time.Time { return now }, Vendors: Demo(start), ExportRequestsPerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &demoAt{t: t, s: s, start: start, now: now, sources: DemoSources()}
}

// status answers a GET of the vendor's status API as its endpoint serves it,
// decoded into v (no listener: the handler itself).
func (d *demoAt) status(vendor, path string, v any) {
	d.t.Helper()
	kind := d.sources[vendor].Status
	rec := httptest.NewRecorder()
	d.s.apis[apiKey{vendor, kind}].ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		d.t.Fatalf("%s %s %s: HTTP %d", vendor, kind, path, rec.Code)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		d.t.Fatalf("%s %s %s: %v", vendor, kind, path, err)
	}
}

func (d *demoAt) vendorOn(kind string) string {
	for v, src := range d.sources {
		if src.Status == kind {
			return v
		}
	}
	d.t.Fatalf("no demo vendor on %s", kind)
	return ""
}

// openTickets are the tickets of the vendors with a ticket source that are
// neither solved nor closed now, as every ticket kind shows them.
func (d *demoAt) openTickets(keep func(vendor string) bool) []TicketTruth {
	if d.open == nil {
		d.open = map[string][]TicketTruth{}
		for v, src := range d.sources {
			if src.Tickets == "" {
				continue
			}
			for _, tk := range d.s.Truth(v, d.now).Tickets {
				if tk.Status != "solved" && tk.Status != "closed" {
					d.open[v] = append(d.open[v], tk)
				}
			}
		}
	}
	var out []TicketTruth
	for v, tks := range d.open {
		if keep(v) {
			out = append(out, tks...)
		}
	}
	return out
}

// demoFirstResponse is the demo config's first_response target by priority
// (a ticket without one is normal).
var demoFirstResponse = map[string]time.Duration{"urgent": time.Hour, "high": 4 * time.Hour, "normal": 8 * time.Hour, "low": 24 * time.Hour, "": 8 * time.Hour}

// demoNeeds are the catalog families of docs/metrics.md whose data depends
// on the instant the demo starts, or on what a status kind shows, each with
// what the demo's sources must serve a minute after start for it to be
// non-zero. Ticket counts and histograms come from 30 days of history at
// any start, and the config and exporter families from no vendor data.
var demoNeeds = []struct {
	families string
	served   func(d *demoAt) bool
}{
	{"support_status_maintenance_short_notice_total", func(d *demoAt) bool {
		// The one short-notice vendor, on status.io: a maintenance announced
		// less than the config's 72h before its start.
		var p struct {
			Result struct {
				Maintenance struct{ Active, Upcoming []sioEvent } `json:"maintenance"`
			} `json:"result"`
		}
		d.status("nightless", "/1.0/status/"+d.s.StatusioPageID("nightless"), &p)
		for _, m := range slices.Concat(p.Result.Maintenance.Active, p.Result.Maintenance.Upcoming) {
			open, err1 := time.Parse(spTimeLayout, m.DatetimeOpen)
			start, err2 := time.Parse(spTimeLayout, m.DatetimePlannedStart)
			if err1 == nil && err2 == nil && start.Sub(open) < 72*time.Hour {
				return true
			}
		}
		return false
	}},
	{"support_status_next_maintenance_timestamp_seconds", func(d *demoAt) bool {
		var sio struct {
			Result struct {
				Maintenance struct{ Upcoming []sioEvent } `json:"maintenance"`
			} `json:"result"`
		}
		v := d.vendorOn(KindStatusio)
		d.status(v, "/1.0/status/"+d.s.StatusioPageID(v), &sio)
		var is struct{ ActiveMaintenances []isMaintenance }
		d.status(d.vendorOn(KindInstatus), "/summary.json", &is)
		var io struct {
			Scheduled []ioWidgetEvent `json:"scheduled_maintenances"`
		}
		d.status(d.vendorOn(KindIncidentio), "/api/v1/summary", &io)
		notStarted := slices.ContainsFunc(is.ActiveMaintenances, func(m isMaintenance) bool { return m.Status == "NOTSTARTEDYET" })
		return len(sio.Result.Maintenance.Upcoming) > 0 || notStarted || len(io.Scheduled) > 0
	}},
	{"support_status_incidents_open, support_status_incident_oldest_last_update_timestamp_seconds", func(d *demoAt) bool {
		// Open incidents with their posts: status.io's and incident.io's.
		var sio struct {
			Result struct{ Incidents []sioEvent } `json:"result"`
		}
		v := d.vendorOn(KindStatusio)
		d.status(v, "/1.0/status/"+d.s.StatusioPageID(v), &sio)
		var io struct{ Incidents []ioIncident }
		d.status(d.vendorOn(KindIncidentio), "/api/v2/summary.json", &io)
		return len(sio.Result.Incidents) > 0 || len(io.Incidents) > 0
	}},
	{"support_status_incident_postmortem_seconds", func(d *demoAt) bool {
		var sp struct{ Incidents []spIncident }
		d.status(d.vendorOn(KindStatuspage), "/api/v2/incidents.json", &sp)
		return slices.ContainsFunc(sp.Incidents, func(in spIncident) bool { return in.PostmortemPublishedAt != nil })
	}},
	{"support_status_maintenance_notice_seconds", func(d *demoAt) bool {
		var sp struct {
			ScheduledMaintenances []spMaintenance `json:"scheduled_maintenances"`
		}
		d.status(d.vendorOn(KindStatuspage), "/api/v2/scheduled-maintenances.json", &sp)
		return len(sp.ScheduledMaintenances) > 0
	}},
	{"support_incident_customer_lead_seconds", func(d *demoAt) bool {
		// An incident on a page with history whose notice window holds an
		// urgent ticket (the demo's own alerts aside).
		v := d.vendorOn(KindCachet)
		first, _ := urgentFirst(d.s.Truth(v, d.now))
		return first > 0
	}},
	{"support_tickets_open", func(d *demoAt) bool {
		return len(d.openTickets(func(string) bool { return true })) > 0
	}},
	{"support_ticket_oldest_unanswered_created_timestamp_seconds", func(d *demoAt) bool {
		return slices.ContainsFunc(d.openTickets(func(string) bool { return true }), func(tk TicketTruth) bool { return tk.FirstReply.IsZero() })
	}},
	{"support_tickets_breaching_sla", func(d *demoAt) bool {
		return slices.ContainsFunc(d.openTickets(func(string) bool { return true }), func(tk TicketTruth) bool {
			return tk.FirstReply.IsZero() && d.now.Sub(tk.Created) > demoFirstResponse[tk.Priority]
		})
	}},
	{"support_escalations_open", func(d *demoAt) bool {
		// Zendesk's Requests API shows no tags: its vendor cannot count.
		feeds := func(v string) bool { return d.sources[v].Tickets != KindZendeskRequests }
		return slices.ContainsFunc(d.openTickets(feeds), func(tk TicketTruth) bool { return slices.Contains(tk.Tags, "escalated") })
	}},
}

// urgentFirst counts the incidents posted by the truth's instant whose
// notice window (from 30 minutes before impact began to the first post,
// the default of "who noticed first") holds the creation of an urgent
// ticket, of all of them.
func urgentFirst(tr Truth) (first, of int) {
	for _, in := range tr.Incidents {
		from := in.Started.Add(-30 * time.Minute)
		if slices.ContainsFunc(tr.Tickets, func(tk TicketTruth) bool {
			urgent := tk.Priority == "urgent" || tk.FirstPriority == "urgent"
			return urgent && !tk.Created.Before(from) && !tk.Created.After(in.Created)
		}) {
			first++
		}
	}
	return first, len(tr.Incidents)
}

// TestDemoAtAnyClock: whatever the instant the demo starts, a minute later
// its sources serve what every start-dependent family of the catalog needs.
func TestDemoAtAnyClock(t *testing.T) {
	for _, start := range demoClocks(t) {
		t.Run(start.Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			d := newDemoAt(t, start)
			for _, need := range demoNeeds {
				if !need.served(d) {
					t.Errorf("demo started %s (%s): nothing served a minute later for %s", start.Format(time.RFC3339), start.Weekday(), need.families)
				}
			}
		})
	}
}

// TestDemoWhoNoticedFirst: over the demo's 30 days, customers complain
// with an urgent ticket before openpipe posts nearly every incident, and
// rarely before swiftedge, which posts within minutes.
func TestDemoWhoNoticedFirst(t *testing.T) {
	var report []string
	for _, start := range []time.Time{testStart, time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC), time.Date(2026, 12, 6, 20, 5, 0, 0, time.UTC)} {
		s, err := New(Options{Seed: 42, Start: start, Vendors: Demo(start)})
		if err != nil {
			t.Fatal(err)
		}
		op, opOf := urgentFirst(s.Truth("openpipe", start))
		sw, swOf := urgentFirst(s.Truth("swiftedge", start))
		report = append(report, fmt.Sprintf("%s: openpipe %d/%d, swiftedge %d/%d", start.Format(time.DateOnly), op, opOf, sw, swOf))
		if opOf < 8 || float64(op) < 0.9*float64(opOf) {
			t.Errorf("demo started %s: openpipe has an urgent complaint before %d of %d incidents, want nearly all of at least 8", start, op, opOf)
		}
		if swOf < 8 || float64(sw) > 0.2*float64(swOf) {
			t.Errorf("demo started %s: swiftedge has an urgent ticket before %d of %d incidents, want few of at least 8", start, sw, swOf)
		}
	}
	t.Log("incidents with an urgent ticket in their notice window: " + strings.Join(report, "; "))
}
