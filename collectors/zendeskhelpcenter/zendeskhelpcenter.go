// Package zendeskhelpcenter reads a Zendesk help center's articles, for the
// source kind `zendesk_help_center` (docs/sources.md): anonymously, the
// public articles of one locale, with GET
// /api/v2/help_center/{locale}/articles and cursor pagination (page[size]
// of 100; the next page is page[after] = meta.after_cursor while
// meta.has_more). Anonymous requests see published articles only (a draft
// listed anyway is skipped) and consume none of the account's rate limit;
// a 429's Retry-After is honoured like every Zendesk answer (fetch).
//
// An article becomes a page: its html_url, its edited_at (the last change
// of its title or body; updated_at, which any change of its metadata moves,
// when edited_at is absent) and the number of its outdated_locales, the
// translations Zendesk marks outdated. The whole list is stored at the end
// of each sync (item.Page): a sync costs one request per 100 articles, and
// a failed one stores nothing. An article edited in the future (beyond
// global.max_clock_skew), or before global.earliest_timestamp, keeps its
// stored version, or is left out when new, until its time is plausible
// (the exporter's door; docsite.List.Ahead and Past), and the rest of the
// list is stored.
package zendeskhelpcenter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/docsite"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// pageSize is the largest page cursor pagination allows.
const pageSize = "100"

// maxPageBytes caps a response. Articles come with their bodies: a page of
// 100 long articles (100 KB of HTML each) is 10 MB.
const maxPageBytes = 32 << 20

// New builds the source of kind zendesk_help_center (a source.Factory).
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("zendesk_help_center: incomplete environment: config and HTTP client are required")
	}
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("zendesk_help_center: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	if !localePattern.MatchString(opts.Locale) {
		return nil, fmt.Errorf("zendesk_help_center: source %q: locale %q", env.Config.Name, opts.Locale)
	}
	filter, err := docsite.NewFilter(opts.keys())
	if err != nil {
		return nil, fmt.Errorf("zendesk_help_center: source %q: %w", env.Config.Name, err)
	}
	return &collector{
		http: env.HTTP.WithMaxBodyBytes(maxPageBytes), articles: base.JoinPath("api/v2/help_center", opts.Locale, "articles"),
		filter: filter, logger: env.Log(), bounds: env.Bounds,
	}, nil
}

// collector reads one help center locale.
type collector struct {
	http     *fetch.Client
	articles *url.URL // .../api/v2/help_center/{locale}/articles
	filter   *docsite.Filter
	logger   *slog.Logger
	bounds   door.Bounds
}

// Sync reads every page of the article list and emits the whole page list
// as one batch; the cursor is unused.
func (c *collector) Sync(ctx context.Context, _ []byte, emit func(item.Batch) error) error {
	var pages []item.Page
	listed := 0
	after := ""
	for n := 1; ; n++ {
		u := *c.articles
		q := url.Values{"page[size]": {pageSize}}
		if after != "" {
			q.Set("page[after]", after)
		}
		u.RawQuery = q.Encode()
		var page articlesPage
		if _, err := c.http.GetJSON(ctx, u.String(), nil, &page); err != nil {
			return fmt.Errorf("zendesk_help_center: page %d: %w", n, err)
		}
		if page.Articles == nil {
			return fmt.Errorf("zendesk_help_center: page %d: %w", n, fetch.DecodeError(u.String(), errors.New("no articles list")))
		}
		listed += len(*page.Articles)
		for _, a := range *page.Articles {
			if a.Draft || a.HTMLURL == "" {
				continue
			}
			pages = append(pages, item.Page{
				URL: a.HTMLURL, Updated: cmp.Or(a.EditedAt, a.UpdatedAt).UTC(), OutdatedTranslations: len(a.OutdatedLocales),
			})
		}
		if !page.Meta.HasMore {
			break
		}
		switch {
		case page.Meta.AfterCursor == "":
			return fmt.Errorf("zendesk_help_center: page %d: %w", n, fetch.DecodeError(u.String(), errors.New("has_more without an after_cursor")))
		case len(*page.Articles) == 0:
			// A page that brings nothing yet says more follow: a list
			// that would lead on without end.
			return fmt.Errorf("zendesk_help_center: page %d: %w", n, fetch.LoopError(u.String(), errors.New("an empty page with has_more")))
		}
		after = page.Meta.AfterCursor
	}
	if listed == 0 {
		// A help center lists its articles in every answer: none at all
		// is a glitch, and the stored list stays.
		return fmt.Errorf("zendesk_help_center: %w", fetch.DecodeError(c.articles.String(), errors.New("the help center lists no article")))
	}
	list := docsite.Finish(pages, c.filter, c.bounds)
	list.Report("zendesk_help_center", c.logger)
	return emit(item.Batch{Pages: list.Pages})
}

// articlesPage is one page of the article list, as much of it as is read.
type articlesPage struct {
	Articles *[]article `json:"articles"`
	Meta     struct {
		HasMore     bool   `json:"has_more"`
		AfterCursor string `json:"after_cursor"`
	} `json:"meta"`
}

// article is a help center article, as much of it as is read.
type article struct {
	HTMLURL         string    `json:"html_url"`
	EditedAt        time.Time `json:"edited_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	OutdatedLocales []string  `json:"outdated_locales"`
	Draft           bool      `json:"draft"`
}
