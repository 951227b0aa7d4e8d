package store

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// benchTicket is a ticket of typical size: a few tags, a timeline of eight
// events, API figures and a pinned history.
func benchTicket(n int) *item.Ticket {
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
	events := make([]item.Event, 0, 8)
	kinds := []item.EventKind{item.EventCustomerReply, item.EventVendorReply}
	for i := range 7 {
		events = append(events, item.Event{Kind: kinds[i%2], At: created.Add(time.Duration(i+1) * 37 * time.Minute)})
	}
	events = append(events, item.Event{Kind: item.EventSolved, At: created.Add(6 * time.Hour)})
	return &item.Ticket{
		ID:           strconv.Itoa(1_000_000 + n),
		CreatedAt:    created,
		UpdatedAt:    created.Add(6 * time.Hour),
		Priority:     "high",
		Status:       item.StatusSolved,
		Tags:         []string{"billing", "api", "region_eu"},
		Satisfaction: item.RatingGood,
		Events:       events,
		Figures: &item.Figures{
			FirstReplyAt: created.Add(74 * time.Minute), FirstSolvedAt: created.Add(6 * time.Hour),
			Replies: 3, Reopens: 0,
		},
		History: &item.TicketHistory{FirstPriority: "high", RepliesAtFirstSolve: 3, Ratings: []item.Rating{item.RatingGood}},
	}
}

// fillTickets stores tickets 0..n-1 for the source in batches of 10,000.
func fillTickets(b testing.TB, s *Store, k SourceKey, n int) {
	b.Helper()
	for start := 0; start < n; start += 10_000 {
		err := s.Update(k, func(tx *Tx) error {
			for i := start; i < min(start+10_000, n); i++ {
				if _, err := tx.PutTicket(benchTicket(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate1000Tickets measures the ingest path: per ticket a Get of
// the stored version and a Put, 1000 tickets per durable commit, in a store
// already holding 100k tickets. Half of each batch updates stored tickets,
// half adds new ones.
func BenchmarkUpdate1000Tickets(b *testing.B) {
	s := openTemp(b)
	k := SourceKey{"acme", "helpdesk"}
	const stored = 100_000
	fillTickets(b, s, k, stored)
	next := stored
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := s.Update(k, func(tx *Tx) error {
			for j := range 1000 {
				n := (i*500 + j) % stored // an update of a stored ticket
				if j%2 == 1 {
					n = next // a new ticket
					next++
				}
				t := benchTicket(n)
				if _, err := tx.Ticket(t.ID); err != nil {
					return err
				}
				if _, err := tx.PutTicket(t); err != nil {
					return err
				}
			}
			return tx.SetCursor([]byte(strconv.Itoa(i)))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkLoad measures start-up: streaming 100k stored tickets.
func BenchmarkLoad(b *testing.B) {
	s := openTemp(b)
	k := SourceKey{"acme", "helpdesk"}
	const stored = 100_000
	fillTickets(b, s, k, stored)
	b.ResetTimer()
	for b.Loop() {
		seen := 0
		err := s.Load(k, Handlers{Ticket: func(*item.Ticket) error { seen++; return nil }})
		if err != nil {
			b.Fatal(err)
		}
		if seen != stored {
			b.Fatalf("loaded %d tickets, want %d", seen, stored)
		}
	}
	b.ReportMetric(float64(b.N*stored)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkCheck1M measures what verifying a million-ticket store costs
// (go test -run '^$' -bench Check1M -benchtime 1x): Open, which walks every
// page (pages.go) before bbolt maps one in; bbolt's own consistency check
// alone, for comparison; and Check, which does both and decodes every
// record.
func BenchmarkCheck1M(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	const stored = 1_000_000
	fillTickets(b, s, SourceKey{"acme", "helpdesk"}, stored)
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.Run("Open", func(b *testing.B) {
		for b.Loop() {
			s, err := Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BboltCheck", func(b *testing.B) {
		db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for b.Loop() {
			err := db.View(func(tx *bolt.Tx) error {
				for err := range tx.Check() {
					return err
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Check", func(b *testing.B) {
		for b.Loop() {
			r, err := Check(dir)
			if err != nil {
				b.Fatal(err)
			}
			if !r.Sound() || r.Sources[0].Tickets != stored {
				b.Fatalf("Check: %d problems %q, %d tickets", r.Found, r.Problems, r.Sources[0].Tickets)
			}
		}
	})
}
