package freshdesk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// settleMargin: a ticket whose update time is at least this much older than
// the response that listed it cannot be updated again within the same
// second unseen, so it is remembered as taken. Newer ones are taken again
// by the next walk, which costs their conversations once more. The margin
// covers the skew between the clocks that date updates and responses.
const settleMargin = 10 * time.Second

// Sync fetches the ratings given since the cursor, then walks the tickets
// updated since it, one batch per page, then the rated tickets that did not
// change otherwise, a page's worth per batch.
//
// Every batch stores the ratings' new position, and the ratings read whose
// ticket is not stored yet wait in the cursor (Held) until it is: a sync
// that ends early, at max_requests_per_sync say, neither reads them again
// nor fetches again the tickets it gave them to. A failure within a page
// stores what was read before it, so that a sync makes progress whatever
// its budget beyond the ratings' pages and the first ticket.
func (c *collector) Sync(ctx context.Context, stored []byte, emit func(item.Batch) error) error {
	cur, err := decodeCursor(stored, c.historyStart)
	if err != nil {
		// Taking everything again is harmless: the store merges idempotently.
		c.logger.Warn("freshdesk: syncing again from the history start", "err", err)
		cur, _ = decodeCursor(nil, c.historyStart)
	}
	for _, p := range []*position{&cur.Tickets, &cur.Ratings} {
		if c.bounds.Check(p.Since) == door.ReasonFuture {
			// Stored before implausible times were kept out: nothing could
			// be newer than it, so every change would be missed.
			c.logger.Warn("freshdesk: a stored position lies in the future: walking again from the history start", "since", p.Since)
			*p = position{Since: c.historyStart}
		}
	}
	rated, ratingsNext, err := c.newRatings(ctx, cur.Ratings)
	if err != nil {
		return err
	}
	// Ratings waiting in the cursor are given now, unless a newer one was
	// read.
	for id, r := range cur.Held {
		if _, ok := rated[id]; !ok {
			rated[id] = r
		}
	}
	s := &syncRun{collector: c, emit: emit, cur: cur, rated: rated, ratingsNext: ratingsNext,
		held: map[int64]item.Rating{}, handled: map[int64]time.Time{}}
	if err := s.walkTickets(ctx); err != nil {
		return err
	}
	return s.ratedTickets(ctx)
}

// syncRun is the state of one Sync.
type syncRun struct {
	*collector
	emit func(item.Batch) error
	cur  cursor // as last emitted
	// rated are the ratings to give in this sync by ticket id, until their
	// ticket is emitted: those read now and those waiting in the cursor.
	rated       map[int64]item.Rating
	ratingsNext position
	// held are the ratings whose ticket had an implausible update time in
	// this sync, until a plausible version of it is emitted: its ticket is
	// not fetched again before the next sync.
	held map[int64]item.Rating
	// handled are the tickets taken or skipped in this sync, by the update
	// time they were listed with, to tell a page that brings nothing new.
	handled map[int64]time.Time
}

// next is the cursor that resumes the ticket walk at tickets, with the
// ratings' position after every rating read and the ratings still to give.
func (s *syncRun) next(tickets position) cursor {
	waiting := make(map[int64]item.Rating, len(s.rated)+len(s.held))
	maps.Copy(waiting, s.rated)
	maps.Copy(waiting, s.held)
	if len(waiting) == 0 {
		waiting = nil
	}
	return cursor{Tickets: tickets.clone(), Ratings: s.ratingsNext, Held: waiting}
}

// walkTickets follows the ticket list by keyset from cur.Tickets. The list
// is in update order, so a ticket updated after our clock allows (see
// source.Env.Bounds) is followed only by more of them: the walk ends at its
// page, and the next sync starts from the latest plausible update.
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
		if err != nil {
			return fmt.Errorf("freshdesk: tickets page %d: %w", n, fetch.DecodeError(p.url, err))
		}
		var tickets []item.Ticket
		var latest time.Time
		fresh, future := 0, false
		for _, at := range list {
			id := strconv.FormatInt(*at.ID, 10)
			if why := s.bounds.Check(at.UpdatedAt); why != "" {
				// Its update time would move the keyset past every later
				// change: left out until Freshdesk dates it plausibly.
				s.rejected(why)
				future = future || why == door.ReasonFuture
				s.hold(*at.ID)
				continue
			}
			if at.UpdatedAt.After(latest) {
				latest = at.UpdatedAt
			}
			if prev, ok := s.handled[*at.ID]; ok && prev.Equal(at.UpdatedAt) {
				// Taken earlier in this sync: a ticket updated again within
				// that second is taken by the next sync (see settleMargin).
				continue
			}
			s.handled[*at.ID] = at.UpdatedAt
			fresh++
			rating, rated := s.rated[*at.ID]
			if pos.taken(id, at.UpdatedAt) && !rated {
				continue
			}
			t, wanted, err := s.complete(ctx, at, rating, rated)
			if err != nil {
				// The tickets taken before are stored, remembered as
				// taken, and the keyset stays: the next sync lists the
				// page again and fetches only the rest.
				if serr := s.storeProgress(tickets, s.next(pos)); serr != nil {
					return fmt.Errorf("freshdesk: storing tickets page %d: %w", n, serr)
				}
				return err
			}
			s.taken(*at.ID)
			if wanted {
				tickets = append(tickets, t)
			}
			if !p.served.IsZero() && at.UpdatedAt.Before(p.served.Add(-settleMargin)) {
				pos.remember(id, at.UpdatedAt)
			} else {
				pos.forget(id)
			}
		}
		last := !p.next || future
		var circle string
		switch {
		case last:
		case len(list) == 0:
			circle = `the Link header names a next page after an empty one`
		case page > 1 && fresh == 0:
			// Page 1 of a moved keyset repeats the overlap by design;
			// a later page of the same query must bring something.
			circle = `the Link header names a next page after one that only repeats tickets taken earlier in this sync`
		case page == maxTicketPages:
			circle = fmt.Sprintf(`the Link header names a page after page %d, the last Freshdesk serves of a query`, maxTicketPages)
		}
		switch {
		case pos.advance(latest):
			page = 1
		case !last:
			// A whole page within one second: the keyset cannot move.
			page++
		}
		if err := s.store(tickets, s.next(pos)); err != nil {
			return fmt.Errorf("freshdesk: storing tickets page %d: %w", n, err)
		}
		switch {
		case circle != "":
			return fmt.Errorf("freshdesk: tickets page %d: %w", n, fetch.LoopError(p.url, errors.New(circle)))
		case last:
			return nil
		}
	}
}

// hold keeps the rating of ticket id, whose update time is implausible,
// until a plausible version of the ticket is emitted.
func (s *syncRun) hold(id int64) {
	if r, ok := s.rated[id]; ok {
		s.held[id] = r
		delete(s.rated, id)
	}
}

// taken records that ticket id was emitted (or skipped for good) with its
// rating, if it had one.
func (s *syncRun) taken(id int64) {
	delete(s.rated, id)
	delete(s.held, id)
}

// ratedTickets fetches and emits the tickets rated that the walk did not
// bring, a page's worth per batch; each batch stores the ratings still to
// give, so that a sync that ends early fetches none of these tickets again.
func (s *syncRun) ratedTickets(ctx context.Context) error {
	ids := slices.Sorted(maps.Keys(s.rated))
	for start := 0; start < len(ids); start += perPage {
		chunk := ids[start:min(start+perPage, len(ids))]
		var tickets []item.Ticket
		for _, id := range chunk {
			t, wanted, err := s.ratedTicket(ctx, id)
			if err != nil {
				// What was fetched before is stored.
				if serr := s.storeProgress(tickets, s.next(s.cur.Tickets)); serr != nil {
					return fmt.Errorf("freshdesk: storing rated tickets: %w", serr)
				}
				return err
			}
			if wanted {
				tickets = append(tickets, t)
			}
		}
		if err := s.store(tickets, s.next(s.cur.Tickets)); err != nil {
			return fmt.Errorf("freshdesk: storing rated tickets: %w", err)
		}
	}
	return nil
}

// ratedTicket fetches a rated ticket and maps it with its rating; wanted is
// false when there is nothing to store: the ticket was deleted since it was
// rated, created before the history start, or dated implausibly (its rating
// then held).
func (s *syncRun) ratedTicket(ctx context.Context, id int64) (t item.Ticket, wanted bool, err error) {
	at, found, err := s.viewTicket(ctx, id)
	if err != nil {
		return item.Ticket{}, false, err
	}
	if !found { // deleted since it was rated
		s.taken(id)
		return item.Ticket{}, false, nil
	}
	if why := s.bounds.Check(at.UpdatedAt); why != "" {
		s.rejected(why)
		s.hold(id)
		return item.Ticket{}, false, nil
	}
	rating, rated := s.rated[id]
	t, wanted, err = s.complete(ctx, at, rating, rated)
	if err != nil {
		return item.Ticket{}, false, err
	}
	s.taken(id)
	return t, wanted, nil
}

// complete fetches a ticket's conversations and maps it with rating when
// one was read (rated; none for a neutral rating), else with the rating
// stored with it; wanted is false for a ticket created before the history
// start, whose conversations are not fetched.
func (s *syncRun) complete(ctx context.Context, at apiTicket, rating item.Rating, rated bool) (t item.Ticket, wanted bool, err error) {
	if at.CreatedAt.Before(s.historyStart) {
		return item.Ticket{}, false, nil
	}
	if !rated {
		// No rating read since it was stored: it keeps the one it has.
		prev, err := s.stored(strconv.FormatInt(*at.ID, 10))
		if err != nil {
			return item.Ticket{}, false, fmt.Errorf("freshdesk: ticket %d: reading its stored version: %w", *at.ID, err)
		}
		if prev != nil {
			rating = prev.Satisfaction
		}
	}
	convs, err := s.conversations(ctx, *at.ID)
	if err != nil {
		return item.Ticket{}, false, err
	}
	return s.ticket(at, convs, rating), true, nil
}

// store emits a batch with the cursor that resumes after it.
func (s *syncRun) store(tickets []item.Ticket, next cursor) error {
	b, err := next.encode()
	if err != nil {
		return err
	}
	if err := s.emit(item.Batch{Tickets: tickets, Cursor: b}); err != nil {
		return err
	}
	s.cur = next
	return nil
}

// storeProgress stores what a sync that fails read before the failure,
// unless that is nothing: no ticket, and the cursor as last emitted.
func (s *syncRun) storeProgress(tickets []item.Ticket, next cursor) error {
	if len(tickets) == 0 && reflect.DeepEqual(next, s.cur) {
		return nil
	}
	return s.store(tickets, next)
}

// formatTime writes a time as the API's filters take it.
func formatTime(t time.Time) string {
	if t.IsZero() {
		// Without a filter Freshdesk lists only the last 30 days.
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}
