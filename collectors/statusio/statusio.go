// Package statusio collects a status page hosted by status.io through its
// Public Status API, for the source kind `statusio`.
//
// Each poll makes one request, GET {url}/1.0/status/{page_id} (url defaults
// to https://api.status.io; no credentials), and emits one batch:
//
//   - components (`result.status`) with their status code normalized: 100
//     operational, 200 under_maintenance, 300 degraded_performance, 400
//     partial_outage, 500 major_outage; 600 is kept as security_event, and
//     an unknown code as the page names it, lower-case. A component's
//     containers (its locations) are not exported: the component carries
//     the worst of their statuses.
//   - active incidents (`result.incidents`): id, created_at
//     (`datetime_open`), the times of their posts (`messages[].datetime`),
//     the components affected, and an impact from the status code of the
//     latest post (300 minor, 400 major, 500 and 600 critical, else none).
//   - active and upcoming maintenances (`result.maintenance`): id,
//     announced (`datetime_open`), scheduled start and end
//     (`datetime_planned_start`, `datetime_planned_end`).
//
// The API lists an incident only while it is active and a maintenance only
// until it ends, and never says when either ended. The batch's cursor
// therefore holds what the poll found listed; an item the next poll no
// longer finds is emitted once more, resolved (or completed) at that poll's
// time: late by at most one poll interval, and a deleted incident looks
// resolved too. Items created before global.history_start are left out.
//
// What the format cannot give stays zero: an incident's started_at (the
// derivation then uses created_at, so the notice delay is always zero) and
// postmortem_published_at. Incidents already resolved when first polled are
// never seen. So a statusio source feeds the component states, incident
// counts, open incidents, update gaps, durations (to the poll precision),
// maintenance counts, notice and the next maintenance; not the notice delay
// nor the postmortem delay.
//
// An incident or maintenance with an instant the exporter refuses (a post
// far in the future, an opening before any vendor recorded it: door.Bounds)
// is left out and counted (support_items_rejected_total), and the cursor
// keeps the version of it last stored, so that the item is still ended, in
// that version, once it leaves the list.
//
// If the request fails, the sync fails and emits nothing. An answer that
// lists nothing at all, not even a component, while the last poll listed
// items is a vendor's glitch, not the end of them all: the sync fails
// (reason decode) and ends none. The answer is capped at 2 MiB.
package statusio

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// DefaultURL is the root of status.io's public API.
const DefaultURL = "https://api.status.io"

// pageID is what a status.io page id looks like (24 hex digits in
// practice); it becomes a path segment, so nothing else is allowed.
var pageID = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// page is one status.io status page.
type page struct {
	http         *fetch.Client
	statusURL    string
	historyStart time.Time
	now          func() time.Time
	bounds       door.Bounds
	reject       func(reason string)
}

// maxBodyBytes caps the one answer of a poll. GitLab's page (testdata: 17
// components, each with its container, one maintenance) is 10 KB, some 580
// bytes a component; 2 MiB holds thousands of components with their
// containers and posts, far beyond any page's, and far below the shared
// default (docs/sources.md).
const maxBodyBytes = 2 << 20

// New returns the Source for a `statusio` page: the configured url is the
// API's root, and page_id the page's id.
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("statusio: incomplete environment: config and HTTP client are required")
	}
	root, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("statusio: %w", err)
	}
	if !pageID.MatchString(optionsOf(env.Config).PageID) {
		return nil, fmt.Errorf("statusio: page_id %q: want the page's id, letters and digits only", optionsOf(env.Config).PageID)
	}
	now := env.Clock()
	return &page{
		http:         env.HTTP.WithMaxBodyBytes(maxBodyBytes),
		statusURL:    root.JoinPath("1.0", "status", optionsOf(env.Config).PageID).String(),
		historyStart: env.HistoryStart,
		now:          now,
		bounds:       env.Bounds,
		reject:       env.Rejected,
	}, nil
}

// blank reports whether an answer lists nothing at all.
func blank(res result) bool {
	return len(res.Components)+len(res.Incidents)+len(res.Maintenance.Active)+len(res.Maintenance.Upcoming) == 0
}

// Sync reads the page's current status and emits it as one batch, with the
// items the previous poll listed and this one no longer does ended now.
func (p *page) Sync(ctx context.Context, cursor []byte, emit func(item.Batch) error) error {
	prev, err := decodeCursor(cursor)
	if err != nil {
		return fmt.Errorf("statusio: %w", err)
	}
	resp, err := p.http.Get(ctx, p.statusURL, nil)
	if err != nil {
		return fmt.Errorf("statusio: status: %w", err)
	}
	res, err := decodeStatus(resp.Body)
	if err != nil {
		return fmt.Errorf("statusio: status: %w", fetch.DecodeError(p.statusURL, err))
	}
	if blank(res) && len(prev.Incidents)+len(prev.Maintenances) > 0 {
		// A page lists its components whatever happens: an answer without
		// any is a vendor's glitch, which would end every item listed.
		return fmt.Errorf("statusio: status: %w", fetch.DecodeError(p.statusURL, fmt.Errorf(
			"the page lists no component, incident nor maintenance: a blank answer ends none of the %d items the last poll listed",
			len(prev.Incidents)+len(prev.Maintenances))))
	}
	batch := buildBatch(res, p.historyStart)
	next := admit(&batch, prev, p.bounds, p.reject)
	if batch.Cursor, err = next.encode(); err != nil {
		return fmt.Errorf("statusio: %w", err)
	}
	endVanished(prev, next, &batch, p.now().UTC())
	return emit(batch)
}
