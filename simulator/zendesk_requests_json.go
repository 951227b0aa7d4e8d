package simulator

import (
	"net/http"
	"strconv"
)

// JSON shapes of Zendesk's Requests API, field for field as in the
// documentation's examples (collectors/zendeskrequests/testdata), with the
// cursor pagination block of every cursor-paged Zendesk list.

type zRequest struct {
	AssigneeID      *int64  `json:"assignee_id"`
	CanBeSolvedByMe bool    `json:"can_be_solved_by_me"`
	CollaboratorIDs []int64 `json:"collaborator_ids"`
	CreatedAt       string  `json:"created_at"`
	Description     string  `json:"description"`
	DueAt           *string `json:"due_at"`
	GroupID         int64   `json:"group_id"`
	ID              int64   `json:"id"`
	OrganizationID  int64   `json:"organization_id"`
	Priority        *string `json:"priority"`
	RequesterID     int64   `json:"requester_id"`
	Status          string  `json:"status"`
	Subject         string  `json:"subject"`
	TicketFormID    int64   `json:"ticket_form_id"`
	Type            *string `json:"type"`
	UpdatedAt       string  `json:"updated_at"`
	URL             string  `json:"url"`
	Via             zReqVia `json:"via"`
}

type zReqVia struct {
	Channel string `json:"channel"`
}

type zRequestComment struct {
	ID          int64      `json:"id"`
	Type        string     `json:"type"`
	Body        string     `json:"body"`
	HTMLBody    string     `json:"html_body"`
	AuthorID    int64      `json:"author_id"`
	Attachments []struct{} `json:"attachments"`
	CreatedAt   string     `json:"created_at"`
	Public      bool       `json:"public"`
}

type zCursorMeta struct {
	HasMore      bool    `json:"has_more"`
	AfterCursor  *string `json:"after_cursor"`
	BeforeCursor *string `json:"before_cursor"`
}

type zCursorLinks struct {
	Next *string `json:"next"`
	Prev *string `json:"prev"`
}

type requestsPage struct {
	Requests []zRequest   `json:"requests"`
	Meta     zCursorMeta  `json:"meta"`
	Links    zCursorLinks `json:"links"`
}

type commentsPage struct {
	Comments []zRequestComment `json:"comments"`
	Meta     zCursorMeta       `json:"meta"`
	Links    zCursorLinks      `json:"links"`
}

// nextPage fills meta and links for a page that has more after it.
func nextPage(meta *zCursorMeta, links *zCursorLinks, r *http.Request, base, after string) {
	q := r.URL.Query()
	q.Set("page[after]", after)
	next := base + r.URL.Path + "?" + q.Encode()
	meta.HasMore, meta.AfterCursor, links.Next = true, &after, &next
}

func (p *requestsPage) setNext(r *http.Request, base, after string) {
	nextPage(&p.Meta, &p.Links, r, base, after)
}

func (p *commentsPage) setNext(r *http.Request, base, after string) {
	nextPage(&p.Meta, &p.Links, r, base, after)
}

// zendeskRequest renders a ticket as its requester's organization sees it.
func (w *world) zendeskRequest(s *ticketState, base string) zRequest {
	tl := s.tl
	id := strconv.FormatInt(tl.id(), 10)
	subject := topics[tl.topic].subject
	rq := zRequest{
		CanBeSolvedByMe: !s.solved(),
		CollaboratorIDs: noIDs,
		CreatedAt:       zTime(s.created),
		Description:     ticketDescription(tl),
		GroupID:         w.id.groupID,
		ID:              tl.id(),
		OrganizationID:  tl.org,
		RequesterID:     tl.requester,
		Status:          s.status.String(),
		Subject:         subject,
		TicketFormID:    w.id.formID,
		UpdatedAt:       zTime(s.updated),
		URL:             base + requestsPath + "/" + id,
		Via:             zReqVia{"web"},
	}
	if p := zPriorities[s.priority]; p != "" {
		rq.Priority = &p
	}
	if s.firstReply != 0 {
		rq.AssigneeID = &tl.agent
	}
	return rq
}

// zendeskRequestComment renders one public comment: the requester's or the
// assigned agent's.
func zendeskRequestComment(tl *timeline, c ticketComment) zRequestComment {
	text := commentText(c.kind)
	if c.kind == stepCreated {
		text = ticketDescription(tl)
	}
	author := tl.requester
	if c.vendor {
		author = tl.agent
	}
	return zRequestComment{
		ID: commentID(tl, c.seq), Type: "Comment", Body: text, HTMLBody: "<p>" + text + "</p>",
		AuthorID: author, Attachments: noFields, CreatedAt: zTime(c.at), Public: true,
	}
}
