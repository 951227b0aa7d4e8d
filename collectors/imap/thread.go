package imap

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// Bounds of what the cursor carries besides the folders' positions.
const (
	// maxPending threads of vendor messages wait for their ticket: replies
	// to a customer message not read yet (in a folder read later, or
	// arriving later).
	maxPending = 500
	// maxPendingEvents bounds the events a pending thread keeps.
	maxPendingEvents = 20
	// maxSkip threads are remembered as no tickets (opened by the vendor,
	// or before history_start), so that a later reply does not make one.
	maxSkip = 2000
	// maxKnown messages are remembered with their thread (a digest of
	// the Message-ID and the thread's id), so that a later reply naming
	// only one of them (In-Reply-To alone, as Outlook writes) joins its
	// ticket rather than starting one.
	maxKnown = 2000
	// maxRefused messages refused at the door (their refs) are
	// remembered, so that one read again (held before, or after a
	// message held) is counted in support_items_rejected_total once.
	maxRefused = 500
)

// cursor is the stored position: per folder, its UIDVALIDITY, the last
// UID read and HIGHESTMODSEQ; the vendor messages waiting for a ticket;
// the threads that are no tickets (digests).
type cursor struct {
	Folders map[string]folderState `json:"folders,omitempty"`
	Pending []pending              `json:"pending,omitempty"`
	Skip    []string               `json:"skip,omitempty"`
	Known   []known                `json:"known,omitempty"`
	// Subjects are the first customer subject of the latest threads
	// (digests of the thread and of the subject).
	Subjects []known `json:"subjects,omitempty"`
	// Refused are the refs of the latest messages refused at the door.
	Refused []string `json:"refused,omitempty"`
}

// known is a message read before: the digest of its Message-ID and its
// thread.
type known struct {
	ID     string `json:"m"`
	Thread string `json:"t"`
}

type folderState struct {
	Validity uint32 `json:"uidvalidity"`
	Last     uint32 `json:"last_uid,omitempty"`
	ModSeq   uint64 `json:"highestmodseq,omitempty"`
}

// pending are the events of a thread that is no ticket yet.
type pending struct {
	Thread string       `json:"thread"`
	Events []item.Event `json:"events"`
	Tags   []string     `json:"tags,omitempty"`
}

// message is one message, classified.
type message struct {
	folder   int // its index in the options' folders
	uid      uint32
	ref      string
	id       string   // Message-ID; empty when none
	links    []string // the ids it names (References, In-Reply-To)
	gmail    bool     // thread is Gmail's X-GM-THRID
	thread   string
	reply    bool // refers to another message
	at       time.Time
	vendor   bool
	machine  bool // auto-reply (or, the vendor's, acknowledgement): no response
	solved   bool
	reopened bool
	tags     []string
	// subject is its base subject's key (subjectKey); the vendor's
	// subject patterns count unless it is the thread's first customer
	// subject (state.judge).
	subject                                    string
	subjectAck, subjectSolved, subjectReopened bool
	// drill: its subject holds an off-hours drill's marker
	// (item.DrillMarked); a thread it opens is a drill ticket.
	drill bool
}

// state is a sync's view of the threads: the cursor's pending and skip
// lists, and what this sync added to them.
type state struct {
	openedByAnyone bool
	historyStart   time.Time
	pending        map[string]*pending
	order          []string // pending threads, oldest first
	skip           map[string]bool
	skipOrder      []string
	known          map[string]string // digest of a Message-ID -> its thread
	knownOrder     []string
	subjects       map[string]string // digest of a thread -> its first customer subject's key
	subjectOrder   []string
	refusedRefs    map[string]bool
	refusedOrder   []string
}

func newState(c *cursor, anyone bool, historyStart time.Time) *state {
	s := &state{openedByAnyone: anyone, historyStart: historyStart, pending: map[string]*pending{},
		skip: map[string]bool{}, known: map[string]string{}, subjects: map[string]string{}, refusedRefs: map[string]bool{}}
	for i := range c.Pending {
		p := c.Pending[i]
		s.pending[p.Thread] = &p
		s.order = append(s.order, p.Thread)
	}
	for _, d := range c.Skip {
		s.skip[d] = true
		s.skipOrder = append(s.skipOrder, d)
	}
	for _, k := range c.Known {
		if _, ok := s.known[k.ID]; !ok {
			s.knownOrder = append(s.knownOrder, k.ID)
		}
		s.known[k.ID] = k.Thread
	}
	for _, r := range c.Refused {
		s.refuse(r)
	}
	for _, k := range c.Subjects {
		if _, ok := s.subjects[k.ID]; !ok {
			s.subjectOrder = append(s.subjectOrder, k.ID)
		}
		s.subjects[k.ID] = k.Thread
	}
	return s
}

// judge settles a vendor message's subject patterns: they count unless
// its base subject is the one its thread's first customer message had
// (a "Re: Ticket was created twice" is the customer's words).
func (s *state) judge(m *message) {
	if !m.vendor {
		return
	}
	if first, ok := s.subjects[digest(m.thread)]; ok && first == m.subject {
		return
	}
	m.machine = m.machine || m.subjectAck
	m.solved = m.solved || m.subjectSolved
	m.reopened = m.reopened || m.subjectReopened
}

// firstSubject remembers the subject of a thread's first customer message.
func (s *state) firstSubject(m *message) {
	d := digest(m.thread)
	if _, ok := s.subjects[d]; ok {
		return
	}
	s.subjects[d] = m.subject
	s.subjectOrder = append(s.subjectOrder, d)
	if len(s.subjectOrder) > maxKnown {
		delete(s.subjects, s.subjectOrder[0])
		s.subjectOrder = s.subjectOrder[1:]
	}
}

func (s *state) refused(ref string) bool { return s.refusedRefs[ref] }

// refuse remembers a message refused at the door, the maxRefused latest.
func (s *state) refuse(ref string) {
	if s.refusedRefs[ref] {
		return
	}
	s.refusedRefs[ref] = true
	s.refusedOrder = append(s.refusedOrder, ref)
	if len(s.refusedOrder) > maxRefused {
		delete(s.refusedRefs, s.refusedOrder[0])
		s.refusedOrder = s.refusedOrder[1:]
	}
}

func (s *state) refusedList() []string { return slices.Clone(s.refusedOrder) }

// subjectList is the first customer subjects the final cursor carries.
func (s *state) subjectList() []known {
	list := make([]known, 0, len(s.subjectOrder))
	for _, d := range s.subjectOrder {
		list = append(list, known{ID: d, Thread: s.subjects[d]})
	}
	return list
}

// resolve sets m's thread from the messages known before it: the thread
// of the first id it names (References, then In-Reply-To) that is a known
// message, else the one its header gives. A reply naming only its parent
// (the vendor's reply) so joins the parent's ticket. It then remembers m.
func (s *state) resolve(m *message) {
	if !m.gmail {
		for _, id := range m.links {
			if th, ok := s.known[digest(id)]; ok {
				m.thread = th
				m.reply = true
				break
			}
		}
	}
	if m.id == "" {
		return
	}
	d := digest(m.id)
	if _, ok := s.known[d]; !ok {
		s.knownOrder = append(s.knownOrder, d)
	}
	s.known[d] = m.thread
}

// knownList is the known messages the final cursor carries: the
// maxKnown most recently read.
func (s *state) knownList() []known {
	if n := len(s.knownOrder); n > maxKnown {
		for _, d := range s.knownOrder[:n-maxKnown] {
			delete(s.known, d)
		}
		s.knownOrder = s.knownOrder[n-maxKnown:]
	}
	list := make([]known, 0, len(s.knownOrder))
	for _, d := range s.knownOrder {
		list = append(list, known{ID: d, Thread: s.known[d]})
	}
	return list
}

func digest(thread string) string {
	d := sha256.Sum256([]byte(thread))
	return base64.RawURLEncoding.EncodeToString(d[:12])
}

func (s *state) skipThread(thread string) {
	d := digest(thread)
	if s.skip[d] {
		return
	}
	s.skip[d] = true
	s.skipOrder = append(s.skipOrder, d)
	if len(s.skipOrder) > maxSkip {
		delete(s.skip, s.skipOrder[0])
		s.skipOrder = s.skipOrder[1:]
	}
	delete(s.pending, thread)
}

// apply adds m to its thread: t is the thread's ticket (stored, or built
// in this batch), nil when none; it returns the ticket to store, nil when
// the thread is no ticket (yet). The rules are docs/sources.md's (`imap`).
func (s *state) apply(t *item.Ticket, m *message) *item.Ticket {
	if s.skip[digest(m.thread)] {
		return nil
	}
	if !m.vendor && m.machine {
		return t // no message of the customer's
	}
	if t == nil {
		switch {
		case m.vendor && !m.reply:
			// A thread the vendor opened: no ticket with tickets_opened_by
			// customer; with anyone, its messages before the customer's
			// first one are no replies, so it need not be kept.
			if !s.openedByAnyone {
				s.skipThread(m.thread)
			}
			return nil
		case m.vendor:
			s.hold(m)
			return nil
		case m.at.Before(s.historyStart):
			s.skipThread(m.thread)
			return nil
		}
		s.firstSubject(m)
		// A drill's mail (exporter/drill, the smtp option) carries its
		// marker in the subject: the thread is no customer signal.
		t = &item.Ticket{ID: m.thread, CreatedAt: m.at, UpdatedAt: m.at, Status: item.StatusOpen, Tags: m.tags,
			Drill: m.drill}
		s.adopt(t)
		return normalize(t)
	}
	if !m.vendor && m.at.Equal(t.CreatedAt) {
		s.firstSubject(m) // the creating message, read again
		t.Drill = t.Drill || m.drill
	}
	// A ticket stored by a sync that died before its cursor: the vendor
	// messages the stored cursor holds for it are its own.
	s.adopt(t)
	for _, e := range t.Events {
		if e.Ref == m.ref {
			return normalize(t) // read before: from another folder, or again
		}
	}
	// Before the creation: the creating message read again (it carries
	// no event), or one read after its ticket was stored.
	if m.at.Before(t.CreatedAt) || (!m.vendor && !m.at.After(t.CreatedAt)) {
		return normalize(t)
	}
	t.Events = append(t.Events, events(m)...)
	t.Tags = append(t.Tags, m.tags...)
	return normalize(t)
}

// adopt moves the vendor messages waiting for t's thread into t: those
// at or after its creation (before it, the vendor answered no ticket).
func (s *state) adopt(t *item.Ticket) {
	p := s.pending[t.ID]
	if p == nil {
		return
	}
	for _, e := range p.Events {
		if !e.At.Before(t.CreatedAt) && !slices.ContainsFunc(t.Events, func(x item.Event) bool { return x.Ref == e.Ref && x.Kind == e.Kind }) {
			t.Events = append(t.Events, e)
		}
	}
	t.Tags = append(t.Tags, p.Tags...)
	delete(s.pending, t.ID)
}

// events are the timeline entries of a message.
func events(m *message) []item.Event {
	var es []item.Event
	if !m.vendor {
		return append(es, item.Event{Kind: item.EventCustomerReply, At: m.at, Ref: m.ref})
	}
	if !m.machine {
		es = append(es, item.Event{Kind: item.EventVendorReply, At: m.at, Ref: m.ref})
	}
	if m.solved {
		es = append(es, item.Event{Kind: item.EventSolved, At: m.at, Ref: m.ref})
	}
	if m.reopened {
		es = append(es, item.Event{Kind: item.EventReopened, At: m.at, Ref: m.ref})
	}
	return es
}

// hold keeps a vendor reply to a thread that is no ticket yet: its
// events (the first maxPendingEvents of the thread: the first response
// is among them) and its tags. A message that makes no event (an
// acknowledgement) and no tag is not kept.
func (s *state) hold(m *message) {
	es := events(m)
	if len(es) == 0 && len(m.tags) == 0 {
		return
	}
	p := s.pending[m.thread]
	if p == nil {
		p = &pending{Thread: m.thread}
		s.pending[m.thread] = p
	}
	if slices.ContainsFunc(p.Events, func(e item.Event) bool { return e.Ref == m.ref }) {
		return
	}
	// Held last: the latest place in the order (pendingList keeps a
	// thread's last place).
	s.order = append(s.order, m.thread)
	if len(p.Events)+len(es) <= maxPendingEvents {
		p.Events = append(p.Events, es...)
	}
	for _, tag := range m.tags {
		if !slices.Contains(p.Tags, tag) {
			p.Tags = append(p.Tags, tag)
		}
	}
}

// pendingList is the pending threads the final cursor carries, least
// recently held first: the maxPending most recently held (a thread held
// again moves to the end).
func (s *state) pendingList() []pending {
	var list []pending
	var order []string
	seen := map[string]bool{}
	for _, th := range slices.Backward(s.order) {
		if p := s.pending[th]; p != nil && !seen[th] {
			seen[th] = true
			order = append(order, th)
		}
	}
	slices.Reverse(order)
	if len(order) > maxPending {
		for _, th := range order[:len(order)-maxPending] {
			delete(s.pending, th)
		}
		order = order[len(order)-maxPending:]
	}
	s.order = order
	for _, th := range order {
		list = append(list, *s.pending[th])
	}
	return list
}

// eventOrder sorts events of one instant: replies, then what they did.
var eventOrder = map[item.EventKind]int{item.EventCustomerReply: 0, item.EventVendorReply: 1, item.EventSolved: 2, item.EventReopened: 3}

// normalize orders the timeline and derives what follows from it: a
// customer message after a solve reopens the ticket (as Zendesk does); a
// solve of a solved ticket is none; the status is the last word.
func normalize(t *item.Ticket) *item.Ticket {
	customer := map[string]bool{}
	for _, e := range t.Events {
		if e.Kind == item.EventCustomerReply {
			customer[e.Ref] = true
		}
	}
	var primary []item.Event
	seen := map[item.Event]bool{}
	for _, e := range t.Events {
		key := item.Event{Kind: e.Kind, Ref: e.Ref}
		if (e.Kind == item.EventReopened && customer[e.Ref]) || seen[key] {
			continue // derived below, or twice
		}
		seen[key] = true
		primary = append(primary, e)
	}
	slices.SortStableFunc(primary, func(a, b item.Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return eventOrder[a.Kind] - eventOrder[b.Kind]
	})
	solved := false
	t.Events = t.Events[:0]
	for _, e := range primary {
		switch e.Kind {
		case item.EventSolved:
			if solved {
				continue
			}
			solved = true
		case item.EventReopened:
			if !solved {
				continue
			}
			solved = false
		case item.EventCustomerReply:
			if solved {
				t.Events = append(t.Events, e)
				e.Kind, solved = item.EventReopened, false
			}
		}
		t.Events = append(t.Events, e)
	}
	t.Status = item.StatusOpen
	if solved {
		t.Status = item.StatusSolved
	}
	t.UpdatedAt = t.CreatedAt
	if n := len(t.Events); n > 0 && t.Events[n-1].At.After(t.UpdatedAt) {
		t.UpdatedAt = t.Events[n-1].At
	}
	slices.Sort(t.Tags)
	t.Tags = slices.Compact(t.Tags)
	if len(t.Tags) == 0 {
		t.Tags = nil
	}
	return t
}

// unchanged reports whether t says what the stored version s said.
func unchanged(s, t *item.Ticket) bool {
	return s.ID == t.ID && s.CreatedAt.Equal(t.CreatedAt) && s.UpdatedAt.Equal(t.UpdatedAt) &&
		s.Status == t.Status && s.Drill == t.Drill && slices.Equal(s.Tags, t.Tags) &&
		slices.EqualFunc(s.Events, t.Events, func(a, b item.Event) bool { return a.Kind == b.Kind && a.At.Equal(b.At) && a.Ref == b.Ref })
}
