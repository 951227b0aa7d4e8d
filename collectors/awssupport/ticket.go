package awssupport

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// statuses maps AWS's case statuses onto the model (docs/sources.md,
// `aws_support`); an unknown one is open.
var statuses = map[string]item.Status{
	"unassigned":                item.StatusNew,
	"opened":                    item.StatusOpen,
	"work-in-progress":          item.StatusOpen,
	"customer-action-completed": item.StatusOpen,
	"reopened":                  item.StatusOpen,
	"pending-customer-action":   item.StatusPending,
	"resolved":                  item.StatusSolved,
}

// ticket turns a case into a ticket, and notes it as read. The ticket's ID
// is empty when nothing is to be stored: a case before history_start,
// refused at the door, or the same as stored.
func (w *walk) ticket(ctx context.Context, cd *caseDetails) (item.Ticket, error) {
	c := w.c
	created, err := parseTime(cd.TimeCreated)
	if err != nil || cd.CaseID == "" {
		return item.Ticket{}, fetch.DecodeError(c.url, cmpErr(err, "a case without caseId"))
	}
	if created.Before(c.historyStart) {
		return item.Ticket{}, nil
	}
	note := func(resolved time.Time) {
		if _, ok := w.read[cd.CaseID]; !ok {
			w.order = append(w.order, cd.CaseID)
		}
		w.read[cd.CaseID] = watched{ID: cd.CaseID, Created: created, Resolved: resolved}
	}
	if r := c.bounds.Check(created); r != "" {
		c.rejected(r)
		note(time.Time{}) // read again until AWS dates it plausibly
		return item.Ticket{}, nil
	}
	stored, err := c.stored(cd.CaseID)
	if err != nil {
		return item.Ticket{}, err
	}
	replies, seen, err := w.conversation(ctx, cd, stored)
	if err != nil {
		return item.Ticket{}, fmt.Errorf("case %s: %w", cd.CaseID, err)
	}
	status, ok := statuses[cd.Status]
	if !ok {
		status = item.StatusOpen
	}
	t := item.Ticket{ID: cd.CaseID, CreatedAt: created, UpdatedAt: created, Priority: cd.SeverityCode, Status: status, Seen: seen}
	t.Events = append(replies, c.solves(stored, status, created, replies)...)
	slices.SortStableFunc(t.Events, func(a, b item.Event) int { return a.At.Compare(b.At) })
	var solved time.Time
	for _, e := range t.Events {
		t.UpdatedAt = later(t.UpdatedAt, e.At)
		if e.Kind == item.EventSolved {
			solved = e.At
		}
	}
	if r := c.bounds.Ticket(&t); r != "" {
		c.rejected(r)
		note(time.Time{})
		return item.Ticket{}, nil
	}
	if status == item.StatusSolved {
		note(solved)
	} else {
		note(time.Time{})
	}
	w.mark = later(w.mark, created)
	if stored != nil && unchanged(stored, &t) {
		return item.Ticket{}, nil
	}
	return t, nil
}

func cmpErr(err error, otherwise string) error {
	if err != nil {
		return err
	}
	return errors.New(otherwise)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// solves are the stored version's solve and reopen events, and new ones
// when the status changed since (docs/sources.md, `aws_support`): AWS
// dates neither. A solve is dated by the latest communication when that
// is newer than the version stored, else by the poll that first saw it; a
// reopen by the buyer's first communication since the version stored (a
// reply reopens a resolved case), else by that poll. A case first seen
// resolved is dated by its latest communication. A case stored resolved
// and resolved again, with a communication of the buyer's since its last
// solve, was reopened and resolved between two polls: reopened at that
// communication, solved at the latest one after it, else at the poll.
func (c *collector) solves(stored *item.Ticket, status item.Status, created time.Time, replies []item.Event) []item.Event {
	var prior []item.Event
	wasSolved := false
	var since, lastSolve time.Time
	if stored != nil {
		for _, e := range stored.Events {
			if e.Kind == item.EventSolved || e.Kind == item.EventReopened {
				prior = append(prior, e)
			}
			if e.Kind == item.EventSolved {
				lastSolve = later(lastSolve, e.At)
			}
		}
		wasSolved = stored.Status == item.StatusSolved
		since = stored.UpdatedAt
	}
	solved := status == item.StatusSolved
	latest := created
	var firstCustomer, afterReopen time.Time
	for _, e := range replies {
		latest = later(latest, e.At)
		if e.Kind == item.EventCustomerReply && e.At.After(since) && e.At.After(lastSolve) && (firstCustomer.IsZero() || e.At.Before(firstCustomer)) {
			firstCustomer = e.At
		}
	}
	if solved && wasSolved {
		if firstCustomer.IsZero() {
			return prior
		}
		for _, e := range replies {
			if e.At.After(firstCustomer) {
				afterReopen = later(afterReopen, e.At)
			}
		}
		if afterReopen.IsZero() {
			afterReopen = c.now().UTC()
		}
		return append(prior, c.clamp(prior, item.Event{Kind: item.EventReopened, At: firstCustomer}),
			c.clamp(prior, item.Event{Kind: item.EventSolved, At: later(afterReopen, firstCustomer)}))
	}
	if solved == wasSolved || (stored == nil && !solved) {
		return prior
	}
	e := item.Event{Kind: item.EventSolved, At: latest}
	switch {
	case !solved && !firstCustomer.IsZero() && stored != nil:
		e = item.Event{Kind: item.EventReopened, At: firstCustomer}
	case !solved:
		e = item.Event{Kind: item.EventReopened, At: c.now().UTC()}
	case stored != nil && !latest.After(since):
		e.At = c.now().UTC()
	}
	return append(prior, c.clamp(prior, e))
}

// clamp keeps e after the prior solves and reopens, and not later than the
// door allows.
func (c *collector) clamp(prior []item.Event, e item.Event) item.Event {
	if len(prior) > 0 && e.At.Before(prior[len(prior)-1].At) {
		e.At = prior[len(prior)-1].At
	}
	if b := c.bounds.Latest(); !b.IsZero() && e.At.After(b) {
		e.At = b
	}
	return e
}

// conversation returns the case's replies and the latest communication's
// time (Ticket.Seen). The five latest communications come with the case;
// the others are read with DescribeCommunications only when they may hold
// one not stored: when the stored version's latest is older than the
// oldest of the five, or nothing is stored.
func (w *walk) conversation(ctx context.Context, cd *caseDetails, stored *item.Ticket) ([]item.Event, string, error) {
	c := w.c
	var storedLatest time.Time
	var replies []item.Event
	if stored != nil && stored.Seen != "" {
		if t, err := time.Parse(time.RFC3339Nano, stored.Seen); err == nil {
			storedLatest = t
			for _, e := range stored.Events {
				if e.Kind == item.EventVendorReply || e.Kind == item.EventCustomerReply {
					replies = append(replies, e)
				}
			}
		}
	}
	comms := cd.RecentCommunications.Communications
	// The five latest are all there are only when AWS names no more and
	// shows fewer than five: AWS documents no nextToken's absence.
	complete := cd.RecentCommunications.NextToken == "" && len(comms) < recentCount
	if !complete {
		oldest, err := oldestOf(comms)
		if err != nil {
			return nil, "", err
		}
		if storedLatest.IsZero() || oldest.IsZero() || oldest.After(storedLatest) {
			if err := w.flush(); err != nil {
				return nil, "", err
			}
			var err error
			if comms, err = c.communications(ctx, cd.CaseID, storedLatest); err != nil {
				return nil, "", err
			}
			complete = storedLatest.IsZero()
		}
	}
	type comm struct {
		at     time.Time
		vendor bool
	}
	var read []comm
	for _, m := range comms {
		at, err := parseTime(m.TimeCreated)
		if err != nil {
			return nil, "", fetch.DecodeError(c.url, err)
		}
		if !at.After(storedLatest) || c.bounds.Check(at) != "" {
			continue
		}
		read = append(read, comm{at, c.vendor[m.SubmittedBy]})
	}
	slices.SortStableFunc(read, func(a, b comm) int { return a.at.Compare(b.at) })
	if complete && storedLatest.IsZero() && len(read) > 0 && !read[0].vendor {
		read = read[1:] // the case's description: the ticket itself
	}
	latest := storedLatest
	for _, m := range read {
		kind := item.EventCustomerReply
		if m.vendor {
			kind = item.EventVendorReply
		}
		replies = append(replies, item.Event{Kind: kind, At: m.at})
		latest = later(latest, m.at)
	}
	if latest.IsZero() {
		return replies, "", nil
	}
	return replies, latest.Format(time.RFC3339Nano), nil
}

func oldestOf(comms []communication) (time.Time, error) {
	var oldest time.Time
	for _, m := range comms {
		at, err := parseTime(m.TimeCreated)
		if err != nil {
			return time.Time{}, err
		}
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	return oldest, nil
}

// communications reads a case's communications after after (all of them
// when zero), every page; a communication a page repeats (the same time,
// author and body) is read once.
func (c *collector) communications(ctx context.Context, caseID string, after time.Time) ([]communication, error) {
	req := describeCommunications{CaseID: caseID, MaxResults: commsPerPage, AfterTime: timeParam(after)}
	var out []communication
	seen := map[string]bool{}
	read := map[[sha256.Size]byte]bool{}
	for {
		var p communications
		if err := c.call(ctx, "DescribeCommunications", req, &p); err != nil {
			return nil, err
		}
		for _, m := range p.Communications {
			key := sha256.Sum256([]byte(m.TimeCreated + "\x00" + m.SubmittedBy + "\x00" + m.Body))
			if !read[key] {
				read[key] = true
				m.Body = ""
				out = append(out, m)
			}
		}
		if p.NextToken == "" {
			return out, nil
		}
		if seen[p.NextToken] {
			return nil, fetch.LoopError(c.url, errors.New("nextToken named twice"))
		}
		seen[p.NextToken] = true
		req.NextToken = p.NextToken
	}
}

// unchanged reports whether t says what the stored version s said.
func unchanged(s, t *item.Ticket) bool {
	return s.ID == t.ID && s.CreatedAt.Equal(t.CreatedAt) && s.UpdatedAt.Equal(t.UpdatedAt) &&
		s.Status == t.Status && s.Priority == t.Priority && s.Seen == t.Seen &&
		slices.EqualFunc(s.Events, t.Events, func(a, b item.Event) bool { return a.Kind == b.Kind && a.At.Equal(b.At) })
}
