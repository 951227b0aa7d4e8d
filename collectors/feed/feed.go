// Package feed collects a status page's RSS or Atom feed, for the source
// kind `feed`: Statuspage's history.atom and history.rss, AWS's and Google
// Cloud's status feeds, and any other. Feeds are parsed by gofeed; a body
// that is no RSS or Atom document (an HTML error page, a JSON API answer, a
// JSON Feed) is a decode error. No credentials are needed (http_client can
// still add any the server wants).
//
// Each sync is one GET of the configured URL (its body capped at 8 MiB),
// emitted as one batch with a nil cursor. Once a feed has answered with an
// ETag or Last-Modified header, the next request is conditional
// (If-None-Match, If-Modified-Since): a 304 Not Modified costs no body and
// emits nothing, since everything the feed holds is already stored. The
// validators are kept in memory only after the batch was stored, so a
// restart or a reload starts with one full fetch, and a batch that failed to
// store is fetched again in full. If the request fails, the sync fails and
// emits nothing.
//
// Those validators are the only state a feed keeps, and item times must
// not freeze it: an item with an instant the exporter refuses (door.Bounds)
// is left out and counted, and when one was refused for a time in the
// future, no validator is kept, so that the next sync fetches the body
// whole and stores the item once it has become plausible. A Last-Modified
// in the future is never sent back.
//
// An entry's identity is its Atom id or RSS guid, else its link; entries
// with neither, or with no date the collector trusts, are left out and
// counted in a warning. Entries created before global.history_start are
// left out.
//
// # Statuspage feeds
//
// A Statuspage entry's body lists the updates, newest first, each as
// "Oct 21, 17:39 UTC" and a status. It is told from another feed's body by
// Statuspage's <var data-var> markup or, in the 2013-2014 layout without
// it, by an update with a full time and a Statuspage status ("<small>Jan  1,
// 09:09 PST</small><br><strong>Resolved</strong>"). The collector reads the
// updates (see statuspageBody) and maps the entry:
//
//   - to a maintenance when an update says Scheduled, In progress,
//     Verifying or Completed, or the body carries the "THIS IS A SCHEDULED
//     EVENT <start> - <end>" line: created_at is the first update (the
//     announcement), completed_at the last update when it says Completed,
//     scheduled_for and scheduled_until come from that line, which
//     Statuspage prints only while the maintenance is upcoming. Without it
//     they stay zero: unknown.
//   - otherwise to an incident: created_at is the first update, the update
//     times are all listed updates, resolved_at is the last update when it
//     says Resolved; when the last says Postmortem, postmortem_published_at
//     is its time and resolved_at the last Resolved update's.
//
// Update times have minute precision and no year. The newest update is
// placed in the year that brings it nearest the entry's own date
// (published/updated; a postmortem may follow it by days), each older one
// in the latest year that keeps it at or before the update listed before
// it, so lists across New Year are placed right. The page prints its own
// time zone's name. UTC, GMT and UT, numeric names ("+08") and the
// abbreviations with one meaning (PST, PDT, EST, EDT, MST, MDT, CET, CEST,
// JST, AEST... see fixedZones) are read as they say, except that an
// incident's own date, which Statuspage writes at its newest update, proves
// the offset of that update's zone for the entry: Parse's page printed
// "PST" in August at -07:00. Other abbreviations (CST, IST, BST) are
// learnt from the feed's incidents, and an entry in a zone the feed does
// not prove is left out rather than guessed.
//
// A Statuspage feed gives no impact (always none), no components and no
// started_at: incidents feed support_status_incidents_total and _open,
// update gaps and duration (measured from the first post, the notice delay
// being zero), and the postmortem delay when a Postmortem update shows;
// maintenances feed the count, and the notice lead time and next
// maintenance only while the scheduled-event line is present.
//
// # Other feeds
//
// An entry without Statuspage's markup is an incident created at its
// earliest date (published, else updated), with those dates as its update
// times. Impact (none), components, started_at, resolved_at and
// postmortem_published_at stay zero: a generic entry says nothing about
// them, and the incident is marked ResolutionUnknown, so that it counts in
// support_status_incidents_total but in no open gauge, gaps or duration. Feeds
// that publish one entry per update (AWS, Google Cloud) count each update
// as an incident, since the entry id is all that identifies one.
package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// feed is one configured feed. The runner calls Sync from one goroutine
// at a time, which is what lets it keep the validators unguarded.
type feed struct {
	http         *fetch.Client
	url          string
	historyStart time.Time
	logger       *slog.Logger
	bounds       door.Bounds
	reject       func(reason string)
	// etag and lastModified are the validators of the last stored body.
	etag, lastModified string
}

// maxBodyBytes caps a feed's body. Statuspage's history feeds hold 25
// entries: GitHub's, one incident with 36 updates among them, is 97 KB
// (testdata). Other vendors' feeds may carry their whole history with each
// update's text (Google Cloud's one entry per update), so the cap is some
// eighty times that, yet far below the shared default (docs/sources.md).
const maxBodyBytes = 8 << 20

// New returns the Source for a `feed` source: the configured URL is the
// feed's own, used as it is (a query string is allowed).
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("feed: incomplete environment: config and HTTP client are required")
	}
	u, err := feedURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	logger := env.Log()
	return &feed{
		http: env.HTTP.WithMaxBodyBytes(maxBodyBytes), url: u, historyStart: env.HistoryStart, logger: logger,
		bounds: env.Bounds, reject: env.Rejected,
	}, nil
}

// feedURL checks that raw is an http(s) URL with a host. Errors never
// repeat a password written into it: credentials belong in http_client.
func feedURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return "", fmt.Errorf("url: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("url %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return "", fmt.Errorf("url %q: no host", u.Redacted())
	case u.User != nil:
		return "", fmt.Errorf("url %q: credentials belong in http_client, not in the url", u.Redacted())
	}
	return u.String(), nil
}

// Sync fetches the feed and emits what it holds as one batch. The cursor is
// unused: a feed has none.
func (f *feed) Sync(ctx context.Context, _ []byte, emit func(item.Batch) error) error {
	conditional := f.validators()
	resp, err := f.http.Get(ctx, f.url, conditional)
	if err != nil {
		if len(conditional) > 0 && notModified(err) {
			return nil // unchanged since the stored batch
		}
		return fmt.Errorf("feed: %w", err)
	}
	entries, err := decodeFeed(resp.Body)
	if err != nil {
		return fmt.Errorf("feed: %w", fetch.DecodeError(f.url, err))
	}
	batch, skipped := buildBatch(entries, f.historyStart)
	if skipped > 0 {
		f.logger.Warn("feed: entries left out: no id, no trusted date, or a Statuspage update list that cannot be read",
			"skipped", skipped, "entries", len(entries))
	}
	future := f.admit(&batch)
	if err := emit(batch); err != nil {
		return err
	}
	f.etag, f.lastModified = "", ""
	if !future {
		f.etag, f.lastModified = resp.Header.Get("ETag"), f.plausibleLastModified(resp.Header.Get("Last-Modified"))
	}
	return nil
}

// admit leaves out of batch each item with an instant the exporter would
// refuse (door.Bounds), counting it, and reports whether one was refused for
// a time in the future. That body is then not stored whole, so its
// validators are not kept: a 304 would skip it until the feed changed,
// while the next full fetch stores the item once the clock has reached its
// time.
func (f *feed) admit(batch *item.Batch) (future bool) {
	refused := func(reason string) bool {
		if reason == "" {
			return false
		}
		f.reject(reason)
		future = future || reason == door.ReasonFuture
		return true
	}
	batch.Incidents = slices.DeleteFunc(batch.Incidents, func(i item.Incident) bool { return refused(f.bounds.Incident(&i)) })
	batch.Maintenances = slices.DeleteFunc(batch.Maintenances, func(m item.Maintenance) bool { return refused(f.bounds.Maintenance(&m)) })
	return future
}

// plausibleLastModified is the Last-Modified value to send back as
// If-Modified-Since, or "" when it names an instant in the future (a vendor
// clock ahead): a server comparing it with its own, later correct dates
// would answer 304 until its clock caught up, and the feed would seem
// unchanged for as long.
func (f *feed) plausibleLastModified(v string) string {
	if t, err := http.ParseTime(v); err == nil && f.bounds.Check(t) == door.ReasonFuture {
		return ""
	}
	return v
}

// validators are the conditional-request headers for the stored body; nil
// before the first stored batch or when the server sent no validators.
func (f *feed) validators() http.Header {
	if f.etag == "" && f.lastModified == "" {
		return nil
	}
	h := http.Header{}
	if f.etag != "" {
		h.Set("If-None-Match", f.etag)
	}
	if f.lastModified != "" {
		h.Set("If-Modified-Since", f.lastModified)
	}
	return h
}

// notModified reports a 304 answer, which fetch returns as an HTTP error
// since it is no 2xx.
func notModified(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.Status == http.StatusNotModified
}
