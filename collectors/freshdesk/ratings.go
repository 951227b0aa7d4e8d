package freshdesk

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// newRatings walks the satisfaction ratings created since pos and returns
// the latest new rating of each ticket (good, bad, or none for a neutral
// one, which replaces an earlier good or bad: the customer's verdict now),
// with the position after them. Their order is not documented, so every page is read before the
// position moves; ratings are few. A rating dated implausibly (see
// source.Env.Bounds) is left out, so that it cannot move the position.
func (c *collector) newRatings(ctx context.Context, pos position) (map[int64]item.Rating, position, error) {
	next := pos.clone()
	latest := map[int64]apiRating{}
	read := map[int64]bool{}
	var newest time.Time
	for n := 1; ; n++ {
		p, err := c.list(ctx, "surveys/satisfaction_ratings", url.Values{"created_since": {formatTime(pos.Since)}}, n)
		if err != nil {
			return nil, pos, fmt.Errorf("freshdesk: satisfaction ratings page %d: %w", n, err)
		}
		ratings, err := decodeRatings(p.body)
		if err != nil {
			return nil, pos, fmt.Errorf("freshdesk: satisfaction ratings page %d: %w", n, fetch.DecodeError(p.url, err))
		}
		if p.next && !newIDs(read, ratings, func(r apiRating) int64 { return *r.ID }) {
			return nil, pos, fmt.Errorf("freshdesk: satisfaction ratings page %d: %w", n, fetch.LoopError(p.url, errNothingNew))
		}
		for _, r := range ratings {
			if why := c.bounds.Check(r.CreatedAt); why != "" {
				c.rejected(why)
				continue
			}
			id := strconv.FormatInt(*r.ID, 10)
			if r.CreatedAt.After(newest) {
				newest = r.CreatedAt
			}
			if pos.taken(id, r.CreatedAt) {
				continue
			}
			next.remember(id, r.CreatedAt)
			if prev, ok := latest[*r.TicketID]; !ok || r.supersedes(prev) {
				latest[*r.TicketID] = r
			}
		}
		if !p.next {
			break
		}
	}
	next.advance(newest)
	out := make(map[int64]item.Rating, len(latest))
	for ticket, r := range latest {
		out[ticket] = r.rating()
	}
	return out, next, nil
}

// supersedes says whether r was given after prev: a ticket's latest rating
// is its current one.
func (r apiRating) supersedes(prev apiRating) bool {
	if !r.CreatedAt.Equal(prev.CreatedAt) {
		return r.CreatedAt.After(prev.CreatedAt)
	}
	return *r.ID > *prev.ID
}
