package github

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/model"
)

// perPage is the largest page the issue and timeline lists allow.
const perPage = "100"

// syncRepo walks one repository's issue list from its cursor (see the
// package doc, "Paging"), emitting each page's tickets with the whole
// cursor, this repository's entry advanced past the page.
func (c *collector) syncRepo(ctx context.Context, repo string, cur *cursor, emit func(model.Batch) error) error {
	rc := cur.Repos[repo]
	if rc.Since.IsZero() && !c.historyStart.IsZero() {
		rc = repoCursor{Since: c.historyStart}
	}
	page, requests := 1, 0
	for {
		requests++
		u := c.issuesURL(repo, rc.Since, page)
		header := apiHeader
		if page == 1 && rc.ETag != "" {
			header = maps.Clone(apiHeader)
			header.Set("If-None-Match", rc.ETag)
		}
		resp, err := c.http.Get(ctx, u, header)
		if notModified(err) {
			return nil // nothing changed since the last poll
		}
		if err != nil {
			return fmt.Errorf("github: %s: issues request %d: %w", repo, requests, err)
		}
		issues, err := decodeIssues(resp.Body)
		if err != nil {
			return fmt.Errorf("github: %s: issues request %d: %w", repo, requests, fetch.DecodeError(u, err))
		}
		more := hasNextPage(resp.Header)
		if more && len(issues) == 0 {
			return fmt.Errorf("github: %s: issues request %d: %w", repo, requests,
				fetch.DecodeError(u, errors.New("empty page links to a next one")))
		}
		tickets, err := c.tickets(ctx, repo, rc, issues)
		if err != nil {
			return err
		}
		next := rc.advance(issues)
		if !more && page == 1 && next.Since.Equal(rc.Since) {
			// The next poll sends this very request again.
			next.ETag = resp.Header.Get("ETag")
		}
		if err := c.emit(repo, cur, next, tickets, emit); err != nil {
			return err
		}
		if !more {
			return nil
		}
		if next.Since.After(rc.Since) {
			page = 1 // resume after the latest update seen
		} else {
			page++ // a whole page shares one updated_at
		}
		rc = next
	}
}

// emit stores a page's tickets with the cursor advanced to next, unless
// the page changed nothing.
func (c *collector) emit(repo string, cur *cursor, next repoCursor, tickets []model.Ticket, emit func(model.Batch) error) error {
	prev, had := cur.Repos[repo]
	cur.Repos[repo] = next
	if len(tickets) == 0 && had && sameCursor(prev, next) {
		return nil
	}
	b, err := cur.encode()
	if err != nil {
		return fmt.Errorf("github: %s: %w", repo, err)
	}
	if err := emit(model.Batch{Tickets: tickets, Cursor: b}); err != nil {
		return fmt.Errorf("github: %s: %w: %w", repo, errEmit, err)
	}
	return nil
}

func sameCursor(a, b repoCursor) bool {
	return a.Since.Equal(b.Since) && a.ETag == b.ETag && maps.Equal(a.Seen, b.Seen)
}

// tickets maps the page's issues that are tickets and changed since the
// cursor, fetching each one's timeline.
func (c *collector) tickets(ctx context.Context, repo string, rc repoCursor, issues []wireIssue) ([]model.Ticket, error) {
	var out []model.Ticket
	for _, is := range issues {
		switch {
		case rc.seen(is), is.PullRequest != nil, is.CreatedAt.Before(c.historyStart),
			c.rules.isVendor(is.AuthorAssociation, is.User):
			continue
		}
		var timeline []wireEvent
		if needsTimeline(is) {
			var err error
			if timeline, err = c.timeline(ctx, repo, *is.Number); err != nil {
				return nil, err
			}
		}
		out = append(out, c.rules.ticket(repo, is, timeline))
	}
	return out, nil
}

// timeline reads all pages of one issue's timeline.
func (c *collector) timeline(ctx context.Context, repo string, number int64) ([]wireEvent, error) {
	var all []wireEvent
	for page := 1; ; page++ {
		u := c.timelineURL(repo, number, page)
		resp, err := c.http.Get(ctx, u, apiHeader)
		if err != nil {
			return nil, fmt.Errorf("github: %s: issue %d: timeline page %d: %w", repo, number, page, err)
		}
		events, err := decodeTimeline(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("github: %s: issue %d: timeline page %d: %w", repo, number, page, fetch.DecodeError(u, err))
		}
		all = append(all, events...)
		if !hasNextPage(resp.Header) {
			return all, nil
		}
		if len(events) == 0 {
			return nil, fmt.Errorf("github: %s: issue %d: timeline page %d: %w", repo, number, page,
				fetch.DecodeError(u, errors.New("empty page links to a next one")))
		}
	}
}

func (c *collector) issuesURL(repo string, since time.Time, page int) string {
	q := url.Values{"state": {"all"}, "sort": {"updated"}, "direction": {"asc"}, "per_page": {perPage}}
	if !since.IsZero() {
		q.Set("since", since.UTC().Format(time.RFC3339))
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	owner, name, _ := strings.Cut(repo, "/")
	u := c.base.JoinPath("repos", owner, name, "issues")
	u.RawQuery = q.Encode()
	return u.String()
}

func (c *collector) timelineURL(repo string, number int64, page int) string {
	q := url.Values{"per_page": {perPage}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	owner, name, _ := strings.Cut(repo, "/")
	u := c.base.JoinPath("repos", owner, name, "issues", strconv.FormatInt(number, 10), "timeline")
	u.RawQuery = q.Encode()
	return u.String()
}

// notModified reports whether err is the 304 answer to If-None-Match.
func notModified(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.Status == http.StatusNotModified
}

// hasNextPage reports whether the Link header has a rel="next" link.
func hasNextPage(h http.Header) bool {
	for _, v := range h.Values("Link") {
		for link := range strings.SplitSeq(v, ",") {
			_, params, ok := strings.Cut(link, ";")
			if !ok {
				continue
			}
			for p := range strings.SplitSeq(params, ";") {
				key, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(key, "rel") && relHas(strings.Trim(val, `"`), "next") {
					return true
				}
			}
		}
	}
	return false
}

// relHas reports whether a rel value (space-separated types) has want.
func relHas(rel, want string) bool {
	for r := range strings.FieldsSeq(rel) {
		if strings.EqualFold(r, want) {
			return true
		}
	}
	return false
}
