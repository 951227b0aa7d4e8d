package imap

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/commands"
	"github.com/emersion/go-imap/responses"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/item"
)

const (
	// chunkSize is the messages of one header FETCH and one batch.
	chunkSize = 200
	// maxHeaderBytes caps the header fields read of one message; a block
	// beyond it is refused (too_large): legitimate headers are far
	// smaller, even a long References chain.
	maxHeaderBytes = 256 << 10
)

var headerSection = "BODY.PEEK[HEADER.FIELDS (" + strings.Join(headerFields, " ") + ")]<0." + strconv.Itoa(maxHeaderBytes+1) + ">"

// folder reads one folder's messages after the cursor's position: one
// STATUS when nothing is new, else EXAMINE, the new UIDs, and one header
// FETCH per chunkSize messages (plus a body FETCH per text section when a
// pattern needs the body).
func (w *walk) folder(ctx context.Context, name string) error {
	s := w.s
	condstore := s.caps["CONDSTORE"]
	items := []goimap.StatusItem{goimap.StatusUidNext, goimap.StatusUidValidity}
	if condstore {
		items = append(items, "HIGHESTMODSEQ")
	}
	st := &responses.Status{Mailbox: goimap.NewMailboxStatus(name, nil)}
	if _, err := s.run(ctx, "STATUS", &commands.Status{Mailbox: name, Items: items}, st, fetch.ReasonAuth); err != nil {
		return err
	}
	mb := st.Mailbox
	modseq := modSeq(mb.Items["HIGHESTMODSEQ"])
	fs, known := w.cur.Folders[name]
	switch {
	case known && fs.Validity == mb.UidValidity:
		// Caught up: UIDNEXT did not move, or (a server that omits it)
		// HIGHESTMODSEQ did not. A flag changed (a message read) moves
		// HIGHESTMODSEQ alone: nothing to store.
		if (mb.UidNext != 0 && mb.UidNext <= fs.Last+1) || (mb.UidNext == 0 && modseq != 0 && modseq == fs.ModSeq) {
			return nil
		}
	case known:
		w.c.logger.Info("imap: the folder's UIDVALIDITY changed: reading it again (messages already read count once)",
			"folder", name, "was", fs.Validity, "now", mb.UidValidity)
		fs = folderState{Validity: mb.UidValidity}
	default:
		fs = folderState{Validity: mb.UidValidity}
	}
	sel := &responses.Select{Mailbox: goimap.NewMailboxStatus(name, nil)}
	if _, err := s.run(ctx, "EXAMINE", &commands.Select{Mailbox: name, ReadOnly: true}, sel, fetch.ReasonAuth); err != nil {
		return err
	}
	if v := sel.Mailbox.UidValidity; v != 0 && v != fs.Validity {
		fs = folderState{Validity: v} // changed since STATUS
	}
	fs.ModSeq = modseq
	w.cur.Folders[name], w.dirty = fs, true
	w.read[name] = fs.Last
	uidNext := sel.Mailbox.UidNext
	if uidNext == 0 {
		uidNext = mb.UidNext
	}
	var uids []uint32
	if uidNext != 0 && uidNext > fs.Last+1 && uidNext-fs.Last-1 <= chunkSize {
		// Few enough UIDs to FETCH the range at once, without a SEARCH.
		return w.chunk(ctx, name, rangeSet(fs.Last+1, uidNext-1))
	}
	if uidNext != 0 && uidNext <= fs.Last+1 {
		return nil
	}
	search := &responses.Search{}
	set := rangeSet(fs.Last+1, 0)
	cmd := &commands.Uid{Cmd: &commands.Search{Criteria: &goimap.SearchCriteria{Uid: set}}}
	if _, err := s.run(ctx, "UID SEARCH", cmd, search, fetch.ReasonHTTP); err != nil {
		return err
	}
	for _, u := range search.Ids {
		if u > fs.Last { // n:* includes the last UID when none is newer
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	for chunk := range slices.Chunk(uids, chunkSize) {
		set := new(goimap.SeqSet)
		set.AddNum(chunk...)
		if err := w.chunk(ctx, name, set); err != nil {
			return err
		}
		if w.stopped[name] {
			return nil
		}
	}
	return nil
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

// chunk reads the headers of the messages of set, their bodies where a
// pattern needs them, and stores the threads they touch with the cursor.
func (w *walk) chunk(ctx context.Context, folder string, set *goimap.SeqSet) error {
	c, s := w.c, w.s
	items := []goimap.FetchItem{goimap.FetchUid, goimap.FetchInternalDate, goimap.FetchRFC822Size, goimap.FetchItem(headerSection)}
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
		return err
	}
	type read struct {
		m    message
		h    header
		part textPart
		body bool
	}
	var all []*read
	last := w.read[folder]
	hold := uint32(0)
	for _, im := range msgs {
		last = max(last, im.Uid)
		block := section(im)
		if len(block) > maxHeaderBytes {
			return s.fail("UID FETCH", fetch.ReasonTooLarge, fmt.Errorf(
				"folder %q UID %d: header fields over %d bytes: move the message out of the folder", folder, im.Uid, maxHeaderBytes))
		}
		h, err := parseHeader(block)
		if err != nil {
			return s.fail("UID FETCH", fetch.ReasonDecode, fmt.Errorf("folder %q UID %d: header: %w", folder, im.Uid, err))
		}
		if h.date.IsZero() {
			h.date = im.InternalDate.UTC()
		}
		if ok, future := c.plausible(h.date); !ok {
			if future && (hold == 0 || im.Uid < hold) {
				hold = im.Uid
			}
			continue
		}
		r := &read{h: h, m: message{folder: folder, uid: im.Uid, ref: h.ref(), thread: h.thread, reply: h.reply, at: h.date}}
		if r.m.thread == "" {
			r.m.thread = r.m.ref
		}
		if thread, msg := im.Items["X-GM-THRID"], im.Items["X-GM-MSGID"]; gmail && thread != nil {
			// Gmail's thread id is the X-GM-MSGID of the thread's first
			// message: any other message of it is a reply.
			r.m.thread = fmt.Sprint(thread)
			r.m.reply = msg == nil || fmt.Sprint(msg) != r.m.thread
		}
		if bodies && c.needsBody(&h) {
			r.part, r.body = chooseText(im.BodyStructure)
		}
		all = append(all, r)
	}
	// One body FETCH per distinct text section (most mail has one).
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
		item := goimap.FetchItem("BODY.PEEK[" + sec + "]<0." + strconv.Itoa(c.opts.MaxBodyBytes) + ">")
		got, err := w.fetch(ctx, set, []goimap.FetchItem{goimap.FetchUid, item})
		if err != nil {
			return err
		}
		for _, im := range got {
			texts[im.Uid] = string(section(im))
		}
	}
	for _, r := range all {
		body := ""
		if r.body {
			body = decodeText(r.part, []byte(texts[r.m.uid]))
		}
		c.classify(&r.m, &r.h, body)
	}
	slices.SortStableFunc(all, func(a, b *read) int { return a.m.at.Compare(b.m.at) })
	touched := map[string]*item.Ticket{}
	var order []string
	for _, r := range all {
		t, ok := touched[r.m.thread]
		if !ok {
			stored, err := w.c.stored(r.m.thread)
			if err != nil {
				return err
			}
			if stored != nil {
				// What this kind says of a ticket; the rest (History,
				// the priority from tags) the exporter sets when storing.
				t = &item.Ticket{ID: stored.ID, CreatedAt: stored.CreatedAt, UpdatedAt: stored.UpdatedAt, Status: stored.Status,
					Tags: slices.Clone(stored.Tags), Events: slices.Clone(stored.Events)}
			}
		}
		t = w.st.apply(t, &r.m)
		if t != nil {
			if _, ok := touched[r.m.thread]; !ok {
				order = append(order, r.m.thread)
			}
			touched[r.m.thread] = t
		}
	}
	var tickets []item.Ticket
	for _, id := range order {
		t := touched[id]
		stored, err := w.c.stored(id)
		if err != nil {
			return err
		}
		if r := c.env.Bounds.Ticket(t); r != "" {
			c.env.Rejected(r)
			continue
		}
		if stored == nil || !unchanged(stored, t) {
			tickets = append(tickets, *t)
		}
	}
	w.read[folder] = last
	if hold != 0 {
		// The walk of the folder ends before a message dated in the
		// future: it is read again until its time is plausible.
		w.read[folder] = min(last, hold-1)
		w.stopped[folder] = true
	}
	w.dirty = true
	return w.flush(tickets, false)
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
	if _, err := w.s.run(ctx, "UID FETCH", cmd, h, fetch.ReasonHTTP); err != nil {
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
