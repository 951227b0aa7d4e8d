// Package statuspage collects a status page served by Atlassian Statuspage
// through its public API v2 (no authentication), for the source kind
// `statuspage`.
//
// The API has no cursor: each sync reads the current picture with three
// requests and hands it over as one batch, with a nil cursor.
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
// If any request fails, the sync fails and emits nothing: a partial picture
// would look as if components or incidents had vanished. Each answer is
// capped at 8 MiB.
//
// The cursor is nil and nothing else carries from one sync to the next, so
// no item time can stop the collection: an item with an implausible time is
// left to the exporter, which refuses it at ingest (door).
//
// postmortem_published_at is read when a page serves it. The manage API's
// incidents carry it, but no public v2 capture in testdata does, so on most
// pages it stays zero.
package statuspage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// page is one Statuspage page.
type page struct {
	http                                *fetch.Client
	summaryURL, incidentsURL, maintsURL string
	historyStart                        time.Time
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
	}, nil
}

// Sync reads the page's current picture and emits it as one batch. The
// cursor is unused: the API has none.
func (p *page) Sync(ctx context.Context, _ []byte, emit func(item.Batch) error) error {
	sum, err := statusitems.GetDoc(ctx, p.http, p.summaryURL, decodeSummary)
	if err != nil {
		return fmt.Errorf("statuspage: summary: %w", err)
	}
	incidents, err := statusitems.GetDoc(ctx, p.http, p.incidentsURL, decodeIncidents)
	if err != nil {
		return fmt.Errorf("statuspage: incidents: %w", err)
	}
	maintenances, err := statusitems.GetDoc(ctx, p.http, p.maintsURL, decodeMaintenances)
	if err != nil {
		return fmt.Errorf("statuspage: scheduled maintenances: %w", err)
	}
	return emit(buildBatch(sum, incidents, maintenances, p.historyStart))
}
