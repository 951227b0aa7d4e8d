package github

import (
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// What a feature request's outcome is judged from (docs/metrics.md,
// "Feedback loop: feature requests"), read from real recordings: a closed
// issue list with types and closers, and an old issue's timeline.
func TestFeatureFieldsFromRealPayloads(t *testing.T) {
	issues, err := decodeIssues(collectortest.Testdata(t, "pygithub_issues_state-closed_type-any.json"))
	if err != nil {
		t.Fatal(err)
	}
	byNumber := map[int64]wireIssue{}
	for _, is := range issues {
		byNumber[*is.Number] = is
	}
	r := testRules()
	cases := []struct {
		number              int64
		typ, reason, closer string
		closedAt            string
	}{
		{3364, "Bug", "completed", "EnricoMi", "2025-09-02T17:30:49Z"},
		{3335, "Feature", "completed", "EnricoMi", "2025-08-15T20:07:09Z"},
		{3337, "Task", "completed", "EnricoMi", "2025-08-15T20:07:33Z"},
		// Closed in 2012, before reasons: GitHub now lists it completed.
		{28, "Bug", "completed", "jacquev6", "2012-05-26T14:59:33Z"},
	}
	for _, tc := range cases {
		is, ok := byNumber[tc.number]
		if !ok {
			t.Fatalf("issue %d not in the recording", tc.number)
		}
		got := r.ticket("PyGithub/PyGithub", is, nil)
		want, _ := time.Parse(time.RFC3339, tc.closedAt)
		if got.Type != tc.typ || got.CloseReason != tc.reason || got.ClosedBy != tc.closer || !got.ClosedAt.Equal(want) {
			t.Errorf("issue %d: type %q, reason %q, closer %q, closed %v; want %q, %q, %q, %v",
				tc.number, got.Type, got.CloseReason, got.ClosedBy, got.ClosedAt, tc.typ, tc.reason, tc.closer, want)
		}
	}

	// The author is the requester unless the author speaks for the
	// vendor: arash77 (a contributor) opened 3364; EnricoMi (a
	// collaborator) opened and closed 3335 as completed, the vendor's own
	// decision, not a withdrawal.
	for number, want := range map[int64]string{3364: "arash77", 3335: "", 28: ""} {
		if got := r.ticket("PyGithub/PyGithub", byNumber[number], nil).Author; got != want {
			t.Errorf("issue %d: author %q, want %q", number, got, want)
		}
	}

	// Issue 28's timeline: closed by jacquev6 (the close event predates
	// state_reason: no such key), labeled "v1" by jacquev6, its author.
	timeline, err := decodeTimeline(collectortest.Testdata(t, "pygithub_issue28_timeline.json"))
	if err != nil {
		t.Fatal(err)
	}
	is := byNumber[28]
	is.ClosedBy = nil // as in the recordings of before 2023: the closer comes from the timeline
	got := r.ticket("PyGithub/PyGithub", is, timeline)
	if got.ClosedBy != "jacquev6" {
		t.Errorf("closer %q from the timeline, want jacquev6", got.ClosedBy)
	}
	// Its one close, as the timeline dates it (a second after closed_at),
	// without state_reason (before reasons): completed.
	if want := []item.Closure{{At: time.Date(2012, 5, 26, 14, 59, 34, 0, time.UTC), Reason: "completed", By: "jacquev6"}}; !slices.Equal(got.Closes, want) {
		t.Errorf("closes %+v, want %+v", got.Closes, want)
	}
	if !got.TriagedAt.IsZero() {
		t.Errorf("triaged at %v: the author's own label is no triage", got.TriagedAt)
	}
	// The same label put on another's issue is the vendor's triage.
	is.User = user("someone-else", "User")
	got = r.ticket("PyGithub/PyGithub", is, timeline)
	if want := time.Date(2014, 3, 2, 18, 55, 11, 0, time.UTC); !got.TriagedAt.Equal(want) {
		t.Errorf("triaged at %v, want %v (jacquev6 labeled v1)", got.TriagedAt, want)
	}
}

func labeled(login, typ string, n int) wireEvent {
	return wireEvent{Event: eventLabeled, CreatedAt: minute(n), Actor: user(login, typ), Label: &wireLabel{Name: "enhancement"}}
}

func TestTicketCloseAndTriage(t *testing.T) {
	open := wireIssue{Number: ptr(int64(42)), State: stateOpen, CreatedAt: t0, UpdatedAt: minute(90),
		User: user("customer", "User"), Labels: []wireLabel{{Name: "enhancement"}}}
	closedAs := func(reason *string, by *wireUser) wireIssue {
		is := open
		is.State, is.StateReason, is.ClosedAt, is.ClosedBy = stateClosed, reason, ptr(minute(80)), by
		return is
	}
	cases := []struct {
		name           string
		issue          wireIssue
		timeline       []wireEvent
		reason, closer string
		closedAt       time.Time
		triaged        time.Time
		closes         []item.Closure
	}{
		{name: "open: no close", issue: open},
		{name: "reopened: no close", issue: func() wireIssue { is := open; is.StateReason = ptr("reopened"); return is }()},
		{name: "completed by a person", issue: closedAs(ptr("completed"), user("octocat", "User")),
			reason: "completed", closer: "octocat", closedAt: minute(80)},
		{name: "not planned by a stale bot", issue: closedAs(ptr("not_planned"), user("github-actions[bot]", "Bot")),
			reason: "not_planned", closer: "github-actions[bot]", closedAt: minute(80)},
		{name: "duplicate", issue: closedAs(ptr("duplicate"), user("octocat", "User")),
			reason: "duplicate", closer: "octocat", closedAt: minute(80)},
		{name: "null reason is completed", issue: closedAs(nil, user("stale[bot]", "Bot")),
			reason: "completed", closer: "stale[bot]", closedAt: minute(80)},
		{name: "no closed_by: the latest close's actor", issue: closedAs(ptr("completed"), nil),
			timeline: []wireEvent{closed(ptr("not_planned"), 5), reopened(6),
				{Event: eventClosed, CreatedAt: minute(80), Actor: user("maintainer", "User"), StateReason: ptr("completed")}},
			reason: "completed", closer: "maintainer", closedAt: minute(80),
			closes: []item.Closure{{At: minute(5), Reason: "not_planned", By: "octocat"}, {At: minute(80), Reason: "completed", By: "maintainer"}}},
		{name: "closed and reopened between two polls", issue: open,
			timeline: []wireEvent{closed(nil, 5), reopened(6)},
			closes:   []item.Closure{{At: minute(5), Reason: "completed", By: "octocat"}}},
		{name: "first vendor label is the triage", issue: open,
			timeline: []wireEvent{labeled("customer", "User", 0), labeled("labeler[bot]", "Bot", 1), labeled("Maintainer", "User", 7), labeled("other", "User", 9)},
			triaged:  minute(7)},
		{name: "a bot the config names triages", issue: open,
			timeline: []wireEvent{labeled("acme-triage[bot]", "Bot", 3), labeled("maintainer", "User", 7)},
			triaged:  minute(3)},
		{name: "the author's label, any case, is no triage", issue: open, timeline: []wireEvent{labeled("CUSTOMER", "User", 2)}},
	}
	r := testRules()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := r.ticket("acme/rtc-sdk", tc.issue, tc.timeline)
			if got.CloseReason != tc.reason || got.ClosedBy != tc.closer || !got.ClosedAt.Equal(tc.closedAt) || !got.TriagedAt.Equal(tc.triaged) {
				t.Errorf("reason %q, closer %q, closed %v, triaged %v; want %q, %q, %v, %v",
					got.CloseReason, got.ClosedBy, got.ClosedAt, got.TriagedAt, tc.reason, tc.closer, tc.closedAt, tc.triaged)
			}
			if !slices.Equal(got.Closes, tc.closes) {
				t.Errorf("closes %+v, want %+v", got.Closes, tc.closes)
			}
			if got.Author != "customer" {
				t.Errorf("author %q, want customer (no association)", got.Author)
			}
		})
	}
}

// A labeled open issue is read for who labeled it; one without labels
// still costs nothing.
func TestNeedsTimelineLabeled(t *testing.T) {
	if !needsTimeline(wireIssue{State: stateOpen, Labels: []wireLabel{{Name: "enhancement"}}}) {
		t.Error("an open labeled issue: no timeline read")
	}
	if needsTimeline(wireIssue{State: stateOpen, Labels: []wireLabel{}}) {
		t.Error("an open issue without labels: timeline read")
	}
}
