package simulator

import (
	"strconv"
	"time"
)

// JSON shapes of Freshdesk's API v2, field for field as in the Airbyte
// records and python-freshdesk fixtures (collectors/freshdesk/testdata),
// nulls included. The ticket list omits description and requester, which
// Freshdesk sends only for a single ticket or with include=requester.

type fdTicket struct {
	CCEmails               []string          `json:"cc_emails"`
	FwdEmails              []string          `json:"fwd_emails"`
	ReplyCCEmails          []string          `json:"reply_cc_emails"`
	TicketCCEmails         []string          `json:"ticket_cc_emails"`
	FrEscalated            bool              `json:"fr_escalated"`
	Spam                   bool              `json:"spam"`
	EmailConfigID          *int64            `json:"email_config_id"`
	GroupID                int64             `json:"group_id"`
	Priority               int               `json:"priority"`
	RequesterID            int64             `json:"requester_id"`
	ResponderID            *int64            `json:"responder_id"`
	Source                 int               `json:"source"`
	CompanyID              int64             `json:"company_id"`
	Status                 int               `json:"status"`
	Subject                string            `json:"subject"`
	AssociationType        *int              `json:"association_type"`
	SupportEmail           *string           `json:"support_email"`
	ToEmails               []string          `json:"to_emails"`
	ProductID              *int64            `json:"product_id"`
	ID                     int64             `json:"id"`
	Type                   *string           `json:"type"`
	DueBy                  string            `json:"due_by"`
	FrDueBy                string            `json:"fr_due_by"`
	IsEscalated            bool              `json:"is_escalated"`
	CustomFields           map[string]string `json:"custom_fields"`
	CreatedAt              string            `json:"created_at"`
	UpdatedAt              string            `json:"updated_at"`
	AssociatedTicketsCount *int              `json:"associated_tickets_count"`
	Tags                   []string          `json:"tags"`
	NrDueBy                *string           `json:"nr_due_by"`
	NrEscalated            bool              `json:"nr_escalated"`
	Stats                  *fdStats          `json:"stats,omitempty"` // include=stats only
}

// fdStats are the times Freshdesk records on a ticket; it keeps only the
// latest resolution, closing and reopening.
type fdStats struct {
	AgentRespondedAt     *string `json:"agent_responded_at"`
	RequesterRespondedAt *string `json:"requester_responded_at"`
	FirstRespondedAt     *string `json:"first_responded_at"`
	StatusUpdatedAt      string  `json:"status_updated_at"`
	ReopenedAt           *string `json:"reopened_at"`
	ResolvedAt           *string `json:"resolved_at"`
	ClosedAt             *string `json:"closed_at"`
	PendingSince         *string `json:"pending_since"`
}

type fdConversation struct {
	Body         string   `json:"body"`
	BodyText     string   `json:"body_text"`
	ID           int64    `json:"id"`
	Incoming     bool     `json:"incoming"`
	Private      bool     `json:"private"`
	UserID       int64    `json:"user_id"`
	SupportEmail *string  `json:"support_email"`
	Source       int      `json:"source"`
	TicketID     int64    `json:"ticket_id"`
	ToEmails     []string `json:"to_emails"`
	FromEmail    *string  `json:"from_email"`
	CCEmails     []string `json:"cc_emails"`
	BCCEmails    []string `json:"bcc_emails"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	Attachments  []string `json:"attachments"`
}

type fdRating struct {
	ID        int64          `json:"id"`
	SurveyID  int64          `json:"survey_id"`
	UserID    int64          `json:"user_id"`
	AgentID   int64          `json:"agent_id"`
	Feedback  string         `json:"feedback"`
	GroupID   int64          `json:"group_id"`
	TicketID  int64          `json:"ticket_id"`
	CreatedAt string         `json:"created_at"`
	UpdatedAt string         `json:"updated_at"`
	Ratings   map[string]int `json:"ratings"`
}

// Freshdesk's status ids. Zendesk's new and hold both leave the customer
// waiting on the vendor, which Freshdesk's default statuses call Open.
var fdStatuses = [numZStatus]int{zNew: 2, zOpen: 2, zPending: 3, zHold: 2, zSolved: 4, zClosed: 5}

// Freshdesk's priority ids by zPriorities index: 4 urgent, 3 high, 2
// medium, 1 low. Freshdesk has no unset priority: a ticket gets its
// default, Low.
var fdPriorities = []int{4, 3, 2, 1, 1}

// Freshdesk's classic survey answers: extremely happy and extremely unhappy.
const (
	fdHappy   = 103
	fdUnhappy = -103
)

// sources of a Freshdesk ticket or conversation.
const (
	fdSourceReply  = 0 // a reply (by email or the portal)
	fdSourcePortal = 2 // a ticket from the portal; on a conversation, a note
)

// First-response and resolution due times Freshdesk's default SLA policy
// sets; shown, not enforced.
const (
	fdFirstResponseDue = 24 * time.Hour
	fdResolutionDue    = 3 * 24 * time.Hour
)

var noEmails = []string{}

// freshdeskTicket renders a ticket as the list shows it, with its stats
// when withStats.
func (w *world) freshdeskTicket(s *ticketState, withStats bool) fdTicket {
	tl := s.tl
	t := fdTicket{
		CCEmails: noEmails, FwdEmails: noEmails, ReplyCCEmails: noEmails, TicketCCEmails: noEmails, ToEmails: noEmails,
		GroupID:      w.id.groupID,
		Priority:     fdPriorities[s.priority],
		RequesterID:  tl.requester,
		Source:       fdSourcePortal,
		CompanyID:    tl.org,
		Status:       fdStatuses[s.status],
		Subject:      topics[tl.topic].subject,
		ID:           tl.id(),
		DueBy:        zTime(s.created + secs(fdResolutionDue)),
		FrDueBy:      zTime(s.created + secs(fdFirstResponseDue)),
		IsEscalated:  s.tagged,
		CustomFields: map[string]string{},
		CreatedAt:    zTime(s.created),
		UpdatedAt:    zTime(s.updated),
		Tags:         s.tags(),
	}
	if s.firstReply != 0 {
		t.ResponderID = &tl.agent
	}
	if withStats {
		t.Stats = s.freshdeskStats()
	}
	return t
}

func (s *ticketState) freshdeskStats() *fdStats {
	st := &fdStats{
		AgentRespondedAt:     zTimePtr(s.lastVendor),
		FirstRespondedAt:     zTimePtr(s.firstReply),
		StatusUpdatedAt:      zTime(s.lastStatus),
		ResolvedAt:           zTimePtr(s.lastSolve),
		RequesterRespondedAt: zTimePtr(s.lastCustomerReply()),
	}
	for _, step := range s.tl.steps[:s.n] {
		switch step.kind {
		case stepReopen:
			st.ReopenedAt = zTimePtr(step.at)
		case stepClose:
			st.ClosedAt = zTimePtr(step.at)
		}
	}
	if s.status == zPending {
		st.PendingSince = zTimePtr(s.lastStatus)
	}
	return st
}

// lastCustomerReply is the customer's latest message after the
// description, 0 when none.
func (s *ticketState) lastCustomerReply() int64 {
	if s.lastCustomer == s.tl.created {
		return 0
	}
	return s.lastCustomer
}

// freshdeskConversations are the ticket's conversations: every public
// message but the description, which is the ticket itself, and a private
// note for each escalation.
func (w *world) freshdeskConversations(s *ticketState) []fdConversation {
	tl := s.tl
	var out []fdConversation
	add := func(at int64, seq int, text string, customer, private bool) {
		c := fdConversation{
			Body: "<div>" + text + "</div>", BodyText: text,
			ID: commentID(tl, seq), Incoming: customer, Private: private, UserID: tl.agent,
			Source: fdSourceReply, TicketID: tl.id(), ToEmails: noEmails, CCEmails: noEmails, BCCEmails: noEmails,
			CreatedAt: zTime(at), UpdatedAt: zTime(at), Attachments: noEmails,
		}
		switch {
		case customer:
			c.UserID = tl.requester
		case private:
			c.Source, c.ToEmails = fdSourcePortal, nil
		default:
			c.ToEmails = []string{"customer" + strconv.FormatInt(tl.requester, 10) + "@example.com"}
		}
		out = append(out, c)
	}
	seq := 0
	for _, st := range tl.steps[:s.n] {
		switch {
		case st.kind == stepCreated:
			seq++
		case st.kind.vendorReply() || st.kind.customerComment():
			add(st.at, seq, commentText(st.kind), st.kind.customerComment(), false)
			seq++
		case st.kind == stepEscalate:
			// Notes take ids past any reply's, in their own range.
			add(st.at, 500+seq, "Escalated to the second line.", false, true)
		}
	}
	return out
}

// freshdeskRating renders the k-th rating (from 0) of a ticket, given at.
func (w *world) freshdeskRating(tl *timeline, k int, at int64, good bool) fdRating {
	r := fdRating{
		ID: 67000000000 + tl.id()*4 + int64(k), SurveyID: 67000084490, UserID: tl.requester, AgentID: tl.agent,
		GroupID: w.id.groupID, TicketID: tl.id(), CreatedAt: zTime(at), UpdatedAt: zTime(at),
		Feedback: "Still not fixed.", Ratings: map[string]int{"default_question": fdUnhappy},
	}
	if good {
		r.Feedback, r.Ratings["default_question"] = "Thanks, that helped!", fdHappy
	}
	return r
}

// commentText is a message's text by what it does.
func commentText(k stepKind) string {
	switch k {
	case stepVendorReply:
		return "Could you send us the request ids and the time it happened?"
	case stepHold:
		return "We have passed this to our engineers and will update you."
	case stepSolve:
		return "This is fixed now; please let us know if it happens again."
	case stepChase:
		return "Any news on this?"
	case stepReopen:
		return "It is happening again."
	case stepCustomerReply:
		return "Here are the details you asked for."
	}
	return "Please help."
}
