package quality

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// version is one fetched version of an item and the Judged it is merged
// with.
type version[T any] struct {
	fetched T
	judged  Judged
}

func TestMergeTicketPins(t *testing.T) {
	r := mustRules(t, testVendor(), time.Time{})
	h := time.Hour
	open := item.Ticket{ID: "1", Priority: "normal", Status: item.StatusOpen, CreatedAt: t0}
	with := func(base item.Ticket, change func(*item.Ticket)) item.Ticket { change(&base); return base }
	solvedAfterTwo := item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusSolved, CreatedAt: t0, Events: []item.Event{
		ev(item.EventVendorReply, after(h)), ev(item.EventVendorReply, after(2*h)), ev(item.EventSolved, after(2*h)),
		ev(item.EventReopened, after(3*h)), ev(item.EventVendorReply, after(4*h)),
	}}
	oneTouch := item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(2 * h), Events: []item.Event{
		ev(item.EventCustomerReply, after(h/2)), ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h)),
	}}
	// One-touch candidate, solved at 2h: settled at 2h + 96h.
	oneTouchHistory := item.TicketHistory{FirstPriority: "low", Created: t0, RepliesAtFirstSolve: 1, FirstReply: after(h),
		FirstSolve: after(2 * h), Followups: 1, FirstResponse: item.ClockHistory{Ended: after(h)}, Resolution: item.ClockHistory{Ended: after(2 * h)},
		VendorReplies: []time.Time{after(h)}}
	vendorRunning := item.Ticket{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: after(h),
		Figures: &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(2 * h)}}}
	tests := []struct {
		name        string
		versions    []version[item.Ticket] // fetched in turn, each merged into the previous result
		wantHistory item.TicketHistory
	}{
		{
			name:        "first store pins the priority and creation; not solved yet",
			versions:    []version[item.Ticket]{{fetched: open}},
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1},
		},
		{
			name: "a later priority or creation moves no pin",
			versions: []version[item.Ticket]{{fetched: open}, {fetched: with(open, func(t *item.Ticket) {
				t.Priority, t.CreatedAt = "urgent", after(-100*h)
			})}},
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1},
		},
		{
			name:     "replies up to the first solve, from the timeline, even when first seen later; a reopen rules one-touch out",
			versions: []version[item.Ticket]{{fetched: solvedAfterTwo}},
			// Urgent: targets 1h and 24h, ours judged both at their ends.
			wantHistory: item.TicketHistory{FirstPriority: "urgent", Created: t0, RepliesAtFirstSolve: 2, FirstReply: after(h),
				FirstSolve: after(2 * h), Reopens: 1, FirstResponse: item.ClockHistory{Ended: after(h), Judge: item.JudgeOurs},
				Resolution: item.ClockHistory{Ended: after(2 * h), Judge: item.JudgeOurs}, OneTouch: item.OneTouchRuledOut,
				VendorReplies: []time.Time{after(h), after(2 * h), after(4 * h)}},
		},
		{
			name: "figures: the replies when the first solve is first seen, then pinned; reopens never lower",
			versions: []version[item.Ticket]{
				{fetched: item.Ticket{ID: "1", Status: item.StatusOpen, CreatedAt: t0, Figures: &item.Figures{Replies: 1}}},
				{fetched: item.Ticket{ID: "1", Status: item.StatusSolved, CreatedAt: t0, Figures: &item.Figures{Replies: 3, FirstSolvedAt: after(h)}}},
				{fetched: item.Ticket{ID: "1", Status: item.StatusOpen, CreatedAt: t0, Figures: &item.Figures{Replies: 5, FirstSolvedAt: after(h), Reopens: 2}}},
				{fetched: item.Ticket{ID: "1", Status: item.StatusOpen, CreatedAt: t0, Figures: &item.Figures{Replies: 5, FirstSolvedAt: after(h), Reopens: 1}}},
			},
			// The solve before any reply ends the first-response clock too,
			// judged by our 8h target (normal); no resolution target. The
			// third version, shown open after the solve, is a reopen seen;
			// the fourth, still open, is the same one.
			wantHistory: item.TicketHistory{Created: t0, RepliesAtFirstSolve: 3, FirstSolve: after(h), Reopens: 2, ReopensSeen: 1,
				FirstResponse: item.ClockHistory{Ended: after(h), Judge: item.JudgeOurs}, Resolution: item.ClockHistory{Ended: after(h)},
				OneTouch: item.OneTouchRuledOut},
		},
		{
			name: "a later version that drops data lowers nothing: events deleted, figures zeroed, status reverted",
			versions: []version[item.Ticket]{{fetched: solvedAfterTwo}, {fetched: with(solvedAfterTwo, func(t *item.Ticket) {
				t.Events, t.Status, t.Figures = nil, item.StatusNew, &item.Figures{}
			})}},
			// Shown new after its solve: a reopen seen.
			wantHistory: item.TicketHistory{FirstPriority: "urgent", Created: t0, RepliesAtFirstSolve: 2, FirstReply: after(h),
				FirstSolve: after(2 * h), Reopens: 1, ReopensSeen: 1, FirstResponse: item.ClockHistory{Ended: after(h), Judge: item.JudgeOurs},
				Resolution: item.ClockHistory{Ended: after(2 * h), Judge: item.JudgeOurs}, OneTouch: item.OneTouchRuledOut,
				VendorReplies: []time.Time{after(h), after(2 * h), after(4 * h)}},
		},
		{
			name: "a first reply seen is kept when an earlier one shows later",
			versions: []version[item.Ticket]{
				{fetched: with(open, func(t *item.Ticket) { t.Events = []item.Event{ev(item.EventVendorReply, after(3*h))} })},
				{fetched: with(open, func(t *item.Ticket) {
					t.Events = []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventVendorReply, after(3*h))}
				})},
			},
			// The reply that shows later counts too: a reply of its own.
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1, FirstReply: after(3 * h),
				FirstResponse: item.ClockHistory{Ended: after(3 * h), Judge: item.JudgeOurs}, VendorReplies: []time.Time{after(h), after(3 * h)}},
		},
		{
			name: "clocks seen running as of the judged instant, both as stored and as merged",
			versions: []version[item.Ticket]{
				{fetched: open, judged: Judged{Source: after(-h)}}, // before the creation: nothing to judge
				{fetched: open, judged: Judged{Source: after(5 * h)}},
				// The reply, timestamped before 5h, ends the first-response
				// clock; the resolution clock still runs as of 9h.
				{fetched: with(open, func(t *item.Ticket) { t.Events = []item.Event{ev(item.EventVendorReply, after(4*h))} }),
					judged: Judged{Source: after(9 * h)}},
			},
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1, FirstReply: after(4 * h),
				FirstResponse: item.ClockHistory{Ended: after(4 * h), RunningAsOf: after(9 * h), Judge: item.JudgeOurs},
				Resolution:    item.ClockHistory{RunningAsOf: after(9 * h)}, VendorReplies: []time.Time{after(4 * h)}},
		},
		{
			name: "a vendor clock past its deadline as of the judged instant stays breached after a pause moves it",
			versions: []version[item.Ticket]{
				{fetched: vendorRunning, judged: Judged{Source: after(2 * h)}}, // at the deadline: not past
				{fetched: vendorRunning, judged: Judged{Source: after(3 * h)}},
				{fetched: with(vendorRunning, func(t *item.Ticket) {
					t.Figures = &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(9 * h)}}
				}), judged: Judged{Source: after(4 * h)}},
			},
			wantHistory: item.TicketHistory{FirstPriority: "high", Created: t0, RepliesAtFirstSolve: -1,
				FirstResponse: item.ClockHistory{RunningAsOf: after(4 * h), VendorBreached: true, Judge: item.JudgeVendor},
				Resolution:    item.ClockHistory{RunningAsOf: after(4 * h)}},
		},
		{
			name: "a vendor clock's stopped run is pinned",
			versions: []version[item.Ticket]{
				{fetched: with(vendorRunning, func(t *item.Ticket) {
					t.Figures = &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(2 * h), Stopped: after(h)}}
				})},
				{fetched: with(vendorRunning, func(t *item.Ticket) {
					t.Figures = &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(2 * h), Stopped: after(3 * h), Breached: true}}
				})},
			},
			wantHistory: item.TicketHistory{FirstPriority: "high", Created: t0, RepliesAtFirstSolve: -1,
				FirstResponse: item.ClockHistory{Vendor: &item.SLAClock{Deadline: after(2 * h), Stopped: after(h)}, Judge: item.JudgeVendor}},
		},
		{
			name: "ours judged the first response at the reply: a vendor clock shown later is not pinned and never judges it",
			versions: []version[item.Ticket]{
				{fetched: with(open, func(t *item.Ticket) { t.Events = []item.Event{ev(item.EventVendorReply, after(9*h))} })},
				{fetched: with(open, func(t *item.Ticket) {
					t.Events = []item.Event{ev(item.EventVendorReply, after(9*h))}
					t.Figures = &item.Figures{FirstReplyAt: after(9 * h), Replies: 1,
						FirstResponseSLA: &item.SLAClock{Deadline: after(10 * h), Stopped: after(9 * h)},
						ResolutionSLA:    &item.SLAClock{Deadline: after(30 * h)}}
				})},
			},
			// Normal: our 8h first-response target; no resolution target,
			// so the vendor's resolution clock, still running, judges that
			// one once it is judged.
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1, FirstReply: after(9 * h),
				FirstResponse: item.ClockHistory{Ended: after(9 * h), Judge: item.JudgeOurs}, VendorReplies: []time.Time{after(9 * h)}},
		},
		{
			name: "a running vendor clock dropped: ours judges once seen running past its target, and for good",
			versions: func() []version[item.Ticket] {
				// High: our 4h target; the vendor's deadline is 9h.
				running := with(vendorRunning, func(t *item.Ticket) {
					t.Figures = &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(9 * h)}}
				})
				return []version[item.Ticket]{
					{fetched: running, judged: Judged{Source: after(h)}},
					// Gone as of 5h: ours judges, past its 4h.
					{fetched: with(running, func(t *item.Ticket) { t.Figures = nil }), judged: Judged{Source: after(5 * h)}},
					{fetched: running, judged: Judged{Source: after(6 * h)}},
				}
			}(),
			wantHistory: item.TicketHistory{FirstPriority: "high", Created: t0, RepliesAtFirstSolve: -1,
				FirstResponse: item.ClockHistory{RunningAsOf: after(6 * h), Judge: item.JudgeOurs},
				Resolution:    item.ClockHistory{RunningAsOf: after(6 * h)}},
		},
		{
			name: "one-touch settled as of the judged instant is counted; a reopen after does not take it back",
			versions: []version[item.Ticket]{
				{fetched: oneTouch, judged: Judged{Source: after(3 * h)}},
				{fetched: oneTouch, judged: Judged{Source: after(98 * h)}},
				{fetched: with(oneTouch, func(t *item.Ticket) {
					t.Status, t.Events = item.StatusOpen, append(slices.Clone(t.Events), ev(item.EventReopened, after(99*h)))
				}), judged: Judged{Source: after(99 * h)}},
			},
			wantHistory: func() item.TicketHistory {
				h := oneTouchHistory
				h.OneTouch, h.Reopens, h.ReopensSeen = item.OneTouchCounted, 1, 1
				return h
			}(),
		},
		{
			name: "one-touch reopened before it settled is ruled out",
			versions: []version[item.Ticket]{
				{fetched: oneTouch, judged: Judged{Source: after(3 * h)}},
				{fetched: with(oneTouch, func(t *item.Ticket) {
					t.Status, t.Events = item.StatusOpen, append(slices.Clone(t.Events), ev(item.EventReopened, after(97*h)))
				}), judged: Judged{Source: after(97*h + 59*time.Minute)}},
			},
			wantHistory: func() item.TicketHistory {
				h := oneTouchHistory
				h.OneTouch, h.Reopens, h.ReopensSeen = item.OneTouchRuledOut, 1, 1
				return h
			}(),
		},
		{
			name: "one-touch closed is counted at once",
			versions: []version[item.Ticket]{
				{fetched: with(oneTouch, func(t *item.Ticket) { t.Status = item.StatusClosed })},
				{fetched: oneTouch}, // the close reverted
			},
			wantHistory: func() item.TicketHistory {
				h := oneTouchHistory
				h.OneTouch = item.OneTouchCounted
				return h
			}(),
		},
		{
			name: "shown open after its first solve without a reopen event: one-touch ruled out, a reopen seen; twice: two",
			versions: []version[item.Ticket]{
				{fetched: oneTouch, judged: Judged{Source: after(3 * h)}},
				{fetched: with(oneTouch, func(t *item.Ticket) { t.Status = item.StatusPending }), judged: Judged{Source: after(40 * h)}},
				{fetched: with(oneTouch, func(t *item.Ticket) { t.Status = item.StatusOpen }), judged: Judged{Source: after(41 * h)}},
				{fetched: oneTouch, judged: Judged{Source: after(200 * h)}},
				{fetched: with(oneTouch, func(t *item.Ticket) { t.Status = item.StatusNew }), judged: Judged{Source: after(201 * h)}},
			},
			wantHistory: func() item.TicketHistory {
				h := oneTouchHistory
				h.OneTouch, h.ReopensSeen = item.OneTouchRuledOut, 2
				return h
			}(),
		},
		{
			name: "escalation is sticky, whatever signalled it",
			versions: []version[item.Ticket]{
				{fetched: with(open, func(t *item.Ticket) { t.Tags = []string{"escalated"} })},
				{fetched: open},
			},
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1, EverEscalated: true,
				SeenTags: []item.SeenTag{{Tag: "escalated"}}},
		},
		{
			name: "tags: those dropped are kept, those added with when they became known",
			versions: []version[item.Ticket]{
				{fetched: with(open, func(t *item.Ticket) { t.Tags = []string{"VIP", "eu"} }), judged: Judged{Signals: after(-h)}},
				{fetched: with(open, func(t *item.Ticket) { t.Tags = []string{"eu", " Outage"} }), judged: Judged{Signals: after(2 * h)}},
				{fetched: with(open, func(t *item.Ticket) { t.Tags = []string{"vip", "outage"} }), judged: Judged{Signals: after(3 * h)}},
			},
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1,
				SeenTags: []item.SeenTag{{Tag: "vip"}, {Tag: "outage", AsOf: after(2 * h)}, {Tag: "eu"}}},
		},
		{
			name:     "a ticket first stored after the signals were complete past its creation is known from then",
			versions: []version[item.Ticket]{{fetched: open, judged: Judged{Signals: after(h)}}, {fetched: open, judged: Judged{Signals: after(2 * h)}}},
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1, StoredAsOf: after(h),
				FirstResponse: item.ClockHistory{}, Resolution: item.ClockHistory{}},
		},
		{
			name: "ratings: appended when they change, ignoring none and unknown values",
			versions: func() []version[item.Ticket] {
				var vs []version[item.Ticket]
				for _, s := range []item.Rating{"good", "", "good", "bad", "offered", "bad", "good"} {
					vs = append(vs, version[item.Ticket]{fetched: with(open, func(t *item.Ticket) { t.Satisfaction = s })})
				}
				return vs
			}(),
			wantHistory: item.TicketHistory{FirstPriority: "normal", Created: t0, RepliesAtFirstSolve: -1,
				Ratings: []item.Rating{"good", "bad", "good"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stored *item.Ticket
			for _, v := range tc.versions {
				merged := r.MergeTicket(stored, v.fetched, v.judged)
				stored = &merged
			}
			if tc.wantHistory.Acknowledged.IsZero() {
				// No version is labeled by the vendor: the acknowledgement
				// pinned is the first reply (feature.go).
				tc.wantHistory.Acknowledged = tc.wantHistory.FirstReply
			}
			assertDeepEqual(t, "history", *stored.History, tc.wantHistory)
			if !reflect.DeepEqual(stored.Figures, tc.versions[len(tc.versions)-1].fetched.Figures) {
				t.Errorf("figures = %+v, want the fetched ones", stored.Figures)
			}
		})
	}
}

// assertDeepEqual compares values whose instants were built in UTC.
func assertDeepEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// Merging the same fetched item twice with the same Judged changes nothing:
// a re-fetch after a crash is safe. Neither does merging write into the
// stored version.
func TestMergeIdempotent(t *testing.T) {
	r := mustRules(t, testVendor(), time.Time{})
	h := time.Hour
	j := Judged{Source: after(30 * h), Signals: after(20 * h)}
	storedTicket := r.MergeTicket(nil, item.Ticket{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0,
		Satisfaction: item.RatingGood, Tags: []string{"a"}, Figures: &item.Figures{Reopens: 3}}, Judged{})
	storedTicket.History.Ratings = append(make([]item.Rating, 0, 8), storedTicket.History.Ratings...) // spare capacity
	storedTicket.History.SeenTags = append(make([]item.SeenTag, 0, 8), item.SeenTag{Tag: "z"})
	solvedEvents := []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}
	storedSolved := r.MergeTicket(nil, item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0, Events: solvedEvents}, Judged{})
	tickets := []struct {
		name    string
		stored  *item.Ticket
		fetched item.Ticket
	}{
		{"new, open", nil, item.Ticket{ID: "1", Priority: "p1", Status: item.StatusOpen, CreatedAt: t0, Tags: []string{"escalated"}}},
		{"new, solved and rated", nil, item.Ticket{ID: "1", Status: item.StatusSolved, CreatedAt: t0, Satisfaction: item.RatingBad,
			Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(h))}}},
		{"stored, rating changed, reopens lower, tags changed", &storedTicket, item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved,
			CreatedAt: t0, Satisfaction: item.RatingBad, Tags: []string{"b"}, Figures: &item.Figures{Reopens: 1, FirstSolvedAt: after(h), Replies: 2}}},
		{"stored without history", &item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0},
			item.Ticket{ID: "1", Priority: "high", Status: item.StatusClosed, CreatedAt: t0, Events: []item.Event{ev(item.EventSolved, after(h))}}},
		{"running vendor clock past its deadline", nil, item.Ticket{ID: "1", Status: item.StatusOpen, CreatedAt: t0,
			Figures: &item.Figures{ResolutionSLA: &item.SLAClock{Deadline: after(h)}}}},
		{"stored solved, shown open without a reopen event: one reopen seen", &storedSolved,
			item.Ticket{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0, Events: solvedEvents}},
		{"judged by our clock, a vendor clock shown later", &storedSolved, item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusSolved,
			CreatedAt: t0, Events: solvedEvents, Figures: &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(9 * h), Stopped: after(h)}}}},
	}
	for _, tc := range tickets {
		t.Run("ticket: "+tc.name, func(t *testing.T) {
			var before item.Ticket
			if tc.stored != nil {
				before = deepCopyTicket(*tc.stored)
			}
			once := r.MergeTicket(tc.stored, tc.fetched, j)
			twice := r.MergeTicket(&once, tc.fetched, j)
			if !reflect.DeepEqual(once, twice) {
				t.Errorf("second merge changed the ticket:\nonce  %+v\ntwice %+v", once, twice)
			}
			if tc.stored != nil && !reflect.DeepEqual(before, *tc.stored) {
				t.Errorf("merge modified the stored version: %+v", *tc.stored)
			}
		})
	}

	storedIncident := r.MergeIncident(nil, item.Incident{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, Updates: []time.Time{after(h)}}, Judged{})
	incidents := []struct {
		name    string
		stored  *item.Incident
		fetched item.Incident
	}{
		{"new, duplicate updates", nil, item.Incident{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0,
			Updates: []time.Time{after(2 * h), after(h), after(2 * h).In(time.FixedZone("x", 3600))}}},
		{"stored, update deleted, impact changed, resolved", &storedIncident, item.Incident{ID: "i", Impact: "unknown", CreatedAt: after(h),
			Updates: []time.Time{after(3 * h)}, ResolvedAt: after(3 * h)}},
		{"stored, update moved", &storedIncident, item.Incident{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0,
			Updates: []time.Time{after(h / 2), after(2 * h)}}},
	}
	for _, tc := range incidents {
		t.Run("incident: "+tc.name, func(t *testing.T) {
			once := r.MergeIncident(tc.stored, tc.fetched, j)
			if twice := r.MergeIncident(&once, tc.fetched, j); !reflect.DeepEqual(once, twice) {
				t.Errorf("second merge changed the incident:\nonce  %+v\ntwice %+v", once, twice)
			}
		})
	}

	storedMaintenance := item.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: after(10 * h)}
	maintenances := []struct {
		name    string
		stored  *item.Maintenance
		fetched item.Maintenance
	}{
		{"new", nil, item.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: after(h)}},
		{"stored, re-announced later and completed", &storedMaintenance,
			item.Maintenance{ID: "m", CreatedAt: after(h), ScheduledFor: after(10 * h), CompletedAt: after(11 * h)}},
	}
	for _, tc := range maintenances {
		t.Run("maintenance: "+tc.name, func(t *testing.T) {
			once := r.MergeMaintenance(tc.stored, tc.fetched, j)
			if twice := r.MergeMaintenance(&once, tc.fetched, j); !reflect.DeepEqual(once, twice) {
				t.Errorf("second merge changed the maintenance:\nonce  %+v\ntwice %+v", once, twice)
			}
		})
	}
}

func deepCopyTicket(t item.Ticket) item.Ticket {
	if t.History != nil {
		h := *t.History
		h.Ratings = slices.Clone(h.Ratings)
		h.SeenTags = slices.Clone(h.SeenTags)
		t.History = &h
	}
	if t.Figures != nil {
		f := *t.Figures
		t.Figures = &f
	}
	return t
}

func TestMergeIncident(t *testing.T) {
	h, m := time.Hour, time.Minute
	r := mustRules(t, testVendor(), time.Time{})
	stored := item.Incident{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, Updates: []time.Time{after(2 * h), after(h)},
		History: &item.IncidentHistory{FirstImpact: item.ImpactMinor}}
	resolved := item.Incident{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0, StartedAt: after(-20 * m), ResolvedAt: after(2 * h),
		Updates: []time.Time{after(3 * h), after(h), after(2 * h)}}
	tests := []struct {
		name        string
		versions    []version[item.Incident]
		wantCreated time.Time
		wantUpdates []time.Time
		wantHistory item.IncidentHistory
	}{
		{
			name: "new: updates sorted and de-duplicated, impact and creation pinned",
			versions: []version[item.Incident]{{fetched: item.Incident{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0,
				Updates: []time.Time{after(2 * h), after(h), after(2 * h)}}}},
			wantCreated: t0,
			wantUpdates: []time.Time{after(h), after(2 * h)},
			wantHistory: item.IncidentHistory{FirstImpact: item.ImpactMajor, Created: t0},
		},
		{
			name:        "new with an unknown impact: none; without a first post, created from started_at",
			versions:    []version[item.Incident]{{fetched: item.Incident{ID: "i", Impact: "scheduled", StartedAt: t0}}},
			wantHistory: item.IncidentHistory{FirstImpact: item.ImpactNone, Created: t0},
		},
		{
			// The updates are those shown now: before turn 3 the union of all
			// ever shown kept 2h, which the vendor moved or deleted.
			name: "stored: the fetched updates, earliest creation, first impact kept",
			versions: []version[item.Incident]{{fetched: stored}, {fetched: item.Incident{ID: "i", Impact: item.ImpactCritical,
				CreatedAt: after(h), Updates: []time.Time{after(3 * h), after(h)}}}},
			wantCreated: t0,
			wantUpdates: []time.Time{after(h), after(3 * h)},
			wantHistory: item.IncidentHistory{FirstImpact: item.ImpactMinor, Created: t0},
		},
		{
			name: "resolved: its times pinned then, a backdated start and a later postmortem after",
			versions: []version[item.Incident]{
				{fetched: resolved},
				{fetched: func() item.Incident {
					i := resolved
					i.StartedAt, i.ResolvedAt, i.PostmortemPublishedAt = after(-2*h), after(4*h), after(50*h)
					return i
				}()},
			},
			wantCreated: t0,
			wantUpdates: []time.Time{after(h), after(2 * h), after(3 * h)},
			wantHistory: item.IncidentHistory{FirstImpact: item.ImpactMajor, Created: t0, Postmortem: after(50 * h),
				Final: &item.IncidentFinal{Started: after(-20 * m), FirstPost: t0, Resolved: after(2 * h),
					Updates: []time.Time{after(h), after(2 * h)}, Impact: item.ImpactMajor}},
		},
		{
			name: "resolution unknown: its times pinned at first store",
			versions: []version[item.Incident]{
				{fetched: item.Incident{ID: "i", CreatedAt: t0, ResolutionUnknown: true}},
				{fetched: item.Incident{ID: "i", CreatedAt: t0, StartedAt: after(-h), ResolutionUnknown: true}},
			},
			wantCreated: t0,
			wantHistory: item.IncidentHistory{FirstImpact: item.ImpactNone, Created: t0, Final: &item.IncidentFinal{Started: t0, FirstPost: t0,
				Impact: item.ImpactNone}},
		},
		{
			name: "the notice window pinned once the signals are complete past the first post",
			versions: []version[item.Incident]{
				{fetched: item.Incident{ID: "i", CreatedAt: t0, StartedAt: after(-10 * m)}, judged: Judged{Signals: t0}},
				{fetched: item.Incident{ID: "i", CreatedAt: t0, StartedAt: after(-20 * m)}, judged: Judged{Signals: after(time.Millisecond)}},
				{fetched: item.Incident{ID: "i", CreatedAt: t0, StartedAt: after(-h)}, judged: Judged{Signals: after(h)}},
			},
			wantCreated: t0,
			wantHistory: item.IncidentHistory{FirstImpact: item.ImpactNone, Created: t0, NoticeStarted: after(-10 * m), NoticePost: t0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got *item.Incident
			for _, v := range tc.versions {
				merged := r.MergeIncident(got, v.fetched, v.judged)
				got = &merged
			}
			if !got.CreatedAt.Equal(tc.wantCreated) || !reflect.DeepEqual(got.Updates, tc.wantUpdates) {
				t.Errorf("got created %v, updates %v; want %v, %v", got.CreatedAt, got.Updates, tc.wantCreated, tc.wantUpdates)
			}
			assertDeepEqual(t, "history", *got.History, tc.wantHistory)
			if last := tc.versions[len(tc.versions)-1].fetched; got.Impact != last.Impact {
				t.Errorf("current impact = %q, want the fetched %q", got.Impact, last.Impact)
			}
		})
	}
}

func TestMergeMaintenance(t *testing.T) {
	h := time.Hour
	r := mustRules(t, testVendor(), time.Time{})
	upcoming := item.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: after(72 * h), ScheduledUntil: after(74 * h)}
	tests := []struct {
		name         string
		versions     []version[item.Maintenance]
		wantSchedule [2]time.Time // for, until
		wantHistory  item.MaintenanceHistory
	}{
		{
			name:         "upcoming: only the creation pinned",
			versions:     []version[item.Maintenance]{{fetched: upcoming, judged: Judged{Source: after(71 * h)}}},
			wantSchedule: [2]time.Time{after(72 * h), after(74 * h)},
			wantHistory:  item.MaintenanceHistory{Created: t0},
		},
		{
			name: "a feed prints the schedule only while upcoming: the completed version keeps it, and its notice is pinned",
			versions: []version[item.Maintenance]{{fetched: upcoming},
				{fetched: item.Maintenance{ID: "m", CreatedAt: t0, CompletedAt: after(74 * h)}}},
			wantSchedule: [2]time.Time{after(72 * h), after(74 * h)},
			wantHistory:  item.MaintenanceHistory{Created: t0, Notice: &item.MaintenanceNotice{Announced: t0, Start: after(72 * h)}},
		},
		{
			name: "rescheduled after it started as of the judged instant: the new schedule, the notice of the start",
			versions: []version[item.Maintenance]{{fetched: upcoming},
				{fetched: item.Maintenance{ID: "m", CreatedAt: after(h), ScheduledFor: after(96 * h)}, judged: Judged{Source: after(72 * h)}}},
			wantSchedule: [2]time.Time{after(96 * h), {}},
			wantHistory:  item.MaintenanceHistory{Created: t0, Notice: &item.MaintenanceNotice{Announced: t0, Start: after(72 * h)}},
		},
		{
			name: "rescheduled before it started: nothing pinned yet",
			versions: []version[item.Maintenance]{{fetched: upcoming},
				{fetched: item.Maintenance{ID: "m", CreatedAt: t0, ScheduledFor: after(96 * h)}, judged: Judged{Source: after(71 * h)}}},
			wantSchedule: [2]time.Time{after(96 * h), {}},
			wantHistory:  item.MaintenanceHistory{Created: t0},
		},
		{
			name:         "without an announcement time, created at the scheduled start",
			versions:     []version[item.Maintenance]{{fetched: item.Maintenance{ID: "m", ScheduledFor: after(5 * h)}}},
			wantSchedule: [2]time.Time{after(5 * h), {}},
			wantHistory:  item.MaintenanceHistory{Created: after(5 * h)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got *item.Maintenance
			for _, v := range tc.versions {
				merged := r.MergeMaintenance(got, v.fetched, v.judged)
				got = &merged
			}
			if !got.ScheduledFor.Equal(tc.wantSchedule[0]) || !got.ScheduledUntil.Equal(tc.wantSchedule[1]) {
				t.Errorf("schedule %v - %v, want %v", got.ScheduledFor, got.ScheduledUntil, tc.wantSchedule)
			}
			assertDeepEqual(t, "history", *got.History, tc.wantHistory)
		})
	}
}

// TestMergeDrillMarkKeepsSignal: a drill mark first seen on a stored
// ticket that was a customer signal leaves it one, even when the Judged of
// that merge is not later than when the signal became known (the same
// sync's instant, or behind it after a restart with a larger alert_grace);
// a ticket that was no signal when marked does not become one through a
// tag added after the mark.
func TestMergeDrillMarkKeepsSignal(t *testing.T) {
	v := testVendor()
	v.Signals.Priorities, v.Signals.Tags = []string{"urgent"}, []string{"outage"}
	r := mustRules(t, v, time.Time{})
	urgent := item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0}
	for _, back := range []time.Duration{0, 2 * time.Minute} {
		stored := r.MergeTicket(nil, urgent, Judged{Signals: after(5 * time.Minute)})
		if sg, ok := r.ticketSignal(&stored, stored.History); !ok || !sg.known.Equal(after(5*time.Minute)) {
			t.Fatalf("stored: signal %v, %v; want one known at +5m", sg, ok)
		}
		marked := urgent
		marked.Drill = true
		got := r.MergeTicket(&stored, marked, Judged{Signals: after(5*time.Minute - back)})
		if _, ok := r.ticketSignal(&got, got.History); !ok {
			t.Errorf("marked with Signals %v before the signal was known: DrillSeen %v, the signal is gone", back, got.History.DrillSeen)
		}
	}
	normal := item.Ticket{ID: "2", Priority: "normal", Status: item.StatusOpen, CreatedAt: t0}
	stored := r.MergeTicket(nil, normal, Judged{Signals: after(5 * time.Minute)})
	marked := normal
	marked.Drill = true
	stored = r.MergeTicket(&stored, marked, Judged{Signals: after(5 * time.Minute)})
	tagged := marked
	tagged.Tags = []string{"outage"}
	got := r.MergeTicket(&stored, tagged, Judged{Signals: after(5 * time.Minute)})
	if sg, ok := r.ticketSignal(&got, got.History); ok {
		t.Errorf("a drill ticket tagged after its mark is a signal %v (DrillSeen %v)", sg, got.History.DrillSeen)
	}
}
