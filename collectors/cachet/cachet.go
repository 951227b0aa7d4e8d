// Package cachet collects a status page served by Cachet through its API
// v1, for the source kind `cachet`. It is written against Cachet 2.4:
// Cachet 2.3 has no /api/v1/schedules, so its syncs fail with HTTP 404.
//
// Each poll reads three paged lists and emits them as one batch, with a nil
// cursor (the API has no change feed):
//
//   - /api/v1/components: every component with its status id normalized:
//     1 operational, 2 (performance issues) degraded_performance, 3
//     partial_outage, 4 major_outage; another id keeps the page's
//     status_name, lower-case. Disabled components are left out.
//   - /api/v1/incidents?sort=id&order=desc: incidents, newest first, with
//     the updates Cachet 2.4 embeds in each. created_at is the first post,
//     occurred_at when the vendor says it began (started_at), the updates'
//     created_at the later posts; an incident is resolved when its latest
//     update (or, without updates, its own status) is 4 fixed, at that
//     update's time (or its last edit). Hidden incidents (visible 0, which
//     only a token holder sees) and status 0 (2.3's scheduled maintenance)
//     are left out. The incident's component_id names its component.
//   - /api/v1/schedules?sort=id&order=desc: maintenances, newest first:
//     created_at (announced), scheduled_at (start), and completed_at once
//     complete (status 2).
//
// Pages are read with page and per_page=100 until meta.pagination's
// total_pages (its numbers are read as JSON numbers or, as Cachet before 2.0
// wrote per_page, as strings), and the two newest-first lists stop at the
// first page reaching back before global.history_start. A page that repeats
// one already read, that lists only items already listed, or that goes
// beyond the first page's total_pages (plus one page, for items published
// while the walk runs) ends the sync with reason="loop". A poll costs one
// request per started hundred components, incidents and maintenances (those
// since history_start): three for most pages. Each body is capped at 4 MiB. The per-incident endpoint
// /api/v1/incidents/{id}/updates is never called: the list already carries
// every update, so it would only add a request per incident.
//
// Cachet writes times without a zone ("2016-10-04 13:34:11"), in the time
// zone set in its settings; the source's `timezone` key names it (IANA,
// default UTC). A wrong zone shifts every time alike: durations between two
// Cachet times stay right, but the comparison with customer signals (who
// noticed first) and the next-maintenance timestamp are off by the
// difference.
//
// No credentials are needed. A token (an API key of a Cachet user) is sent
// with the source's http_client:
//
//	http_client:
//	  http_headers:
//	    X-Cachet-Token: {secrets: [TOKEN]}   # or files: [/path/to/token]
//
// A secret is shown as <secret> wherever the config is printed. With a
// token the API also lists hidden incidents and disabled components, which
// are left out, so what is collected is the same with or without one.
//
// What the format cannot give stays zero or fixed: every incident has
// impact none (Cachet records none), no incident has a
// postmortem_published_at, and no maintenance a scheduled_until. So a
// cachet source feeds the component states, incident counts (all under
// impact="none"), open incidents, notice delays, update gaps, durations,
// maintenance counts, notice and the next maintenance; not the postmortem
// delay.
//
// If any request fails, the sync fails and emits nothing: a partial picture
// would look as if components had vanished.
package cachet

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// page is one Cachet status page.
type page struct {
	http                             *fetch.Client
	components, incidents, schedules list
	loc                              *time.Location
	historyStart                     time.Time
	bounds                           door.Bounds
}

// maxBodyBytes caps each page's body. A page holds at most perPage items;
// the real list items in testdata are 0.3-0.9 KB each, incidents carrying
// their updates embedded, so a full page of incidents with a few updates of
// a few hundred bytes each is some 250 KB. 4 MiB allows for pages about ten
// times that, far below the shared default (docs/sources.md).
const maxBodyBytes = 4 << 20

// New returns the Source for a `cachet` page. The configured URL is
// Cachet's root; the API paths are appended to its path, so an instance
// served under a prefix works too.
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("cachet: incomplete environment: config and HTTP client are required")
	}
	root, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("cachet: %w", err)
	}
	loc := time.UTC
	if tz := optionsOf(env.Config).Timezone; tz != "" {
		if loc, err = time.LoadLocation(tz); err != nil {
			return nil, fmt.Errorf("cachet: timezone %q: %w", tz, err)
		}
	}
	newestFirst := url.Values{"sort": {"id"}, "order": {"desc"}}
	return &page{
		http:         env.HTTP.WithMaxBodyBytes(maxBodyBytes),
		components:   list{url: root.JoinPath("api/v1/components").String()},
		incidents:    list{url: root.JoinPath("api/v1/incidents").String(), query: newestFirst},
		schedules:    list{url: root.JoinPath("api/v1/schedules").String(), query: newestFirst},
		loc:          loc,
		historyStart: env.HistoryStart,
		bounds:       env.Bounds,
	}, nil
}

// Sync reads the page's components, incidents and maintenances and emits
// them as one batch. The cursor is unused: the API has none.
func (p *page) Sync(ctx context.Context, _ []byte, emit func(item.Batch) error) error {
	components, err := walk(ctx, p.http, p.components, checkComponent,
		func(c component) string { return strconv.FormatInt(c.ID, 10) },
		func([]component) bool { return false })
	if err != nil {
		return fmt.Errorf("cachet: components: %w", err)
	}
	incidents, err := walk(ctx, p.http, p.incidents, checkIncident(p.loc),
		func(i incident) string { return i.ID },
		reachedBefore(p.historyStart, p.bounds, func(i incident) time.Time { return i.CreatedAt }))
	if err != nil {
		return fmt.Errorf("cachet: incidents: %w", err)
	}
	schedules, err := walk(ctx, p.http, p.schedules, checkSchedule(p.loc),
		func(s schedule) string { return s.ID },
		reachedBefore(p.historyStart, p.bounds, func(s schedule) time.Time { return s.CreatedAt }))
	if err != nil {
		return fmt.Errorf("cachet: schedules: %w", err)
	}
	return emit(buildBatch(components, incidents, schedules, p.historyStart))
}
