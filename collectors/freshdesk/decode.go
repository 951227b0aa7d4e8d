package freshdesk

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// apiTicket is a ticket of GET /api/v2/tickets (or /tickets/{id}) with
// include=stats, as far as this collector reads it. Pointers tell a missing
// field from a zero; a null time decodes as the zero time.
type apiTicket struct {
	ID          *int64    `json:"id"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Status      *int      `json:"status"`
	Priority    *int      `json:"priority"` // 1 low, 2 medium, 3 high, 4 urgent
	RequesterID int64     `json:"requester_id"`
	Tags        []string  `json:"tags"`
	// Freshdesk escalates a ticket when an SLA timer is breached: resolution
	// (is_escalated), first response (fr_escalated), next response
	// (nr_escalated, newer accounts only).
	IsEscalated bool      `json:"is_escalated"`
	FrEscalated bool      `json:"fr_escalated"`
	NrEscalated bool      `json:"nr_escalated"`
	Stats       *apiStats `json:"stats"` // embedded by include=stats
}

// apiStats are the times Freshdesk records on a ticket. It keeps only the
// latest resolution, closing and reopening.
type apiStats struct {
	FirstRespondedAt time.Time `json:"first_responded_at"`
	ResolvedAt       time.Time `json:"resolved_at"`
	ClosedAt         time.Time `json:"closed_at"`
	ReopenedAt       time.Time `json:"reopened_at"`
}

// apiConversation is a reply or note of GET /api/v2/tickets/{id}/conversations.
type apiConversation struct {
	ID        int64     `json:"id"`       // tells a page that repeats earlier ones
	Incoming  bool      `json:"incoming"` // from outside the helpdesk: the customer's side
	Private   bool      `json:"private"`  // a private note
	Source    int       `json:"source"`
	UserID    int64     `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
}

// apiRating is a rating of GET /api/v2/surveys/satisfaction_ratings.
type apiRating struct {
	ID        *int64    `json:"id"`
	TicketID  *int64    `json:"ticket_id"`
	CreatedAt time.Time `json:"created_at"`
	Ratings   struct {
		// The survey's overall question; the others are the account's own.
		Default *int `json:"default_question"`
	} `json:"ratings"`
}

// decodeTicketList parses a page of the ticket list: a JSON array.
func decodeTicketList(body []byte) ([]apiTicket, error) {
	var tickets []apiTicket
	if err := decodeArray(body, &tickets); err != nil {
		return nil, err
	}
	for i, t := range tickets {
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("tickets[%d]: %w", i, err)
		}
	}
	return tickets, nil
}

// decodeTicket parses the single ticket of GET /api/v2/tickets/{id}.
func decodeTicket(body []byte) (apiTicket, error) {
	var t apiTicket
	if err := json.Unmarshal(body, &t); err != nil {
		return apiTicket{}, err
	}
	return t, t.check()
}

// check refuses a ticket without what the collector needs: the update time
// is the cursor of the ticket walk.
func (t apiTicket) check() error {
	switch {
	case t.ID == nil:
		return errors.New("no id")
	case t.CreatedAt.IsZero():
		return fmt.Errorf("ticket %d: no created_at", *t.ID)
	case t.UpdatedAt.IsZero():
		return fmt.Errorf("ticket %d: no updated_at", *t.ID)
	case t.Status == nil:
		return fmt.Errorf("ticket %d: no status", *t.ID)
	}
	return nil
}

// decodeConversations parses a page of a ticket's conversations.
func decodeConversations(body []byte) ([]apiConversation, error) {
	var convs []apiConversation
	if err := decodeArray(body, &convs); err != nil {
		return nil, err
	}
	for i, c := range convs {
		if c.CreatedAt.IsZero() {
			return nil, fmt.Errorf("conversations[%d]: no created_at", i)
		}
	}
	return convs, nil
}

// decodeRatings parses a page of satisfaction ratings.
func decodeRatings(body []byte) ([]apiRating, error) {
	var ratings []apiRating
	if err := decodeArray(body, &ratings); err != nil {
		return nil, err
	}
	for i, r := range ratings {
		switch {
		case r.ID == nil:
			return nil, fmt.Errorf("satisfaction_ratings[%d]: no id", i)
		case r.TicketID == nil:
			return nil, fmt.Errorf("satisfaction_ratings[%d]: no ticket_id", i)
		case r.CreatedAt.IsZero():
			return nil, fmt.Errorf("satisfaction_ratings[%d]: no created_at", i)
		}
	}
	return ratings, nil
}

// decodeArray unmarshals a list endpoint's body, which must be a JSON array:
// null or an object (an error document) is refused.
func decodeArray[T any](body []byte, out *[]T) error {
	if err := json.Unmarshal(body, out); err != nil {
		return err
	}
	if *out == nil {
		return errors.New("body is not an array")
	}
	return nil
}
