package github

import (
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func minute(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

func ptr[T any](v T) *T { return &v }

func testRules() rules {
	return newRules(&config.Source{Options: &Options{VendorLogins: []string{"Acme-Support", "acme-triage[bot]"}}})
}

func user(login, typ string) *wireUser { return &wireUser{Login: login, Type: typ} }

func commented(login, typ, association string, n int) wireEvent {
	return wireEvent{Event: eventCommented, CreatedAt: minute(n), User: user(login, typ), Actor: user(login, typ), AuthorAssociation: association}
}

func closed(reason *string, n int) wireEvent {
	return wireEvent{Event: eventClosed, CreatedAt: minute(n), Actor: user("octocat", "User"), StateReason: reason}
}

func reopened(n int) wireEvent {
	return wireEvent{Event: eventReopened, CreatedAt: minute(n), Actor: user("customer", "User")}
}

func ev(kind item.EventKind, n int) item.Event { return item.Event{Kind: kind, At: minute(n)} }

func TestTicketTimeline(t *testing.T) {
	open := wireIssue{Number: ptr(int64(42)), State: stateOpen, CreatedAt: t0, UpdatedAt: minute(90)}
	closedAs := func(reason *string, at int) wireIssue {
		is := open
		is.State, is.StateReason, is.ClosedAt = stateClosed, reason, ptr(minute(at))
		return is
	}
	cases := []struct {
		name       string
		issue      wireIssue
		timeline   []wireEvent
		wantStatus item.Status
		wantEvents []item.Event
	}{
		{name: "no timeline", issue: open, wantStatus: item.StatusOpen},
		{name: "vendor replies: owner, member, collaborator", issue: open,
			timeline:   []wireEvent{commented("a", "User", "OWNER", 1), commented("b", "User", "MEMBER", 2), commented("c", "User", "COLLABORATOR", 3)},
			wantStatus: item.StatusPending, wantEvents: []item.Event{ev(item.EventVendorReply, 1), ev(item.EventVendorReply, 2), ev(item.EventVendorReply, 3)}},
		{name: "vendor login, any case", issue: open, timeline: []wireEvent{commented("ACME-SUPPORT", "User", "NONE", 1)},
			wantStatus: item.StatusPending, wantEvents: []item.Event{ev(item.EventVendorReply, 1)}},
		{name: "contributor and first-timer are customers", issue: open,
			timeline:   []wireEvent{commented("x", "User", "CONTRIBUTOR", 1), commented("y", "User", "FIRST_TIME_CONTRIBUTOR", 2), commented("z", "User", "NONE", 3)},
			wantStatus: item.StatusOpen, wantEvents: []item.Event{ev(item.EventCustomerReply, 1), ev(item.EventCustomerReply, 2), ev(item.EventCustomerReply, 3)}},
		{name: "bots are nobody, unless listed", issue: open,
			timeline:   []wireEvent{commented("stale[bot]", "Bot", "NONE", 1), commented("acme-triage[bot]", "Bot", "NONE", 2)},
			wantStatus: item.StatusPending, wantEvents: []item.Event{ev(item.EventVendorReply, 2)}},
		{name: "member's bot is the vendor", issue: open, timeline: []wireEvent{commented("acme-ci[bot]", "Bot", "MEMBER", 1)},
			wantStatus: item.StatusPending, wantEvents: []item.Event{ev(item.EventVendorReply, 1)}},
		{name: "comment without user falls back to actor", issue: open,
			timeline:   []wireEvent{{Event: eventCommented, CreatedAt: minute(1), Actor: user("acme-support", "User"), AuthorAssociation: "NONE"}},
			wantStatus: item.StatusPending, wantEvents: []item.Event{ev(item.EventVendorReply, 1)}},
		{name: "customer answers the vendor: awaits vendor", issue: open,
			timeline:   []wireEvent{commented("octocat", "User", "MEMBER", 1), commented("customer", "User", "NONE", 2)},
			wantStatus: item.StatusOpen, wantEvents: []item.Event{ev(item.EventVendorReply, 1), ev(item.EventCustomerReply, 2)}},
		{name: "solved as completed", issue: closedAs(ptr("completed"), 5),
			timeline:   []wireEvent{commented("octocat", "User", "MEMBER", 1), closed(ptr("completed"), 5)},
			wantStatus: item.StatusSolved, wantEvents: []item.Event{ev(item.EventVendorReply, 1), ev(item.EventSolved, 5)}},
		{name: "closed before close reasons existed is solved", issue: closedAs(nil, 5), timeline: []wireEvent{closed(nil, 5)},
			wantStatus: item.StatusSolved, wantEvents: []item.Event{ev(item.EventSolved, 5)}},
		{name: "closed as not planned is not solved", issue: closedAs(ptr("not_planned"), 5), timeline: []wireEvent{closed(ptr("not_planned"), 5)},
			wantStatus: item.StatusClosed},
		{name: "closed as duplicate is not solved", issue: closedAs(ptr("duplicate"), 5), timeline: []wireEvent{closed(ptr("duplicate"), 5)},
			wantStatus: item.StatusClosed},
		{name: "solved without its close in the timeline: closed_at", issue: closedAs(ptr("completed"), 7),
			timeline: []wireEvent{closed(ptr("not_planned"), 5)}, wantStatus: item.StatusSolved, wantEvents: []item.Event{ev(item.EventSolved, 7)}},
		{name: "solved, reopened, solved again", issue: closedAs(ptr("completed"), 9),
			timeline:   []wireEvent{closed(ptr("completed"), 3), reopened(4), commented("octocat", "User", "MEMBER", 6), closed(ptr("completed"), 9)},
			wantStatus: item.StatusSolved, wantEvents: []item.Event{ev(item.EventSolved, 3), ev(item.EventReopened, 4), ev(item.EventVendorReply, 6), ev(item.EventSolved, 9)}},
		{name: "reopened after a reply awaits the vendor", issue: func() wireIssue { is := open; is.StateReason = ptr("reopened"); return is }(),
			timeline:   []wireEvent{commented("octocat", "User", "MEMBER", 1), closed(ptr("completed"), 2), reopened(3)},
			wantStatus: item.StatusOpen, wantEvents: []item.Event{ev(item.EventVendorReply, 1), ev(item.EventSolved, 2), ev(item.EventReopened, 3)}},
		{name: "other events are ignored", issue: open,
			timeline:   []wireEvent{{Event: "labeled", CreatedAt: minute(1)}, {Event: "cross-referenced", CreatedAt: minute(2)}, {Event: "committed"}},
			wantStatus: item.StatusOpen},
	}
	r := testRules()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := r.ticket("acme/rtc-sdk", tc.issue, tc.timeline)
			if got.Status != tc.wantStatus {
				t.Errorf("status %s, want %s", got.Status, tc.wantStatus)
			}
			if !slices.Equal(got.Events, tc.wantEvents) {
				t.Errorf("events %+v, want %+v", got.Events, tc.wantEvents)
			}
			if got.ID != "acme/rtc-sdk#42" || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(minute(90)) ||
				got.Escalated || got.Satisfaction != item.RatingNone || got.Figures != nil {
				t.Errorf("ticket %+v", got)
			}
		})
	}
}

// The labels are the tags, in order and as written; the priority is left
// empty: the exporter picks it from the tags (quality.Rules.MostUrgent).
func TestTicketLabels(t *testing.T) {
	cases := []struct {
		name   string
		labels []string
	}{
		{name: "none"},
		{name: "no priority label", labels: []string{"bug", "android"}},
		{name: "priority labels too, as written", labels: []string{"nice-to-have", "P2", " Sev: Critical ", "urgent"}},
	}
	r := testRules()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			is := wireIssue{Number: ptr(int64(1)), State: stateOpen, CreatedAt: t0, UpdatedAt: t0}
			for _, l := range tc.labels {
				is.Labels = append(is.Labels, wireLabel{Name: l})
			}
			got := r.ticket("acme/rtc-sdk", is, nil)
			if got.Priority != "" {
				t.Errorf("priority %q, want none: the exporter picks it from the tags", got.Priority)
			}
			if !slices.Equal(got.Tags, tc.labels) {
				t.Errorf("tags %q, want the labels %q", got.Tags, tc.labels)
			}
		})
	}
}

func TestIsVendorAuthor(t *testing.T) {
	r := testRules()
	cases := []struct {
		association string
		user        *wireUser
		want        bool
	}{
		{"OWNER", user("x", "User"), true},
		{"MEMBER", nil, true},
		{"COLLABORATOR", user("x", "User"), true},
		{"CONTRIBUTOR", user("x", "User"), false},
		{"NONE", user("acme-support", "User"), true},
		{"NONE", nil, false},
		{"", user("someone", "User"), false},
	}
	for _, tc := range cases {
		if got := r.isVendor(tc.association, tc.user); got != tc.want {
			t.Errorf("isVendor(%q, %+v) = %v, want %v", tc.association, tc.user, got, tc.want)
		}
	}
}

func TestNeedsTimeline(t *testing.T) {
	cases := []struct {
		name  string
		issue wireIssue
		want  bool
	}{
		{"open, never commented", wireIssue{State: stateOpen}, false},
		{"open, commented", wireIssue{State: stateOpen, Comments: 1}, true},
		{"reopened", wireIssue{State: stateOpen, StateReason: ptr("reopened")}, true},
		{"closed", wireIssue{State: stateClosed, StateReason: ptr("completed")}, true},
	}
	for _, tc := range cases {
		if got := needsTimeline(tc.issue); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
