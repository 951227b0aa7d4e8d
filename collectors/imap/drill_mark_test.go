package imap

import (
	"testing"
	"time"
)

// TestSyncDrillMarked: a thread whose first message's subject holds a
// drill's marker is a drill ticket (item.Ticket.Drill, no customer signal),
// and stays one when later messages join it; a thread whose later message
// names a marker is not; a ticket stored unmarked is marked when its
// creating message is read again.
func TestSyncDrillMarked(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, nil)
	const drill, plain = "d1@buyer.example", "p1@buyer.example"
	h.ms.add("Sent", rawMail(drill, "ann@buyer.example", rfc(0), "[Drill] Test ticket support-drill-acme-4f2a (please answer)"), delivered)
	h.ms.add("Sent", rawMail(plain, "ann@buyer.example", rfc(time.Minute), "Database down"), delivered)
	h.ms.add("Sent", rawMail("p2@buyer.example", "ann@buyer.example", rfc(2*time.Minute), "Re: Database down support-drill-acme-4f2a",
		"In-Reply-To: <"+plain+">"), delivered)
	h.mustSync()
	if tk := h.ticket(drill); !tk.Drill {
		t.Errorf("the drill's thread: Drill false, want true")
	}
	if tk := h.ticket(plain); tk.Drill {
		t.Errorf("a thread whose later message names a marker: Drill true, want false")
	}

	// The vendor answers in the next poll: the ticket changes, the mark stays.
	h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(time.Hour), "Re: [Drill] Test ticket support-drill-acme-4f2a (please answer)",
		"In-Reply-To: <"+drill+">"), delivered)
	h.mustSync()
	if tk := h.ticket(drill); !tk.Drill || len(tk.Events) != 1 {
		t.Errorf("after the vendor's reply: Drill %v, events %v; want true and the reply", tk.Drill, kinds(tk))
	}

	// A ticket an earlier build stored unmarked, its mail read again from
	// the start: it is marked and stored again.
	old := h.ticket(drill)
	old.Drill = false
	h.store.tickets[drill] = old
	h.store.cursor = nil
	h.mustSync()
	if tk := h.ticket(drill); !tk.Drill {
		t.Errorf("a stored unmarked drill ticket read again: Drill false, want true")
	}
}
