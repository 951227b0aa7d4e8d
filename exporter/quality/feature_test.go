package quality

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// featureVendor is the test vendor with feature_requests: the label
// "enhancement" or the type "Feature", the default bots.
func featureVendor() *config.Vendor {
	v := testVendor()
	v.FeatureRequests = config.FeatureRequests{Tags: []string{"enhancement"}, Types: []string{"Feature"}}
	return v
}

// closedAs closes a ticket at at, with a reason and a closer, as the
// github collector maps a closed issue.
func closedAs(t item.Ticket, reason, by string, at time.Time) item.Ticket {
	t.Status, t.CloseReason, t.ClosedBy, t.ClosedAt, t.UpdatedAt = item.StatusSolved, reason, by, at, at
	if reason != "completed" {
		t.Status = item.StatusClosed
	} else {
		t.Events = append(t.Events, ev(item.EventSolved, at))
	}
	return t
}

// The acceptance rows of the feedback loop, every value by hand; then the
// vendor edits everything after the outcomes, and nothing counted moves.
func TestFeatureRequests(t *testing.T) {
	r := mustRules(t, featureVendor(), t0)
	s := newStore(r)
	d := func(n float64) time.Duration { return time.Duration(n * float64(day)) }

	// A: labeled enhancement, answered after 2h, shipped (completed by a
	// person) after 40 days.
	a := item.Ticket{ID: "A", CreatedAt: t0, UpdatedAt: after(2 * time.Hour), Status: item.StatusPending,
		Tags: []string{"enhancement"}, Events: []item.Event{ev(item.EventVendorReply, after(2*time.Hour))}}
	// B: of type Feature, labeled by the vendor 30 minutes after its
	// creation (no reply), declined (not planned) after 10 days.
	b := item.Ticket{ID: "B", CreatedAt: after(d(1)), UpdatedAt: after(d(1)), Status: item.StatusOpen,
		Type: "Feature", TriagedAt: after(d(1) + 30*time.Minute)}
	// C: labeled Enhancement (case ignored), never answered, closed as
	// completed by a stale bot after 67 days.
	c := item.Ticket{ID: "C", CreatedAt: after(d(2)), UpdatedAt: after(d(2)), Status: item.StatusOpen, Tags: []string{"Enhancement"}}
	// D: a request open for 100 days, unanswered.
	dd := item.Ticket{ID: "D", CreatedAt: t0, UpdatedAt: t0, Status: item.StatusOpen, Tags: []string{"enhancement", "sdk"}}
	// E: an ordinary ticket; F: a request from before the history start.
	e := item.Ticket{ID: "E", CreatedAt: t0, UpdatedAt: t0, Status: item.StatusOpen, Tags: []string{"bug"}}
	f := item.Ticket{ID: "F", CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0, Status: item.StatusOpen, Tags: []string{"enhancement"}}
	for _, tk := range []item.Ticket{a, b, c, dd, e, f} {
		s.ticket("helpdesk", tk)
	}
	s.ticket("helpdesk", closedAs(a, "completed", "maintainer", after(d(40))))
	s.ticket("helpdesk", closedAs(b, "not_planned", "Maintainer", after(d(11))))
	s.ticket("helpdesk", closedAs(c, "completed", "stale[bot]", after(d(69))))

	now := after(d(100))
	want := func(v *VendorSnapshot) {
		v.Features.Created = 4                             // A, B, C, D; not E (no label), not F (before history_start)
		observe(&v.Features.Acknowledgement, 2*3600)       // A: the reply after 2h
		observe(&v.Features.Acknowledgement, 30*60)        // B: the vendor's label after 30 minutes
		v.Features.Outcomes = [NumOutcomes]uint64{1, 1, 1} // shipped A, declined B, closed_by_bot C
		observe(&v.Features.OutcomeTime[Shipped], 40*86400)
		observe(&v.Features.OutcomeTime[Declined], 10*86400)    // created day 1, closed day 11
		observe(&v.Features.OutcomeTime[ClosedByBot], 67*86400) // created day 2, closed day 69
		v.Features.Open[Age90dTo365d] = 1                       // D, 100 days old
	}
	got := s.agg.Snapshot(at(now))
	if !got.Features.Enabled {
		t.Fatal("feature requests not enabled")
	}
	checkFeatures(t, "as scripted", r, got, now, want)
	// Every ordinary metric counts them too: 5 tickets in the history (A, B,
	// C, D, E), all of priority normal.
	if got.TicketsCreated != ([NumPriorities]uint64{Normal: 5}) {
		t.Errorf("tickets created %v: feature requests must count as tickets too", got.TicketsCreated)
	}

	// Hold-up: after the outcomes, the vendor reopens A and drops its
	// label, retypes B as a Bug, changes C's closer and reason, and
	// unlabels D; a restart then recomputes from the store.
	a2 := a
	a2.Tags, a2.Status, a2.UpdatedAt = nil, item.StatusOpen, after(d(50))
	a2.Events = append(a2.Events, ev(item.EventSolved, after(d(40))), ev(item.EventReopened, after(d(50))))
	s.ticket("helpdesk", a2)
	b2 := closedAs(b, "duplicate", "someone", after(d(12)))
	b2.Type, b2.TriagedAt = "Bug", time.Time{}
	s.ticket("helpdesk", b2)
	s.ticket("helpdesk", closedAs(c, "not_planned", "maintainer", after(d(69)))) // the same close, edited
	d2 := dd
	d2.Tags = []string{"sdk"}
	s.ticket("helpdesk", d2)
	edited := func(v *VendorSnapshot) {
		want(v)
		v.Features.Open[Age90dTo365d] = 2 // A open again (100 days old), and D
	}
	checkFeatures(t, "after the vendor's edits", r, s.agg.Snapshot(at(now)), now, edited)
	checkFeatures(t, "after a restart", r, s.reload().Snapshot(at(now)), now, edited)
}

// checkFeatures compares a snapshot's feature requests with those of an
// empty aggregator changed by want.
func checkFeatures(t *testing.T, when string, r *Rules, got *VendorSnapshot, now time.Time, want func(*VendorSnapshot)) {
	t.Helper()
	expected := NewAggregator(r, testSources, testTicketSources).Snapshot(at(now))
	want(expected)
	if got, want := got.Features, expected.Features; !equalFeatures(got, want) {
		t.Errorf("%s: feature requests\n got %+v\nwant %+v", when, got, want)
	}
}

func equalFeatures(a, b FeatureSnapshot) bool {
	return snapshotDiff(&VendorSnapshot{Features: a}, &VendorSnapshot{Features: b}) == ""
}

// Without feature_requests, a vendor has no feature requests, whatever its
// tickets carry.
func TestFeatureRequestsOff(t *testing.T) {
	r := mustRules(t, testVendor(), t0)
	s := newStore(r)
	s.ticket("helpdesk", closedAs(item.Ticket{ID: "A", CreatedAt: t0, Tags: []string{"enhancement"}, Type: "Feature"}, "completed", "x", after(time.Hour)))
	got := s.agg.Snapshot(at(after(2 * time.Hour)))
	if got.Features.Enabled || got.Features.Created != 0 || got.Features.Outcomes != [NumOutcomes]uint64{} {
		t.Errorf("feature requests %+v, want none", got.Features)
	}
}

// The outcome rule: a bot's close is closed_by_bot whatever the reason; the
// configured bots replace the defaults; reasons other than completed
// decline.
func TestFeatureOutcome(t *testing.T) {
	cases := []struct {
		bots       []string // nil: the defaults
		reason, by string
		want       Outcome
		author     string
	}{
		{nil, "completed", "octocat", Shipped, ""},
		{nil, "COMPLETED", "octocat", Shipped, ""},
		{nil, "not_planned", "octocat", Declined, ""},
		{nil, "duplicate", "octocat", Declined, ""},
		{nil, "some_new_reason", "octocat", Declined, ""},
		{nil, "completed", "stale[bot]", ClosedByBot, ""},
		{nil, "not_planned", "GitHub-Actions[bot]", ClosedByBot, ""},
		{nil, "completed", "release-bot[bot]", Shipped, ""},
		{[]string{"release-bot[bot]"}, "completed", "release-bot[bot]", ClosedByBot, ""},
		{[]string{"release-bot[bot]"}, "completed", "stale[bot]", Shipped, ""},
		{[]string{}, "completed", "stale[bot]", Shipped, ""},
		// The author's own close is neither shipped nor declined by the
		// vendor (logins ignore case); a bot's close stays the bot's.
		{nil, "completed", "OctoCat", Withdrawn, "octocat"},
		{nil, "not_planned", "octocat", Withdrawn, "octocat"},
		{nil, "completed", "maintainer", Shipped, "octocat"},
		{nil, "completed", "stale[bot]", ClosedByBot, "stale[bot]"},
	}
	for _, tc := range cases {
		v := featureVendor()
		v.FeatureRequests.Bots = tc.bots
		r := mustRules(t, v, time.Time{})
		tk := closedAs(item.Ticket{ID: "A", CreatedAt: t0, Tags: []string{"enhancement"}, Author: tc.author}, tc.reason, tc.by, after(time.Hour))
		h, _ := r.ticketHistory(&tk)
		st, open := r.featureParts(&tk, &h)
		want := featureStatic{request: true, ack: -1, toOutcome: [NumOutcomes]int64{-1, -1, -1, -1}}
		want.toOutcome[tc.want] = 3600_000
		if st != want || open {
			t.Errorf("bots %q, %s by %s: %+v (open %v), want %s after 1h", tc.bots, tc.reason, tc.by, st, open, tc.want)
		}
	}
}

func TestAgeOf(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want Age
	}{
		{0, AgeUnder30d},
		{30*day - time.Millisecond, AgeUnder30d},
		{30 * day, Age30dTo90d},
		{90*day - time.Second, Age30dTo90d},
		{90 * day, Age90dTo365d},
		{100 * day, Age90dTo365d},
		{365 * day, AgeOver365d},
		{-time.Hour, AgeUnder30d}, // created after the judged instant: new
	}
	for _, tc := range cases {
		if got := ageOf(tc.d); got != tc.want {
			t.Errorf("ageOf(%v) = %s, want %s", tc.d, got, tc.want)
		}
	}
}

// The acknowledgement is pinned when first seen: a label dated before the
// first reply that shows only later moves no observation.
func TestFeatureAcknowledgementPinned(t *testing.T) {
	r := mustRules(t, featureVendor(), time.Time{})
	s := newStore(r)
	a := item.Ticket{ID: "A", CreatedAt: t0, UpdatedAt: after(2 * time.Hour), Status: item.StatusPending,
		Tags: []string{"enhancement"}, Events: []item.Event{ev(item.EventVendorReply, after(2*time.Hour))}}
	s.ticket("helpdesk", a)
	a.TriagedAt, a.UpdatedAt = after(time.Hour), after(3*time.Hour)
	s.ticket("helpdesk", a)
	now := after(4 * time.Hour)
	want := func(v *VendorSnapshot) {
		v.Features.Created = 1
		observe(&v.Features.Acknowledgement, 2*3600)
		v.Features.Open[AgeUnder30d] = 1
	}
	checkFeatures(t, "label shown later", r, s.agg.Snapshot(at(now)), now, want)
	// First seen together, the earlier one acknowledges.
	s2 := newStore(r)
	s2.ticket("helpdesk", a)
	checkFeatures(t, "label and reply seen together", r, s2.agg.Snapshot(at(now)), now, func(v *VendorSnapshot) {
		v.Features.Created = 1
		observe(&v.Features.Acknowledgement, 3600)
		v.Features.Open[AgeUnder30d] = 1
	})
}

// An open request has no age while its source never completed a sync (its
// judged instant is zero): the gauge leaves it out, as the breach gauges
// leave out a deadline they cannot judge, rather than calling it new.
func TestFeatureOpenNotJudgedBeforeFirstSync(t *testing.T) {
	r := mustRules(t, featureVendor(), t0)
	s := newStore(r)
	s.ticket("helpdesk", item.Ticket{ID: "A", CreatedAt: t0, UpdatedAt: t0, Status: item.StatusOpen, Tags: []string{"enhancement"}})
	if got := s.agg.Snapshot(at(time.Time{})).Features.Open; got != ([NumAges]uint64{}) {
		t.Errorf("before a first complete sync: open requests %v, want none judged", got)
	}
	if got := s.agg.Snapshot(at(after(100 * day))).Features.Open; got != ([NumAges]uint64{Age90dTo365d: 1}) {
		t.Errorf("as of day 100: open requests %v, want 1 in 90d_365d", got)
	}
}

// A request declined (or closed by a bot: no solve) is closed in the
// backfill from its close on, not open as well, whether the API dates
// every close (github's timeline) or gives only the last one: created day
// 0, closed not planned day 10, commented day 20 (its last update).
func TestFeatureReplayClosedIsNotOpen(t *testing.T) {
	for _, dated := range []bool{true, false} {
		r := mustRules(t, featureVendor(), t0)
		s := newStore(r)
		tk := closedAs(item.Ticket{ID: "A", CreatedAt: t0, Tags: []string{"enhancement"}}, "not_planned", "maintainer", after(10*day))
		tk.UpdatedAt = after(20 * day)
		tk.Events = append(tk.Events, ev(item.EventCustomerReply, after(20*day)))
		if dated {
			tk.Closes = []item.Closure{{At: after(10 * day), Reason: "not_planned", By: "maintainer"}}
		}
		s.asOf = func(string) time.Time { return after(25 * day) }
		s.ticket("helpdesk", tk)
		_, snaps := replayStore(t, s, t0, after(25*day), day, func(at time.Time) func(string) time.Time { return func(string) time.Time { return at } })
		for d, snap := range snaps {
			f := snap.Features
			wantOpen, wantDeclined := [NumAges]uint64{AgeUnder30d: 1}, uint64(0)
			if d >= 10 {
				wantOpen, wantDeclined = [NumAges]uint64{}, 1
			}
			if f.Open != wantOpen || f.Outcomes[Declined] != wantDeclined || f.Outcomes[Shipped]+f.Outcomes[ClosedByBot]+f.Outcomes[Withdrawn] != 0 {
				t.Errorf("timeline %v, day %d: open %v, outcomes %v; want open %v, declined %d", dated, d, f.Open, f.Outcomes, wantOpen, wantDeclined)
			}
		}
	}
}

// The same vendor data gives the same outcomes whenever the exporter was
// installed: a stale bot closes a request on day 60, a maintainer reopens
// it on day 90 and ships it on day 100 (B); another is declined on day 55
// and reopened on day 56, between two polls (C). An exporter polling since
// day 0 and one installed on day 101 count the same: B closed by a bot and
// shipped, C declined; and the backfill of the latter replays each at its
// date.
func TestFeatureOutcomesWhateverTheInstallDate(t *testing.T) {
	bot := item.Closure{At: after(60 * day), Reason: "not_planned", By: "github-actions[bot]"}
	ship := item.Closure{At: after(100 * day), Reason: "completed", By: "maintainer"}
	b := item.Ticket{ID: "B", CreatedAt: t0, UpdatedAt: t0, Status: item.StatusOpen, Tags: []string{"enhancement"}, Author: "requester"}
	bBot := closedAs(b, "not_planned", bot.By, bot.At)
	bBot.Closes = []item.Closure{bot}
	bShip := closedAs(b, "completed", ship.By, ship.At)
	bShip.Closes = []item.Closure{bot, ship}
	bShip.Events = []item.Event{ev(item.EventReopened, after(90*day)), ev(item.EventSolved, ship.At)}
	c := item.Ticket{ID: "C", CreatedAt: t0, UpdatedAt: t0, Status: item.StatusOpen, Tags: []string{"enhancement"}}
	cLater := c
	cLater.UpdatedAt = after(56 * day)
	cLater.Closes = []item.Closure{{At: after(55 * day), Reason: "not_planned", By: "maintainer"}}
	cLater.Events = []item.Event{ev(item.EventReopened, after(56*day))}

	polled := func(versions ...item.Ticket) *store {
		s := newStore(mustRules(t, featureVendor(), t0))
		for _, v := range versions {
			s.asOf = func(string) time.Time { return v.UpdatedAt }
			s.ticket("helpdesk", v)
		}
		return s
	}
	early := polled(b, c, cLater, bBot, bShip)
	late := polled(cLater, bShip)
	now := after(110 * day)
	want := func(v *VendorSnapshot) {
		v.Features.Created = 2
		v.Features.Outcomes[ClosedByBot], v.Features.Outcomes[Shipped], v.Features.Outcomes[Declined] = 1, 1, 1
		observe(&v.Features.OutcomeTime[ClosedByBot], 60*86400)
		observe(&v.Features.OutcomeTime[Shipped], 100*86400)
		observe(&v.Features.OutcomeTime[Declined], 55*86400)
		v.Features.Open[Age90dTo365d] = 1 // C, open again
	}
	checkFeatures(t, "polled since day 0", early.agg.Rules(), early.agg.Snapshot(at(now)), now, want)
	checkFeatures(t, "installed on day 101", late.agg.Rules(), late.agg.Snapshot(at(now)), now, want)
	checkFeatures(t, "installed on day 101, restarted", late.agg.Rules(), late.reload().Snapshot(at(now)), now, want)

	_, snaps := replayStore(t, late, t0, now, day, func(at time.Time) func(string) time.Time { return func(string) time.Time { return at } })
	for _, tc := range []struct {
		day      int
		outcomes [NumOutcomes]uint64
	}{
		{54, [NumOutcomes]uint64{}},
		{55, [NumOutcomes]uint64{Declined: 1}},
		{60, [NumOutcomes]uint64{Declined: 1, ClosedByBot: 1}},
		{99, [NumOutcomes]uint64{Declined: 1, ClosedByBot: 1}},
		{100, [NumOutcomes]uint64{Declined: 1, ClosedByBot: 1, Shipped: 1}},
	} {
		if got := snaps[tc.day].Features.Outcomes; got != tc.outcomes {
			t.Errorf("backfill, day %d: outcomes %v, want %v", tc.day, got, tc.outcomes)
		}
	}
}

// Without a timeline (only the last close), what was seen is pinned: a
// bot's close seen stays counted when a person's close replaces it, and a
// close shown later dated before one seen decides nothing new.
func TestFeatureClosesPinnedInTheOrderSeen(t *testing.T) {
	s := newStore(mustRules(t, featureVendor(), t0))
	a := item.Ticket{ID: "A", CreatedAt: t0, UpdatedAt: t0, Status: item.StatusOpen, Tags: []string{"enhancement"}}
	s.ticket("helpdesk", closedAs(a, "completed", "maintainer", after(30*day)))
	a2 := closedAs(a, "completed", "maintainer", after(30*day))
	a2.Closes = []item.Closure{{At: after(10 * day), Reason: "not_planned", By: "octocat"}, {At: after(30 * day), Reason: "completed", By: "maintainer"}}
	s.ticket("helpdesk", a2)
	now := after(40 * day)
	want := func(v *VendorSnapshot) {
		v.Features.Created = 1
		v.Features.Outcomes[Shipped] = 1
		observe(&v.Features.OutcomeTime[Shipped], 30*86400)
	}
	checkFeatures(t, "earlier close shown late", s.agg.Rules(), s.agg.Snapshot(at(now)), now, want)
	checkFeatures(t, "after a restart", s.agg.Rules(), s.reload().Snapshot(at(now)), now, want)
}
