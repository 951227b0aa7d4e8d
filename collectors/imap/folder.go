package imap

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/commands"
	"github.com/emersion/go-imap/responses"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

const (
	// chunkSize is the messages of one header FETCH, and the tickets of
	// one batch.
	chunkSize = 200
	// maxHeaderBytes caps the header fields read of one message: one more
	// byte is asked for, and a message that fills it is skipped (counted
	// as rejected, too_large). Legitimate headers are far smaller, even a
	// long References chain.
	maxHeaderBytes = 256 << 10
)

var headerSection = "BODY.PEEK[HEADER.FIELDS (" + strings.Join(headerFields, " ") + ")]<0." + strconv.Itoa(maxHeaderBytes+1) + ">"

// reader is one folder's reading in a sync.
type reader struct {
	name   string
	index  int         // in the options' folders: orders messages of one instant
	fs     folderState // the UIDVALIDITY and HIGHESTMODSEQ to store; Last: where this sync started
	sets   []*goimap.SeqSet
	opened bool      // fs holds the folder's state to store (STATUS, and EXAMINE for new mail, ran)
	done   bool      // read to its end, or to a message dated in the future, or renumbered
	cut    bool      // renumbered in the sync: done, not read to its end
	held   bool      // its walk ended before a message dated in the future
	last   uint32    // every UID up to it was read
	latest time.Time // the latest time of a message read
}

// read reads the folders' new messages, a chunk of each in turn: a read
// cut short (max_requests_per_sync, a fault) has read into every folder
// with new mail, so that settle can judge some of it whatever the order
// of the folders. Switching folders costs an EXAMINE; a poll with few new
// messages reads each folder in one turn.
func (w *walk) read(ctx context.Context) error {
	for i, name := range w.c.opts.Folders {
		w.folders = append(w.folders, &reader{name: name, index: i})
	}
	for {
		more := false
		for _, r := range w.folders {
			if r.done {
				continue
			}
			if err := w.step(ctx, r); err != nil {
				return fmt.Errorf("folder %q: %w", r.name, err)
			}
			more = more || !r.done
		}
		if !more {
			return nil
		}
	}
}

// step reads one chunk of r's folder: first STATUS, which ends a folder
// with nothing new, then EXAMINE and the new UIDs.
func (w *walk) step(ctx context.Context, r *reader) error {
	if !r.opened {
		return w.open(ctx, r)
	}
	if w.selected != r.name {
		sel, err := w.examine(ctx, r.name)
		if err != nil {
			return err
		}
		if v := sel.Mailbox.UidValidity; v != 0 && v != r.fs.Validity {
			// Renumbered since this sync began: what was read stands (up
			// to the frontier, as the rest is unread), and the next sync
			// finds the new UIDVALIDITY and reads the folder again.
			r.done, r.cut = true, true
			return nil
		}
	}
	return w.chunk(ctx, r)
}

// open runs STATUS, and EXAMINE and UID SEARCH when the folder has new
// mail, then reads its first chunk.
func (w *walk) open(ctx context.Context, r *reader) error {
	s := w.s
	items := []goimap.StatusItem{goimap.StatusUidNext, goimap.StatusUidValidity}
	if s.caps["CONDSTORE"] {
		items = append(items, "HIGHESTMODSEQ")
	}
	st := &responses.Status{Mailbox: goimap.NewMailboxStatus(r.name, nil)}
	if err := s.run(ctx, "STATUS", &commands.Status{Mailbox: r.name, Items: items}, st, fetch.ReasonAuth); err != nil {
		return err
	}
	mb := st.Mailbox
	modseq := modSeq(mb.Items["HIGHESTMODSEQ"])
	fs, known := w.cur.Folders[r.name]
	r.fs, r.last, r.opened = fs, fs.Last, known
	switch {
	case known && fs.Validity == mb.UidValidity:
		// Caught up: UIDNEXT did not move, or (a server that omits it)
		// HIGHESTMODSEQ did not. A flag changed (a message read) moves
		// HIGHESTMODSEQ alone: nothing to store.
		if (mb.UidNext != 0 && mb.UidNext <= fs.Last+1) || (mb.UidNext == 0 && modseq != 0 && modseq == fs.ModSeq) {
			r.done = true
			return nil
		}
	case known:
		w.c.logger.Info("imap: the folder's UIDVALIDITY changed: reading it again (messages already read count once)",
			"folder", r.name, "was", fs.Validity, "now", mb.UidValidity)
		fs = folderState{Validity: mb.UidValidity}
	default:
		fs = folderState{Validity: mb.UidValidity}
	}
	sel, err := w.examine(ctx, r.name)
	if err != nil {
		return err
	}
	if v := sel.Mailbox.UidValidity; v != 0 && v != fs.Validity {
		fs = folderState{Validity: v} // changed since STATUS
	}
	fs.ModSeq = modseq
	r.fs, r.last, r.opened = fs, fs.Last, true
	uidNext := sel.Mailbox.UidNext
	if uidNext == 0 {
		uidNext = mb.UidNext
	}
	switch {
	case uidNext != 0 && uidNext <= fs.Last+1:
		r.done = true
		return nil
	case uidNext != 0 && uidNext-fs.Last-1 <= chunkSize:
		// Few enough UIDs to FETCH the range at once, without a SEARCH.
		r.sets = []*goimap.SeqSet{rangeSet(fs.Last+1, uidNext-1)}
	default:
		search := &responses.Search{}
		cmd := &commands.Uid{Cmd: &commands.Search{Criteria: &goimap.SearchCriteria{Uid: rangeSet(fs.Last+1, 0)}}}
		if err := s.run(ctx, "UID SEARCH", cmd, search, fetch.ReasonHTTP); err != nil {
			return err
		}
		var uids []uint32
		for _, u := range search.Ids {
			if u > fs.Last { // n:* includes the last UID when none is newer
				uids = append(uids, u)
			}
		}
		slices.Sort(uids)
		// Every message is held until settle: room for them at once, not
		// by doubling (a large first sync's peak memory).
		w.msgs = slices.Grow(w.msgs, len(uids))
		for chunk := range slices.Chunk(uids, chunkSize) {
			set := new(goimap.SeqSet)
			set.AddNum(chunk...)
			r.sets = append(r.sets, set)
		}
	}
	return w.chunk(ctx, r)
}

func (w *walk) examine(ctx context.Context, name string) (*responses.Select, error) {
	sel := &responses.Select{Mailbox: goimap.NewMailboxStatus(name, nil)}
	if err := w.s.run(ctx, "EXAMINE", &commands.Select{Mailbox: name, ReadOnly: true}, sel, fetch.ReasonAuth); err != nil {
		return nil, err
	}
	w.selected = name
	return sel, nil
}

func rangeSet(from, to uint32) *goimap.SeqSet {
	set := new(goimap.SeqSet)
	set.AddRange(from, to)
	return set
}

func modSeq(v any) uint64 {
	if v == nil {
		return 0
	}
	n, _ := strconv.ParseUint(fmt.Sprint(v), 10, 64)
	return n
}

// read is a message as a chunk reads it.
type read struct {
	m    message
	h    header
	part textPart
	body bool // the patterns need its body
}

// chunk reads the headers of the messages of r's next set, their bodies
// where a pattern needs them, and keeps them classified for settle.
func (w *walk) chunk(ctx context.Context, r *reader) error {
	all, last, hold, latest, err := w.headers(ctx, r.name, r.index, r.fs.Validity, r.sets[0])
	if err != nil {
		return err
	}
	texts, err := w.bodies(ctx, all)
	if err != nil {
		return err
	}
	for _, rd := range all {
		body := ""
		if rd.body {
			body = decodeText(rd.part, []byte(texts[rd.m.uid]))
		}
		w.c.classify(&rd.m, &rd.h, body)
		w.msgs = append(w.msgs, rd.m)
	}
	r.sets = r.sets[1:]
	r.last = max(r.last, last)
	if latest.After(r.latest) {
		r.latest = latest
	}
	if hold != 0 {
		// The walk of the folder ends before a message dated in the
		// future: it is read again until its time is plausible.
		r.last = min(r.last, hold-1)
		r.done, r.held = true, true
	}
	if len(r.sets) == 0 {
		r.done = true
	}
	return nil
}

// headers reads the header fields of set's messages in folder (its index
// in the options): those to classify, the last UID read, the first dated
// in the future (0: none), and the latest time read.
func (w *walk) headers(ctx context.Context, folder string, index int, validity uint32, set *goimap.SeqSet) (all []*read, last, hold uint32, latest time.Time, err error) {
	c, s := w.c, w.s
	items := []goimap.FetchItem{goimap.FetchUid, goimap.FetchInternalDate, goimap.FetchItem(headerSection)}
	bodies := c.opts.MaxBodyBytes > 0 && len(c.ack)+len(c.solved)+len(c.reopened) > 0
	if bodies {
		items = append(items, goimap.FetchBodyStructure)
	}
	gmail := s.caps["X-GM-EXT-1"]
	if gmail {
		items = append(items, "X-GM-THRID", "X-GM-MSGID")
	}
	msgs, err := w.fetch(ctx, set, items)
	if err != nil {
		return nil, 0, 0, time.Time{}, err
	}
	for _, im := range msgs {
		last = max(last, im.Uid)
		block := section(im)
		switch {
		case len(block) > maxHeaderBytes+1:
			// More than the partial FETCH asked for: the server, not a
			// message, misbehaves.
			return nil, 0, 0, time.Time{}, s.fail("UID FETCH", fetch.ReasonTooLarge, fmt.Errorf(
				"folder %q UID %d: %d bytes of header fields, more than the %d asked for", folder, im.Uid, len(block), maxHeaderBytes+1))
		case len(block) > maxHeaderBytes:
			// One hostile message must not stall the source: skipped,
			// counted, logged without its content.
			c.logger.Warn("imap: message skipped: its header fields exceed the cap",
				"folder", folder, "uid", im.Uid, "cap_bytes", maxHeaderBytes)
			c.env.Rejected(door.ReasonTooLarge)
			continue
		}
		h, err := parseHeader(block)
		if err != nil {
			// Like an oversized one: skipped for good, counted, logged
			// without its content (the parser's error may quote it).
			c.logger.Warn("imap: message skipped: its header fields do not parse",
				"folder", folder, "uid", im.Uid)
			c.env.Rejected(door.ReasonTooLarge)
			continue
		}
		h.date = messageTime(h.date, im.InternalDate.UTC(), c.env.Bounds)
		if h.date.After(latest) {
			latest = h.date
		}
		if h.from == "" {
			// No sender (the server sent no header, the message was
			// expunged meanwhile, or it is junk): nobody wrote it.
			continue
		}
		if h.id == "" {
			// INTERNALDATE tells apart messages without Message-ID that
			// share their other fields; a copy in another folder keeps it
			// (RFC 3501, COPY).
			h.fallback += "\x00" + im.InternalDate.UTC().Format(time.RFC3339)
		}
		if r := c.env.Bounds.Check(h.date); r != "" {
			// Counted the first time only: not when read before (a
			// position held before it, a read cut short), nor when the
			// cursor remembers it refused.
			ref := h.ref()
			stored, known := w.cur.Folders[folder]
			if !w.st.refused(ref) && !(known && stored.Validity == validity && im.Uid <= stored.Last) {
				c.env.Rejected(r)
			}
			w.st.refuse(ref)
			if r == door.ReasonFuture && (hold == 0 || im.Uid < hold) {
				// The walk of the folder ends before it: read again
				// until its time is plausible.
				hold = im.Uid
			}
			continue
		}
		// The thread id is cut from its header field: cloned, so that the
		// message held until settle does not keep the whole field.
		rd := &read{h: h, m: message{folder: index, uid: im.Uid, ref: h.ref(), id: strings.Clone(h.id), links: h.links,
			thread: strings.Clone(h.thread), reply: h.reply, at: h.date}}
		if rd.m.thread == "" {
			rd.m.thread = rd.m.ref
		}
		if thread, msg := im.Items["X-GM-THRID"], im.Items["X-GM-MSGID"]; gmail && thread != nil {
			// Gmail's thread id is the X-GM-MSGID of the thread's first
			// message: any other message of it is a reply.
			rd.m.thread = fmt.Sprint(thread)
			rd.m.reply = msg == nil || fmt.Sprint(msg) != rd.m.thread
			rd.m.gmail = true
		}
		// A thread known to be no ticket (a vendor's notice) needs no body.
		if bodies && c.needsBody(&h) && !w.st.skip[digest(rd.m.thread)] {
			rd.part, rd.body = chooseText(im.BodyStructure)
		}
		all = append(all, rd)
	}
	return all, last, hold, latest, nil
}

// dateTolerance is how much later than INTERNALDATE (the server's
// clock, at delivery or APPEND) a Date (the sender's clock) may lie: a
// later one is a clock running fast, and the message's time is its
// INTERNALDATE (docs/sources.md, `imap`).
const dateTolerance = time.Minute

// messageTime is a message's time: its Date, unless it is missing, later
// than INTERNALDATE plus dateTolerance, or implausible (before
// global.earliest_timestamp, after our clock plus global.max_clock_skew),
// then its INTERNALDATE. Only an implausible INTERNALDATE is refused.
func messageTime(date, internal time.Time, b door.Bounds) time.Time {
	switch {
	case internal.IsZero():
		return date
	case date.IsZero(), date.After(internal.Add(dateTolerance)), b.Check(date) != "":
		return internal
	}
	return date
}

// bodies reads the start of the text part of the messages that need it,
// by UID: one FETCH per distinct part number (most mail has one).
func (w *walk) bodies(ctx context.Context, all []*read) (map[uint32]string, error) {
	bySection := map[string][]*read{}
	for _, r := range all {
		if r.body {
			bySection[r.part.section] = append(bySection[r.part.section], r)
		}
	}
	texts := map[uint32]string{}
	for _, sec := range slices.Sorted(maps.Keys(bySection)) {
		set := new(goimap.SeqSet)
		for _, r := range bySection[sec] {
			set.AddNum(r.m.uid)
		}
		item := goimap.FetchItem("BODY.PEEK[" + sec + "]<0." + strconv.Itoa(w.c.opts.MaxBodyBytes) + ">")
		got, err := w.fetch(ctx, set, []goimap.FetchItem{goimap.FetchUid, item})
		if err != nil {
			return nil, err
		}
		for _, im := range got {
			texts[im.Uid] = string(section(im))
		}
	}
	return texts, nil
}

// settle threads the messages read, all folders together in the order
// they were written, and returns the tickets that changed with the cursor
// to store. A read cut short judges only the messages dated at or before
// its frontier, the earliest of the latest times read in the folders it
// did not finish (none read: nothing is judged): a folder's mail arrives in about the order
// it was written, so any message of it not read yet is later, and no
// thread is judged without a message that preceded the ones judged. The
// others are read again by the next sync: each folder's position stays
// before its first message not judged.
func (w *walk) settle() ([]item.Ticket, cursor, error) {
	var frontier time.Time
	limited := false
	for _, r := range w.folders {
		if r.done && !r.cut {
			continue
		}
		if !limited || r.latest.Before(frontier) {
			frontier = r.latest
		}
		limited = true
	}
	var judged []*message
	pos := make([]uint32, len(w.folders))
	for i, r := range w.folders {
		pos[i] = r.last
	}
	for i := range w.msgs {
		m := &w.msgs[i]
		if limited && (frontier.IsZero() || m.at.After(frontier)) {
			pos[m.folder] = min(pos[m.folder], m.uid-1)
			continue
		}
		judged = append(judged, m)
	}
	tickets, err := w.threads(judged)
	if err != nil {
		return nil, cursor{}, err
	}
	next := cursor{Folders: map[string]folderState{}}
	for i, r := range w.folders {
		// A folder no longer configured is forgotten: read again from its
		// start if it comes back, counting nothing twice. One whose STATUS
		// this sync did not read keeps its position.
		fs, ok := w.cur.Folders[r.name]
		if r.opened {
			fs, ok = r.fs, true
			fs.Last = pos[i]
			if !r.done || r.cut || r.held || pos[i] != r.last {
				// HIGHESTMODSEQ says the folder is caught up (to a
				// server without UIDNEXT): stored only once it is read
				// to its end, or what is left would never be read.
				fs.ModSeq = 0
			}
		}
		if ok {
			next.Folders[r.name] = fs
		}
	}
	next.Pending = w.st.pendingList()
	next.Skip = slices.Clone(w.st.skipOrder)
	next.Known = w.st.knownList()
	next.Refused = w.st.refusedList()
	next.Subjects = w.st.subjectList()
	return tickets, next, nil
}

// threads applies the messages, in the order they were written, to their
// threads and returns the tickets that changed.
func (w *walk) threads(all []*message) ([]item.Ticket, error) {
	slices.SortStableFunc(all, func(a, b *message) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.folder, b.folder), cmp.Compare(a.uid, b.uid))
	})
	touched := map[string]*item.Ticket{}
	stored := map[string]*item.Ticket{}
	var order []string
	for _, m := range all {
		w.st.resolve(m)
		w.st.judge(m)
		t, ok := touched[m.thread]
		if !ok {
			s, read := stored[m.thread]
			if !read {
				var err error
				if s, err = w.c.stored(m.thread); err != nil {
					return nil, err
				}
				stored[m.thread] = s
			}
			if s != nil {
				// What this kind says of a ticket; the rest (History,
				// the priority from tags) the exporter sets when storing.
				t = &item.Ticket{ID: s.ID, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Status: s.Status,
					Tags: slices.Clone(s.Tags), Events: slices.Clone(s.Events), Drill: s.Drill}
			}
		}
		if t = w.st.apply(t, m); t != nil {
			if !ok {
				order = append(order, m.thread)
			}
			touched[m.thread] = t
		}
	}
	var tickets []item.Ticket
	for _, id := range order {
		t := touched[id]
		if r := w.c.env.Bounds.Ticket(t); r != "" {
			w.c.env.Rejected(r)
			continue
		}
		if s := stored[id]; s == nil || !unchanged(s, t) {
			tickets = append(tickets, *t)
		}
	}
	return tickets, nil
}

// fetch runs one UID FETCH and returns the messages of set it answered
// (a server may add unsolicited FETCH responses, flag changes of others).
func (w *walk) fetch(ctx context.Context, set *goimap.SeqSet, items []goimap.FetchItem) ([]*goimap.Message, error) {
	var msgs []*goimap.Message
	var bad error
	h := responses.HandlerFunc(func(resp goimap.Resp) error {
		name, fields, ok := goimap.ParseNamedResp(resp)
		if !ok || name != "FETCH" || len(fields) < 2 {
			return responses.ErrUnhandled
		}
		seq, _ := goimap.ParseNumber(fields[0])
		list, _ := fields[1].([]any)
		m := &goimap.Message{SeqNum: seq}
		if err := m.Parse(list); err != nil {
			bad = err
			return nil
		}
		if m.Uid == 0 || !set.Contains(m.Uid) {
			return responses.ErrUnhandled
		}
		msgs = append(msgs, m)
		return nil
	})
	cmd := &commands.Uid{Cmd: &commands.Fetch{SeqSet: set, Items: items}}
	if err := w.s.run(ctx, "UID FETCH", cmd, h, fetch.ReasonHTTP); err != nil {
		return nil, err
	}
	if bad != nil {
		return nil, w.s.fail("UID FETCH", fetch.ReasonDecode, bad)
	}
	return msgs, nil
}

// section returns the one body section a FETCH asked for, read whole.
func section(m *goimap.Message) []byte {
	for _, lit := range m.Body {
		if lit == nil {
			return nil
		}
		b, _ := io.ReadAll(lit)
		return b
	}
	return nil
}
