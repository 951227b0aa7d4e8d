package zendesk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-json-experiment/json"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// A ticket that the export brings with an implausible time (a vendor clock
// years ahead or a century back for a few seconds, see source.Env.Bounds)
// is refused, and the export moves on: its after_cursor is Zendesk's, and
// the other tickets of the page are good. But the export shows a ticket
// again only when it changes, so a refused ticket is held: its id is kept
// in the stored cursor, and each sync that catches up with the export reads
// it again, alone (GET /api/v2/tickets/{id}.json with the metric_sets
// sideload the export has), until Zendesk dates it plausibly (it is
// stored, and no longer held) or it is gone (404: no longer held). A held
// ticket that the export brings again plausibly is stored from the export,
// and no longer held.
//
// maxHeld bounds the held tickets, and so the requests their reading adds
// to a poll. A page whose refused tickets would hold more is not taken: the
// export stops before it (its refusals counted all the same), the sync
// (once the held ones were read) fails with reason decode, and every poll
// reads the held ones and tries that page again until enough of them are
// dated plausibly. A vendor clock wrong for long would otherwise cost a
// request per ticket it touched at every poll, without bound.
const maxHeld = 100

// errTooManyHeld stops the export at a page whose refused tickets would
// hold more than maxHeld.
var errTooManyHeld = errors.New("the page has tickets with implausible times beyond the " + strconv.Itoa(maxHeld) +
	" this source holds to read again: the export waits at this page, and every poll reads the held tickets again, " +
	"until Zendesk dates them plausibly (see support_items_rejected_total; fix the vendor's clock, or global.max_clock_skew)")

// position is where a sync resumes: Zendesk's after_cursor, and the held
// tickets, oldest first.
type position struct {
	after string
	held  []int64
}

// storedPosition is a position with held tickets, as stored.
type storedPosition struct {
	AfterCursor string  `json:"after_cursor"`
	Held        []int64 `json:"held"`
}

// decodePosition reads a stored cursor. One without held tickets is
// Zendesk's after_cursor as it is, as every cursor stored before tickets
// were held: those resume where they were. Zendesk's cursors are base64,
// so a JSON object is never one.
func decodePosition(stored []byte) (position, error) {
	if !bytes.HasPrefix(stored, []byte("{")) {
		return position{after: string(stored)}, nil
	}
	var sp storedPosition
	if err := json.Unmarshal(stored, &sp); err != nil {
		return position{}, fmt.Errorf("stored cursor: %w", err)
	}
	return position{after: sp.AfterCursor, held: sp.Held}, nil
}

// encode is the cursor to store: the after_cursor alone when no ticket is
// held (readable by a version that holds none).
func (p position) encode() []byte {
	if len(p.held) == 0 && p.after != "" {
		return []byte(p.after)
	}
	b, _ := json.Marshal(storedPosition{AfterCursor: p.after, Held: p.held}) // a string and integers always encode
	return b
}

func (p position) equal(o position) bool {
	return p.after == o.after && slices.Equal(p.held, o.held)
}

// isHeld reports whether ticket id is held.
func (p position) isHeld(id int64) bool { return slices.Contains(p.held, id) }

// hold adds ticket id at the end of the held ones, unless it is held.
func (p *position) hold(id int64) {
	if !p.isHeld(id) {
		p.held = append(slices.Clip(p.held), id)
	}
}

// release drops ticket id from the held ones.
func (p *position) release(id int64) {
	if i := slices.Index(p.held, id); i >= 0 {
		p.held = slices.Delete(slices.Clone(p.held), i, i+1)
	}
}

// admit sorts a page's tickets by their times: the refused ones (with the
// door's reason) are held, the others released, and those wanted (created
// after the history start) returned. It leaves p as it is, so that a page
// that would hold too many is not taken: next is p after the page, and
// refusals the door's reasons of the refused tickets.
func (e *exporter) admit(p position, pg page) (wanted []item.Ticket, next position, refusals []string) {
	next = position{after: p.after, held: slices.Clone(p.held)}
	sort := func(t item.Ticket, want bool) {
		id, _ := strconv.ParseInt(t.ID, 10, 64) // the decoder made it from an integer
		if why := e.bounds.Ticket(&t); why != "" {
			refusals = append(refusals, why)
			next.hold(id)
			return
		}
		next.release(id)
		if want {
			wanted = append(wanted, t)
		}
	}
	for _, t := range pg.tickets {
		sort(t, true)
	}
	for _, t := range pg.early {
		sort(t, false)
	}
	return wanted, next, refusals
}

// reread reads again, one request each, the tickets held when the sync
// began and still held, and stores what it learnt from them in one batch:
// each one now dated plausibly is stored (unless created before the history
// start) and no longer held, one gone (404) is no longer held, one still
// refused is held at the end of the line, so that a sync that cannot read
// them all (max_requests_per_sync) reads the others first next time. On a
// failure, what was learnt before is stored.
func (e *exporter) reread(ctx context.Context, pos position, heldBefore []int64, emit func(item.Batch) error) error {
	stored := pos
	var b item.Batch
	store := func() error {
		if len(b.Tickets) == 0 && pos.equal(stored) {
			return nil
		}
		b.Cursor = pos.encode()
		if err := emit(b); err != nil {
			return fmt.Errorf("zendesk: storing held tickets: %w", err)
		}
		return nil
	}
	for _, id := range heldBefore {
		if !pos.isHeld(id) {
			continue // the export brought it
		}
		t, err := e.readTicket(ctx, id)
		var fe *fetch.Error
		switch {
		case errors.As(err, &fe) && fe.Status == http.StatusNotFound:
			pos.release(id) // deleted for good, or never visible to this account
			continue
		case err != nil:
			if serr := store(); serr != nil {
				return serr
			}
			return fmt.Errorf("zendesk: held ticket %d: %w", id, err)
		}
		pos.release(id)
		if why := e.bounds.Ticket(&t); why != "" {
			e.rejected(why)
			pos.hold(id)
			continue
		}
		if !t.CreatedAt.Before(e.historyStart) {
			b.Tickets = append(b.Tickets, t)
		}
	}
	return store()
}

// readTicket fetches ticket id with its metric set.
func (e *exporter) readTicket(ctx context.Context, id int64) (item.Ticket, error) {
	u := e.tickets.JoinPath(strconv.FormatInt(id, 10) + ".json")
	u.RawQuery = "include=metric_sets"
	resp, err := e.http.Get(ctx, u.String(), nil)
	if err != nil {
		return item.Ticket{}, err
	}
	t, err := decodeTicket(resp.Body, id)
	if err != nil {
		return item.Ticket{}, fetch.DecodeError(u.String(), err)
	}
	return t, nil
}
