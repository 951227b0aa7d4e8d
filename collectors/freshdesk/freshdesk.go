// Package freshdesk collects tickets from the Freshdesk API v2.
//
// Credentials: basic auth with an agent's API key as the username and "X" as
// the password (http_client.basic_auth). A key carries its agent's
// permissions and cannot be narrowed: use an agent whose ticket scope is
// "Global access" (a group or restricted scope silently hides tickets) in
// the most restricted role that still sees satisfaction survey results; no
// write or admin right is used.
//
// Endpoints, each paged with page/per_page=100 and a Link header whose
// rel="next" says that another page follows:
//
//   - GET /api/v2/tickets?updated_since=T&order_by=updated_at&order_type=asc&include=stats
//     the tickets changed since the cursor, with the times Freshdesk records
//     itself (first response, latest resolution, latest reopen);
//   - GET /api/v2/tickets/{id}/conversations, only for tickets that changed:
//     public vendor replies and customer replies (rounds, follow-ups);
//   - GET /api/v2/surveys/satisfaction_ratings?created_since=T: the ratings
//     given since the cursor; a rated ticket that did not change otherwise is
//     fetched with GET /api/v2/tickets/{id}?include=stats and its
//     conversations, because a stored ticket is replaced whole.
//
// The ticket list is walked by keyset, not by page number: each request asks
// for the tickets updated since the latest update time seen so far (less a
// second, since Freshdesk's times have whole seconds), so that a ticket
// updated during the sync cannot shift an unseen one onto a page already
// read, and Freshdesk's limit of 300 pages per query is never reached. Page
// numbers are followed only while the keyset cannot move, a whole page
// falling within one second. Tickets seen again in the overlap with an
// unchanged update time are skipped, unless they were updated so shortly
// before the response (see settleMargin) that a second update within the
// same second could have followed unseen.
//
// A ticket updated at an implausible time (source.Env.Bounds: after our
// clock plus the allowed skew, or before global.earliest_timestamp) is left
// out and counted as rejected, so that the keyset never moves onto it; the
// list is in update order, so one in the future ends the walk at its page.
// A rating created at an implausible time is left out alike. A new rating
// of a ticket left out waits in the cursor (held) until a plausible version
// of the ticket is stored. A stored position in the future restarts its
// walk from the history start.
//
// The ratings' position is stored with the first batch of a sync, every
// rating read waiting in the cursor (held) until its ticket is stored, and
// a sync that fails within a page (at max_requests_per_sync, say) stores
// the tickets it completed: a first sync larger than the budget so
// completes over several, none reading a rating or fetching a ticket that
// an earlier one stored. The ratings' pages are read whole before the
// position moves (their order is not documented), so a budget must exceed
// them: 1 request per 100 ratings given since the previous sync.
//
// A list that leads in a circle ends the sync with reason loop, after the
// page is stored: a Link rel="next" on an empty page, on a page that
// follows by page number (the keyset unmoved) and only repeats tickets
// taken earlier in the sync, or on page 300, the last Freshdesk serves of
// a query; conversations and ratings end alike on a linked page without a
// new id. Responses over 8 MiB are refused.
//
// Cost per poll: one ticket-list request (3 API credits, as include=stats
// costs 2) and one ratings request when nothing changed; then one list
// request per 100 changed tickets plus one conversations request per changed
// ticket (and per 100 conversations), plus two requests per rated ticket that
// did not change otherwise. The account's per-minute limits depend on its
// plan; Freshdesk advertises them in X-RateLimit-Total/X-RateLimit-Remaining
// and answers 429 with Retry-After, which the shared client honours, so no
// static limit is declared.
//
// Metrics fed: created, first response (Freshdesk's own first_responded_at),
// resolution, one-touch, rounds, reopens, follow-ups, SLA checks and
// breaches, open tickets by state (custom statuses through the `statuses`
// key), oldest unanswered, escalations (is_escalated, fr_escalated,
// nr_escalated: Freshdesk flags a ticket whose SLA timer was breached) and
// satisfaction. A ticket's rating is the latest read (in this sync, or
// waiting in the cursor), else the one stored with it: the ticket list
// carries no rating, and a rated ticket updated later is replaced whole.
// Limits: Freshdesk keeps only the latest resolution and
// reopen times, so a ticket first seen after a reopen has its first solve
// dated at the earliest time recorded (the latest it can have happened), and
// a ticket reopened twice between two polls counts one reopen. Escalations
// carry no time, so the timeline has no escalated events.
package freshdesk

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// New builds the source of kind freshdesk (a source.Factory).
func New(env source.Env) (source.Source, error) {
	base, err := fetch.BaseURL(env.Config.URL)
	if err != nil {
		return nil, fmt.Errorf("freshdesk: source %q: %w", env.Config.Name, err)
	}
	statuses, err := parseStatuses(optionsOf(env.Config).Statuses)
	if err != nil {
		return nil, fmt.Errorf("freshdesk: source %q: %w", env.Config.Name, err)
	}
	logger := env.Log()
	stored := env.StoredOrNone()
	return &collector{
		stored:       stored,
		http:         env.HTTP.WithMaxBodyBytes(maxBodyBytes),
		logger:       logger,
		bounds:       env.Bounds,
		rejected:     env.Rejected,
		api:          base.JoinPath("api/v2"),
		statuses:     statuses,
		historyStart: env.HistoryStart,
	}, nil
}

// collector syncs one Freshdesk account.
type collector struct {
	http   *fetch.Client
	logger *slog.Logger
	// bounds are the plausible times: a ticket or rating dated otherwise is
	// left out of the walks, and reported to rejected.
	bounds       door.Bounds
	rejected     func(reason string)
	api          *url.URL // .../api/v2
	statuses     map[int]item.Status
	historyStart time.Time
	// stored reads a ticket's stored version (nil when none): a ticket
	// emitted again without a rating read keeps the one stored with it.
	stored func(id string) (*item.Ticket, error)
}

// builtinStatuses are Freshdesk's own status ids.
var builtinStatuses = map[int]item.Status{
	2: item.StatusOpen,
	3: item.StatusPending,
	4: item.StatusSolved, // "Resolved": the customer can still reopen it
	5: item.StatusClosed,
}

// configurableStatuses are the states a custom status id may be mapped to.
var configurableStatuses = map[string]item.Status{
	"open":    item.StatusOpen,
	"pending": item.StatusPending,
	"on_hold": item.StatusOnHold,
	"solved":  item.StatusSolved,
}

// parseStatuses reads the `statuses` key: custom status id -> open, pending,
// on_hold or solved. An id of Freshdesk's own may be remapped too.
func parseStatuses(cfg map[string]string) (map[int]item.Status, error) {
	out := make(map[int]item.Status, len(builtinStatuses)+len(cfg))
	for id, s := range builtinStatuses {
		out[id] = s
	}
	for key, value := range cfg {
		id, err := strconv.Atoi(key)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("statuses: %q is not a status id", key)
		}
		s, ok := configurableStatuses[value]
		if !ok {
			return nil, fmt.Errorf("statuses: %d: %q is none of open, pending, on_hold, solved", id, value)
		}
		out[id] = s
	}
	return out, nil
}

// status maps a status id; a custom status nobody mapped still needs the
// vendor, so it counts as open.
func (c *collector) status(id int) item.Status {
	if s, ok := c.statuses[id]; ok {
		return s
	}
	return item.StatusOpen
}
