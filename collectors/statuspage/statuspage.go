// Package statuspage collects a status page served by Atlassian Statuspage
// through its public API v2 (no authentication), for the source kind
// `statuspage`.
//
// The API has no cursor: each sync reads the current picture with three
// requests and hands over what changed as one batch.
//
//   - /api/v2/summary.json: the components with their current status, the
//     unresolved incidents and the upcoming or in-progress maintenances.
//     Its incidents are exactly what /api/v2/incidents/unresolved.json
//     returns, so that endpoint is never called.
//   - /api/v2/incidents.json: the newest 50 incidents, resolved ones included.
//   - /api/v2/scheduled-maintenances.json: the newest 50 maintenances.
//
// A component in a group is named "Group / Component" (the group containers
// themselves are skipped), so that names stay unique; an incident's
// components are named the same way, so the two join.
//
// An item found in several lists is kept once, in its most recently updated
// version. An item that carries scheduled_for is a maintenance wherever it
// appears. Items that drop out of the 50-item windows simply stay in the
// store, which keys them by id, so nothing is lost or counted twice. Items
// created before global.history_start are left out.
//
// Each endpoint is asked for conditionally (If-None-Match, and
// If-Modified-Since where a page sends Last-Modified) with the validators
// the cursor keeps from its last 200: real pages send a weak ETag (a hash
// of the body) and no Last-Modified, and answer 304 without a body when the
// ETag still matches (docs/sources.md). An endpoint answering 304 brings
// nothing; the items of those that changed are handed over, and the
// component list only when summary.json changed. An unchanged page thus
// costs three 304s and stores nothing. No single endpoint would do: a
// component's status is in summary.json alone, an edit of a resolved
// incident or of a completed maintenance (a late update, a postmortem, an
// incident posted already resolved) in the two lists alone, and a
// maintenance older than the 50 newest incidents in
// scheduled-maintenances.json alone.
//
// If any request fails, the sync fails and emits nothing: a partial picture
// would look as if components or incidents had vanished, and the stored
// validators stay, so the next sync reads again whatever changed. Each
// answer is capped at 8 MiB.
//
// Apart from the validators, nothing carries from one sync to the next, so
// no item time can stop the collection: an item with an implausible time
// is left to the exporter, which refuses it at ingest (door). The
// validators of an endpoint whose body holds an item the door would refuse
// as being in the future are not kept, so that the next sync reads it
// whole again and the item is stored once its time has come.
//
// postmortem_published_at is read when a page serves it. The manage API's
// incidents carry it, but no public v2 capture in testdata does, so on most
// pages it stays zero.
package statuspage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/conditional"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// page is one Statuspage page.
type page struct {
	http                                *fetch.Client
	summaryURL, incidentsURL, maintsURL string
	historyStart                        time.Time
	bounds                              door.Bounds
	logger                              *slog.Logger
}

// maxBodyBytes caps each of the three answers. The largest real ones
// measured: Cloudflare's summary.json with 391 components, 547 KiB
// (pretty-printed, 2023-11-04, in the project's payload collection), and
// GitHub's incidents.json, 285 KiB for its 50 incidents; a single GitHub
// incident with 29 updates is 67 KiB, so 50 such would be 3.3 MiB. 8 MiB is
// some 15 times the largest summary and above that worst incidents list, yet
// far below the shared default (docs/sources.md).
const maxBodyBytes = 8 << 20

// New returns the Source for a `statuspage` status page. The configured URL
// is the page's root; the API paths are appended to its path, so a page
// served under a prefix works too.
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("statuspage: incomplete environment: config and HTTP client are required")
	}
	// BaseURL also refuses credentials in the URL, and never repeats them.
	root, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("statuspage: %w", err)
	}
	return &page{
		http:         env.HTTP.WithMaxBodyBytes(maxBodyBytes),
		summaryURL:   root.JoinPath("api/v2/summary.json").String(),
		incidentsURL: root.JoinPath("api/v2/incidents.json").String(),
		maintsURL:    root.JoinPath("api/v2/scheduled-maintenances.json").String(),
		historyStart: env.HistoryStart,
		bounds:       env.Bounds,
		logger:       env.Log(),
	}, nil
}

// Sync reads what changed on the page since the validators of raw and
// emits it, with the new validators, as one batch; nothing when every
// endpoint answered 304.
func (p *page) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	old, err := parseCursor(raw)
	if err != nil {
		p.logger.Warn("statuspage: unreadable cursor, reading every endpoint whole", "err", err)
	}
	next := cursor{HistoryStart: instantKey(p.historyStart), NotBefore: instantKey(p.bounds.NotBefore),
		Docs: map[string]conditional.Validators{}}
	if old.HistoryStart != next.HistoryStart || old.NotBefore != next.NotBefore {
		// Read with another history start or earliest instant: other
		// items are wanted, every endpoint is read whole.
		old = cursor{}
	}
	r := reading{p: p, old: old, next: &next}
	sum, sumChanged, err := get(ctx, r, p.summaryURL, decodeSummary)
	if err != nil {
		return fmt.Errorf("statuspage: summary: %w", err)
	}
	incidents, incChanged, err := get(ctx, r, p.incidentsURL, decodeIncidents)
	if err != nil {
		return fmt.Errorf("statuspage: incidents: %w", err)
	}
	maintenances, mntChanged, err := get(ctx, r, p.maintsURL, decodeMaintenances)
	if err != nil {
		return fmt.Errorf("statuspage: scheduled maintenances: %w", err)
	}
	if !sumChanged && !incChanged && !mntChanged {
		return nil // the stored picture is the page's
	}
	var batch item.Batch
	if sumChanged {
		batch = buildBatch(sum, incidents, maintenances, p.historyStart)
		next.Groups = groupNames(sum.Components)
		if p.ahead(sum.Incidents, sum.Maintenances) {
			delete(next.Docs, p.summaryURL)
		}
	} else {
		batch = buildItems(old.Groups, p.historyStart, incidents, maintenances)
		next.Groups = old.Groups
	}
	if incChanged && p.ahead(incidents) {
		delete(next.Docs, p.incidentsURL)
	}
	if mntChanged && p.ahead(maintenances) {
		delete(next.Docs, p.maintsURL)
	}
	if batch.Cursor, err = next.encode(); err != nil {
		return fmt.Errorf("statuspage: %w", fetch.DecodeError(p.summaryURL, err))
	}
	return emit(batch)
}

// reading is one sync's validators: those stored, and those to store.
type reading struct {
	p    *page
	old  cursor
	next *cursor
}

// get asks for the document at url with its stored validators and decodes
// it. changed is false when it answered 304: doc is then the zero value and
// its stored validators carry over.
func get[T any](ctx context.Context, r reading, url string, decode func([]byte) (T, error)) (doc T, changed bool, err error) {
	prev := r.old.Docs[url]
	resp, err := r.p.http.Get(ctx, url, prev.Header())
	if err != nil {
		if !prev.Empty() && conditional.NotModified(err) {
			r.next.Docs[url] = prev
			return doc, false, nil
		}
		return doc, false, err
	}
	if doc, err = decode(resp.Body); err != nil {
		return doc, false, fetch.DecodeError(url, err)
	}
	if v := conditional.Of(resp.Header, r.p.bounds); !v.Empty() {
		r.next.Docs[url] = v
	}
	return doc, true, nil
}

// ahead reports whether any of the items is one the exporter's door
// refuses as lying in the future: the validators of the body it came in
// are not kept, so that it is offered again once its time has come.
func (p *page) ahead(lists ...[]wireItem) bool {
	for _, list := range lists {
		for _, it := range list {
			var reason string
			if !it.ScheduledFor.IsZero() {
				m := it.Maintenance()
				reason = p.bounds.Maintenance(&m)
			} else {
				in := toIncident(it, nil)
				reason = p.bounds.Incident(&in)
			}
			if reason == door.ReasonFuture {
				return true
			}
		}
	}
	return false
}
