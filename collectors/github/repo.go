package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// perPage is the largest page the issue and timeline lists allow.
const perPage = "100"

// syncRepo walks one repository's issue list from its cursor (see the
// package doc, "Paging"), emitting each page's tickets with the whole
// cursor, this repository's entry advanced past the page.
func (c *collector) syncRepo(ctx context.Context, repo string, cur *cursor, emit func(item.Batch) error) error {
	rc := cur.Repos[repo]
	if c.bounds.Check(rc.Since) == door.ReasonFuture {
		// Stored before implausible times were kept out: no issue could be
		// newer, so every change would be missed.
		if c.logger != nil {
			c.logger.Warn("github: the stored position lies in the future: walking again from the history start", "repository", repo, "since", rc.Since)
		}
		rc = repoCursor{}
	}
	if rc.Since.IsZero() && !c.historyStart.IsZero() {
		rc = repoCursor{Since: c.historyStart}
	}
	// handled are the issues taken or skipped in this sync, by update time.
	handled := map[int64]time.Time{}
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
		plausible, future := c.plausible(issues)
		var fresh []wireIssue
		for _, is := range plausible {
			if at, ok := handled[*is.Number]; !ok || !at.Equal(is.UpdatedAt) {
				handled[*is.Number] = is.UpdatedAt
				fresh = append(fresh, is)
			}
		}
		tickets, err := c.tickets(ctx, repo, rc, fresh)
		if err != nil {
			return err
		}
		next := rc.advance(plausible)
		links := pageLinks(resp.Header)
		if !links.next && page == 1 && next.Since.Equal(rc.Since) {
			// The next poll sends this very request again.
			next.ETag = resp.Header.Get("ETag")
		}
		if err := c.emit(repo, cur, next, tickets, emit); err != nil {
			return err
		}
		// The list is in update order: after an issue dated in the
		// future come only more of them.
		if !links.next || future {
			return nil
		}
		if circle := links.circles(page, len(issues), len(fresh)); circle != "" {
			return fmt.Errorf("github: %s: issues request %d: %w", repo, requests, fetch.LoopError(u, errors.New(circle)))
		}
		if next.Since.After(rc.Since) {
			page = 1 // resume after the latest update seen
		} else {
			page++ // a whole page shares one updated_at
		}
		rc = next
	}
}

// plausible are the issues whose update time is plausible (see
// source.Env.Bounds): another would move since past every later change.
// The tickets among the others are reported as rejected; future says
// whether one lies in the future.
func (c *collector) plausible(issues []wireIssue) (ok []wireIssue, future bool) {
	for _, is := range issues {
		why := c.bounds.Check(is.UpdatedAt)
		if why == "" {
			ok = append(ok, is)
			continue
		}
		if c.wanted(is) {
			c.rejected(why)
		}
		future = future || why == door.ReasonFuture
	}
	return ok, future
}

// emit stores a page's tickets with the cursor advanced to next, unless
// the page changed nothing.
func (c *collector) emit(repo string, cur *cursor, next repoCursor, tickets []item.Ticket, emit func(item.Batch) error) error {
	prev, had := cur.Repos[repo]
	cur.Repos[repo] = next
	if len(tickets) == 0 && had && sameCursor(prev, next) {
		return nil
	}
	b, err := cur.encode()
	if err != nil {
		return fmt.Errorf("github: %s: %w", repo, err)
	}
	if err := emit(item.Batch{Tickets: tickets, Cursor: b}); err != nil {
		return fmt.Errorf("github: %s: %w: %w", repo, errEmit, err)
	}
	return nil
}

func sameCursor(a, b repoCursor) bool {
	return a.Since.Equal(b.Since) && a.ETag == b.ETag && maps.Equal(a.Seen, b.Seen)
}

// tickets maps the page's issues that are tickets and changed since the
// cursor, fetching each one's timeline.
func (c *collector) tickets(ctx context.Context, repo string, rc repoCursor, issues []wireIssue) ([]item.Ticket, error) {
	var out []item.Ticket
	for _, is := range issues {
		if rc.seen(is) || !c.wanted(is) {
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

// wanted reports whether a listed issue is a ticket: no pull request, not
// opened before the history start, nor by the vendor.
func (c *collector) wanted(is wireIssue) bool {
	return is.PullRequest == nil && !is.CreatedAt.Before(c.historyStart) && !c.rules.isVendor(is.AuthorAssociation, is.User)
}

// timeline reads all pages of one issue's timeline.
func (c *collector) timeline(ctx context.Context, repo string, number int64) ([]wireEvent, error) {
	var all []wireEvent
	// The events read, by a hash of their JSON (not every kind has an id).
	seed, seen := maphash.MakeSeed(), map[uint64]bool{}
	for page := 1; ; page++ {
		u := c.timelineURL(repo, number, page)
		resp, err := c.http.Get(ctx, u, apiHeader)
		if err != nil {
			return nil, fmt.Errorf("github: %s: issue %d: timeline page %d: %w", repo, number, page, err)
		}
		events, err := decodeTimeline(resp.Body)
		var raw []json.RawMessage
		if err == nil {
			err = json.Unmarshal(resp.Body, &raw)
		}
		if err != nil {
			return nil, fmt.Errorf("github: %s: issue %d: timeline page %d: %w", repo, number, page, fetch.DecodeError(u, err))
		}
		all = append(all, events...)
		links := pageLinks(resp.Header)
		if !links.next {
			return all, nil
		}
		fresh := 0
		for _, r := range raw {
			if h := maphash.Bytes(seed, r); !seen[h] {
				seen[h] = true
				fresh++
			}
		}
		if circle := links.circles(page, len(events), fresh); circle != "" {
			return nil, fmt.Errorf("github: %s: issue %d: timeline page %d: %w", repo, number, page, fetch.LoopError(u, errors.New(circle)))
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

// links is what a Link header says of the pages of a list.
type links struct {
	next bool // it names a next page
	last int  // the number of the page it calls the last; 0 when none
}

// pageLinks reads the Link header (RFC 8288) of a response.
func pageLinks(h http.Header) links {
	var l links
	for _, v := range h.Values("Link") {
		for link := range strings.SplitSeq(v, ",") {
			target, params, ok := strings.Cut(link, ";")
			if !ok {
				continue
			}
			for p := range strings.SplitSeq(params, ";") {
				key, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if !strings.EqualFold(key, "rel") {
					continue
				}
				rel := strings.Trim(val, `"`)
				l.next = l.next || relHas(rel, "next")
				if relHas(rel, "last") {
					l.last = pageNumber(target)
				}
			}
		}
	}
	return l
}

// circles says why following the next link of page number page, which
// held n items of which fresh were new in this walk, would lead in a
// circle ("" when it would not). Page 1 of a moved since repeats the
// issues of its second by design; a later page of the same query must
// bring something.
func (l links) circles(page, n, fresh int) string {
	switch {
	case n == 0:
		return "the Link header names a next page after an empty one"
	case page > 1 && fresh == 0:
		return "the Link header names a next page after one that only repeats what this sync read before"
	case l.last > 0 && page >= l.last:
		return fmt.Sprintf("the Link header names a next page after page %d, which it calls the last", l.last)
	}
	return ""
}

// pageNumber is the page parameter of a link target ("<url>"), or 0.
func pageNumber(target string) int {
	u, err := url.Parse(strings.Trim(strings.TrimSpace(target), "<>"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(u.Query().Get("page"))
	return n
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
