package gcpsupport

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// DefaultURL is the Cloud Support API's endpoint (its discovery
// document's rootUrl).
const DefaultURL = "https://cloudsupport.googleapis.com"

// pageSize is the page of cases and comments asked for. Google's default
// is 10; 100 is the largest page its reference names (attachments.list),
// and a larger one is cut to the API's own maximum.
const pageSize = "100"

// maxPageBytes caps a response: 100 cases with their descriptions, or 100
// comments with bodies in text and HTML, are well under 2 MiB.
const maxPageBytes = 8 << 20

// overlap is how far before the mark each poll searches again: cases.search
// reads an index that may lag the cases, and update_time only takes >.
// A case listed again unchanged costs nothing (its stored version is
// compared, its comments not read).
const overlap = 10 * time.Minute

// New builds the source of kind gcp_support (a source.Factory).
func New(env source.Env) (source.Source, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("gcp_support: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	if !parentName.MatchString(opts.Parent) {
		return nil, fmt.Errorf("gcp_support: source %q: parent %q is not projects/PROJECT or organizations/NUMBER", env.Config.Name, opts.Parent)
	}
	hc := env.Config.HTTPClient
	bearer := hc.Authorization != nil || hc.OAuth2 != nil || hc.BearerToken != "" || hc.BearerTokenFile != ""
	c := &collector{
		http:         env.HTTP.WithMaxBodyBytes(maxPageBytes),
		search:       base.JoinPath("v2", opts.Parent, "cases:search"),
		base:         base,
		opts:         opts,
		historyStart: env.HistoryStart,
		logger:       cmp.Or(env.Logger, slog.New(slog.DiscardHandler)),
		now:          env.Now,
		bounds:       env.Bounds,
		rejected:     env.Rejected,
		stored:       env.Stored,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.stored == nil {
		c.stored = func(string) (*item.Ticket, error) { return nil, nil }
	}
	// A token obtained elsewhere comes in http_client and the shared
	// client sends it; otherwise the collector gets its own.
	tokenClient := &http.Client{Transport: countingTransport{next: http.DefaultTransport, count: env.Counted}}
	switch {
	case bearer && opts.CredentialsFile != "":
		return nil, fmt.Errorf("gcp_support: source %q: credentials_file and an http_client token both given: set one", env.Config.Name)
	case opts.CredentialsFile != "":
		if c.tokens, err = keyFileTokens(opts.CredentialsFile, tokenClient); err != nil {
			return nil, fmt.Errorf("gcp_support: source %q: %w", env.Config.Name, err)
		}
	case !bearer:
		c.tokens = metadataTokens(tokenClient)
	}
	return c, nil
}

type collector struct {
	http         *fetch.Client
	search       *url.URL // .../v2/PARENT/cases:search
	base         *url.URL
	opts         *Options
	tokens       *tokens // nil: http_client carries the token
	historyStart time.Time
	logger       *slog.Logger
	now          func() time.Time
	bounds       door.Bounds
	rejected     func(string)
	stored       func(string) (*item.Ticket, error)
}

// cursor is the stored position: every case updated before Mark (less
// the overlap) is stored as of that update. A walk under way keeps its
// search bound, the next page's token, the newest update it saw and the
// server's clock at its first page, which caps the next mark: a case
// updated during the walk may have moved onto a page already read.
type cursor struct {
	Mark  time.Time `json:"mark,omitzero"`
	Since time.Time `json:"since,omitzero"`
	Token string    `json:"token,omitempty"`
	Top   time.Time `json:"top,omitzero"`
	Cap   time.Time `json:"cap,omitzero"`
	// Again is set when a walk ended on a page, named by a token, without
	// cases: the next sync walks again from the mark unchanged, and takes
	// such an end as the end.
	Again bool `json:"again,omitempty"`
}

// Sync searches the cases updated since the mark less the overlap, one
// batch per page: the cases that changed since their stored version, each
// with all its comments.
func (c *collector) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	var cur cursor
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cur); err != nil {
			c.logger.Warn("gcp_support: unreadable cursor, starting over", "err", err)
			cur = cursor{}
		}
	}
	if c.bounds.Check(cur.Mark) == door.ReasonFuture || c.bounds.Check(cur.Top) == door.ReasonFuture {
		c.logger.Warn("gcp_support: stored mark is in the future, starting over", "mark", cur.Mark)
		cur = cursor{}
	}
	if cur.Token == "" {
		cur.Top, cur.Cap = time.Time{}, time.Time{}
		cur.Since = c.historyStart
		if !cur.Mark.IsZero() {
			cur.Since = cur.Mark.Add(-overlap)
		}
	}
	listed := map[string]string{} // case name -> updateTime, this sync
	tokens := map[string]bool{}
	for n := 1; ; n++ {
		followed := cur.Token != ""
		p, serverTime, err := c.searchPage(ctx, cur)
		if err != nil && n == 1 && followed && isBadRequest(err) {
			// Google no longer takes the stored page token (400
			// INVALID_ARGUMENT, "Invalid page token"): search again from
			// the walk's bound; what was stored is listed again, unchanged.
			c.logger.Warn("gcp_support: stored page token refused, searching again", "err", err)
			cur.Token, cur.Top, cur.Cap, followed = "", time.Time{}, time.Time{}, false
			p, serverTime, err = c.searchPage(ctx, cur)
		}
		if err != nil {
			return fmt.Errorf("gcp_support: search page %d: %w", n, err)
		}
		if cur.Cap.IsZero() {
			cur.Cap = serverTime
		}
		fresh := 0
		var tickets []item.Ticket
		for i := range p.Cases {
			gc := &p.Cases[i]
			if at, ok := listed[gc.Name]; !ok || at != gc.UpdateTime {
				listed[gc.Name] = gc.UpdateTime
				fresh++
			}
			t, updated, ok, err := c.ticket(ctx, gc)
			if err != nil {
				return fmt.Errorf("gcp_support: search page %d: %w", n, err)
			}
			if !ok {
				continue
			}
			if updated.After(cur.Top) {
				cur.Top = updated
			}
			if t.ID != "" {
				tickets = append(tickets, t)
			}
		}
		next := p.NextPageToken
		switch {
		case next != "" && tokens[next]:
			return fmt.Errorf("gcp_support: search page %d: %w", n, fetch.LoopError(c.search.String(), errors.New("nextPageToken named twice")))
		case next != "" && fresh == 0:
			return fmt.Errorf("gcp_support: search page %d: %w", n, fetch.LoopError(c.search.String(), errors.New("nextPageToken on a page without a case not listed before")))
		}
		tokens[next] = true
		resume := cur
		resume.Token = next
		switch {
		case next == "" && followed && len(p.Cases) == 0 && !cur.Again:
			// A token named a page, and it lists nothing: a vendor's
			// glitch, after which the mark would pass cases never listed.
			c.logger.Warn("gcp_support: the search ended on a page without cases; searching again at the next sync", "page", n)
			resume = cursor{Mark: cur.Mark, Again: true}
		case next == "":
			resume = cursor{Mark: c.finish(cur)}
		}
		encoded, err := json.Marshal(resume)
		if err != nil {
			return fmt.Errorf("gcp_support: search page %d: %w", n, fetch.DecodeError(c.search.String(), err))
		}
		if err := emit(item.Batch{Tickets: tickets, Cursor: encoded}); err != nil {
			return fmt.Errorf("gcp_support: storing search page %d: %w", n, err)
		}
		if next == "" {
			return nil
		}
		cur = resume
	}
}

// finish is the mark after a walk: the newest update it saw, at most the
// server's clock at its first page and never past the plausible; the
// stored mark when the walk saw nothing newer (a search answered empty
// moves nothing).
func (c *collector) finish(cur cursor) time.Time {
	mark := cur.Top
	if !cur.Cap.IsZero() && mark.After(cur.Cap) {
		mark = cur.Cap
	}
	if latest := c.bounds.Latest(); !latest.IsZero() && mark.After(latest) {
		mark = latest
	}
	if mark.Before(cur.Mark) {
		return cur.Mark
	}
	return mark
}

// searchPage fetches the page of the walk cur and the server's clock.
func (c *collector) searchPage(ctx context.Context, cur cursor) (*searchPage, time.Time, error) {
	// The query names the parent too: the reference says either
	// organization or project must be given.
	field := "project"
	if strings.HasPrefix(c.opts.Parent, "organizations/") {
		field = "organization"
	}
	query := field + "=" + strconv.Quote(c.opts.Parent)
	if !cur.Since.IsZero() {
		query += ` AND update_time>"` + cur.Since.UTC().Format(time.RFC3339) + `"`
	}
	q := url.Values{"query": {query}, "pageSize": {pageSize}}
	if cur.Token != "" {
		q.Set("pageToken", cur.Token)
	}
	u := c.search.String() + "?" + q.Encode()
	var p searchPage
	resp, err := c.get(ctx, u, &p)
	if err != nil {
		return nil, time.Time{}, err
	}
	return &p, c.serverTime(resp.Header), nil
}

// get fetches u with the source's token and decodes it into v. Google's
// error envelope ({"error": {"code", "message", "status"}}) is classified
// by its HTTP status by the shared client: 401 UNAUTHENTICATED and 403
// PERMISSION_DENIED are auth, 429 RESOURCE_EXHAUSTED rate_limited; the
// error says what each usually means here.
func (c *collector) get(ctx context.Context, u string, v any) (*fetch.Response, error) {
	var header http.Header
	if c.tokens != nil {
		h, err := c.tokens.header(ctx)
		if err != nil {
			return nil, err
		}
		header = h
	}
	resp, err := c.http.GetJSON(ctx, u, header, v)
	var fe *fetch.Error
	if errors.As(err, &fe) {
		switch fe.Status {
		case http.StatusUnauthorized:
			if c.tokens != nil {
				c.tokens.drop()
			}
			return nil, fmt.Errorf("the token was refused (UNAUTHENTICATED): expired, revoked, or not for the cloud-platform scope: %w", err)
		case http.StatusForbidden:
			return nil, fmt.Errorf("PERMISSION_DENIED: the account needs roles/cloudsupport.viewer on %s, the Cloud Support API enabled, and a support plan that includes it: %w", c.opts.Parent, err)
		case http.StatusTooManyRequests:
			return nil, fmt.Errorf("RESOURCE_EXHAUSTED: the Cloud Support API's quota: %w", err)
		}
	}
	return resp, err
}

// serverTime is Google's clock from the Date header, or ours without a
// plausible one.
func (c *collector) serverTime(h http.Header) time.Time {
	if t, err := http.ParseTime(h.Get("Date")); err == nil && c.bounds.Check(t) == "" {
		return t
	}
	return c.now()
}

// ticket turns a listed case into a ticket. ok is false for a case left
// out (an implausible update, created before history_start); the ticket's
// ID is empty when the stored version is as new (nothing to store, no
// comment read). updated is the case's update, which moves the mark.
func (c *collector) ticket(ctx context.Context, gc *gcpCase) (t item.Ticket, updated time.Time, ok bool, err error) {
	num, err := gc.number()
	if err != nil {
		return item.Ticket{}, time.Time{}, false, fetch.DecodeError(c.search.String(), err)
	}
	created, err := parseTime("createTime", gc.CreateTime)
	if err != nil {
		return item.Ticket{}, time.Time{}, false, fetch.DecodeError(c.search.String(), err)
	}
	if updated, err = parseTime("updateTime", gc.UpdateTime); err != nil {
		return item.Ticket{}, time.Time{}, false, fetch.DecodeError(c.search.String(), err)
	}
	if r := c.bounds.Check(updated); r != "" {
		// Its update would set the mark: left out until Google dates it
		// plausibly.
		c.rejected(r)
		return item.Ticket{}, time.Time{}, false, nil
	}
	if created.Before(c.historyStart) {
		return item.Ticket{}, updated, true, nil
	}
	stored, err := c.stored(num)
	if err != nil {
		return item.Ticket{}, time.Time{}, false, fmt.Errorf("case %s: reading its stored version: %w", num, err)
	}
	if stored != nil && stored.UpdatedAt.Equal(updated) {
		return item.Ticket{}, updated, true, nil // listed again in the overlap
	}
	comments, err := c.comments(ctx, gc.Name)
	if err != nil {
		return item.Ticket{}, time.Time{}, false, fmt.Errorf("case %s: %w", num, err)
	}
	t = item.Ticket{
		ID: num, CreatedAt: created, UpdatedAt: updated,
		Priority: c.opts.Priorities[gc.Priority], Status: status(gc.State), Escalated: gc.Escalated,
	}
	replies := c.replies(comments)
	t.Events = withStatusEvents(replies, statusEvents(stored, t.Status, updated, replies))
	if r := c.bounds.Ticket(&t); r != "" {
		c.rejected(r)
		return item.Ticket{}, time.Time{}, false, nil
	}
	return t, updated, true, nil
}

// comments reads every comment of the case named name.
func (c *collector) comments(ctx context.Context, name string) ([]comment, error) {
	u := c.base.JoinPath("v2", name, "comments")
	var all []comment
	seen := map[string]bool{}
	tokens := map[string]bool{}
	token := ""
	for n := 1; ; n++ {
		q := url.Values{"pageSize": {pageSize}}
		if token != "" {
			q.Set("pageToken", token)
		}
		u.RawQuery = q.Encode()
		var p commentsPage
		if _, err := c.get(ctx, u.String(), &p); err != nil {
			return nil, fmt.Errorf("comments page %d: %w", n, err)
		}
		fresh := 0
		for _, cm := range p.Comments {
			if !seen[cm.Name] {
				seen[cm.Name] = true
				fresh++
				all = append(all, cm)
			}
		}
		switch next := p.NextPageToken; {
		case next == "":
			return all, nil
		case tokens[next]:
			return nil, fmt.Errorf("comments page %d: %w", n, fetch.LoopError(u.String(), errors.New("nextPageToken named twice")))
		case fresh == 0:
			return nil, fmt.Errorf("comments page %d: %w", n, fetch.LoopError(u.String(), errors.New("nextPageToken on a page without a new comment")))
		default:
			tokens[next] = true
			token = next
		}
	}
}

// replies are the comments as replies in time order: Google Support's
// (creator.googleSupport) the vendor's, every other one the buyer's.
// A comment with an implausible time is skipped.
func (c *collector) replies(comments []comment) []item.Event {
	var events []item.Event
	for _, cm := range comments {
		at, err := parseTime("createTime", cm.CreateTime)
		if err != nil || c.bounds.Check(at) != "" {
			continue
		}
		kind := item.EventCustomerReply
		if cm.Creator.GoogleSupport {
			kind = item.EventVendorReply
		}
		events = append(events, item.Event{Kind: kind, At: at})
	}
	slices.SortStableFunc(events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	return events
}

// isBadRequest reports whether err is Google refusing the request's
// parameters (400 INVALID_ARGUMENT).
func isBadRequest(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.Status == http.StatusBadRequest
}
