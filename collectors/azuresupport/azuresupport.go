// Package azuresupport reads the buyer's own Azure support tickets from
// Azure Resource Manager's Microsoft.Support API: each ticket of one
// subscription with its communications, Microsoft's replies told from the
// customer's by their direction, and the first-response deadline Azure
// sets itself (docs/sources.md, `azure_support`).
package azuresupport

import (
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
	now := env.Now
	if now == nil {
		now = time.Now
	}
	stored := env.Stored
	if stored == nil {
		stored = func(string) (*item.Ticket, error) { return nil, nil }
	}
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

// Sync lists every ticket of the subscription created since the history
// start (at most 18 months back), one batch per page of 100, and reads
// the communications of each ticket whose modifiedDate is not the one
// stored. The API filters on status and creation only, not on
// modifiedDate, so every poll lists the window whole: a caught-up poll
// costs one request per 100 tickets and nothing more. The walk keeps no
// cursor: a sync that ends early is taken up by the next one, which skips
// what was stored (docs/sources.md).
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
		fresh := false
		for i := range p.Value {
			at := &p.Value[i]
			if at.Name == "" || listed[at.Name] {
				continue
			}
			listed[at.Name], fresh = true, true
			t, ok, err := c.ticket(ctx, at)
			if err != nil {
				return fmt.Errorf("azure_support: ticket page %d: %w", n, err)
			}
			if ok {
				changed = append(changed, t)
			}
		}
		if len(changed) > 0 {
			if err := emit(item.Batch{Tickets: changed}); err != nil {
				return fmt.Errorf("azure_support: storing ticket page %d: %w", n, err)
			}
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

// sameHost refuses a nextLink to another host than the configured one:
// the client would hand it the bearer token.
func (c *collector) sameHost(link string) error {
	if link == "" {
		return nil
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return fetch.DecodeError(c.tickets.String(), errors.New("nextLink does not name the configured host"))
	}
	return nil
}

// ticket turns a listed ticket into an item; ok is false for a ticket
// left out (before the history start, an implausible time) or not
// modified since the version stored (Ticket.Seen is its modifiedDate).
func (c *collector) ticket(ctx context.Context, at *apiTicket) (item.Ticket, bool, error) {
	props := &at.Properties
	created, err := parseTime("createdDate", props.CreatedDate)
	if err != nil {
		return item.Ticket{}, false, fetch.DecodeError(c.tickets.String(), fmt.Errorf("ticket %s: %w", at.Name, err))
	}
	modified, err := parseTime("modifiedDate", props.ModifiedDate)
	if err != nil {
		return item.Ticket{}, false, fetch.DecodeError(c.tickets.String(), fmt.Errorf("ticket %s: %w", at.Name, err))
	}
	if created.Before(c.historyStart) {
		return item.Ticket{}, false, nil
	}
	if r := c.bounds.Check(created); r != "" {
		c.rejected(r)
		return item.Ticket{}, false, nil
	}
	if r := c.bounds.Check(modified); r != "" {
		c.rejected(r)
		return item.Ticket{}, false, nil
	}
	stored, err := c.stored(at.Name)
	if err != nil {
		return item.Ticket{}, false, err
	}
	if stored != nil && stored.Seen == props.ModifiedDate {
		// Not modified since it was read: its communications are the
		// stored ones, and Azure is not asked again.
		return item.Ticket{}, false, nil
	}
	events, err := c.communications(ctx, at.Name, created)
	if err != nil {
		return item.Ticket{}, false, err
	}
	t := item.Ticket{
		ID: at.Name, CreatedAt: created, UpdatedAt: modified, Priority: at.severity(),
		Status: item.StatusOpen, Seen: props.ModifiedDate,
	}
	switch {
	case at.closed():
		t.Status = item.StatusSolved
	case lastIsVendors(events):
		// Azure has no status for a ticket waiting on the customer: an
		// open ticket whose latest communication is Microsoft's awaits
		// the customer's answer.
		t.Status = item.StatusPending
	}
	events = append(events, c.solves(stored, t.Status, modified)...)
	slices.SortStableFunc(events, func(a, b item.Event) int { return a.At.Compare(b.At) })
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
	return t, true, nil
}

// lastIsVendors reports whether the latest of the replies is Microsoft's.
func lastIsVendors(replies []item.Event) bool {
	var last item.Event
	for _, e := range replies {
		if !e.At.Before(last.At) {
			last = e
		}
	}
	return last.Kind == item.EventVendorReply
}

// solves are the ticket's solve and reopen events: those of the version
// stored, and one more when its status changed since. The API shows a
// ticket's current status only, with no time of its changes: a close (a
// solve: a closed ticket can be reopened) or a reopen is dated at the
// ticket's modifiedDate when first seen, an upper bound.
func (c *collector) solves(stored *item.Ticket, status item.Status, modified time.Time) []item.Event {
	var prior []item.Event
	wasSolved := false
	if stored != nil {
		for _, e := range stored.Events {
			if e.Kind == item.EventSolved || e.Kind == item.EventReopened {
				prior = append(prior, e)
			}
		}
		wasSolved = stored.Status == item.StatusSolved
	}
	solved := status == item.StatusSolved
	if solved == wasSolved {
		return prior
	}
	at := modified
	if len(prior) > 0 && at.Before(prior[len(prior)-1].At) {
		at = prior[len(prior)-1].At
	}
	if latest := c.bounds.Latest(); !latest.IsZero() && at.After(latest) {
		at = latest
	}
	kind := item.EventSolved
	if !solved {
		kind = item.EventReopened
	}
	return append(prior, item.Event{Kind: kind, At: at})
}

// communications reads a ticket's communications: Microsoft's (outbound)
// are vendor replies, the customer's (inbound) customer replies. An
// inbound communication at or before the ticket's creation is its
// description, no reply.
func (c *collector) communications(ctx context.Context, name string, created time.Time) ([]item.Event, error) {
	comms := c.tickets.JoinPath(name, "communications")
	next := comms.String() + "?" + armQuery("api-version", APIVersion, "$top", commsPerPage)
	var events []item.Event
	seen := map[string]bool{}
	barren := 0
	for next != "" {
		var p commPage
		if err := c.get(ctx, next, &p); err != nil {
			if fe := (*fetch.Error)(nil); errors.As(err, &fe) && fe.Status == http.StatusNotFound {
				return events, nil // deleted since it was listed
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
				return nil, fetch.DecodeError(comms.String(), fmt.Errorf("ticket %s: %w", name, err))
			}
			if c.bounds.Check(at) != "" {
				continue
			}
			switch normalizedDirection(m.Properties.CommunicationDirection) {
			case directionOutbound:
				events = append(events, item.Event{Kind: item.EventVendorReply, At: at})
			case directionInbound:
				if at.After(created) {
					events = append(events, item.Event{Kind: item.EventCustomerReply, At: at})
				}
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
	return events, nil
}

// figures are the ticket's figures when Azure gives its first-response
// deadline (serviceLevelAgreement.expirationTime: the initial response
// time of the support plan for the severity, from startTime, on the
// plan's hours): the vendor's own clock, stopped by Microsoft's first
// communication, breached when that came after the deadline. Azure gives
// no verdict of its own nor any resolution target. The other figures are
// the timeline's, which figures replace (docs/metrics.md): the first reply
// is the earliest at or after the creation. nil without a deadline.
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
			fig.Replies++
		case item.EventSolved:
			if fig.FirstSolvedAt.IsZero() {
				fig.FirstSolvedAt = e.At
			}
		case item.EventReopened:
			fig.Reopens++
		}
	}
	fig.FirstResponseSLA = &item.SLAClock{Deadline: deadline, Stopped: fig.FirstReplyAt,
		Breached: !fig.FirstReplyAt.IsZero() && fig.FirstReplyAt.After(deadline)}
	return fig
}

// get GETs an ARM URL into v, telling what a refusal means.
func (c *collector) get(ctx context.Context, u string, v any) error {
	_, err := c.http.GetJSON(ctx, u, nil, v)
	return explain(err)
}

// explain adds to a failed request what it most likely means for this
// API, keeping its reason (docs/sources.md lists ARM's error codes). A
// token the client could not get from Azure AD (a wrong client secret,
// tenant or client id) fails the request before it is sent: that is an
// auth failure too, told by the token endpoint's error code alone (its
// description is not repeated).
func explain(err error) error {
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
		return fmt.Errorf("%w: ARM refused the token (InvalidAuthenticationToken, ExpiredAuthenticationToken): check that http_client.oauth2 asks the scope https://management.azure.com/.default of this cloud", err)
	case http.StatusForbidden:
		if fe.Reason == fetch.ReasonAuth {
			return fmt.Errorf("%w: AuthorizationFailed: the app needs Microsoft.Support/supportTickets/read on the subscription (the Support Request Contributor role)", err)
		}
	case http.StatusNotFound:
		return fmt.Errorf("%w: SubscriptionNotFound: check subscription_id, and that the Microsoft.Support resource provider is registered on it", err)
	case http.StatusBadRequest:
		return fmt.Errorf("%w: ARM refused the request (InvalidApiVersionParameter, an unsupported $filter)", err)
	}
	return err
}
