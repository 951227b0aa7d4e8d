package simulator

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/backend"
	"github.com/emersion/go-imap/backend/backendutil"
	"github.com/emersion/go-imap/server"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-sasl"
)

// imapAPI serves one vendor's mailbox (mail.go) over IMAP4rev1 with TLS
// from the first byte (imaps), read-only, as of the simulated clock: a
// message shows once its Date has passed. Folders INBOX and Sent, each
// with its UIDVALIDITY; a message's UID is its place in the folder's
// order of arrival, so UIDs never change as the clock moves (ResetMailbox
// renumbers a folder under a new UIDVALIDITY). Every command counts as a
// request of the endpoint and plays the faults injected into it
// (imap_faults.go).
type imapAPI struct {
	w     *world
	clock func() time.Time
	e     *endpoint // set when listening

	mu      sync.Mutex
	srv     *server.Server
	caPEM   string
	conns   map[string]net.Conn // raw TCP connections by remote address
	resets  map[string][]int64  // folder -> UIDVALIDITY changes (Unix s), ascending
	threads map[int][]mailMsg   // rendered threads of unedited tickets
	view    *mailView           // the mailbox as of view.now
	counts  map[string]int      // commands received, by name
}

func newIMAPAPI(w *world, clock func() time.Time) *imapAPI {
	return &imapAPI{w: w, clock: clock, conns: map[string]net.Conn{}, resets: map[string][]int64{},
		threads: map[int][]mailMsg{}, counts: map[string]int{}}
}

// ServeHTTP answers a client that speaks HTTP to the IMAP port: never
// reached, as the endpoint serves IMAP on its listener (serve).
func (a *imapAPI) ServeHTTP(rw http.ResponseWriter, _ *http.Request) {
	http.Error(rw, "this endpoint speaks IMAP", http.StatusBadRequest)
}

// serve answers IMAP over TLS on ln, with a self-signed certificate for
// 127.0.0.1 made now; it returns the API's URL.
func (a *imapAPI) serve(ln net.Listener, e *endpoint) (string, error) {
	cert, caPEM, err := selfSignedCert()
	if err != nil {
		return "", err
	}
	bkd := &imapBackend{a: a}
	srv := server.New(bkd)
	srv.ErrorLog = log.New(io.Discard, "", 0) // a client going away is no news; secrets never logged
	srv.EnableAuth(xoauth2, func(conn server.Conn) sasl.Server { return &xoauth2Server{a: a, conn: conn} })
	ext := &imapFaultExt{a: a, builtin: server.New(bkd)}
	srv.Enable(ext)
	ext.on = true // after Enable, which drops an extension overriding UNSELECT, MOVE or IDLE
	a.mu.Lock()
	a.e, a.srv, a.caPEM = e, srv, caPEM
	a.mu.Unlock()
	tlsLn := tlsListener(&recordingListener{Listener: ln, a: a}, cert)
	go func() { _ = srv.Serve(tlsLn) }()
	return "imaps://" + ln.Addr().String(), nil
}

func (a *imapAPI) close() {
	a.mu.Lock()
	srv := a.srv
	a.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	// A connection still in its TLS handshake is not the server's yet.
	a.mu.Lock()
	for _, c := range a.conns {
		_ = c.Close()
	}
	a.mu.Unlock()
}

// recordingListener keeps the raw connections, so that a fault can reset
// one (SO_LINGER 0) or close it under the TLS layer.
type recordingListener struct {
	net.Listener
	a *imapAPI
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	rc := &recordedConn{Conn: c, a: l.a}
	l.a.mu.Lock()
	l.a.conns[c.RemoteAddr().String()] = c
	l.a.mu.Unlock()
	return rc, nil
}

type recordedConn struct {
	net.Conn
	a    *imapAPI
	once sync.Once
}

func (c *recordedConn) Close() error {
	c.once.Do(func() {
		c.a.mu.Lock()
		delete(c.a.conns, c.RemoteAddr().String())
		c.a.mu.Unlock()
	})
	return c.Conn.Close()
}

// rawConn is the TCP connection under an IMAP connection.
func (a *imapAPI) rawConn(conn server.Conn) net.Conn {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conns[conn.Info().RemoteAddr.String()]
}

// countCommand counts a command and draws the fault it meets.
func (a *imapAPI) countCommand(name string) (Spec, bool) {
	a.mu.Lock()
	a.counts[name]++
	e := a.e
	a.mu.Unlock()
	e.requests.Add(1)
	return e.nextFault(time.Now())
}

// CommandCounts are the IMAP commands the vendor's imap API received so
// far, by name (UID FETCH is "UID FETCH"): what a client asked of it.
func (s *Sim) CommandCounts(vendor string) map[string]int {
	a := s.imapAPI(vendor)
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]int, len(a.counts))
	for k, v := range a.counts {
		out[k] = v
	}
	return out
}

func (s *Sim) imapAPI(vendor string) *imapAPI {
	e := s.apis[apiKey{vendor, KindIMAP}]
	if e == nil {
		return nil
	}
	a, _ := e.api.(*imapAPI)
	return a
}

// IMAPCredentials are the login of the vendor's mailbox (the buyer's
// shared support mailbox, one account per vendor).
func (s *Sim) IMAPCredentials(vendor string) (username, password string) {
	w := s.worlds[vendor]
	if w == nil {
		return "", ""
	}
	return w.mailUser(), w.mailPassword()
}

// IMAPCertificate is the PEM of the self-signed certificate the vendor's
// imap API presents, made at Start: the CA a client trusts. Empty before
// Start.
func (s *Sim) IMAPCertificate(vendor string) string {
	a := s.imapAPI(vendor)
	if a == nil {
		return ""
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.caPEM
}

// ResetMailbox changes the UIDVALIDITY of the vendor's folder (INBOX or
// Sent) as of the simulated clock, as a mailbox restored or migrated does:
// from then on the folder's messages have new UIDs, those received by then
// numbered thread by thread (the order the migration copied them in), and
// later ones after them as they arrive. Before that instant the folder is
// served as it was.
func (s *Sim) ResetMailbox(vendor, folder string) error {
	a := s.imapAPI(vendor)
	switch {
	case a == nil:
		return fmt.Errorf("simulator: no %s API for vendor %q", KindIMAP, vendor)
	case !slices.Contains(mailFolders, folder):
		return fmt.Errorf("simulator: no folder %q (want one of %q)", folder, mailFolders)
	}
	now := s.opts.Clock().Unix()
	a.mu.Lock()
	defer a.mu.Unlock()
	rs := a.resets[folder]
	if len(rs) > 0 && rs[len(rs)-1] > now {
		return fmt.Errorf("simulator: %s was reset after %v already", folder, time.Unix(now, 0).UTC())
	}
	a.resets[folder] = append(rs, now)
	a.view = nil
	return nil
}

// mailView is the mailbox as of an instant.
type mailView struct {
	now     int64
	folders map[string]folderView
}

// folderView is one folder: its messages by UID (UID k+1 at k), as
// messages are never expunged, and its UIDVALIDITY.
type folderView struct {
	validity uint32
	msgs     []*mailMsg
}

// current is the mailbox as of the clock.
func (a *imapAPI) current() *mailView {
	now := a.clock().Unix()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.view != nil && a.view.now == now {
		return a.view
	}
	var all []*mailMsg
	for i := range a.w.ticketsBy(now) {
		th := a.threadLocked(i)
		for k := range th {
			if th[k].at <= now {
				all = append(all, &th[k])
			}
		}
	}
	v := &mailView{now: now, folders: map[string]folderView{}}
	for _, f := range mailFolders {
		var msgs []*mailMsg
		for _, m := range all {
			if m.in(f) {
				msgs = append(msgs, m)
			}
		}
		// The folder's last reset by now: what had arrived by then was
		// copied thread by thread; the rest arrived since.
		resets := 0
		var reset int64 = -1 << 62
		for _, at := range a.resets[f] {
			if at <= now {
				resets, reset = resets+1, at
			}
		}
		slices.SortFunc(msgs, func(x, y *mailMsg) int {
			xOld, yOld := x.at <= reset, y.at <= reset
			switch {
			case xOld && !yOld:
				return -1
			case yOld && !xOld:
				return 1
			case xOld:
				return cmp.Or(cmp.Compare(x.ticket, y.ticket), cmp.Compare(x.seq, y.seq))
			}
			return cmp.Or(cmp.Compare(x.at, y.at), cmp.Compare(x.ticket, y.ticket), cmp.Compare(x.seq, y.seq))
		})
		v.folders[f] = folderView{validity: a.validity(f) + uint32(resets), msgs: msgs}
	}
	a.view = v
	return v
}

// validity is a folder's first UIDVALIDITY: a number of the vendor's.
func (a *imapAPI) validity(folder string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(a.w.id.token + "/imap/" + folder))
	return 1 + h.Sum32()%1_000_000_000
}

// threadLocked is ticket i's thread, rendered once unless the ticket was
// edited (a deletion cuts it).
func (a *imapAPI) threadLocked(i int) []mailMsg {
	if len(a.w.edits.ticket(i)) > 0 {
		return a.w.mailThread(i)
	}
	th, ok := a.threads[i]
	if !ok {
		th = a.w.mailThread(i)
		a.threads[i] = th
	}
	return th
}

// errReadOnly refuses every change: the simulated mailbox is read as the
// vendor's mail arrives, never written.
var errReadOnly = errors.New("mailbox is read-only")

type imapBackend struct{ a *imapAPI }

func (b *imapBackend) Login(_ *imap.ConnInfo, username, password string) (backend.User, error) {
	w := b.a.w
	okUser := subtle.ConstantTimeCompare([]byte(username), []byte(w.mailUser()))
	okPass := subtle.ConstantTimeCompare([]byte(password), []byte(w.mailPassword()))
	if okUser&okPass != 1 {
		return nil, &imap.ErrStatusResp{Resp: &imap.StatusResp{Type: imap.StatusRespNo,
			Code: "AUTHENTICATIONFAILED", Info: "Invalid credentials (Failure)"}}
	}
	return &imapUser{a: b.a}, nil
}

// xoauth2 is Google's and Microsoft's SASL mechanism for OAuth 2.0 bearer
// tokens (developers.google.com/gmail/imap/xoauth2-protocol).
const xoauth2 = "XOAUTH2"

// xoauth2Server checks "user=" {user} ^A "auth=Bearer " {token} ^A ^A. A
// refused token is answered as Gmail does: a challenge with the error as
// JSON, then, once the client answers it (empty), NO.
type xoauth2Server struct {
	a       *imapAPI
	conn    server.Conn
	refused bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case x.refused:
		return nil, false, &imap.ErrStatusResp{Resp: &imap.StatusResp{Type: imap.StatusRespNo,
			Code: "AUTHENTICATIONFAILED", Info: "Invalid credentials (Failure)"}}
	case resp == nil:
		return []byte{}, false, nil // no initial response: ask for it
	}
	w := x.a.w
	fields := strings.Split(string(resp), "\x01")
	user, _ := strings.CutPrefix(fields[0], "user=")
	token := ""
	if len(fields) > 1 {
		token, _ = strings.CutPrefix(fields[1], "auth=Bearer ")
	}
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(w.mailUser()))
	okToken := subtle.ConstantTimeCompare([]byte(token), []byte(w.mailToken()))
	if okUser&okToken != 1 {
		x.refused = true
		return []byte(`{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	ctx := x.conn.Context()
	ctx.State = imap.AuthenticatedState
	ctx.User = &imapUser{a: x.a}
	return nil, true, nil
}

type imapUser struct{ a *imapAPI }

func (u *imapUser) Username() string { return u.a.w.mailUser() }

func (u *imapUser) ListMailboxes(bool) ([]backend.Mailbox, error) {
	var out []backend.Mailbox
	for _, f := range mailFolders {
		out = append(out, &imapMailbox{a: u.a, name: f})
	}
	return out, nil
}

func (u *imapUser) GetMailbox(name string) (backend.Mailbox, error) {
	if strings.EqualFold(name, mailInbox) {
		return &imapMailbox{a: u.a, name: mailInbox}, nil
	}
	if name == mailSent {
		return &imapMailbox{a: u.a, name: name}, nil
	}
	return nil, backend.ErrNoSuchMailbox
}

func (u *imapUser) CreateMailbox(string) error         { return errReadOnly }
func (u *imapUser) DeleteMailbox(string) error         { return errReadOnly }
func (u *imapUser) RenameMailbox(string, string) error { return errReadOnly }
func (u *imapUser) Logout() error                      { return nil }

// imapMailbox is a folder as one connection selected it. fault is the
// fault the FETCH under way plays (imap_faults.go), set by the command.
type imapMailbox struct {
	a     *imapAPI
	name  string
	fault *fetchFault
}

func (m *imapMailbox) Name() string { return m.name }

func (m *imapMailbox) Info() (*imap.MailboxInfo, error) {
	info := &imap.MailboxInfo{Delimiter: "/", Name: m.name, Attributes: []string{imap.NoInferiorsAttr}}
	if m.name == mailSent {
		info.Attributes = append(info.Attributes, imap.SentAttr)
	}
	return info, nil
}

func (m *imapMailbox) folder() folderView { return m.a.current().folders[m.name] }

func (m *imapMailbox) Status(items []imap.StatusItem) (*imap.MailboxStatus, error) {
	f := m.folder()
	st := imap.NewMailboxStatus(m.name, items)
	st.Flags = []string{imap.SeenFlag, imap.AnsweredFlag, imap.FlaggedFlag, imap.DeletedFlag, imap.DraftFlag}
	st.PermanentFlags = []string{}
	st.ReadOnly = true
	for _, it := range items {
		switch it {
		case imap.StatusMessages:
			st.Messages = uint32(len(f.msgs))
		case imap.StatusUidNext:
			st.UidNext = uint32(len(f.msgs)) + 1
		case imap.StatusUidValidity:
			st.UidValidity = f.validity
		case imap.StatusRecent, imap.StatusUnseen:
			// zero: the shared mailbox's mail has been read
		}
	}
	return st, nil
}

func (m *imapMailbox) SetSubscribed(bool) error { return errReadOnly }
func (m *imapMailbox) Check() error             { return nil }

// inSet reports whether id is in set, "*" being max, the largest number in
// use: so "n:*" holds max even when n is larger, as RFC 3501 says (a
// client asking for UIDs past the last one gets the last message).
func inSet(set *imap.SeqSet, id, max uint32) bool {
	for _, s := range set.Set {
		lo, hi := cmp.Or(s.Start, max), cmp.Or(s.Stop, max)
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo <= id && id <= hi {
			return true
		}
	}
	return false
}

func (m *imapMailbox) ListMessages(uid bool, set *imap.SeqSet, items []imap.FetchItem, ch chan<- *imap.Message) error {
	defer close(ch)
	f := m.folder()
	n := uint32(len(f.msgs))
	for k, msg := range f.msgs {
		id := uint32(k + 1) // UID and sequence number alike: nothing is ever expunged
		if n == 0 || !inSet(set, id, n) {
			continue
		}
		out, err := fetchMail(msg, id, items)
		if err != nil {
			return err
		}
		if m.fault != nil && m.fault.damage(out) {
			m.fault = nil
		}
		ch <- out
	}
	return nil
}

// fetchMail answers the FETCH items of msg, sequence number and UID id.
func fetchMail(msg *mailMsg, id uint32, items []imap.FetchItem) (*imap.Message, error) {
	out := imap.NewMessage(id, items)
	read := func() (textproto.Header, *bufio.Reader, error) {
		br := bufio.NewReader(bytes.NewReader(msg.raw))
		h, err := textproto.ReadHeader(br)
		return h, br, err
	}
	for _, it := range items {
		switch it {
		case imap.FetchUid:
			out.Uid = id
		case imap.FetchFlags:
			out.Flags = []string{imap.SeenFlag}
		case imap.FetchInternalDate:
			out.InternalDate = time.Unix(msg.at, 0).UTC()
		case imap.FetchRFC822Size:
			out.Size = uint32(len(msg.raw))
		case imap.FetchEnvelope:
			h, _, err := read()
			if err != nil {
				return nil, err
			}
			if out.Envelope, err = backendutil.FetchEnvelope(h); err != nil {
				return nil, err
			}
		case imap.FetchBody, imap.FetchBodyStructure:
			h, body, err := read()
			if err != nil {
				return nil, err
			}
			if out.BodyStructure, err = backendutil.FetchBodyStructure(h, body, it == imap.FetchBodyStructure); err != nil {
				return nil, err
			}
		default:
			section, err := imap.ParseBodySectionName(it)
			if err != nil {
				return nil, err
			}
			h, body, err := read()
			if err != nil {
				return nil, err
			}
			l, err := backendutil.FetchBodySection(h, body, section)
			if err != nil {
				l = bytes.NewReader(nil) // a section the message lacks is empty
			}
			out.Body[section] = l
		}
	}
	return out, nil
}

func (m *imapMailbox) SearchMessages(uid bool, c *imap.SearchCriteria) ([]uint32, error) {
	f := m.folder()
	var out []uint32
	for k, msg := range f.msgs {
		id := uint32(k + 1)
		e, err := message.Read(bytes.NewReader(msg.raw))
		if err != nil && !message.IsUnknownCharset(err) {
			return nil, err
		}
		ok, err := backendutil.Match(e, id, id, time.Unix(msg.at, 0), []string{imap.SeenFlag}, c)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, nil
}

func (m *imapMailbox) CreateMessage([]string, time.Time, imap.Literal) error { return errReadOnly }
func (m *imapMailbox) UpdateMessagesFlags(bool, *imap.SeqSet, imap.FlagsOp, []string) error {
	return errReadOnly
}
func (m *imapMailbox) CopyMessages(bool, *imap.SeqSet, string) error { return errReadOnly }
func (m *imapMailbox) Expunge() error                                { return errReadOnly }
