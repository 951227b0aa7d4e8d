package zendesk

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	// The mirror of encoding/json/v2: about twice as fast as encoding/json
	// on export pages, which dominate a sync's CPU time. Built with
	// GOEXPERIMENT=jsonv2 (the default from Go 1.27) it aliases the standard
	// library's implementation, so moving to encoding/json/v2 and
	// encoding/json/jsontext is a change of import paths only.
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// exportPage is one page of the cursor-based incremental ticket export, as
// far as this collector reads it. Pointers tell a missing field from a zero.
type exportPage struct {
	Tickets     *[]apiTicket   `json:"tickets"`
	MetricSets  []apiMetricSet `json:"metric_sets"` // sideloaded by include=metric_sets
	AfterCursor *string        `json:"after_cursor"`
	EndOfStream *bool          `json:"end_of_stream"`
}

type apiTicket struct {
	ID                 *int64           `json:"id"`
	CreatedAt          time.Time        `json:"created_at"`
	UpdatedAt          time.Time        `json:"updated_at"`
	Priority           string           `json:"priority"` // null when unset
	Status             string           `json:"status"`
	Tags               []string         `json:"tags"`
	SatisfactionRating *apiSatisfaction `json:"satisfaction_rating"`
}

// apiSatisfaction is the ticket's own rating: score is offered, unoffered,
// good or bad.
type apiSatisfaction struct {
	Score string `json:"score"`
}

// apiMetricSet is a ticket metric object (the same shape as GET
// /api/v2/ticket_metrics), linked to its ticket by ticket_id.
type apiMetricSet struct {
	TicketID                     *int64      `json:"ticket_id"`
	Replies                      int         `json:"replies"`
	Reopens                      int         `json:"reopens"`
	ReplyTimeInSeconds           apiDuration `json:"reply_time_in_seconds"`
	ReplyTimeInMinutes           apiDuration `json:"reply_time_in_minutes"`
	FirstResolutionTimeInMinutes apiDuration `json:"first_resolution_time_in_minutes"`
}

// apiDuration is Zendesk's {calendar, business} pair. Only calendar time is
// read: it dates the event, and business time is derived from that instant
// with the vendor's own calendar in package quality. Null: not happened yet.
type apiDuration struct {
	Calendar *int64 `json:"calendar"`
}

// page is a decoded export page.
type page struct {
	tickets []item.Ticket
	// early are the tickets created before the history start, which are not
	// wanted; Sync still checks their times, since a creation dated a
	// century back by a vendor clock gone wrong says nothing of the true
	// one.
	early []item.Ticket
	// versions are every ticket of the page, those created before the
	// history start included, as the sync tells new ones from repeats.
	versions    []ticketVersion
	afterCursor string // empty when the page carries none
	endOfStream bool
}

// ticketVersion is a ticket as of one update.
type ticketVersion struct {
	id      int64
	updated int64 // Unix nanoseconds
}

// maxElapsed bounds the durations accepted from the API, so that adding one
// to a creation time can never overflow.
const maxElapsed = 100 * 365 * 24 * time.Hour

var ticketStatuses = map[string]item.Status{
	"new":     item.StatusNew,
	"open":    item.StatusOpen,
	"pending": item.StatusPending,
	"hold":    item.StatusOnHold,
	"solved":  item.StatusSolved,
	"closed":  item.StatusClosed,
	// A deleted ticket left the queue but stays counted.
	"deleted": item.StatusClosed,
}

// pageOptions choose, for each default of encoding/json/v2 that differs
// from encoding/json, the behaviour export pages need. A page that fails to
// decode stops the sync at its cursor until Zendesk changes it, so the
// syntax checks that concern only the fields this collector never reads
// stay as lenient as encoding/json's:
//   - invalid UTF-8 in a string (a ticket's subject, say) is replaced with
//     U+FFFD rather than rejected;
//   - duplicate member names are accepted, the last one winning.
//
// The other v2 defaults are kept on purpose:
//   - member names match exactly: Zendesk writes them in lowercase
//     snake_case, as documented; v2's case-insensitive matching would not
//     restore encoding/json's anyway, as it also ignores underscores;
//   - null zeroes a field, where encoding/json left it alone: the same for
//     the fresh values decoded here, unless a duplicate member is null;
//   - numbers never decode into strings nor strings into numbers, and
//     fractions or exponents never into integers, as in encoding/json;
//   - timestamps are RFC 3339 as Zendesk writes them ("2023-09-18T15:57:42Z");
//     only a comma before the fraction, which encoding/json took from
//     time.Parse, is refused.
var pageOptions = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// decodePage parses one export page and maps its tickets, dropping those
// created before historyStart (the export selects by update time only).
func decodePage(body []byte, historyStart time.Time) (page, error) {
	raw, err := parsePage(body)
	if err != nil {
		return page{}, err
	}
	if raw.Tickets == nil {
		return page{}, errors.New("no tickets array")
	}
	if raw.EndOfStream == nil {
		return page{}, errors.New("no end_of_stream")
	}
	metrics := make(map[int64]apiMetricSet, len(raw.MetricSets))
	for _, m := range raw.MetricSets {
		if m.TicketID != nil {
			metrics[*m.TicketID] = m
		}
	}
	p := page{endOfStream: *raw.EndOfStream}
	if raw.AfterCursor != nil {
		p.afterCursor = *raw.AfterCursor
	}
	for i, at := range *raw.Tickets {
		t, err := at.toModel(metrics)
		if err != nil {
			return page{}, fmt.Errorf("tickets[%d]: %w", i, err)
		}
		p.versions = append(p.versions, ticketVersion{id: *at.ID, updated: t.UpdatedAt.UnixNano()})
		if t.CreatedAt.Before(historyStart) {
			p.early = append(p.early, t)
			continue
		}
		p.tickets = append(p.tickets, t)
	}
	return p, nil
}

// shownTicket is the answer of GET /api/v2/tickets/{id}.json with
// include=metric_sets: the ticket, and its metric set in the top-level
// array under the sideload's name, as every Zendesk sideload is given.
type shownTicket struct {
	Ticket     *apiTicket     `json:"ticket"`
	MetricSets []apiMetricSet `json:"metric_sets"`
}

// decodeTicket parses the answer of GET /api/v2/tickets/{id}.json and maps
// its ticket, which must be ticket id, with its metric set when the answer
// has one (without, the ticket has no Figures, as an export ticket without
// one).
func decodeTicket(body []byte, id int64) (item.Ticket, error) {
	var raw shownTicket
	if err := json.Unmarshal(body, &raw, pageOptions); err != nil {
		return item.Ticket{}, err
	}
	if raw.Ticket == nil {
		return item.Ticket{}, errors.New("no ticket")
	}
	if raw.Ticket.ID != nil && *raw.Ticket.ID != id {
		return item.Ticket{}, fmt.Errorf("asked for ticket %d, got ticket %d", id, *raw.Ticket.ID)
	}
	metrics := make(map[int64]apiMetricSet, len(raw.MetricSets))
	for _, m := range raw.MetricSets {
		if m.TicketID != nil {
			metrics[*m.TicketID] = m
		}
	}
	return raw.Ticket.toModel(metrics)
}

// parsePage unmarshals an export page with pageOptions.
func parsePage(body []byte) (exportPage, error) {
	var raw exportPage
	err := json.Unmarshal(body, &raw, pageOptions)
	return raw, err
}

func (at apiTicket) toModel(metrics map[int64]apiMetricSet) (item.Ticket, error) {
	if at.ID == nil {
		return item.Ticket{}, errors.New("no id")
	}
	id := strconv.FormatInt(*at.ID, 10)
	if at.CreatedAt.IsZero() {
		return item.Ticket{}, fmt.Errorf("ticket %s: no created_at", id)
	}
	status, ok := ticketStatuses[at.Status]
	if !ok {
		return item.Ticket{}, fmt.Errorf("ticket %s: unknown status %q", id, at.Status)
	}
	t := item.Ticket{
		ID:           id,
		CreatedAt:    at.CreatedAt,
		UpdatedAt:    at.UpdatedAt,
		Priority:     at.Priority,
		Status:       status,
		Tags:         at.Tags,
		Satisfaction: at.SatisfactionRating.rating(),
	}
	if t.UpdatedAt.IsZero() {
		// Never updated: last changed when created.
		t.UpdatedAt = t.CreatedAt
	}
	if m, ok := metrics[*at.ID]; ok {
		f, err := m.figures(at.CreatedAt)
		if err != nil {
			return item.Ticket{}, fmt.Errorf("ticket %s: metric set: %w", id, err)
		}
		t.Figures = f
	}
	return t, nil
}

// rating maps the score; offered, unoffered or no rating at all is none.
func (s *apiSatisfaction) rating() item.Rating {
	if s == nil {
		return item.RatingNone
	}
	switch s.Score {
	case "good":
		return item.RatingGood
	case "bad":
		return item.RatingBad
	}
	return item.RatingNone
}

func (m apiMetricSet) figures(created time.Time) (*item.Figures, error) {
	if m.Replies < 0 || m.Reopens < 0 {
		return nil, fmt.Errorf("negative count: replies %d, reopens %d", m.Replies, m.Reopens)
	}
	// Seconds are more precise; older accounts only report minutes.
	reply, unit := m.ReplyTimeInSeconds.Calendar, time.Second
	if reply == nil {
		reply, unit = m.ReplyTimeInMinutes.Calendar, time.Minute
	}
	firstReply, err := after(created, reply, unit)
	if err != nil {
		return nil, fmt.Errorf("reply time: %w", err)
	}
	firstSolved, err := after(created, m.FirstResolutionTimeInMinutes.Calendar, time.Minute)
	if err != nil {
		return nil, fmt.Errorf("first resolution time: %w", err)
	}
	return &item.Figures{
		FirstReplyAt:  firstReply,
		FirstSolvedAt: firstSolved,
		Replies:       m.Replies,
		Reopens:       m.Reopens,
	}, nil
}

// after returns created plus amount units, or the zero time when amount is
// null (the event has not happened yet).
func after(created time.Time, amount *int64, unit time.Duration) (time.Time, error) {
	if amount == nil {
		return time.Time{}, nil
	}
	if *amount < 0 || *amount > int64(maxElapsed/unit) {
		return time.Time{}, fmt.Errorf("%d out of range", *amount)
	}
	return created.Add(time.Duration(*amount) * unit), nil
}
