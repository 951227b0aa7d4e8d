package quality

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// replayStore replays every item of a test store, adding each as the
// replay reaches its first change, and snapshots at every step up to end.
// It returns the replay's aggregator and the snapshot at each step.
func replayStore(t *testing.T, s *store, from, end time.Time, step time.Duration, asOf func(time.Time) func(string) time.Time) (*Aggregator, []*VendorSnapshot) {
	return replayStoreBy(t, s, from, end, step, asOf, (*Replay).Advance)
}

// replayStoreBy is replayStore advancing with advance.
func replayStoreBy(t *testing.T, s *store, from, end time.Time, step time.Duration, asOf func(time.Time) func(string) time.Time,
	advance func(*Replay, time.Time)) (*Aggregator, []*VendorSnapshot) {
	t.Helper()
	type entry struct {
		first time.Time
		add   func(*Replay)
	}
	var entries []entry
	for k, tk := range s.tickets {
		entries = append(entries, entry{s.agg.Rules().TicketChanges(tk)[0], func(p *Replay) { p.AddTicket(k.source, tk) }})
	}
	for k, i := range s.incidents {
		entries = append(entries, entry{IncidentChanges(i)[0], func(p *Replay) { p.AddIncident(k.source, i) }})
	}
	for k, m := range s.maintenances {
		entries = append(entries, entry{MaintenanceChanges(m)[0], func(p *Replay) { p.AddMaintenance(k.source, m) }})
	}
	for k := range s.alerts {
		entries = append(entries, entry{k.startsAt, func(p *Replay) { p.AddAlertSignal(k.startsAt) }})
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.first.Compare(b.first) })

	agg := NewAggregator(s.agg.Rules(), s.sources, s.ticketSources)
	p := NewReplay(agg)
	var snaps []*VendorSnapshot
	for at := from; !at.After(end); at = at.Add(step) {
		for len(entries) > 0 && !entries[0].first.After(at) {
			entries[0].add(p)
			entries = entries[1:]
		}
		advance(p, at)
		snaps = append(snaps, agg.Snapshot(asOf(at)))
	}
	for _, e := range entries {
		e.add(p)
	}
	p.Finish()
	if n := len(p.pending); n != 0 {
		t.Fatalf("%d items still in flight after Finish", n)
	}
	return agg, snaps
}

// TestReplayJoinsTheLiveAggregates replays random histories (the
// generator of the property test): no counter goes down from one step to
// the next, and once every change is applied the replay holds exactly what
// a start-up load of the store gives, so that a backfill ends on the values
// the live exporter serves.
func TestReplayJoinsTheLiveAggregates(t *testing.T) {
	for seed, clock := range []string{"calendar", "business"} {
		t.Run(clock, func(t *testing.T) {
			r := mustRules(t, propertyVendor(t, clock), t0)
			g := newGenerator(11, uint64(seed))
			s := newStore(r)
			for range 3000 {
				s.asOf = syncedAsOf(g.now)
				g.now = g.now.Add(time.Duration(g.rnd.IntN(90)) * time.Minute)
				g.next(s)
				s.agg.Snapshot(syncedAsOf(g.now)) // the live exporter's, judging as it goes
			}
			end := g.now
			// Judged as the backfill does: each source as of the step, but
			// never past what the store is complete up to at the end.
			asOf := func(at time.Time) func(string) time.Time {
				return func(source string) time.Time {
					return minTime(at, syncedAsOf(end)(source))
				}
			}
			agg, snaps := replayStore(t, s, t0.Add(-2*time.Hour), end, 30*time.Minute, asOf)

			var prev []uint64
			for i, snap := range snaps {
				cur := counterValues(snap)
				for j := range prev {
					if cur[j] < prev[j] {
						t.Fatalf("step %d: counter %s went down from %d to %d", i, counterNames[j], prev[j], cur[j])
					}
				}
				prev = cur
			}
			if first, last := counterValues(snaps[0]), counterValues(snaps[len(snaps)-1]); slices.Equal(first, last) || last[0] == 0 {
				t.Fatalf("the replay moved no counter over %d steps", len(snaps))
			}
			got, want := agg.Snapshot(syncedAsOf(end)), s.reload().Snapshot(syncedAsOf(end))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("after Finish the replay differs from a load of the store:\n%s", snapshotDiff(want, got))
			}
		})
	}
}

// TestReplayCoalescedEqualsStepped: snapshots taken a few days apart are
// the same whether the replay steps through every version of an item
// (Advance) or moves straight to its version at each snapshot
// (AdvanceCoalesced).
func TestReplayCoalescedEqualsStepped(t *testing.T) {
	for seed, clock := range []string{"calendar", "business"} {
		t.Run(clock, func(t *testing.T) {
			r := mustRules(t, propertyVendor(t, clock), t0)
			g := newGenerator(13, uint64(seed))
			s := newStore(r)
			for range 3000 {
				s.asOf = syncedAsOf(g.now)
				g.now = g.now.Add(time.Duration(g.rnd.IntN(90)) * time.Minute)
				g.next(s)
				s.agg.Snapshot(syncedAsOf(g.now))
			}
			end := g.now
			asOf := func(at time.Time) func(string) time.Time {
				return func(source string) time.Time { return minTime(at, syncedAsOf(end)(source)) }
			}
			for _, step := range []time.Duration{7 * time.Hour, 3*24*time.Hour + 5*time.Hour} {
				_, stepped := replayStoreBy(t, s, t0.Add(-2*time.Hour), end, step, asOf, (*Replay).Advance)
				_, coalesced := replayStoreBy(t, s, t0.Add(-2*time.Hour), end, step, asOf, (*Replay).AdvanceCoalesced)
				if len(stepped) < 3 {
					t.Fatalf("only %d snapshots", len(stepped))
				}
				for i := range stepped {
					if !reflect.DeepEqual(stepped[i], coalesced[i]) {
						t.Fatalf("step %v, snapshot %d: coalesced differs from stepped:\n%s", step, i, snapshotDiff(stepped[i], coalesced[i]))
					}
				}
			}
		})
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// TestReplayDatesEachFact follows one ticket and one incident through a
// replay and checks, at instants around each of their facts, what a live
// exporter would have served then.
func TestReplayDatesEachFact(t *testing.T) {
	h, m := time.Hour, time.Minute
	r := mustRules(t, testVendor(), time.Time{})
	s := newStore(r)
	// High: first response target 4h, resolution 72h. Replied late at 5h,
	// solved at 6h, reopened at 7h (dated), rated good (undated), closed at
	// its last update, 30h.
	s.ticket("helpdesk", item.Ticket{ID: "1", Priority: "high", Status: item.StatusClosed, CreatedAt: t0, UpdatedAt: after(30 * h),
		Satisfaction: item.RatingGood,
		Events: []item.Event{
			ev(item.EventCustomerReply, after(h)), ev(item.EventVendorReply, after(5*h)), ev(item.EventSolved, after(6*h)),
			ev(item.EventReopened, after(7*h)), ev(item.EventVendorReply, after(8*h)), ev(item.EventSolved, after(9*h)),
		}})
	// Posted 20 minutes after impact began, updated at 1h, resolved at 2h,
	// postmortem at 50h.
	s.incident("status", item.Incident{ID: "i", Impact: item.ImpactMajor, StartedAt: after(-20 * m), CreatedAt: t0,
		Updates: []time.Time{after(h), after(2 * h)}, ResolvedAt: after(2 * h), UpdatedAt: after(50 * h), PostmortemPublishedAt: after(50 * h)})

	_, snaps := replayStore(t, s, t0, after(60*h), 30*m, at)
	snapAt := func(d time.Duration) *VendorSnapshot { return snaps[d/(30*m)] }
	cases := []struct {
		at   time.Duration
		want func(v *VendorSnapshot)
	}{
		{0, func(v *VendorSnapshot) { // the incident's times are observed at its resolution
			v.TicketsCreated[High] = 1
			v.Open[High][AwaitingVendor] = 1
			v.OldestUnanswered[High] = t0
			v.Incidents[ImpactMajor] = 1
			v.IncidentsOpen[ImpactMajor] = 1
			v.IncidentOldestLastUpdate[ImpactMajor] = t0
		}},
		{90 * m, func(v *VendorSnapshot) { // a customer chase at 1h, an incident update at 1h
			v.TicketsCreated[High] = 1
			v.Followups[High] = 1
			v.Open[High][AwaitingVendor] = 1
			v.OldestUnanswered[High] = t0
			v.Incidents[ImpactMajor] = 1
			v.IncidentsOpen[ImpactMajor] = 1
			v.IncidentOldestLastUpdate[ImpactMajor] = after(h)
		}},
		{4*h + 30*m, func(v *VendorSnapshot) { // the 4h target passed unanswered: breached while open
			v.TicketsCreated[High] = 1
			v.Followups[High] = 1
			v.SLAChecks[High][FirstResponse], v.SLABreaches[High][FirstResponse] = 1, 1
			v.Breaching[High][FirstResponse] = 1
			v.Open[High][AwaitingVendor] = 1
			v.OldestUnanswered[High] = t0
			v.Incidents[ImpactMajor] = 1
			observe(&v.NoticeDelay[ImpactMajor], 1200)
			observe(&v.UpdateGap, 3600)
			observe(&v.UpdateGap, 3600)
			observe(&v.Duration[ImpactMajor], 8400)
		}},
		{7*h + 30*m, func(v *VendorSnapshot) { // replied at 5h, solved at 6h, reopened at 7h
			v.TicketsCreated[High] = 1
			v.Followups[High] = 1
			v.VendorReplies[time.Monday][14] = 1 // the reply at 5h: Monday 14:00 UTC
			observe(&v.FirstResponse[High][Business], 5*3600)
			observe(&v.Resolution[High], 6*3600)
			observe(&v.Rounds[High], 1)
			v.Reopened[High] = 1
			v.SLAChecks[High][FirstResponse], v.SLABreaches[High][FirstResponse] = 1, 1
			v.SLAChecks[High][Resolution] = 1
			v.Open[High][AwaitingVendor] = 1
			v.Incidents[ImpactMajor] = 1
			observe(&v.NoticeDelay[ImpactMajor], 1200)
			observe(&v.UpdateGap, 3600)
			observe(&v.UpdateGap, 3600)
			observe(&v.Duration[ImpactMajor], 8400)
		}},
		{55 * h, func(v *VendorSnapshot) { // the rating and the close at 30h, the postmortem at 50h
			v.TicketsCreated[High] = 1
			v.Followups[High] = 1
			v.VendorReplies[time.Monday][14], v.VendorReplies[time.Monday][17] = 1, 1 // the replies at 5h and 8h
			observe(&v.FirstResponse[High][Business], 5*3600)
			observe(&v.Resolution[High], 6*3600)
			observe(&v.Rounds[High], 1)
			v.Reopened[High] = 1
			v.SLAChecks[High][FirstResponse], v.SLABreaches[High][FirstResponse] = 1, 1
			v.SLAChecks[High][Resolution] = 1
			v.Ratings[Good] = 1
			v.Incidents[ImpactMajor] = 1
			observe(&v.NoticeDelay[ImpactMajor], 1200)
			observe(&v.UpdateGap, 3600)
			observe(&v.UpdateGap, 3600)
			observe(&v.Duration[ImpactMajor], 8400)
			observe(&v.Postmortem, 48*3600)
		}},
	}
	for _, tc := range cases {
		got := snapAt(tc.at)
		want := NewAggregator(r, testSources, testTicketSources).Snapshot(at(after(tc.at)))
		tc.want(want)
		if tc.at > 0 {
			// Decided once the window passed: the ticket, created at the
			// first post, is opened high, no customer signal (signals
			// default to urgent).
			want.Detected[VendorFirst] = 1
		}
		got.StoreItems, want.StoreItems = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("at t0+%v:\n%s", tc.at, snapshotDiff(want, got))
		}
	}
}

// TestChangeInstants: the instants are sorted, distinct, clamped to the
// item's span, and end at its last update.
func TestChangeInstants(t *testing.T) {
	h := time.Hour
	r := mustRules(t, testVendor(), time.Time{})
	tk := &item.Ticket{ID: "1", CreatedAt: t0, UpdatedAt: after(5 * h),
		Events:  []item.Event{ev(item.EventVendorReply, after(2*h)), ev(item.EventVendorReply, after(-h)), ev(item.EventSolved, after(9*h))},
		Figures: &item.Figures{FirstReplyAt: after(2 * h), FirstResponseSLA: &item.SLAClock{Stopped: after(3 * h)}}}
	want := []time.Time{t0, after(2 * h), after(3 * h), after(5 * h)}
	if got := r.TicketChanges(tk); !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("ticket changes %v, want %v", got, want)
	}
	// An incident of a format without first post times starts at its
	// earliest known instant.
	inc := &item.Incident{ID: "i", StartedAt: after(h), Updates: []time.Time{after(3 * h), after(2 * h)}, UpdatedAt: after(4 * h)}
	want = []time.Time{after(h), after(2 * h), after(3 * h), after(4 * h)}
	if got := IncidentChanges(inc); !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("incident changes %v, want %v", got, want)
	}
	mt := &item.Maintenance{ID: "m", ScheduledFor: after(10 * h), UpdatedAt: after(2 * h), CompletedAt: after(12 * h)}
	want = []time.Time{after(2 * h), after(12 * h)}
	if got := MaintenanceChanges(mt); !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("maintenance changes %v, want %v", got, want)
	}
	if v := MaintenanceAt(mt, after(11*h)); !v.CompletedAt.IsZero() {
		t.Errorf("maintenance at 11h completed at %v, want not yet", v.CompletedAt)
	}
}

// TestReplayTrustsTheVendorsFinalVerdict: a vendor clock whose last known
// deadline passed before it stopped, yet judged met (a pause moved the
// deadline), never counts as breached on the way; one judged breached
// counts from its deadline on.
func TestReplayTrustsTheVendorsFinalVerdict(t *testing.T) {
	h := time.Hour
	r := mustRules(t, testVendor(), time.Time{})
	s := newStore(r)
	for _, tc := range []struct {
		id       string
		breached bool
	}{{"paused-then-met", false}, {"breached", true}} {
		s.ticket("helpdesk", item.Ticket{ID: tc.id, Priority: "low", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: after(3 * h),
			Figures: &item.Figures{FirstReplyAt: after(3 * h), Replies: 1,
				FirstResponseSLA: &item.SLAClock{Deadline: after(h), Stopped: after(3 * h), Breached: tc.breached}}})
	}
	_, snaps := replayStore(t, s, t0, after(4*h), 30*time.Minute, at)
	for i, snap := range snaps {
		checks, breaches := snap.SLAChecks[Low][FirstResponse], snap.SLABreaches[Low][FirstResponse]
		when := time.Duration(i) * 30 * time.Minute
		want := uint64(0)
		if when > h { // the breached one, from its deadline on
			want = 1
		}
		if breaches != want {
			t.Errorf("at t0+%v: %d breaches, want %d", when, breaches, want)
		}
		if when >= 3*h && checks != 2 {
			t.Errorf("at t0+%v: %d checks, want 2 once both clocks stopped", when, checks)
		}
	}
}

// TestReplayKeepsThePins replays items stored with pins the live exporter
// made: each pinned fact shows from its instant on, and nothing is counted
// on the way that the stored version does not count.
func TestReplayKeepsThePins(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name  string
		store func(s *store)
		end   time.Duration
		// want is the snapshot's value at t0+d, read by value.
		value func(v *VendorSnapshot) uint64
		want  map[time.Duration]uint64
	}{
		{
			// Zendesk gives reopens as a count: the replay cannot date the
			// reopen and shows the ticket solved until its last update,
			// long enough to settle; the stored version is no one-touch
			// (the live exporter fetched the reopen before it judged the
			// solve settled: its last complete sync then had started at
			// 97h).
			name: "an undated reopen: never one-touch on the way",
			store: func(s *store) {
				s.asOf = at(after(3 * h))
				s.ticket("helpdesk", item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(2 * h),
					Figures: &item.Figures{FirstReplyAt: after(h), FirstSolvedAt: after(2 * h), Replies: 1}})
				s.asOf = at(after(97 * h))
				s.ticket("helpdesk", item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(150 * h),
					Figures: &item.Figures{FirstReplyAt: after(h), FirstSolvedAt: after(2 * h), Replies: 2, Reopens: 1}})
			},
			end:   200 * h,
			value: func(v *VendorSnapshot) uint64 { return v.FirstContact[Low] },
			want:  map[time.Duration]uint64{50 * h: 0, 100 * h: 0, 149 * h: 0, 200 * h: 0},
		},
		{
			name: "a status reverted without a reopen: never one-touch on the way",
			store: func(s *store) {
				s.ticket("helpdesk", item.Ticket{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: after(150 * h),
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}})
			},
			end:   200 * h,
			value: func(v *VendorSnapshot) uint64 { return v.FirstContact[Low] },
			want:  map[time.Duration]uint64{100 * h: 0, 149 * h: 0, 200 * h: 0},
		},
		{
			name: "a one-touch settled and then reopened: from its settling on",
			store: func(s *store) {
				s.asOf = at(after(99 * h))
				s.ticket("helpdesk", item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(2 * h),
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}})
				s.ticket("helpdesk", item.Ticket{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: after(100 * h),
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h)), ev(item.EventReopened, after(100*h))}})
			},
			end:   120 * h,
			value: func(v *VendorSnapshot) uint64 { return v.FirstContact[Low] },
			want:  map[time.Duration]uint64{97 * h: 0, 98 * h: 1, 100 * h: 1, 120 * h: 1},
		},
		{
			// High: 4h. Judged running as of 5h, then answered with a reply
			// dated 3h: breached from when it was judged so, not before.
			name: "a breach pinned as of a judged instant: from then on",
			store: func(s *store) {
				s.ticket("helpdesk", item.Ticket{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: t0})
				s.asOf = at(after(5 * h))
				s.ticket("helpdesk", item.Ticket{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: after(3 * h),
					Events: []item.Event{ev(item.EventVendorReply, after(3*h))}})
			},
			end:   8 * h,
			value: func(v *VendorSnapshot) uint64 { return v.SLABreaches[High][FirstResponse] },
			want:  map[time.Duration]uint64{2 * h: 0, 4 * h: 0, 5*h - time.Minute: 0, 5 * h: 1, 8 * h: 1},
		},
		{
			// Urgent: 1h. Replied at 30m, met on our clock; a later version
			// shows the vendor's clock, stopped at 30m, breached at 20m:
			// ours judged the target, so the vendor's never does, not even
			// on the way (the stored version counts no breach).
			name: "a target our clock judged: the vendor's clock shown later never judges it on the way",
			store: func(s *store) {
				replied := item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusPending, CreatedAt: t0, UpdatedAt: after(30 * time.Minute),
					Events: []item.Event{ev(item.EventVendorReply, after(30*time.Minute))}}
				s.ticket("helpdesk", replied)
				replied.UpdatedAt = after(3 * h)
				replied.Figures = &item.Figures{FirstReplyAt: after(30 * time.Minute), Replies: 1,
					FirstResponseSLA: &item.SLAClock{Deadline: after(20 * time.Minute), Stopped: after(30 * time.Minute), Breached: true}}
				s.ticket("helpdesk", replied)
			},
			end:   4 * h,
			value: func(v *VendorSnapshot) uint64 { return v.SLABreaches[Urgent][FirstResponse] },
			want:  map[time.Duration]uint64{25 * time.Minute: 0, h: 0, 2 * h: 0, 4 * h: 0},
		},
		{
			// Announced at 0, scheduled at 10h, rescheduled to 20h once it
			// had started: the notice observed at 10h, of 10h.
			name: "a maintenance's pinned notice: at its start",
			store: func(s *store) {
				s.maintenance("status", item.Maintenance{ID: "m", CreatedAt: t0, UpdatedAt: t0, ScheduledFor: after(10 * h)})
				s.asOf = at(after(11 * h))
				s.maintenance("status", item.Maintenance{ID: "m", CreatedAt: t0, UpdatedAt: after(11 * h), ScheduledFor: after(20 * h)})
			},
			end:   30 * h,
			value: func(v *VendorSnapshot) uint64 { return v.MaintenanceNotice.Count },
			want:  map[time.Duration]uint64{5 * h: 0, 10*h - time.Minute: 0, 10 * h: 1, 30 * h: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(mustRules(t, testVendor(), time.Time{}))
			tc.store(s)
			_, snaps := replayStore(t, s, t0, after(tc.end), time.Minute, at)
			for d, want := range tc.want {
				if got := tc.value(snaps[d/time.Minute]); got != want {
					t.Errorf("at t0+%v: %d, want %d", d, got, want)
				}
			}
		})
	}
}
