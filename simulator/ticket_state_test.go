package simulator

import (
	"fmt"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/calendar"
)

func TestStateAt(t *testing.T) {
	cal, err := calendar.New("UTC", []string{"mon", "tue", "wed", "thu", "fri"}, "09:00-18:00", nil)
	if err != nil {
		t.Fatal(err)
	}
	monday9 := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC).Unix()
	h := int64(3600)
	tl := &timeline{created: monday9, priority: 2, escalated: 1, steps: []step{
		{at: monday9, kind: stepCreated, status: zNew},
		{at: monday9 + h, kind: stepVendorReply, status: zPending},
		{at: monday9 + 2*h, kind: stepCustomerReply, status: zOpen},
		{at: monday9 + 2*h + 900, kind: stepEscalate, status: zOpen},
		{at: monday9 + 5*h/2, kind: stepHold, status: zHold},
		{at: monday9 + 7*h/2, kind: stepSolve, status: zSolved},
		{at: monday9 + 4*h, kind: stepRate, status: zSolved, good: true},
		// After 18:00: business time stops counting.
		{at: monday9 + 10*h, kind: stepReopen, status: zOpen},
		{at: monday9 + 11*h, kind: stepSolve, status: zSolved},
	}}
	tests := []struct {
		now  int64
		want string // status replies reopens firstReply firstSolve priority tagged ratings
		// waits in minutes: requester (on hold included), agent, on hold,
		// each calendar/business
		waits string
	}{
		{monday9 + 30*60, "new 0 0 0 0 2 false []", "30/30 0/0 0/0"},
		{monday9 + 3*h/2, "pending 1 0 3600 0 2 false []", "60/60 30/30 0/0"},
		{monday9 + 3*h, "hold 2 0 3600 0 1 true []", "120/120 60/60 30/30"},
		{monday9 + 5*h, "solved 3 0 3600 12600 1 true [true]", "150/150 60/60 60/60"},
		{monday9 + 21*h/2, "open 3 1 3600 12600 1 true [true]", "180/150 60/60 60/60"},
		{monday9 + 12*h, "solved 4 1 3600 12600 1 true [true]", "210/150 60/60 60/60"},
	}
	for _, tt := range tests {
		s := stateAt(tl, tt.now)
		first, solve := int64(0), int64(0)
		if s.firstReply != 0 {
			first = s.firstReply - monday9
		}
		if s.firstSolve != 0 {
			solve = s.firstSolve - monday9
		}
		got := fmt.Sprint(s.status, s.replies, s.reopens, first, solve, s.priority, s.tagged, s.ratings)
		w := s.waits(cal)
		gotWaits := fmt.Sprintf("%d/%d %d/%d %d/%d", int(w.requester[0].Minutes()), int(w.requester[1].Minutes()),
			int(w.agent[0].Minutes()), int(w.agent[1].Minutes()), int(w.onHold[0].Minutes()), int(w.onHold[1].Minutes()))
		if got != tt.want || gotWaits != tt.waits {
			t.Errorf("at +%v: %s, waits %s; want %s, waits %s", time.Duration(tt.now-monday9)*time.Second, got, gotWaits, tt.want, tt.waits)
		}
	}
}
