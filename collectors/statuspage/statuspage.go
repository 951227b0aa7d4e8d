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
// Each endpoint is asked for conditionally (If-None-Match) with the ETag
// the cursor keeps from its last 200: real pages send a weak ETag (a hash
// of the body) and no Last-Modified, and answer 304 without a body when the
// ETag still matches (docs/sources.md). An unchanged page thus costs three
// 304s and stores nothing. Once one endpoint answers 200, the others are
// read whole in the same poll (Sync says why), and the batch holds the
// whole page. No single endpoint would do: a
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
	"slices"
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

// Sync reads the page when it changed since the validators of raw and
// emits it, with the new validators, as one batch; nothing when every
// endpoint answered 304.
//
// Once one endpoint answered 200, every other is read whole in the same
// poll, those that answered 304 again and those after it without
// validators: the batch then holds each endpoint's current copy of every
// item, and an item listed by two endpoints is kept in its most recently
// updated version (newestByID). Handing over the changed endpoints alone
// would trust each 200 to be newer than what is stored, and a CDN edge
// serving an older copy of one endpoint (stale-while-revalidate,
// stale-if-error) while the endpoint holding the newer version answered
// 304 would store the older version, which the 304s would then never
// correct (docs/sources.md).
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
	endpoints := []struct{ name, url string }{
		{"summary", p.summaryURL}, {"incidents", p.incidentsURL}, {"scheduled maintenances", p.maintsURL}}
	bodies := make([][]byte, len(endpoints))
	read := make([]bool, len(endpoints))
	changed := false
	for i, e := range endpoints {
		// After a 200, the rest unconditionally.
		if bodies[i], read[i], err = p.get(ctx, old, &next, e.url, !changed); err != nil {
			return fmt.Errorf("statuspage: %s: %w", e.name, err)
		}
		changed = changed || read[i]
	}
	if !changed {
		return nil // the stored picture is the page's
	}
	for i, e := range endpoints {
		if !read[i] {
			if bodies[i], _, err = p.get(ctx, old, &next, e.url, false); err != nil {
				return fmt.Errorf("statuspage: %s: %w", e.name, err)
			}
		}
	}
	sum, err := decodeSummary(bodies[0])
	if err != nil {
		return fmt.Errorf("statuspage: summary: %w", fetch.DecodeError(p.summaryURL, err))
	}
	incidents, err := decodeIncidents(bodies[1])
	if err != nil {
		return fmt.Errorf("statuspage: incidents: %w", fetch.DecodeError(p.incidentsURL, err))
	}
	maintenances, err := decodeMaintenances(bodies[2])
	if err != nil {
		return fmt.Errorf("statuspage: scheduled maintenances: %w", fetch.DecodeError(p.maintsURL, err))
	}
	batch := buildBatch(sum, incidents, maintenances, p.historyStart)
	for i, ahead := range p.ahead(slices.Concat(sum.Incidents, sum.Maintenances), incidents, maintenances) {
		if ahead {
			delete(next.Docs, endpoints[i].url)
		}
	}
	if batch.Cursor, err = next.encode(); err != nil {
		return fmt.Errorf("statuspage: %w", fetch.DecodeError(p.summaryURL, err))
	}
	return emit(batch)
}

// get asks for the document at url, with its validators in old when
// conditional, and records the validators of a 200 in next. read is false
// when it answered 304: body is then nil and the stored validators carry
// over.
func (p *page) get(ctx context.Context, old cursor, next *cursor, url string, useValidators bool) (body []byte, read bool, err error) {
	var prev conditional.Validators
	if useValidators {
		prev = old.Docs[url]
	}
	resp, err := p.http.Get(ctx, url, prev.Header())
	if err != nil {
		if !prev.Empty() && conditional.NotModified(err) {
			next.Docs[url] = prev
			return nil, false, nil
		}
		return nil, false, err
	}
	if v := conditional.Of(resp.Header); !v.Empty() {
		next.Docs[url] = v
	} else {
		delete(next.Docs, url)
	}
	return resp.Body, true, nil
}

// ahead reports, for each of the lists (the items of one endpoint each),
// whether it holds the version of an item the batch carries that the
// exporter's door refuses as lying in the future: the validators of that
// endpoint are not kept, so that the item is offered again once its time
// has come. Items the batch leaves out (created before history_start, or
// older copies of an item another list holds in a newer version) are not
// judged: they will never be stored, and dropping the validators for them
// would read the page whole and emit a batch at every poll.
func (p *page) ahead(lists ...[]wireItem) []bool {
	future := map[string]time.Time{} // by id, the updated_at of the version kept
	for _, it := range newestByID(lists...) {
		if it.CreatedAt.Before(p.historyStart) {
			continue
		}
		var reason string
		if !it.ScheduledFor.IsZero() {
			m := it.Maintenance()
			reason = p.bounds.Maintenance(&m)
		} else {
			in := toIncident(it, nil)
			reason = p.bounds.Incident(&in)
		}
		if reason == door.ReasonFuture {
			future[it.ID] = it.UpdatedAt.Time
		}
	}
	out := make([]bool, len(lists))
	for i, list := range lists {
		for _, it := range list {
			if at, ok := future[it.ID]; ok && it.UpdatedAt.Time.Equal(at) {
				out[i] = true
			}
		}
	}
	return out
}
