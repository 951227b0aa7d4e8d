package freshdesk

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/model"
)

// settleMargin: a ticket whose update time is at least this much older than
// the response that listed it cannot be updated again within the same
// second unseen, so it is remembered as taken. Newer ones are taken again
// by the next walk, which costs their conversations once more. The margin
// covers the skew between the clocks that date updates and responses.
const settleMargin = 10 * time.Second

// Sync fetches the ratings given since the cursor, then walks the tickets
// updated since it, one batch per page, then the rated tickets that did not
// change otherwise. The ratings' position is stored only with the last
// batch, so a crash before then fetches them again.
func (c *collector) Sync(ctx context.Context, stored []byte, emit func(model.Batch) error) error {
	cur, err := decodeCursor(stored, c.historyStart)
	if err != nil {
		// Taking everything again is harmless: the store merges idempotently.
		c.logger.Warn("freshdesk: syncing again from the history start", "err", err)
		cur, _ = decodeCursor(nil, c.historyStart)
	}
	rated, ratingsNext, err := c.newRatings(ctx, cur.Ratings)
	if err != nil {
		return err
	}
	s := &syncRun{collector: c, emit: emit, cur: cur, rated: rated, ratingsNext: ratingsNext}
	if err := s.walkTickets(ctx); err != nil {
		return err
	}
	return s.ratedTickets(ctx)
}

// syncRun is the state of one Sync.
type syncRun struct {
	*collector
	emit func(model.Batch) error
	cur  cursor // as last emitted
	// rated are the new ratings by ticket id, until their ticket is emitted.
	rated       map[int64]model.Rating
	ratingsNext position
}

// walkTickets follows the ticket list by keyset from cur.Tickets.
func (s *syncRun) walkTickets(ctx context.Context) error {
	pos := s.cur.Tickets.clone()
	for n, page := 1, 1; ; n++ {
		p, err := s.list(ctx, "tickets", url.Values{
			"updated_since": {formatTime(pos.Since)},
			"order_by":      {"updated_at"},
			"order_type":    {"asc"},
			"include":       {"stats"},
		}, page)
		if err != nil {
			return fmt.Errorf("freshdesk: tickets page %d: %w", n, err)
		}
		list, err := decodeTicketList(p.body)
		if err == nil && p.next && len(list) == 0 {
			err = errEmptyPageWithNext
		}
		if err != nil {
			return fmt.Errorf("freshdesk: tickets page %d: %w", n, fetch.DecodeError(p.url, err))
		}
		var tickets []model.Ticket
		var latest time.Time
		for _, at := range list {
			id := strconv.FormatInt(*at.ID, 10)
			if at.UpdatedAt.After(latest) {
				latest = at.UpdatedAt
			}
			rating, rated := s.rated[*at.ID]
			if pos.taken(id, at.UpdatedAt) && !rated {
				continue
			}
			t, wanted, err := s.complete(ctx, at, rating)
			if err != nil {
				return err
			}
			delete(s.rated, *at.ID)
			if wanted {
				tickets = append(tickets, t)
			}
			if !p.served.IsZero() && at.UpdatedAt.Before(p.served.Add(-settleMargin)) {
				pos.remember(id, at.UpdatedAt)
			} else {
				pos.forget(id)
			}
		}
		switch {
		case pos.advance(latest):
			page = 1
		case p.next:
			// A whole page within one second: the keyset cannot move.
			page++
		}
		next := cursor{Tickets: pos.clone(), Ratings: s.cur.Ratings}
		if !p.next && len(s.rated) == 0 {
			next.Ratings = s.ratingsNext
		}
		if err := s.store(tickets, next); err != nil {
			return fmt.Errorf("freshdesk: storing tickets page %d: %w", n, err)
		}
		if !p.next {
			return nil
		}
	}
}

// ratedTickets fetches and emits the tickets rated since the last sync that
// the walk did not bring, a page's worth per batch; the last batch stores
// the ratings' new position.
func (s *syncRun) ratedTickets(ctx context.Context) error {
	ids := slices.Sorted(maps.Keys(s.rated))
	for start := 0; start < len(ids); start += perPage {
		chunk := ids[start:min(start+perPage, len(ids))]
		var tickets []model.Ticket
		for _, id := range chunk {
			at, found, err := s.viewTicket(ctx, id)
			if err != nil {
				return err
			}
			if !found { // deleted since it was rated
				continue
			}
			t, wanted, err := s.complete(ctx, at, s.rated[id])
			if err != nil {
				return err
			}
			if wanted {
				tickets = append(tickets, t)
			}
		}
		next := s.cur
		if start+len(chunk) == len(ids) {
			next.Ratings = s.ratingsNext
		}
		if err := s.store(tickets, next); err != nil {
			return fmt.Errorf("freshdesk: storing rated tickets: %w", err)
		}
	}
	return nil
}

// complete fetches a ticket's conversations and maps it; wanted is false
// for a ticket created before the history start, whose conversations are
// not fetched.
func (s *syncRun) complete(ctx context.Context, at apiTicket, rating model.Rating) (t model.Ticket, wanted bool, err error) {
	if at.CreatedAt.Before(s.historyStart) {
		return model.Ticket{}, false, nil
	}
	convs, err := s.conversations(ctx, *at.ID)
	if err != nil {
		return model.Ticket{}, false, err
	}
	return s.ticket(at, convs, rating), true, nil
}

// store emits a batch with the cursor that resumes after it.
func (s *syncRun) store(tickets []model.Ticket, next cursor) error {
	b, err := next.encode()
	if err != nil {
		return err
	}
	if err := s.emit(model.Batch{Tickets: tickets, Cursor: b}); err != nil {
		return err
	}
	s.cur = next
	return nil
}

// formatTime writes a time as the API's filters take it.
func formatTime(t time.Time) string {
	if t.IsZero() {
		// Without a filter Freshdesk lists only the last 30 days.
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}
