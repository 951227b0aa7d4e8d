package simulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// scriptVendor is a vendor whose only tickets are script.
func scriptVendor(script ...ScriptedTicket) Vendor {
	return Vendor{Name: "scripted", Timezone: "Europe/Berlin", History: 7 * 24 * time.Hour, Script: script}
}

func TestScriptTruth(t *testing.T) {
	created := testStart.Add(-48 * time.Hour)
	script := []ScriptedTicket{
		{Created: created, Priority: "high", Steps: []ScriptStep{
			{At: 10 * time.Minute, Kind: CustomerReply}, // a chase: nobody answered yet
			{At: time.Hour, Kind: VendorReply},
			{At: 2 * time.Hour, Kind: CustomerReply},
			{At: 3 * time.Hour, Kind: Escalate},
			{At: 4 * time.Hour, Kind: Solve},
			{At: 5 * time.Hour, Kind: RateBad},
			{At: 6 * time.Hour, Kind: Reopen},
			{At: 7 * time.Hour, Kind: Solve},
			{At: 8 * time.Hour, Kind: RateGood},
			{At: 30 * time.Hour, Kind: Close},
		}},
		{Created: created.Add(time.Hour), Steps: []ScriptStep{{At: 72 * time.Hour, Kind: VendorReply}}},
	}
	c := newClock(testStart)
	s := startSim(t, c, Options{Vendors: []Vendor{scriptVendor(script...)}})
	tests := []struct {
		now  time.Time
		want string // per ticket: id status priority replies reopens followups satisfaction tags firstReply firstSolve (after creation)
	}{
		{created.Add(-time.Second), ""},
		{created.Add(30 * time.Minute), "1 new high 0 0 1  [billing] 0s 0s;"},
		{testStart, "1 closed high 3 1 1 good [escalated billing] 1h0m0s 4h0m0s;2 new  0 0 0  [api] 0s 0s;"},
		{testStart.Add(72 * time.Hour), "1 closed high 3 1 1 good [escalated billing] 1h0m0s 4h0m0s;2 pending  1 0 0  [api] 72h0m0s 0s;"},
	}
	for _, tt := range tests {
		var got strings.Builder
		for _, tk := range s.Truth("scripted", tt.now).Tickets {
			since := func(at time.Time) time.Duration {
				if at.IsZero() {
					return 0
				}
				return at.Sub(tk.Created)
			}
			fmt.Fprintf(&got, "%d %s %s %d %d %d %s %v %v %v;", tk.ID, tk.Status, tk.Priority, tk.Replies, tk.Reopens,
				tk.Followups, tk.Satisfaction, tk.Tags, since(tk.FirstReply), since(tk.FirstSolve))
		}
		if got.String() != tt.want {
			t.Errorf("as of %v:\n got %s\nwant %s", tt.now, got.String(), tt.want)
		}
	}
}

func TestScriptRefused(t *testing.T) {
	created := testStart.Add(-time.Hour)
	tests := []struct {
		name   string
		vendor Vendor
		want   string
	}{
		{"generated tickets too", func() Vendor {
			v := scriptVendor(ScriptedTicket{Created: created})
			v.Tickets = 3
			return v
		}(), "excludes Tickets"},
		{"out of order", scriptVendor(ScriptedTicket{Created: created}, ScriptedTicket{Created: created.Add(-time.Second)}), "created before ticket 1"},
		{"unknown priority", scriptVendor(ScriptedTicket{Created: created, Priority: "p1"}), `unknown priority "p1"`},
		{"steps out of order", scriptVendor(ScriptedTicket{Created: created, Steps: []ScriptStep{
			{At: time.Hour, Kind: VendorReply}, {At: time.Hour, Kind: Solve}}}), "want whole seconds after the previous step"},
		{"reopen of an open ticket", scriptVendor(ScriptedTicket{Created: created, Steps: []ScriptStep{
			{At: time.Hour, Kind: Reopen}}}), "Reopen cannot follow status new"},
		{"step after close", scriptVendor(ScriptedTicket{Created: created, Steps: []ScriptStep{
			{At: time.Hour, Kind: Solve}, {At: 2 * time.Hour, Kind: Close}, {At: 3 * time.Hour, Kind: VendorReply}}}), "VendorReply after the ticket was closed"},
		{"before the history", scriptVendor(ScriptedTicket{Created: testStart.Add(-8 * 24 * time.Hour)}), "before the history start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Start: testStart, Vendors: []Vendor{tt.vendor}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
