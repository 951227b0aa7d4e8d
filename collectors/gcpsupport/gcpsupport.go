package gcpsupport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
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

// pageSize is the page of cases asked for, commentsPageSize that of
// comments. Google's default is 10; 100 is the largest page its reference
// names (attachments.list), and a larger one is cut to the API's own
// maximum.
const (
	pageSize         = "100"
	commentsPageSize = "25"
)

// maxPageBytes caps a response. A comment's body is at most 12,800
// characters and is served twice (body and plainTextBody); JSON may write
// a character as a six-byte escape (\uXXXX): at most 153.6 kB a comment,
// 3.84 MB for a page of 25. A case carries its description once: at a
// comment's bound (an assumption: Google names none), 100 cases are at
// most 7.68 MB.
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
		logger:       env.Log(),
		now:          env.Clock(),
		bounds:       env.Bounds,
		rejected:     env.Rejected,
		stored:       env.StoredOrNone(),
	}
	// A token obtained elsewhere comes in http_client and the shared
	// client sends it; otherwise the collector gets its own: from a key
	// file through the environment's proxy, from the metadata server
	// without one.
	tokenClient := &http.Client{Transport: countingTransport{next: http.DefaultTransport, count: env.Counted}}
	switch {
	case bearer && opts.CredentialsFile != "":
		return nil, fmt.Errorf("gcp_support: source %q: credentials_file and an http_client token both given: set one", env.Config.Name)
	case opts.CredentialsFile != "":
		if c.tokens, err = keyFileTokens(opts.CredentialsFile, tokenClient); err != nil {
			return nil, fmt.Errorf("gcp_support: source %q: %w", env.Config.Name, err)
		}
	case !bearer:
		c.tokens = metadataTokens(env.Counted)
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
		var tickets []item.Ticket
		for i := range p.Cases {
			gc := &p.Cases[i]
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
		// A page may be short or empty and still name a next one (AIP-158):
		// only a token named twice is a loop; the shared client's own loop
		// check and the sync's budget end the rest.
		if next != "" && tokens[next] {
			return fmt.Errorf("gcp_support: search page %d: %w", n, fetch.LoopError(c.search.String(), errors.New("nextPageToken named twice")))
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
	// The parent is in the path: v2 takes no project= or organization=
	// term (those are v2beta's), only the update time.
	q := url.Values{"pageSize": {pageSize}}
	if !cur.Since.IsZero() {
		q.Set("query", `update_time>"`+cur.Since.UTC().Format(time.RFC3339)+`"`)
	}
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
			return nil, fmt.Errorf("PERMISSION_DENIED: the account needs %s on %s, the Cloud Support API enabled, and a support plan that includes it: %w", roles(c.opts.Parent), c.opts.Parent, err)
		case http.StatusTooManyRequests:
			return nil, fmt.Errorf("RESOURCE_EXHAUSTED: the Cloud Support API's quota: %w", err)
		}
	}
	return resp, err
}

// roles are the IAM roles that let an account read the cases of parent:
// Tech Support Viewer (cloudsupport.techCases.get and .list), and for an
// organization Organization Viewer too.
func roles(parent string) string {
	if strings.HasPrefix(parent, "organizations/") {
		return "roles/cloudsupport.techSupportViewer and roles/resourcemanager.organizationViewer"
	}
	return "roles/cloudsupport.techSupportViewer"
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
// out (an implausible update); the ticket's ID is empty for a case not
// stored (created before history_start, a test case, one Google opened)
// or when the stored version is as new or newer (nothing to store, no
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
	if created.Before(c.historyStart) || gc.TestCase || gc.Creator.GoogleSupport {
		// A test case ("should not be acted on by the support team") is
		// no support asked for; a case Google opened (creator.googleSupport)
		// is the vendor's, as github skips issues the vendor opened.
		return item.Ticket{}, updated, true, nil
	}
	stored, err := c.stored(num)
	if err != nil {
		return item.Ticket{}, time.Time{}, false, fmt.Errorf("case %s: reading its stored version: %w", num, err)
	}
	if stored != nil && !updated.After(stored.UpdatedAt) {
		// Listed again in the overlap, or a listing older than the stored
		// version (a lagging index): the stored one stands.
		return item.Ticket{}, updated, true, nil
	}
	comments, err := c.comments(ctx, gc.Name)
	if err != nil {
		return item.Ticket{}, time.Time{}, false, fmt.Errorf("case %s: %w", num, err)
	}
	t = item.Ticket{
		ID: num, CreatedAt: created, UpdatedAt: updated,
		Priority: priority(gc.Priority), Status: status(gc.State), Escalated: gc.Escalated,
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
		q := url.Values{"pageSize": {commentsPageSize}}
		if token != "" {
			q.Set("pageToken", token)
		}
		u.RawQuery = q.Encode()
		var p commentsPage
		if _, err := c.get(ctx, u.String(), &p); err != nil {
			return nil, fmt.Errorf("comments page %d: %w", n, err)
		}
		for _, cm := range p.Comments {
			if !seen[cm.Name] {
				seen[cm.Name] = true
				all = append(all, cm)
			}
		}
		switch next := p.NextPageToken; {
		case next == "":
			return all, nil
		case tokens[next]:
			return nil, fmt.Errorf("comments page %d: %w", n, fetch.LoopError(u.String(), errors.New("nextPageToken named twice")))
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
