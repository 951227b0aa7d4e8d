package gcpsupport

import (
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// statusEvents returns a case's solved and reopened events. The API shows
// the current state only, with no history and no solve time, so they are
// told from the stored version (nil when none), whose own solved and
// reopened events are carried forward, as zendesk_requests does
// (docs/sources.md):
//
//   - a case first seen SOLUTION_PROVIDED or CLOSED, or seen so after a
//     version stored open, is solved at its updateTime: the latest it can
//     have been solved;
//   - a case stored solved and now open again (a reply to the solution
//     reopens it: Google sets it back in progress) is reopened at the
//     buyer's first comment after the stored update, else at its
//     updateTime.
//
// A state changed and changed back between two polls is not seen.
func statusEvents(stored *item.Ticket, st item.Status, updated time.Time, replies []item.Event) []item.Event {
	events := source.SolvesAndReopens(stored)
	var storedAt time.Time
	if stored != nil {
		storedAt = stored.UpdatedAt
	}
	ended := len(events) > 0 && events[len(events)-1].Kind == item.EventSolved
	settled := st == item.StatusSolved || st == item.StatusClosed
	switch {
	case settled && !ended:
		events = append(events, item.Event{Kind: item.EventSolved, At: updated})
	case !settled && ended:
		at := updated
		for _, e := range replies {
			if e.Kind == item.EventCustomerReply && e.At.After(storedAt) {
				at = e.At
				break
			}
		}
		events = append(events, item.Event{Kind: item.EventReopened, At: at})
	}
	return events
}

// withStatusEvents merges replies and status events in time order; at the
// same instant the reply comes first (the reply that reopens a case
// precedes the reopen, the answer sent with a solution the solve).
func withStatusEvents(replies, status []item.Event) []item.Event {
	events := slices.Concat(replies, status)
	slices.SortStableFunc(events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	return events
}
