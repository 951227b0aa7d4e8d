package imap

import (
	"fmt"
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
