package zendeskrequests

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// ticket maps a request and all its comments to a ticket, given its stored
// version (nil when none) to tell solves and reopens.
func (c *collector) ticket(r request, comments []comment, stored *item.Ticket) item.Ticket {
	replies := c.timeline(r.requester, comments)
	return item.Ticket{
		ID:        ticketID(r.id),
		CreatedAt: r.created,
		UpdatedAt: r.updated,
		Priority:  r.priority,
		Status:    r.status,
		Events:    withStatusEvents(replies, statusEvents(stored, r, replies)),
		Drill:     r.drill,
	}
}

// ticketID is the ticket id of request id.
func ticketID(id int64) string {
	return strconv.FormatInt(id, 10)
}

// timeline turns the public comments into replies. The earliest is the
// request's description, which opens the ticket rather than replying. A
// comment by the requester or a colleague is the customer's, one by an
// automation user (a bot of the vendor's) none; any other public comment
// is the vendor's, since end users see no one else's.
func (c *collector) timeline(requester int64, comments []comment) []item.Event {
	public := make([]comment, 0, len(comments))
	for _, cm := range comments {
		if cm.public {
			public = append(public, cm)
		}
	}
	// Zendesk lists comments oldest first; the id breaks ties within a second.
	slices.SortFunc(public, func(a, b comment) int {
		return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.id, b.id))
	})
	if len(public) < 2 {
		return nil
	}
	events := make([]item.Event, 0, len(public)-1)
	for _, cm := range public[1:] {
		if c.automated[cm.author] {
			continue
		}
		kind := item.EventVendorReply
		if cm.author == requester || c.colleagues[cm.author] {
			kind = item.EventCustomerReply
		}
		events = append(events, item.Event{Kind: kind, At: cm.created})
	}
	return events
}
