// Package awssupport reads the buyer's own AWS Support cases through the
// AWS Support API (JSON 1.1 over POST, signed with Signature Version 4):
// each case a ticket, its communications the conversation, AWS's own the
// vendor's replies (docs/sources.md, `aws_support`).
package awssupport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// DefaultURL is the Support API's global endpoint, in us-east-1; the China
// partition's is https://support.cn-north-1.amazonaws.com.cn.
const DefaultURL = "https://support.us-east-1.amazonaws.com"

// targetPrefix names the API version in X-Amz-Target.
const targetPrefix = "AWSSupport_20130415."

const (
	// maxPageBytes caps a response.
	maxPageBytes = 8 << 20
	// casesPerPage is DescribeCases' maxResults (10 to 100) with the
	// communications included: the most cases whose page stays under
	// maxPageBytes at worst (worstCaseBytes), 32.
	casesPerPage = maxPageBytes / worstCaseBytes
	// worstCaseBytes bounds one case as JSON: its five latest
	// communications, each a body of up to 8,000 characters (the API's
	// limit) written as \uXXXX escapes at worst (6 bytes a character, CJK
	// text escaped), with 2 KiB for the rest of each (author, time,
	// attachment names), and 8 KiB for the case's own fields (subject,
	// cc addresses).
	worstCaseBytes = recentCount*(maxBodyChars*6+2<<10) + 8<<10
	maxBodyChars   = 8000
	// recentCount is how many communications come with a case:
	// recentCommunications holds "the five most recent".
	recentCount = 5
	// commsPerPage is DescribeCommunications' maxResults, the API's
	// largest: 100 communications at worst (48 KiB each) are under 5 MiB.
	commsPerPage = 100
	// createdOverlap is how far before the newest case seen the next
	// poll asks again: a case AWS lists a little after its timeCreated
	// is still found.
	createdOverlap = 15 * time.Minute
	// dataKept: "Case data is available for 12 months after creation. If
	// a case was created more than 12 months ago, a request for data
	// might cause an error" (DescribeCases' reference).
	dataKept = 365 * 24 * time.Hour
)

// hostRegion reads the region out of a Support endpoint's host name.
var hostRegion = regexp.MustCompile(`^support\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)

// regionURL is the Support API's endpoint of region, the default url:
// us-east-1's is the global endpoint, a China region's in amazonaws.com.cn.
func regionURL(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "https://support." + region + ".amazonaws.com.cn"
	}
	return "https://support." + region + ".amazonaws.com"
}

// New builds the source of kind aws_support (a source.Factory).
func New(env source.Env) (source.Source, error) {
	opts := optionsOf(env.Config)
	raw := env.Config.URL
	if raw == "" || raw == DefaultURL {
		// The default url (config.Kind.DefaultURL, us-east-1's) follows
		// region.
		raw = regionURL(opts.Region)
	}
	base, err := fetch.BaseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("aws_support: source %q: %w", env.Config.Name, err)
	}
	if m := hostRegion.FindStringSubmatch(base.Hostname()); m != nil && m[1] != opts.Region {
		return nil, fmt.Errorf("aws_support: source %q: the url's endpoint is in %s but region is %s: set region: %s, "+
			"or remove url to read region %s's endpoint (%s)", env.Config.Name, m[1], opts.Region, m[1], opts.Region, regionURL(opts.Region))
	}
	now := env.Clock()
	sig, err := newSigner(opts, now)
	if err != nil {
		return nil, fmt.Errorf("aws_support: source %q: %w", env.Config.Name, err)
	}
	logger := env.Log()
	stored := env.StoredOrNone()
	c := &collector{
		http: env.HTTP.WithMaxBodyBytes(maxPageBytes), url: base.String(), sig: sig, opts: opts,
		vendor: map[string]bool{}, historyStart: env.HistoryStart, logger: logger, now: now,
		bounds: env.Bounds, rejected: env.Rejected, stored: stored,
	}
	for _, n := range opts.VendorNames {
		c.vendor[n] = true
	}
	return c, nil
}

type collector struct {
	http         *fetch.Client
	url          string
	sig          *signer
	opts         *Options
	vendor       map[string]bool
	historyStart time.Time
	logger       *slog.Logger
	now          func() time.Time
	bounds       door.Bounds
	rejected     func(string)
	stored       func(string) (*item.Ticket, error)
}

// cursor is the stored position: the newest case creation read, and the
// cases each poll reads again by id (DescribeCases filters by creation
// only): every case unresolved when last read (resolved since, it is no
// longer listed with the unresolved ones), and those resolved within
// reopen_window (a case reopened and resolved again between two polls).
type cursor struct {
	Mark  time.Time `json:"mark,omitzero"`
	Watch []watched `json:"watch,omitempty"`
	// Again is set when the walk of new cases ended on an empty page that
	// a nextToken named: the mark stayed, and the next sync walks again
	// from it, taking such an end as the end.
	Again bool `json:"again,omitempty"`
}

type watched struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// Resolved is the case's solve as stored; zero while unresolved.
	Resolved time.Time `json:"resolved,omitzero"`
}

// Sync reads the cases created since the mark, then every unresolved
// case, then the watched ones not among them, storing them page by page
// (and before each DescribeCommunications); the cursor moves with the
// last batch, so a sync stopped midway reads the pages again, and the
// cases stored cost nothing more.
func (c *collector) Sync(ctx context.Context, raw []byte, emit func(item.Batch) error) error {
	var cur cursor
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cur); err != nil {
			c.logger.Warn("aws_support: unreadable cursor, starting over", "err", err)
			cur = cursor{}
		}
	}
	if !cur.Mark.IsZero() && c.bounds.Check(cur.Mark) == door.ReasonFuture {
		c.logger.Warn("aws_support: stored mark is in the future, starting over", "mark", cur.Mark)
		cur = cursor{}
	}
	now := c.now()
	w := &walk{c: c, emit: emit, read: map[string]watched{}, gone: map[string]bool{}, mark: cur.Mark}
	// afterTime filters by creation (an assumption: AWS's reference says
	// only "the start date for a filtered date search"). It is never
	// floored at AWS's 12 months by this host's clock: the cases AWS
	// lists it still has, and the walks stay right whatever the clock.
	after := c.historyStart
	if !cur.Mark.IsZero() {
		after = cur.Mark.Add(-createdOverlap)
	}
	req := describeCases{AfterTime: timeParam(after), IncludeResolvedCases: true, IncludeCommunications: true, MaxResults: casesPerPage}
	if err := w.cases(ctx, req); err != nil {
		return err
	}
	glitch := w.emptyEnd && !cur.Again
	if glitch {
		// Cases come newest first: a walk cut short by a page listing
		// nothing would move the mark past older cases never listed.
		c.logger.Warn("aws_support: the cases ended on a page without cases; walking again at the next sync")
	}
	// Every unresolved case, whatever its age: a case resolved longer
	// ago than reopen_window that the buyer's reply reopened is listed
	// here, and nowhere else.
	open := describeCases{AfterTime: timeParam(c.historyStart), IncludeCommunications: true, MaxResults: casesPerPage}
	if err := w.cases(ctx, open); err != nil {
		return err
	}
	var ids []string
	for _, x := range cur.Watch {
		if _, ok := w.read[x.ID]; !ok {
			ids = append(ids, x.ID)
		}
	}
	for chunk := range slices.Chunk(ids, casesPerPage) {
		if err := w.byID(ctx, chunk); err != nil {
			return err
		}
	}
	next := cursor{Mark: w.mark}
	if glitch {
		next = cursor{Mark: cur.Mark, Again: true}
	}
	// The mark is the creation of a case that passed the door
	// (bounds.Check), so never later than bounds.Latest.
	window := func(x watched) bool { return x.Resolved.IsZero() || now.Sub(x.Resolved) < c.opts.ReopenWindow }
	for _, x := range cur.Watch {
		// A watched case the answer left out is asked again: AWS keeps
		// a case 12 months, and a list showing none is a glitch. One
		// created longer ago is gone (AWS's retention, by this host's
		// clock: the only place it counts), and one AWS knows not
		// (CaseIdNotFound) is dropped.
		if _, ok := w.read[x.ID]; !ok && !w.gone[x.ID] && window(x) && !x.Created.Before(now.Add(-dataKept)) {
			next.Watch = append(next.Watch, x)
		}
	}
	for _, x := range w.order {
		// A case AWS just listed it still keeps.
		if x := w.read[x]; window(x) {
			next.Watch = append(next.Watch, x)
		}
	}
	encoded, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("aws_support: %w", fetch.DecodeError(c.url, err))
	}
	if err := emit(item.Batch{Cursor: encoded}); err != nil {
		return fmt.Errorf("aws_support: storing the cursor: %w", err)
	}
	return nil
}

// walk is one sync's reading: the cases read, in order, the newest
// creation, and the tickets not stored yet.
type walk struct {
	c     *collector
	emit  func(item.Batch) error
	read  map[string]watched
	order []string
	// gone are the watched ids AWS answered CaseIdNotFound for.
	gone map[string]bool
	mark time.Time
	// emptyEnd: the last walk ended on a page without cases, named by a
	// nextToken.
	emptyEnd bool
	pending  []item.Ticket
}

// flush stores the tickets read so far. Before each DescribeCommunications
// too: a sync whose budget ends within a page keeps the cases it read, and
// the next one, reading them stored, does not ask for their
// communications again.
func (w *walk) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	if err := w.emit(item.Batch{Tickets: w.pending}); err != nil {
		return err
	}
	w.pending = nil
	return nil
}

// cases walks one DescribeCases query, storing each page.
func (w *walk) cases(ctx context.Context, req describeCases) error {
	seen := map[string]bool{}
	for n := 1; ; n++ {
		var p casesPage
		if err := w.c.call(ctx, "DescribeCases", req, &p); err != nil {
			return fmt.Errorf("aws_support: cases page %d: %w", n, err)
		}
		for i := range p.Cases {
			t, err := w.ticket(ctx, &p.Cases[i])
			if err != nil {
				return fmt.Errorf("aws_support: cases page %d: %w", n, err)
			}
			if t.ID != "" {
				w.pending = append(w.pending, t)
			}
		}
		if err := w.flush(); err != nil {
			return fmt.Errorf("aws_support: storing cases page %d: %w", n, err)
		}
		if p.NextToken == "" {
			w.emptyEnd = n > 1 && len(p.Cases) == 0
			return nil
		}
		if seen[p.NextToken] {
			return fmt.Errorf("aws_support: cases page %d: %w", n, fetch.LoopError(w.c.url, errors.New("nextToken named twice")))
		}
		seen[p.NextToken] = true
		req.NextToken = p.NextToken
	}
}

// timeParam writes t as afterTime, or nothing when t is zero.
func timeParam(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// byID reads the cases of ids by caseIdList. AWS refuses the whole list
// with CaseIdNotFound when it knows one of them not (a case of another
// account, or one it no longer keeps): the list is halved until the
// unknown ones stand alone, and those are dropped from the watch list,
// each logged once.
func (w *walk) byID(ctx context.Context, ids []string) error {
	req := describeCases{CaseIDList: ids, IncludeResolvedCases: true, IncludeCommunications: true, MaxResults: casesPerPage}
	err := w.cases(ctx, req)
	if !errors.Is(err, errCaseIDNotFound) {
		return err
	}
	if len(ids) == 1 {
		w.c.logger.Warn("aws_support: AWS knows no such case (CaseIdNotFound); no longer reading it", "case", ids[0])
		w.gone[ids[0]] = true
		return nil
	}
	if err := w.byID(ctx, ids[:len(ids)/2]); err != nil {
		return err
	}
	return w.byID(ctx, ids[len(ids)/2:])
}

// call POSTs one operation of the JSON 1.1 protocol and decodes its answer.
func (c *collector) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := c.http.Post(ctx, fetch.Post{
		URL: c.url,
		Header: http.Header{
			"Content-Type": {"application/x-amz-json-1.1"},
			"X-Amz-Target": {targetPrefix + op},
			"Accept":       {"application/json"},
		},
		Body: body, Sign: c.sig.sign(body),
	})
	if err != nil {
		return classify(err)
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return &fetch.Error{Reason: fetch.ReasonDecode, Method: http.MethodPost, URL: c.url, Status: resp.Status, Err: err}
	}
	return nil
}
