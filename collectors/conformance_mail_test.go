package collectors_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// TestConformanceMailTruth: the imap kind, which reads each ticket's whole
// conversation from mail, stores what the vendor's world holds (Truth):
// every ticket at its creation, the vendor's human replies (not the
// helpdesk's acknowledgements, which AutoAcknowledges adds and which are
// no response), its solves and reopens (not the helpdesk's reopen notices
// as well), its status and the priority the customer wrote. The reference
// of TestConformance only counts tickets; mail is the one kind whose every
// message a test can hold against Truth.
func TestConformanceMailTruth(t *testing.T) {
	i := slices.IndexFunc(kindsUnderTest(), func(k kindUnderTest) bool { return k.kind == simulator.KindIMAP })
	if i < 0 {
		t.Skip("no imap kind registered")
	}
	v := simVendor(tickets)
	v.Persona = simulator.Persona{Name: "acknowledging", AutoAcknowledges: true}
	f := newFixtureOf(t, kindsUnderTest()[i], v)
	st := newMemStore()
	if err := f.sync(t, st, plain); err != nil {
		t.Fatal(err)
	}
	truth := f.sim.Truth(vendorName, start)
	if len(st.tickets) != len(truth.Tickets) {
		t.Errorf("%d tickets stored, the vendor has %d", len(st.tickets), len(truth.Tickets))
	}
	// The simulator's Message-IDs start with the ticket's number: the
	// thread's root is the customer's first message.
	byNumber := map[int64]item.Ticket{}
	for id, tk := range st.tickets {
		n, err := strconv.ParseInt(strings.SplitN(id, ".", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("ticket %q: not a simulated thread's root", id)
		}
		byNumber[n] = tk
	}
	var bad []string
	for _, want := range truth.Tickets {
		got, ok := byNumber[want.ID]
		if !ok {
			bad = append(bad, fmt.Sprintf("ticket %d missing", want.ID))
			continue
		}
		var replies, reopens int
		var firstReply, firstSolve time.Time
		for _, e := range got.Events {
			switch e.Kind {
			case item.EventVendorReply:
				replies++
				if firstReply.IsZero() {
					firstReply = e.At
				}
			case item.EventReopened:
				reopens++
			case item.EventSolved:
				if firstSolve.IsZero() {
					firstSolve = e.At
				}
			}
		}
		solved := want.Status == "solved" || want.Status == "closed"
		checks := []struct {
			what      string
			got, want any
		}{
			{"created", got.CreatedAt.UTC(), want.Created.UTC()},
			{"vendor replies", replies, want.Replies},
			{"first reply", firstReply.UTC(), want.FirstReply.UTC()},
			{"first solve", firstSolve.UTC(), want.FirstSolve.UTC()},
			{"reopens", reopens, want.Reopens},
			{"solved", got.Status == item.StatusSolved || got.Status == item.StatusClosed, solved},
			{"priority tag", want.FirstPriority == "" || slices.Contains(got.Tags, want.FirstPriority), true},
		}
		for _, c := range checks {
			if c.got != c.want {
				bad = append(bad, fmt.Sprintf("ticket %d: %s %v, want %v", want.ID, c.what, c.got, c.want))
			}
		}
	}
	if len(bad) > 0 {
		if len(bad) > 15 {
			bad = append(bad[:15], fmt.Sprintf("... %d more", len(bad)-15))
		}
		t.Errorf("the stored tickets differ from the vendor's:\n%s", strings.Join(bad, "\n"))
	}
}

// TestConformanceMailResync: a mailbox whose folders changed UIDVALIDITY
// (restored, migrated: every UID new) is read again from its start, and
// nothing is stored twice nor lost: the store stays the reference, at
// start and once the world moved on.
func TestConformanceMailResync(t *testing.T) {
	i := slices.IndexFunc(kindsUnderTest(), func(k kindUnderTest) bool { return k.kind == simulator.KindIMAP })
	if i < 0 {
		t.Skip("no imap kind registered")
	}
	f := newFixture(t, kindsUnderTest()[i], tickets)
	ref := newMemStore()
	if err := f.sync(t, ref, plain); err != nil {
		t.Fatal(err)
	}
	st := ref.clone()
	for _, folder := range []string{"INBOX", "Sent"} {
		if err := f.sim.ResetMailbox(vendorName, folder); err != nil {
			t.Fatal(err)
		}
	}
	fetches := f.sim.CommandCounts(vendorName)["UID FETCH"]
	if err := f.sync(t, st, plain); err != nil {
		t.Fatal(err)
	}
	if f.sim.CommandCounts(vendorName)["UID FETCH"] == fetches {
		t.Error("after the UIDVALIDITY change, the sync fetched nothing: it cannot have read the folders again")
	}
	if d := st.diff(ref, false, 10); len(d) > 0 {
		t.Errorf("after the UIDVALIDITY change, the store differs from the reference:\n%s", strings.Join(d, "\n"))
	}
	// Later mail arrives after the renumbered messages; a first sync then
	// stores what the resynced source stores.
	f.clock.Set(later)
	if err := f.sync(t, st, plain); err != nil {
		t.Fatal(err)
	}
	full := newMemStore()
	if err := f.sync(t, full, plain); err != nil {
		t.Fatal(err)
	}
	if d := st.asFirstSync(full, f.k.kind, 10); len(d) > 0 {
		t.Errorf("resynced, then synced later, the store differs from a first sync then:\n%s", strings.Join(d, "\n"))
	}
}
