// Package azuresupport reads the buyer's own Azure support tickets from
// Azure Resource Manager's Microsoft.Support API: each ticket of one
// subscription with its communications, Microsoft's replies told from the
// customer's by their direction, and the first-response deadline Azure
// sets itself (docs/sources.md, `azure_support`).
package azuresupport

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// DefaultURL is Azure Resource Manager in the public cloud; a sovereign
// cloud has its own (https://management.chinacloudapi.cn,
// https://management.usgovcloudapi.net), with its own token endpoint.
const DefaultURL = "https://management.azure.com"

// APIVersion is the Microsoft.Support api-version every request names:
// the latest stable one (2024-04-01; 2020-04-01 is the one before). ARM
// refuses a request without one. 2024-04-01 lists the same ticket and
// communication fields as 2020-04-01 for what is read here; it is pinned
// so that a new version's changes arrive by a reviewed change, not by
// surprise.
const APIVersion = "2024-04-01"

// Page sizes: $top's maximum of each list (support.json: "Default is 25
// and max is 100" for tickets, "Default is 10 and max is 10" for
// communications).
const (
	ticketsPerPage = "100"
	commsPerPage   = "10"
)

// maxPageBytes caps a response: 100 tickets with their descriptions and
// scoping answers make a few hundred KB.
const maxPageBytes = 8 << 20

// retention is how long Azure keeps a ticket's data: "Support ticket data
// is available for 18 months after ticket creation. If a ticket was
// created more than 18 months ago, a request for data might cause an
// error" (support.json). The list asks for nothing older.
const retention = 18 * 30 * 24 * time.Hour

// maxBarrenPages is how many pages in a row may bring no ticket not
// listed before in the walk while naming a next page: ARM may page
// through an empty page or two; more is a walk that never ends.
const maxBarrenPages = 3

// New builds the source of kind azure_support (a source.Factory).
func New(env source.Env) (source.Source, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("azure_support: source %q: %w", env.Config.Name, err)
	}
	opts := optionsOf(env.Config)
	if !subscriptionID.MatchString(opts.SubscriptionID) {
		return nil, fmt.Errorf("azure_support: source %q: subscription_id %q is not a GUID", env.Config.Name, opts.SubscriptionID)
	}
	now := env.Clock()
	stored := env.StoredOrNone()
	return &collector{
		http:         env.HTTP.WithMaxBodyBytes(maxPageBytes),
		base:         base,
		tickets:      base.JoinPath("subscriptions", opts.SubscriptionID, "providers/Microsoft.Support/supportTickets"),
		historyStart: env.HistoryStart,
		now:          now,
		bounds:       env.Bounds,
		rejected:     env.Rejected,
		stored:       stored,
	}, nil
}

type collector struct {
	http         *fetch.Client
	base         *url.URL
	tickets      *url.URL // the subscription's SupportTickets_List
	historyStart time.Time
	now          func() time.Time
	bounds       door.Bounds
	rejected     func(string)
	stored       func(string) (*item.Ticket, error)
}

// closedGrace is how long after its close (the solve event, dated at the
// modifiedDate it was first seen closed with) a ticket's communications
// are still read at every poll: modifiedDate does not move
// when a communication is added (the Azure CLI's recording: a
// communication created at 02:13:40, the ticket listed at 02:14:14 still
// modified at 02:10:25), so Microsoft's closing note or a late reply
// logged after the close shows only by reading them (docs/sources.md).
const closedGrace = 72 * time.Hour

// Sync lists every ticket of the subscription created since the history
// start (at most 18 months back), one batch per page of 100, and reads
// the communications of every open ticket, and of a closed one whose
// modifiedDate is not the one stored or that closed less than closedGrace
// ago: modifiedDate does not move when a communication is added. The API
// filters on status and creation only, not on modifiedDate, so every poll
// lists the window whole. The walk keeps no cursor: a sync that ends
// early stores the tickets read so far, and the next one lists again and
// stores what changed (docs/sources.md).
func (c *collector) Sync(ctx context.Context, _ []byte, emit func(item.Batch) error) error {
	since := c.now().UTC().Add(-retention).Truncate(time.Second)
	if c.historyStart.After(since) {
		since = c.historyStart.UTC()
	}
	next := c.tickets.String() + "?" + armQuery("api-version", APIVersion,
		"$filter", "createdDate ge "+since.Format(time.RFC3339), "$top", ticketsPerPage)
	listed := map[string]bool{}
	barren := 0
	for n := 1; next != ""; n++ {
		var p ticketPage
		if err := c.get(ctx, next, &p); err != nil {
			return fmt.Errorf("azure_support: ticket page %d: %w", n, err)
		}
		var changed []item.Ticket
		flush := func() error {
			if len(changed) == 0 {
				return nil
			}
			if err := emit(item.Batch{Tickets: changed}); err != nil {
				return fmt.Errorf("azure_support: storing ticket page %d: %w", n, err)
			}
			changed = nil
			return nil
		}
		fresh := false
		for i := range p.Value {
			at := &p.Value[i]
			if at.Name == "" || listed[at.Name] {
				continue
			}
			listed[at.Name], fresh = true, true
			t, ok, err := c.ticket(ctx, at)
			if err != nil {
				// What this page read so far is kept: with no cursor,
				// the next sync lists again and goes on from there.
				return errors.Join(fmt.Errorf("azure_support: ticket page %d: %w", n, noCursor(err)), flush())
			}
			if ok {
				changed = append(changed, t)
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if next, barren = p.NextLink, barren+1; fresh {
			barren = 0
		}
		if next != "" && barren > maxBarrenPages {
			return fmt.Errorf("azure_support: ticket page %d: %w", n, fetch.LoopError(c.tickets.String(),
				fmt.Errorf("%d pages in a row listed no new ticket and named a next page", barren)))
		}
		if err := c.sameHost(next); err != nil {
			return fmt.Errorf("azure_support: ticket page %d: %w", n, err)
		}
	}
	return nil
}

// noCursor rewrites a budget error, whose shared text speaks of a stored
// cursor, as what it means for this kind, which keeps none.
func noCursor(err error) error {
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Reason != fetch.ReasonBudget {
		return err
	}
	return &fetch.Error{Reason: fetch.ReasonBudget, URL: fe.URL, Err: errors.New(
		"this sync sent its max_requests_per_sync requests: the tickets read so far are stored; azure_support keeps no cursor, " +
			"the next sync lists every ticket again and reads the communications still due; " +
			"if a sync of this source needs more, raise max_requests_per_sync (docs/configuration.md)")}
}

// armQuery writes a query string as Azure's SDKs send it: OData's keys
// as they are ($filter, $top), values escaped with spaces as %20, not
// url.Values' %24filter and +.
func armQuery(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv[i] + "=" + strings.ReplaceAll(url.QueryEscape(kv[i+1]), "+", "%20"))
	}
	return b.String()
}

// sameHost refuses a nextLink to another origin than the configured one:
// the client would hand it the bearer token. ARM writes the port
// explicitly (https://management.azure.com:443/...): the scheme, the host
// name (in any case) and the effective port are compared.
func (c *collector) sameHost(link string) error {
	if link == "" {
		return nil
	}
	u, err := url.Parse(link)
	if err != nil || !sameOrigin(u, c.base) {
		return fetch.DecodeError(c.tickets.String(), errors.New("nextLink does not name the configured host"))
	}
	return nil
}

// sameOrigin reports whether a and b name the same scheme, host and
// effective port.
func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		switch strings.ToLower(u.Scheme) {
		case "https":
			return "443"
		case "http":
			return "80"
		}
		return ""
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// ticket turns a listed ticket into an item; ok is false for a ticket
// left out (before the history start; an unreadable or implausible time,
// counted as rejected; its communications gone), or unchanged since the
// version stored (Ticket.Seen is its modifiedDate).
func (c *collector) ticket(ctx context.Context, at *apiTicket) (item.Ticket, bool, error) {
	props := &at.Properties
	created, err1 := parseTime("createdDate", props.CreatedDate)
	modified, err2 := parseTime("modifiedDate", props.ModifiedDate)
	if err1 != nil || err2 != nil {
		c.rejected(door.ReasonPast) // no readable time: counted as the door counts a time before any vendor's
		return item.Ticket{}, false, nil
	}
	if created.Before(c.historyStart) {
		return item.Ticket{}, false, nil
	}
	if r := cmp.Or(c.bounds.Check(created), c.bounds.Check(modified)); r != "" {
		c.rejected(r)
		return item.Ticket{}, false, nil
	}
	stored, err := c.stored(at.Name)
	if err != nil {
		return item.Ticket{}, false, err
	}
	if !c.due(stored, at) {
		return item.Ticket{}, false, nil
	}
	replies, err := c.communications(ctx, at.Name)
	switch {
	case errors.Is(err, errGone):
		// Listed, yet its communications are not found: the stored
		// version stays, and the next poll asks again.
		return item.Ticket{}, false, nil
	case errors.Is(err, errUnreadable):
		c.rejected(door.ReasonPast) // no readable time: counted as the door counts a time before any vendor's
		return item.Ticket{}, false, nil
	case err != nil:
		return item.Ticket{}, false, err
	}
	var events []item.Event
	for _, r := range replies {
		if reason := c.bounds.Check(r.At); reason != "" {
			// One implausible date bends the ticket's durations: refused
			// whole, as the door refuses a ticket, and read again next poll.
			c.rejected(reason)
			return item.Ticket{}, false, nil
		}
		events = append(events, r)
	}
	t := item.Ticket{
		ID: at.Name, CreatedAt: created, UpdatedAt: modified, Priority: at.severity(),
		Status: item.StatusOpen, Seen: props.ModifiedDate,
	}
	if at.closed() {
		t.Status = item.StatusSolved
	}
	events = append(events, solves(stored, t.Status, modified)...)
	slices.SortStableFunc(events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	if t.Status == item.StatusOpen && awaitsCustomer(events) {
		// Azure has no status for a ticket waiting on the customer: an
		// open ticket whose latest communication is Microsoft's, after
		// any reopen, awaits the customer's answer.
		t.Status = item.StatusPending
	}
	t.Events = events
	if created.After(t.UpdatedAt) { // a vendor's glitch: never updated before its creation
		t.UpdatedAt = created
	}
	for _, e := range events {
		if e.At.After(t.UpdatedAt) {
			t.UpdatedAt = e.At
		}
	}
	t.Figures = figures(at, created, events)
	if r := c.bounds.Ticket(&t); r != "" {
		c.rejected(r)
		return item.Ticket{}, false, nil
	}
	if stored != nil && same(stored, &t) {
		return item.Ticket{}, false, nil
	}
	return t, true, nil
}

// due reports whether a listed ticket's communications are to be read:
// modifiedDate does not move when a communication is added, so an open
// ticket's are read at every poll; a closed one's when it is new or its
// modifiedDate is not the one stored, and for closedGrace after its close.
func (c *collector) due(stored *item.Ticket, at *apiTicket) bool {
	if stored == nil || !at.closed() || stored.Seen != at.Properties.ModifiedDate || stored.Status != item.StatusSolved {
		return true
	}
	for _, e := range slices.Backward(stored.Events) {
		if e.Kind == item.EventSolved {
			return c.now().Sub(e.At) < closedGrace
		}
	}
	return true
}

// same reports whether t is the stored version again: nothing to store.
func same(stored, t *item.Ticket) bool {
	if stored.Seen != t.Seen || stored.Status != t.Status || stored.Priority != t.Priority ||
		!stored.CreatedAt.Equal(t.CreatedAt) || !stored.UpdatedAt.Equal(t.UpdatedAt) || len(stored.Events) != len(t.Events) {
		return false
	}
	for i, e := range t.Events {
		if s := stored.Events[i]; s.Kind != e.Kind || !s.At.Equal(e.At) || s.Ref != e.Ref {
			return false
		}
	}
	return (stored.Figures == nil) == (t.Figures == nil)
}

// awaitsCustomer reports whether the latest of the replies and reopens of
// a time-ordered timeline is Microsoft's reply.
func awaitsCustomer(events []item.Event) bool {
	for _, e := range slices.Backward(events) {
		switch e.Kind {
		case item.EventVendorReply:
			return true
		case item.EventCustomerReply, item.EventReopened:
			return false
		}
	}
	return false
}

// solves are the ticket's solve and reopen events: those of the version
// stored, and one more when its status changed since. The API shows a
// ticket's current status only, with no time of its changes: a close (a
// solve: a closed ticket can be reopened) or a reopen is dated at the
// ticket's modifiedDate when first seen, an upper bound.
func solves(stored *item.Ticket, status item.Status, modified time.Time) []item.Event {
	prior := source.SolvesAndReopens(stored)
	wasSolved := stored != nil && stored.Status == item.StatusSolved
	solved := status == item.StatusSolved
	if solved == wasSolved {
		return prior
	}
	at := modified
	if len(prior) > 0 && at.Before(prior[len(prior)-1].At) {
		at = prior[len(prior)-1].At
	}
	kind := item.EventSolved
	if !solved {
		kind = item.EventReopened
	}
	return append(prior, item.Event{Kind: kind, At: at})
}

// Why a ticket's communications give no timeline: ARM answered 404 (the
// ticket is listed, and Azure deletes none: a passing fault), or one's
// createdDate cannot be read.
var (
	errGone       = errors.New("communications not found")
	errUnreadable = errors.New("a communication's createdDate is not an RFC 3339 time")
)

// communications reads a ticket's communications as replies: Microsoft's
// (outbound) are vendor replies, the customer's (inbound) customer
// replies, every one of them: the description is the ticket's, no
// communication. errGone or errUnreadable when they give no timeline.
func (c *collector) communications(ctx context.Context, name string) ([]item.Event, error) {
	var replies []item.Event
	comms := c.tickets.JoinPath(name, "communications")
	next := comms.String() + "?" + armQuery("api-version", APIVersion, "$top", commsPerPage)
	seen := map[string]bool{}
	barren := 0
	for next != "" {
		var p commPage
		if err := c.get(ctx, next, &p); err != nil {
			if fe := (*fetch.Error)(nil); errors.As(err, &fe) && fe.Status == http.StatusNotFound {
				return nil, errGone
			}
			return nil, fmt.Errorf("ticket %s: communications: %w", name, err)
		}
		fresh := false
		for i := range p.Value {
			m := &p.Value[i]
			if m.Name != "" && seen[m.Name] {
				continue
			}
			seen[m.Name], fresh = true, true
			at, err := parseTime("createdDate", m.Properties.CreatedDate)
			if err != nil {
				return nil, errUnreadable
			}
			switch normalizedDirection(m.Properties.CommunicationDirection) {
			case directionOutbound:
				replies = append(replies, item.Event{Kind: item.EventVendorReply, At: at})
			case directionInbound:
				replies = append(replies, item.Event{Kind: item.EventCustomerReply, At: at})
			}
		}
		if next, barren = p.NextLink, barren+1; fresh {
			barren = 0
		}
		if next != "" && barren > maxBarrenPages {
			return nil, fetch.LoopError(comms.String(), fmt.Errorf("ticket %s: %d pages in a row listed no new communication", name, barren))
		}
		if err := c.sameHost(next); err != nil {
			return nil, err
		}
	}
	return replies, nil
}

// figures are the ticket's figures when Azure gives its first-response
// deadline (serviceLevelAgreement.expirationTime: the initial response
// time of the support plan for the severity, from startTime, on the
// plan's hours): the vendor's own clock, stopped by Microsoft's first
// communication, breached when that came after the deadline. Azure gives
// no verdict of its own nor any resolution target. The other figures are
// the timeline's, which figures replace (docs/metrics.md): the first reply
// is the earliest at or after the creation, the replies those up to the
// first solve (all of them while unsolved). nil without a deadline.
func figures(at *apiTicket, created time.Time, events []item.Event) *item.Figures {
	sla := at.Properties.ServiceLevelAgreement
	if sla == nil || sla.ExpirationTime == "" {
		return nil
	}
	deadline, err := parseTime("expirationTime", sla.ExpirationTime)
	if err != nil {
		return nil // no deadline read: judged against the configured targets
	}
	fig := &item.Figures{}
	for _, e := range events {
		switch e.Kind {
		case item.EventVendorReply:
			if fig.FirstReplyAt.IsZero() && !e.At.Before(created) { // as the timeline's (docs/metrics.md)
				fig.FirstReplyAt = e.At
			}
		case item.EventSolved:
			if fig.FirstSolvedAt.IsZero() {
				fig.FirstSolvedAt = e.At
			}
		case item.EventReopened:
			fig.Reopens++
		}
	}
	for _, e := range events {
		if e.Kind == item.EventVendorReply && (fig.FirstSolvedAt.IsZero() || !e.At.After(fig.FirstSolvedAt)) {
			fig.Replies++
		}
	}
	fig.FirstResponseSLA = &item.SLAClock{Deadline: deadline, Stopped: fig.FirstReplyAt,
		Breached: !fig.FirstReplyAt.IsZero() && fig.FirstReplyAt.After(deadline)}
	return fig
}

// get GETs an ARM URL into v, telling what a refusal means.
func (c *collector) get(ctx context.Context, u string, v any) error {
	_, err := c.http.GetJSON(ctx, u, nil, v)
	return explain(err, c.base)
}

// explain adds to a failed request what it most likely means for this
// API, keeping its reason (docs/sources.md lists ARM's error codes). A
// token the client could not get from Azure AD (a wrong client secret,
// tenant or client id) fails the request before it is sent: that is an
// auth failure too, told by the token endpoint's error code alone (its
// description is not repeated).
func explain(err error, base *url.URL) error {
	if err == nil {
		return nil
	}
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		return err
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &fetch.Error{Reason: fetch.ReasonAuth, URL: fe.URL, Err: fmt.Errorf(
			"the token endpoint (Entra ID) refused the client credentials (HTTP %d, %s): check http_client.oauth2's tenant in token_url, client_id and client secret",
			status, strconv.Quote(re.ErrorCode))}
	}
	switch fe.Status {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: ARM refused the token (InvalidAuthenticationToken, ExpiredAuthenticationToken): check that http_client.oauth2 asks the scope of this cloud's ARM, %s/.default", err, strings.TrimSuffix(base.String(), "/"))
	case http.StatusForbidden:
		if fe.Reason == fetch.ReasonAuth {
			return fmt.Errorf("%w: AuthorizationFailed: the app needs Microsoft.Support/supportTickets/read and Microsoft.Support/supportTickets/communications/read on the subscription (a read-only custom role; docs/sources.md)", err)
		}
	case http.StatusConflict:
		return fmt.Errorf("%w: MissingSubscriptionRegistration: register the Microsoft.Support resource provider on the subscription (az provider register --namespace Microsoft.Support)", err)
	case http.StatusNotFound:
		return fmt.Errorf("%w: SubscriptionNotFound: check subscription_id", err)
	case http.StatusBadRequest:
		return fmt.Errorf("%w: ARM refused the request (InvalidApiVersionParameter, an unsupported $filter)", err)
	}
	return err
}
