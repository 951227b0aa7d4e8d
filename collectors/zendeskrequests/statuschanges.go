package zendeskrequests

import (
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// statusEvents returns a request's solved and reopened events. The Requests
// API shows the current status only, with no solve time and no history, so
// they are inferred by comparing the fetched request with its stored version
// (nil when none), whose own solved and reopened events are carried forward:
// the store keeps the events of the latest fetch as they are.
//
// The stored events end with a solve exactly when the stored version was
// solved or closed. A change from open-like to solved adds a solve, and the
// reverse a reopen. A status changed and changed back between two syncs is
// not seen. Fetching the same version again adds nothing.
func statusEvents(stored *item.Ticket, r request, replies []item.Event) []item.Event {
	events := source.SolvesAndReopens(stored)
	var storedAt time.Time
	if stored != nil {
		storedAt = stored.UpdatedAt
		if settled(stored.Status) && !endsSolved(events) {
			// Stored before this collector fed solves: it was solved by
			// that version's update at the latest.
			events = append(events, item.Event{Kind: item.EventSolved, At: stored.UpdatedAt})
		}
	}
	switch {
	case settled(r.status) && !endsSolved(events):
		// The request was solved as of its last update: that is the latest
		// it can have been solved (or, closed, the close itself).
		events = append(events, item.Event{Kind: item.EventSolved, At: r.updated})
	case !settled(r.status) && endsSolved(events):
		events = append(events, item.Event{Kind: item.EventReopened, At: reopenedAt(replies, storedAt, r.updated)})
	}
	return events
}

// reopenedAt is the latest a request, solved as of since and open as of
// updated, can have been reopened. An end user's reply to a solved request
// reopens it: the first customer reply after since, if any; otherwise an
// agent reopened it, by its update. replies are in time order.
func reopenedAt(replies []item.Event, since, updated time.Time) time.Time {
	for _, e := range replies {
		if e.Kind == item.EventCustomerReply && e.At.After(since) {
			return e.At
		}
	}
	return updated
}

// withStatusEvents merges replies and status events into one timeline in
// time order. The sort is stable, so at the same instant the replies come
// first: the reply that reopens a request precedes the reopen (else package
// quality would count it as a follow-up), and the reply sent with a solve
// precedes the solve.
func withStatusEvents(replies, status []item.Event) []item.Event {
	events := slices.Concat(replies, status)
	slices.SortStableFunc(events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	return events
}

// settled reports whether a request in status s is solved or closed.
func settled(s item.Status) bool {
	return s == item.StatusSolved || s == item.StatusClosed
}

// endsSolved reports whether the last status event is a solve.
func endsSolved(status []item.Event) bool {
	return len(status) > 0 && status[len(status)-1].Kind == item.EventSolved
}
