package collectortest

import (
	"context"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// Recorder is an emit func that keeps every batch, in order.
type Recorder struct{ Batches []item.Batch }

// Emit keeps b; pass it to Source.Sync.
func (r *Recorder) Emit(b item.Batch) error {
	r.Batches = append(r.Batches, b)
	return nil
}

// TicketIDs are the ids of every emitted ticket, in emit order.
func (r *Recorder) TicketIDs() []string {
	var ids []string
	for _, b := range r.Batches {
		for _, tk := range b.Tickets {
			ids = append(ids, tk.ID)
		}
	}
	return ids
}

// Ticket is the last emitted version of ticket id, the one the store
// keeps; it fails the test when none was emitted.
func (r *Recorder) Ticket(tb testing.TB, id string) item.Ticket {
	tb.Helper()
	var found []item.Ticket
	for _, b := range r.Batches {
		for _, tk := range b.Tickets {
			if tk.ID == id {
				found = append(found, tk)
			}
		}
	}
	if len(found) == 0 {
		tb.Fatalf("no ticket %s in %q", id, r.TicketIDs())
	}
	return found[len(found)-1]
}

// LastCursor is the cursor of the last batch, the one the exporter stores;
// it fails the test when no batch was emitted.
func (r *Recorder) LastCursor(tb testing.TB) []byte {
	tb.Helper()
	if len(r.Batches) == 0 {
		tb.Fatal("no batch emitted")
	}
	return r.Batches[len(r.Batches)-1].Cursor
}

// Sync runs one Sync of s from cursor and returns the batches it emitted
// with its error, for tests that check both.
func Sync(s source.Source, cursor []byte) ([]item.Batch, error) {
	var r Recorder
	err := s.Sync(context.Background(), cursor, r.Emit)
	return r.Batches, err
}
