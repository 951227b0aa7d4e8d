package zendeskrequests

import (
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

func vendorReply(at time.Time) item.Event { return item.Event{Kind: item.EventVendorReply, At: at} }
func customerReply(at time.Time) item.Event {
	return item.Event{Kind: item.EventCustomerReply, At: at}
}
func solved(at time.Time) item.Event   { return item.Event{Kind: item.EventSolved, At: at} }
func reopened(at time.Time) item.Event { return item.Event{Kind: item.EventReopened, At: at} }

// storedAs is a stored version of request 7.
func storedAs(status item.Status, updated time.Time, events ...item.Event) *item.Ticket {
	return &item.Ticket{ID: "7", CreatedAt: created, UpdatedAt: updated, Status: status, Events: events}
}

// said is a public comment on request 7.
func said(author int64, at time.Time) comment {
	return comment{id: at.Unix(), author: author, public: true, created: at}
}

func TestTicketTellsSolvesAndReopens(t *testing.T) {
	at := func(h time.Duration) time.Time { return created.Add(h * hour) }
	cases := []struct {
		name    string
		stored  *item.Ticket
		status  item.Status
		updated time.Time
		// replies are the public comments after the description.
		replies []comment
		want    []item.Event
	}{
		{
			name:   "first seen open",
			status: item.StatusOpen, updated: at(1),
			replies: []comment{said(agent, at(1))},
			want:    []item.Event{vendorReply(at(1))},
		},
		{
			name:   "first seen solved",
			status: item.StatusSolved, updated: at(3),
			replies: []comment{said(agent, at(1))},
			want:    []item.Event{vendorReply(at(1)), solved(at(3))},
		},
		{
			name:   "first seen closed: solved by the close at the latest",
			status: item.StatusClosed, updated: at(100),
			replies: []comment{said(agent, at(1))},
			want:    []item.Event{vendorReply(at(1)), solved(at(100))},
		},
		{
			name:   "stored open, now pending",
			stored: storedAs(item.StatusOpen, at(1), vendorReply(at(1))),
			status: item.StatusPending, updated: at(2),
			replies: []comment{said(agent, at(1))},
			want:    []item.Event{vendorReply(at(1))},
		},
		{
			name:   "stored open, now solved with a reply",
			stored: storedAs(item.StatusOpen, at(1), vendorReply(at(1))),
			status: item.StatusSolved, updated: at(3),
			replies: []comment{said(agent, at(1)), said(agent, at(3))},
			want:    []item.Event{vendorReply(at(1)), vendorReply(at(3)), solved(at(3))},
		},
		{
			name:   "stored on hold, now closed",
			stored: storedAs(item.StatusOnHold, at(1), vendorReply(at(1))),
			status: item.StatusClosed, updated: at(100),
			replies: []comment{said(agent, at(1))},
			want:    []item.Event{vendorReply(at(1)), solved(at(100))},
		},
		{
			name:   "stored solved, now closed: the solve is kept",
			stored: storedAs(item.StatusSolved, at(3), vendorReply(at(1)), solved(at(3))),
			status: item.StatusClosed, updated: at(99),
			replies: []comment{said(agent, at(1))},
			want:    []item.Event{vendorReply(at(1)), solved(at(3))},
		},
		{
			name:   "stored solved, an agent comments and it stays solved",
			stored: storedAs(item.StatusSolved, at(3), vendorReply(at(1)), solved(at(3))),
			status: item.StatusSolved, updated: at(5),
			replies: []comment{said(agent, at(1)), said(agent, at(5))},
			want:    []item.Event{vendorReply(at(1)), solved(at(3)), vendorReply(at(5))},
		},
		{
			name:   "stored solved, reopened by the requester's reply",
			stored: storedAs(item.StatusSolved, at(3), vendorReply(at(1)), solved(at(3))),
			status: item.StatusOpen, updated: at(6),
			replies: []comment{said(agent, at(1)), said(requester, at(5))},
			want:    []item.Event{vendorReply(at(1)), solved(at(3)), customerReply(at(5)), reopened(at(5))},
		},
		{
			name:   "stored solved, reopened by a colleague's reply",
			stored: storedAs(item.StatusSolved, at(3), vendorReply(at(1)), solved(at(3))),
			status: item.StatusOpen, updated: at(6),
			replies: []comment{said(agent, at(1)), said(agent, at(4)), said(colleague, at(5))},
			want: []item.Event{vendorReply(at(1)), solved(at(3)), vendorReply(at(4)),
				customerReply(at(5)), reopened(at(5))},
		},
		{
			name:   "stored solved, reopened by an agent: at the update",
			stored: storedAs(item.StatusSolved, at(3), vendorReply(at(1)), customerReply(at(2)), solved(at(3))),
			status: item.StatusPending, updated: at(6),
			replies: []comment{said(agent, at(1)), said(requester, at(2)), said(agent, at(6))},
			want: []item.Event{vendorReply(at(1)), customerReply(at(2)), solved(at(3)),
				vendorReply(at(6)), reopened(at(6))},
		},
		{
			name:   "a customer reply in the second of the stored update did not reopen it",
			stored: storedAs(item.StatusSolved, at(3), vendorReply(at(1)), customerReply(at(3)), solved(at(3))),
			status: item.StatusOpen, updated: at(6),
			replies: []comment{said(agent, at(1)), said(requester, at(3))},
			want:    []item.Event{vendorReply(at(1)), customerReply(at(3)), solved(at(3)), reopened(at(6))},
		},
		{
			name: "stored reopened, solved again",
			stored: storedAs(item.StatusOpen, at(6),
				vendorReply(at(1)), solved(at(3)), customerReply(at(5)), reopened(at(5))),
			status: item.StatusSolved, updated: at(8),
			replies: []comment{said(agent, at(1)), said(requester, at(5)), said(agent, at(7))},
			want: []item.Event{vendorReply(at(1)), solved(at(3)), customerReply(at(5)), reopened(at(5)),
				vendorReply(at(7)), solved(at(8))},
		},
		{
			name: "stored reopened, still open",
			stored: storedAs(item.StatusOpen, at(6),
				vendorReply(at(1)), solved(at(3)), customerReply(at(5)), reopened(at(5))),
			status: item.StatusOpen, updated: at(7),
			replies: []comment{said(agent, at(1)), said(requester, at(5)), said(agent, at(7))},
			want: []item.Event{vendorReply(at(1)), solved(at(3)), customerReply(at(5)), reopened(at(5)),
				vendorReply(at(7))},
		},
		{
			name:   "replies come from the comments, not the stored version",
			stored: storedAs(item.StatusOpen, at(2), vendorReply(at(1)), vendorReply(at(2))),
			status: item.StatusOpen, updated: at(4),
			replies: []comment{said(agent, at(1))}, // the reply at 2h was made private
			want:    []item.Event{vendorReply(at(1))},
		},
		{
			name:   "stored solved before solves were fed, still solved",
			stored: storedAs(item.StatusSolved, at(3), vendorReply(at(1))),
			status: item.StatusSolved, updated: at(5),
			replies: []comment{said(agent, at(1))},
			want:    []item.Event{vendorReply(at(1)), solved(at(3))},
		},
		{
			name:   "stored solved before solves were fed, now reopened",
			stored: storedAs(item.StatusSolved, at(3), vendorReply(at(1))),
			status: item.StatusOpen, updated: at(6),
			replies: []comment{said(agent, at(1)), said(requester, at(5))},
			want:    []item.Event{vendorReply(at(1)), solved(at(3)), customerReply(at(5)), reopened(at(5))},
		},
	}
	c := &collector{colleagues: map[int64]bool{colleague: true}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := request{id: 7, requester: requester, status: tc.status, created: created, updated: tc.updated}
			comments := append([]comment{said(requester, created)}, tc.replies...)
			var storedEvents []item.Event
			if tc.stored != nil {
				storedEvents = slices.Clone(tc.stored.Events)
			}

			got := c.ticket(r, comments, tc.stored)

			if !slices.Equal(got.Events, tc.want) {
				t.Errorf("events\n%v\nwant\n%v", got.Events, tc.want)
			}
			if tc.stored != nil && !slices.Equal(tc.stored.Events, storedEvents) {
				t.Errorf("stored events changed to %v", tc.stored.Events)
			}
			// A re-fetch after a crash finds this version stored.
			if again := c.ticket(r, comments, &got); !slices.Equal(again.Events, got.Events) {
				t.Errorf("fetched again: events\n%v\nwant them unchanged\n%v", again.Events, got.Events)
			}
		})
	}
}
