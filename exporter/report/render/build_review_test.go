package render

import (
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// Tests of the build review's findings (REVIEW_REPORT_BUILD.md) as drawn;
// each failed before its fix.

// Finding 2: a ticket the vendor's own SLA clock judged shows the
// vendor's verdict against the vendor's deadline, never our seconds.
func TestBuildReviewVendorClock(t *testing.T) {
	r := oneVendor()
	created := r.Period.From.Add(time.Hour)
	r.Vendors[0].SLA = []report.SLARow{{Priority: "urgent", Target: "resolution", TargetSeconds: 86400, Checks: 2, Breaches: 1,
		Worst: []report.TicketRef{
			{Source: "jsm", ID: "j2", Created: created, Breached: true, Priority: "urgent", Clock: "vendor", OverSeconds: fp(36000)},
			{Source: "jsm", ID: "j1", Created: created, Priority: "urgent", Clock: "vendor", OverSeconds: fp(-86400)},
		}}}
	for _, f := range []string{"md", "html"} {
		out := render(t, r, f)
		for _, want := range []string{"SLA clock, 10 h past its deadline", "SLA clock, 1 d before its deadline"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q", f, want)
			}
		}
		if strings.Contains(out, "jsm j1</a>: 0 s") || strings.Contains(out, "jsm j1: 0 s") {
			t.Errorf("%s shows the vendor-clock ticket as 0 s", f)
		}
	}
}

// Finding 4: a maintenance whose announcement the format does not date
// shows its announcement and notice as unknown, not 0001-01-01 and 0 s.
func TestBuildReviewUnknownNotice(t *testing.T) {
	r := oneVendor()
	r.Vendors[0].Maintenances = []report.Maintenance{{Source: "st", ID: "m1", Scheduled: r.Period.From.Add(48 * time.Hour)}}
	md := render(t, r, "md")
	if want := "| st m1 | unknown | 2026-07-03 00:00 UTC | unknown |"; !strings.Contains(md, want) {
		t.Errorf("lacks %q in\n%s", want, md)
	}
	if h := render(t, r, "html"); strings.Contains(h, "0001-01-01") || !strings.Contains(h, ">unknown<") {
		t.Errorf("html shows a zero time or no unknown notice")
	}
}

// Finding 7: an incident whose first noticer is undecided reads so, not
// as "the vendor noticed first" (nothing said) nor as the customer.
func TestBuildReviewUndecided(t *testing.T) {
	r := oneVendor()
	st := r.Period.From.Add(24 * time.Hour)
	r.Vendors[0].Incidents = []report.Incident{
		{ID: "u", Impact: "minor", Started: st, Announced: st},
		{ID: "v", Impact: "minor", Started: st, Announced: st, CustomerFirst: bp(false)},
		{ID: "c", Impact: "minor", Started: st, Announced: st, CustomerFirst: bp(true)},
	}
	md := render(t, r, "md")
	for _, want := range []string{"| 1. u | minor | 2026-07-02 00:00 UTC | open | open | 0 s (who noticed first: undecided) |",
		"| 2. v | minor | 2026-07-02 00:00 UTC | open | open | 0 s | ", "| 3. c | minor | 2026-07-02 00:00 UTC | open | open | 0 s (customer noticed first) |"} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q in\n%s", want, md)
		}
	}
	if h := render(t, r, "html"); strings.Count(h, "who noticed first: undecided") != 1 || strings.Count(h, "customer noticed first</span>") != 1 {
		t.Errorf("html: want one undecided and one customer-first incident")
	}
}

// Finding 6: a page list read after the period says so, and how many of
// its pages are dated after the period and left out.
func TestBuildReviewDocsNote(t *testing.T) {
	r := oneVendor()
	r.Vendors[0].Sections.Docs = true
	read := r.Period.To.Add(36 * time.Hour)
	r.Vendors[0].Docs = []report.DocsSite{{Source: "docs", Pages: 3, ListRead: &read, LaterDated: 2}}
	want := "page list as read on 2026-10-02 12:00 UTC; 2 pages dated after the period left out"
	for _, f := range []string{"md", "html"} {
		if out := render(t, r, f); !strings.Contains(out, want) {
			t.Errorf("%s lacks %q", f, want)
		}
	}
	read = r.Period.To.Add(-time.Hour)
	r.Vendors[0].Docs[0].LaterDated = 0
	if out := render(t, r, "md"); strings.Contains(out, "page list as read") {
		t.Errorf("a list read inside the period is noted")
	}
}

// Lead decisions: a previous period not compared says why where it would
// be named; a previous period to date says so; a source last synced before
// the period's end is warned of in its vendor's section.
func TestBuildReviewDecisions(t *testing.T) {
	r := oneVendor()
	r.PreviousUnavailable = "no comparison with the previous period: it starts before global.history_start"
	synced := r.Period.To.Add(-26 * time.Hour)
	r.Vendors[0].Sources = []report.SourceSync{{Name: "desk", Kind: "zendesk", SyncedAt: synced},
		{Name: "status", Kind: "statuspage", SyncedAt: r.Period.To.Add(time.Hour)}, {Name: "new", Kind: "github"}}
	for _, f := range []string{"md", "html"} {
		out := render(t, r, f)
		for _, want := range []string{"; no comparison with the previous period: it starts before global.history",
			"figures from desk (zendesk) as of 2026-09-29 22:00 UTC, the start of its last complete sync",
			"figures from new (github): no complete sync yet"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q", f, want)
			}
		}
		if strings.Contains(out, "figures from status") {
			t.Errorf("%s warns of a source synced after the period's end", f)
		}
	}
	r.PreviousUnavailable = ""
	r.Previous = &report.Period{From: r.Period.From.AddDate(0, -3, 0), To: r.Period.From.AddDate(0, -3, 10), Name: "2026Q2", ToDate: true}
	if md := render(t, r, "md"); !strings.Contains(md, "compared with the previous period 2026Q2 (2026-04-01 – 2026-04-10), as far into it as this period so far") {
		t.Errorf("lacks the previous period to date in\n%s", md[:min(len(md), 600)])
	}
}
