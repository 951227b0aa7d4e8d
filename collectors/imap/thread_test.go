package imap

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestStateBounds: the cursor's pending and skip lists keep their most
// recent entries, and a thread's held reply joins its ticket.
func TestStateBounds(t *testing.T) {
	s := newState(&cursor{}, false, time.Time{})
	for i := range maxPending + 100 {
		s.hold(&message{uid: uint32(i + 1), ref: fmt.Sprint("r", i), thread: fmt.Sprint("t", i), vendor: true, reply: true, at: t0})
	}
	// t0's thread gets its ticket.
	if tk := s.apply(nil, &message{ref: "c", thread: "t0", at: t0.Add(-time.Minute)}); tk == nil || len(tk.Events) != 1 {
		t.Fatalf("the customer's message: ticket %+v, want one with the held reply", tk)
	}
	list := s.pendingList()
	if len(list) != maxPending || list[0].Thread != fmt.Sprint("t", 100) || list[len(list)-1].Thread != fmt.Sprint("t", maxPending+99) {
		t.Errorf("pending %d threads, from %s to %s: want the %d most recent", len(list), list[0].Thread, list[len(list)-1].Thread, maxPending)
	}
	for i := range maxSkip + 10 {
		s.skipThread(fmt.Sprint("s", i))
	}
	if len(s.skipOrder) != maxSkip || s.skip[digest("s0")] || !s.skip[digest(fmt.Sprint("s", maxSkip+9))] {
		t.Errorf("skip keeps %d, s0 %v: want the %d most recent", len(s.skipOrder), s.skip[digest("s0")], maxSkip)
	}
}

// TestHoldBounds: a thread waiting for its ticket keeps a bounded number
// of events and each tag once; a held message without event nor tag (an
// acknowledgement) is not kept.
func TestHoldBounds(t *testing.T) {
	s := newState(&cursor{}, false, time.Time{})
	s.hold(&message{ref: "ack", thread: "a", vendor: true, reply: true, machine: true, at: t0})
	if len(s.pending) != 0 {
		t.Errorf("an acknowledgement was held: %+v", s.pending["a"])
	}
	for i := range 3 * maxPendingEvents {
		s.hold(&message{ref: fmt.Sprint("r", i), thread: "t", vendor: true, reply: true, at: t0.Add(time.Duration(i) * time.Minute),
			tags: []string{"p1"}})
	}
	p := s.pending["t"]
	if len(p.Events) > maxPendingEvents || !slices.Equal(p.Tags, []string{"p1"}) || p.Events[0].Ref != "r0" {
		t.Errorf("held %d events (first %s), tags %v: want at most %d from the first, p1 once", len(p.Events), p.Events[0].Ref, p.Tags, maxPendingEvents)
	}
}

// TestPendingMostRecentlyHeld: the pending list keeps the threads most
// recently held: one held again outlives those held since it was first.
func TestPendingMostRecentlyHeld(t *testing.T) {
	s := newState(&cursor{}, false, time.Time{})
	s.hold(&message{ref: "first", thread: "old", vendor: true, reply: true, at: t0})
	for i := range maxPending - 1 {
		s.hold(&message{ref: fmt.Sprint("r", i), thread: fmt.Sprint("t", i), vendor: true, reply: true, at: t0})
	}
	s.hold(&message{ref: "again", thread: "old", vendor: true, reply: true, at: t0.Add(time.Hour)})
	s.hold(&message{ref: "new", thread: "new", vendor: true, reply: true, at: t0.Add(time.Hour)})
	list := s.pendingList()
	if len(list) != maxPending || list[0].Thread != "t1" || list[len(list)-2].Thread != "old" || list[len(list)-1].Thread != "new" {
		t.Errorf("pending %d, from %s, last two %s %s: want t0 dropped, old kept as held again",
			len(list), list[0].Thread, list[len(list)-2].Thread, list[len(list)-1].Thread)
	}
	// Read back from the cursor, the order holds.
	again := newState(&cursor{Pending: list}, false, time.Time{})
	if l := again.pendingList(); l[len(l)-2].Thread != "old" {
		t.Errorf("from the cursor: %s before last, want old", l[len(l)-2].Thread)
	}
}
