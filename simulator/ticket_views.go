package simulator

import (
	"cmp"
	"math"
	"slices"
	"strconv"
)

// The ticket formats other than Zendesk's export (Freshdesk, GitHub issues,
// Zendesk's Requests API) show the same generated tickets through other
// lenses; these are the views they share.

// ticketComment is one public message of a ticket's conversation, the
// description included: the customer's (creation, replies, chases,
// reopening replies) or the vendor's (replies, holds, solves).
type ticketComment struct {
	at     int64
	kind   stepKind
	vendor bool
	seq    int // position in the conversation, from 0 (the description)
}

// comments are the ticket's public messages so far, oldest first; the
// description is dated at the creation shown.
func (s *ticketState) comments() []ticketComment {
	var out []ticketComment
	for _, st := range s.tl.steps[:s.n] {
		if st.kind.vendorReply() || st.kind.customerComment() {
			at := st.at
			if st.kind == stepCreated {
				at = s.created
			}
			out = append(out, ticketComment{at: at, kind: st.kind, vendor: st.kind.vendorReply(), seq: len(out)})
		}
	}
	return out
}

// commentID numbers a ticket's messages: unique per vendor, stable across
// polls, growing along a conversation.
func commentID(tl *timeline, seq int) int64 { return 20000000000 + tl.id()*1000 + int64(seq) }

// latestUpdates are the tickets whose latest update as of now is at or
// after since, in (update, ticket) order, each at that update.
func (w *world) latestUpdates(since, now int64) []hit {
	hits, _ := w.indexFor(now).page(w.t0, position{at: since, ticket: -1}, now, math.MaxInt)
	return hits
}

// listed is latestUpdates without the deleted tickets, which every list
// but Zendesk's export leaves out.
func (w *world) listed(since, now int64) []hit {
	return slices.DeleteFunc(w.latestUpdates(since, now), func(h hit) bool { return w.deleted(h.ticket, now) })
}

// changedSince lists, in ascending order, the tickets with any update at or
// after since and at or before now: the candidates of a format whose
// update time is not Zendesk's (GitHub shows no rating, for one) or that
// lists past events (Freshdesk's ratings).
func (w *world) changedSince(since, now int64) []int {
	ix := w.indexFor(now)
	from, to := since-w.t0, now-w.t0
	seen := map[uint32]bool{}
	var out []int
	start, _ := slices.BinarySearchFunc(ix.entries, max(from, 0), func(e entry, off int64) int {
		return cmp.Compare(int64(e.at), off)
	})
	for _, e := range ix.entries[start:] {
		if int64(e.at) > to {
			break
		}
		if !seen[e.ticket] && !w.deleted(int(e.ticket), now) {
			seen[e.ticket] = true
			out = append(out, int(e.ticket))
		}
	}
	slices.Sort(out)
	return out
}

// ticketDescription is the text of the customer's first message.
func ticketDescription(tl *timeline) string {
	return topics[tl.topic].subject + ". Ticket " + strconv.FormatInt(tl.id(), 10) + " of the support simulator."
}
