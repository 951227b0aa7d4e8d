// Package instatus collects a public status page hosted by Instatus, for the
// source kind `instatus`. No credentials are needed: Instatus' REST API
// (api.instatus.com) wants a key, but every page publishes its current state
// as JSON.
//
// Each sync makes two requests and emits one batch:
//
//   - /summary.json (instatus.com/help/api/public-data): the page status,
//     activeIncidents (id, started, status, impact, updatedAt) and
//     activeMaintenances (id, start, duration in minutes, status,
//     updatedAt). Empty arrays are left out. The documentation writes times
//     as JavaScript dates ("Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated
//     Universal Time)"); live pages and clients show RFC 3339. Both are read.
//     An item without an id takes the last segment of its url.
//   - /v2/components.json: every component with its status
//     (OPERATIONAL, DEGRADEDPERFORMANCE, PARTIALOUTAGE, MINOROUTAGE,
//     MAJOROUTAGE, UNDERMAINTENANCE) and its group, and, on pages that send
//     them, the ids of the active incidents affecting it.
//
// If either request fails, nothing is emitted, so that components never seem
// to vanish. A blank picture (no component, incident nor maintenance) while
// incidents are open is a vendor's glitch, not their end: the sync fails
// (reason decode) and resolves none. Each document is capped at 2 MiB.
//
// Only active items are published: there is no incident history. An
// incident is resolved when the summary lists it as RESOLVED (at its
// updatedAt) or, more often, when it leaves the list. To see that, the
// cursor keeps the incidents open at the last sync; one gone since is
// emitted resolved at the time of the sync that missed it, which is late by
// up to one poll interval. That is an observation, not a vendor value:
// durations are as exact as the poll interval. An incident with an instant
// the exporter refuses (door.Bounds) is left out, counted, and kept out of
// the cursor, which holds the version last stored instead (see admit).
//
// What it feeds: component status; incidents (count, open, impact, duration
// from `started`); maintenances (count, next maintenance). What stays zero:
//   - Incident.CreatedAt: the summary gives `started`, when the vendor says
//     the incident began (it can be backdated), not when it was first
//     posted. So the notice delay, update gaps and who noticed first cannot
//     be fed, and history_start cannot be applied to incidents (active ones
//     are few).
//   - Incident.Updates and PostmortemPublishedAt: not published.
//   - Maintenance.CreatedAt: the announcement time is not published, so
//     maintenance notice and short-notice counts cannot be fed.
//   - Maintenance.CompletedAt, unless the summary lists it COMPLETED with an
//     updatedAt; a maintenance that leaves the list is simply past.
//
// Impacts are Instatus' component states: DEGRADEDPERFORMANCE and
// MINOROUTAGE are minor, PARTIALOUTAGE major, MAJOROUTAGE critical (as
// Statuspage rates a major outage), anything else none.
package instatus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/statusitems"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// The paths of the public documents, appended to the page's URL.
const (
	summaryPath    = "summary.json"
	componentsPath = "v2/components.json"
)

// page is one Instatus status page.
type page struct {
	http                     *fetch.Client
	summaryURL, componentURL string
	historyStart             time.Time
	now                      func() time.Time
	bounds                   door.Bounds
	reject                   func(reason string)
}

// maxBodyBytes caps each of the two documents. They list only what is
// active and the components: Wistia's (testdata) take about 150 bytes a
// component, and an active incident or maintenance as much again, so 2 MiB
// holds thousands of components, far beyond any page's, and far below the
// shared default (docs/sources.md).
const maxBodyBytes = 2 << 20

// New returns the Source for an `instatus` status page. The configured URL is
// the page's root (https://status.example.com or https://NAME.instatus.com).
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("instatus: incomplete environment: config and HTTP client are required")
	}
	root, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("instatus: %w", err)
	}
	now := env.Clock()
	return &page{
		http:         env.HTTP.WithMaxBodyBytes(maxBodyBytes),
		summaryURL:   root.JoinPath(summaryPath).String(),
		componentURL: root.JoinPath(componentsPath).String(),
		historyStart: env.HistoryStart,
		now:          now,
		bounds:       env.Bounds,
		reject:       env.Rejected,
	}, nil
}

// Sync reads the page's current picture and emits it as one batch, whose
// cursor holds the incidents still open.
func (p *page) Sync(ctx context.Context, stored []byte, emit func(item.Batch) error) error {
	prev, err := decodeCursor(stored)
	if err != nil {
		return fmt.Errorf("instatus: %w", err)
	}
	sum, err := statusitems.GetDoc(ctx, p.http, p.summaryURL, decodeSummary)
	if err != nil {
		return fmt.Errorf("instatus: summary: %w", err)
	}
	components, err := statusitems.GetDoc(ctx, p.http, p.componentURL, decodeComponents)
	if err != nil {
		return fmt.Errorf("instatus: components: %w", err)
	}
	if len(components)+len(sum.Incidents)+len(sum.Maintenances) == 0 && len(prev.Open) > 0 {
		// A page lists its components whatever happens: a blank picture is
		// a vendor's glitch, which would resolve every open incident.
		return fmt.Errorf("instatus: components: %w", fetch.DecodeError(p.componentURL, fmt.Errorf(
			"the page lists no component, incident nor maintenance: a blank picture resolves none of the %d incidents open", len(prev.Open))))
	}
	batch, next := buildBatch(sum, components, prev, p.now().UTC(), p.historyStart)
	admit(&batch, &next, prev, p.bounds, p.reject)
	if batch.Cursor, err = next.encode(); err != nil {
		return fmt.Errorf("instatus: %w", err)
	}
	return emit(batch)
}
