// Package incidentio collects a public status page hosted by incident.io, for
// the source kind `incidentio`. No credentials are needed.
//
// incident.io pages publish two read-only JSON APIs, and neither alone gives
// the normalized model:
//
//   - The widget API, /api/v1/summary (help.incident.io, "Embed your status
//     page's data into your own product"): three arrays, ongoing_incidents,
//     in_progress_maintenances and scheduled_maintenances, each event with its
//     id, status, last update time and affected components; maintenances
//     carry their window (starts_at/ends_at, or started_at/scheduled_end_at
//     once in progress). It is the only source of maintenances: it has no
//     incident creation time, no resolved incidents and no full component
//     list. The page owner has to enable it (Settings, Widget API); on a
//     page without it the sync fails with HTTP 404 rather than showing no
//     maintenance.
//   - The Statuspage-compatible API v2, of which incident.io serves
//     /api/v2/summary.json (every component with its status, and the
//     unresolved incidents with created_at and their updates) and
//     /api/v2/incidents.json (recent incidents, resolved ones included). It
//     404s /api/v2/scheduled-maintenances.json and
//     /api/v2/incidents/unresolved.json, so the statuspage kind cannot read
//     these pages.
//
// Each sync makes these three requests and emits one batch with a nil
// cursor: the APIs have none. If any request fails, nothing is emitted, so
// that components never seem to vanish. Each answer is capped at 8 MiB.
// Nothing carries from one sync to the next, so no item time can stop the
// collection: an item with an implausible time is left to the exporter,
// which refuses it at ingest (door).
//
// What it feeds: component status; incidents (impact, created_at = first
// post, update times, resolution) and so the open and total incident
// counts, update gaps, durations and who noticed first; maintenances (count,
// next maintenance). What stays zero:
//   - Incident.StartedAt: incident.io's v2 API carries no started_at, so the
//     notice delay is zero and durations run from the first post.
//   - Incident.PostmortemPublishedAt: not published.
//   - Maintenance.CreatedAt for maintenances known only from the widget
//     (all of them, unless the v2 API lists one, which no capture shows):
//     the announcement time is not published, so maintenance notice and
//     short-notice counts cannot be fed.
//   - Maintenance.CompletedAt for those maintenances: the widget drops a
//     maintenance once completed, without saying when.
//
// An incident appears only once the v2 API lists it (the widget alone gives
// no creation time); its components are the widget's affected components,
// named as in the component list, while it is ongoing.
package incidentio

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

// The API paths, appended to the page's URL.
const (
	widgetPath    = "api/v1/summary"
	summaryPath   = "api/v2/summary.json"
	incidentsPath = "api/v2/incidents.json"
)

// page is one incident.io status page.
type page struct {
	http                                *fetch.Client
	widgetURL, summaryURL, incidentsURL string
	historyStart                        time.Time
}

// maxBodyBytes caps each of the three answers. The v2 documents are
// Statuspage's, for pages of the same size, so the statuspage kind's cap
// applies: 8 MiB, some 15 times Cloudflare's 547 KiB summary.json, the
// largest real Statuspage answer measured. OpenAI's summary (testdata) is
// 10 KB and the widget lists only ongoing events (docs/sources.md).
const maxBodyBytes = 8 << 20

// New returns the Source for an `incidentio` status page. The configured URL
// is the page's root (https://status.example.com); the API paths are
// appended to its path, so a page served under a prefix (a sub-page) works
// too.
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("incidentio: incomplete environment: config and HTTP client are required")
	}
	root, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("incidentio: %w", err)
	}
	return &page{
		http:         env.HTTP.WithMaxBodyBytes(maxBodyBytes),
		widgetURL:    root.JoinPath(widgetPath).String(),
		summaryURL:   root.JoinPath(summaryPath).String(),
		incidentsURL: root.JoinPath(incidentsPath).String(),
		historyStart: env.HistoryStart,
	}, nil
}

// Sync reads the page's current picture and emits it as one batch.
func (p *page) Sync(ctx context.Context, _ []byte, emit func(item.Batch) error) error {
	widget, err := statusitems.GetDoc(ctx, p.http, p.widgetURL, decodeWidget)
	if err != nil {
		return fmt.Errorf("incidentio: widget summary: %w", err)
	}
	sum, err := statusitems.GetDoc(ctx, p.http, p.summaryURL, decodeSummary)
	if err != nil {
		return fmt.Errorf("incidentio: summary: %w", err)
	}
	incidents, err := statusitems.GetDoc(ctx, p.http, p.incidentsURL, decodeIncidents)
	if err != nil {
		return fmt.Errorf("incidentio: incidents: %w", err)
	}
	return emit(buildBatch(widget, sum, incidents, p.historyStart))
}
