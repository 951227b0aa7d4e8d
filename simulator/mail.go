package simulator

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"time"
)

// The imap kind shows a vendor's tickets as the mail the buyer's support
// mailbox holds: each ticket a thread. The customer opens it from the
// buyer's domain with the priority in the subject ([P1]..[P4], or URGENT),
// copying the shared mailbox (INBOX) or sending it from it (Sent); the
// vendor's agents answer from the vendor's domain, the helpdesk's own
// address or their own, with In-Reply-To and References; the solving reply
// says the request "has been solved"; a customer's reply to a solved
// ticket reopens it, which the helpdesk notices at once ("has been
// reopened", a machine message); a persona that AutoAcknowledges answers
// every new ticket at once with a machine acknowledgement, which is no
// response and no step of the ticket's timeline. Escalated tickets' later
// vendor replies carry [Escalated] in their subject. The priority shown is
// the one the customer gave: mail carries no later change of it.
//
// Real-world shapes are mixed in deterministically from the seed: subjects
// written as RFC 2047 encoded words (Q or B), bodies quoted-printable,
// base64 or in ISO-8859-1, replies with In-Reply-To but no References
// (where the parent is the thread's root, so that the root is still
// known), customer messages only in Sent, only in INBOX or in both.

// mailStream separates mail's random draws from the ticket's own, so that
// rendering mail never changes a ticket.
const mailStream stream = 0x6d61696c

// Folders of the simulated mailbox.
const (
	mailInbox = "INBOX"
	mailSent  = "Sent"
)

var mailFolders = []string{mailInbox, mailSent}

// mailMsg is one message of a ticket's thread.
type mailMsg struct {
	at     int64 // Date and INTERNALDATE, Unix seconds
	ticket int   // the ticket's index
	seq    int   // place in the thread, from 0 (the customer's first message)
	inbox  bool  // in INBOX
	sent   bool  // in Sent
	id     string
	raw    []byte // RFC 5322, CRLF line ends
}

func (m *mailMsg) in(folder string) bool {
	if folder == mailSent {
		return m.sent
	}
	return m.inbox
}

// mailMsgKind is who wrote a message, and why.
type mailMsgKind uint8

const (
	mailCustomer mailMsgKind = iota
	mailAgent
	mailAck    // the helpdesk's acknowledgement of a new ticket
	mailReopen // the helpdesk's notice of a reopen
)

// Addresses of the vendor's world.
func (w *world) mailDomain() string   { return w.v.Name + ".example" }
func (w *world) mailHelpdesk() string { return "support@" + w.mailDomain() }

// buyerDomain is the buyer's: the customers and the shared mailbox.
const buyerDomain = "buyer.example"

// mailUser and mailPassword are the shared mailbox's login; mailToken its
// OAuth 2.0 access token, for XOAUTH2.
func (w *world) mailUser() string { return w.v.Name + "-support@" + buyerDomain }
func (w *world) mailPassword() string {
	return derivedID(w.id.token+"/imap/password", ghNodeAlphabet, 20)
}
func (w *world) mailToken() string {
	return "ya29." + derivedID(w.id.token+"/imap/token", ghNodeAlphabet, 40)
}

var (
	mailFirstNames = []string{"Anna", "Jürgen", "Maria", "Tom", "Chloé", "Ravi", "Sofia", "Lars", "Mei", "Paul"}
	mailLastNames  = []string{"Schmidt", "Miller", "García", "Okafor", "Novák", "Brown", "Dubois", "Kim"}
	agentNames     = []string{"Alex Meyer", "Sam Carter", "Jo Weber", "Kim Nguyen", "Robin Fischer", "Chris Lee"}
)

func pickName(id int64, names []string) string { return names[uint64(id)%uint64(len(names))] }

// customerName is the requester's name and address at the buyer.
func customerName(requester int64) (name, addr string) {
	first, last := pickName(requester, mailFirstNames), pickName(requester/7, mailLastNames)
	return first + " " + last, asciiLocal(first) + "." + asciiLocal(last) + "@" + buyerDomain
}

// asciiLocal is a name as the local part of an address.
func asciiLocal(s string) string {
	r := strings.NewReplacer("ü", "ue", "é", "e", "í", "i", "á", "a")
	return strings.ToLower(r.Replace(s))
}

// subjectToken is the priority the customer writes in the subject; the
// token of urgent tickets is [P1] or the word URGENT, by ticket.
func subjectToken(priority int, r *rand.Rand) string {
	switch priority {
	case 0:
		if r.IntN(2) == 0 {
			return "URGENT: "
		}
		return "[P1] "
	case 1, 2, 3:
		return "[P" + strconv.Itoa(priority+1) + "] "
	}
	return ""
}

// mailThread renders ticket i's thread in full, future included, oldest
// first: the mailbox shows the messages dated at or before its clock. A
// deleted ticket's mail stays (the mailbox is the buyer's), without what
// would have followed the deletion.
func (w *world) mailThread(i int) []mailMsg {
	tl := w.timeline(i)
	r := itemRand(w.seed, mailStream, uint64(i))
	subject := subjectToken(tl.priority, r) + topics[tl.topic].subject
	var out []mailMsg
	escalated := false
	solved := false
	add := func(at int64, kind mailMsgKind, st stepKind) {
		m := mailMsg{at: at, ticket: i, seq: len(out), inbox: true}
		if kind == mailCustomer {
			// The customer copies the shared mailbox, or writes from it.
			switch x := r.Float64(); {
			case x < 0.3:
				m.inbox, m.sent = false, true
			case x < 0.4:
				m.sent = true
			}
		}
		m.id = w.mailID(tl, len(out), kind)
		m.raw = w.renderMail(tl, out, &m, kind, st, subject, escalated, r)
		out = append(out, m)
	}
	for k, st := range tl.steps {
		switch {
		case st.kind == stepDelete:
			return out
		case st.kind == stepEscalate:
			escalated = true
		case st.kind == stepCreated:
			add(tl.created, mailCustomer, st.kind)
			if w.p.AutoAcknowledges {
				at := tl.created + 5 + r.Int64N(55)
				if k+1 < len(tl.steps) {
					at = min(at, tl.steps[k+1].at)
				}
				add(at, mailAck, st.kind)
			}
		case st.kind.vendorReply():
			add(st.at, mailAgent, st.kind)
			solved = st.kind == stepSolve
		case st.kind.customerComment():
			add(st.at, mailCustomer, st.kind)
			if st.kind == stepReopen && solved {
				add(st.at, mailReopen, st.kind)
			}
			solved = false
		}
	}
	return out
}

// mailID is a message's Message-ID, without angle brackets: stable, and
// unique per vendor.
func (w *world) mailID(tl *timeline, seq int, kind mailMsgKind) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d/%d", w.id.token, tl.id(), seq)
	domain := buyerDomain
	if kind != mailCustomer {
		domain = "mail." + w.mailDomain()
	}
	return fmt.Sprintf("%d.%d.%08x@%s", tl.id(), seq, h.Sum32(), domain)
}

// customerZone is where the buyer's people write from.
var customerZone = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// renderMail writes message m of a thread whose earlier messages are prev.
func (w *world) renderMail(tl *timeline, prev []mailMsg, m *mailMsg, kind mailMsgKind, st stepKind, subject string, escalated bool, r *rand.Rand) []byte {
	var h bytes.Buffer
	header := func(k, v string) { h.WriteString(k + ": " + v + "\r\n") }
	custName, custAddr := customerName(tl.requester)
	agent := pickName(tl.agent, agentNames)
	vendorTitle := strings.ToUpper(w.v.Name[:1]) + w.v.Name[1:]
	zone := customerZone
	if kind != mailCustomer {
		zone, _ = time.LoadLocation(w.v.Timezone) // validated with the vendor
	}
	header("Date", time.Unix(m.at, 0).In(zone).Format(time.RFC1123Z))
	switch kind {
	case mailCustomer:
		header("From", mailbox(custName, custAddr))
		header("To", mailbox(vendorTitle+" Support", w.mailHelpdesk()))
		header("Cc", w.mailUser())
	case mailAgent:
		if r.IntN(10) < 7 {
			header("From", mailbox(agent+" ("+vendorTitle+" Support)", w.mailHelpdesk()))
		} else {
			header("From", mailbox(agent, asciiLocal(strings.ReplaceAll(agent, " ", "."))+"@"+w.mailDomain()))
		}
		header("To", mailbox(custName, custAddr))
		header("Cc", w.mailUser())
	default:
		header("From", mailbox(vendorTitle+" Support", w.mailHelpdesk()))
		header("To", mailbox(custName, custAddr))
	}
	subj := subject
	switch {
	case kind == mailAck:
		subj = "[" + vendorTitle + " Support] Request received: " + subject
	case kind == mailReopen:
		subj = "[" + vendorTitle + " Support] Request #" + strconv.FormatInt(tl.id(), 10) + " has been reopened: " + subject
	case m.seq > 0 && kind == mailAgent && escalated:
		subj = "Re: [Escalated] " + subject
	case m.seq > 0:
		subj = []string{"Re: ", "Re: ", "Re: ", "RE: "}[r.IntN(4)] + subject
	}
	header("Subject", encodeSubject(subj, r))
	header("Message-ID", "<"+m.id+">")
	if len(prev) > 0 {
		parent := prev[len(prev)-1]
		header("In-Reply-To", "<"+parent.id+">")
		// Some clients write no References; where the parent is the
		// root, In-Reply-To still names the thread.
		if len(prev) > 1 || r.IntN(6) != 0 {
			refs := make([]string, len(prev))
			for k, p := range prev {
				refs[k] = "<" + p.id + ">"
			}
			header("References", strings.Join(refs, "\r\n "))
		}
	}
	switch kind {
	case mailAck:
		header("Auto-Submitted", "auto-replied")
		if r.IntN(2) == 0 {
			header("X-Autoreply", "yes")
		}
	case mailReopen:
		header("Auto-Submitted", "auto-generated")
	}
	header("MIME-Version", "1.0")
	body := mailBody(tl, kind, st, custName, agent, vendorTitle)
	enc := encodeBody(body, r)
	header("Content-Type", "text/plain; charset="+enc.charset)
	header("Content-Transfer-Encoding", enc.cte)
	h.WriteString("\r\n")
	h.Write(enc.body)
	return h.Bytes()
}

// mailbox writes a name and an address, quoting the name when it needs it
// and writing a non-ASCII name as an encoded word.
func mailbox(name, addr string) string {
	for _, c := range name {
		if c >= 0x80 {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(name)) + "?= <" + addr + ">"
		}
	}
	if strings.ContainsAny(name, "()<>@,;:\\\".[]") {
		return strconv.Quote(name) + " <" + addr + ">"
	}
	return name + " <" + addr + ">"
}

// encodeSubject writes most subjects as they are, some as RFC 2047
// encoded words (Q or B, words of at most 75 characters, folded), as mail
// clients do when they see fit.
func encodeSubject(s string, r *rand.Rand) string {
	x := r.IntN(100)
	if x >= 12 {
		return s
	}
	var words []string
	const chunk = 30 // bytes of text per word: 75 characters at most encoded
	for len(s) > 0 {
		n := min(chunk, len(s))
		for n < len(s) && n > 0 && s[n]&0xC0 == 0x80 { // not inside a UTF-8 sequence
			n--
		}
		part := s[:n]
		s = s[n:]
		if x < 6 {
			words = append(words, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(part))+"?=")
		} else {
			words = append(words, "=?UTF-8?Q?"+qWord(part)+"?=")
		}
	}
	return strings.Join(words, "\r\n ")
}

// qWord is RFC 2047's Q encoding of s.
func qWord(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

// mailBody is a message's text.
func mailBody(tl *timeline, kind mailMsgKind, st stepKind, customer, agent, vendor string) string {
	id := strconv.FormatInt(tl.id(), 10)
	first, _, _ := strings.Cut(customer, " ")
	switch kind {
	case mailAck:
		return "Thank you for contacting " + vendor + " Support.\n\nYour request #" + id +
			" was received and is being reviewed by our support staff.\n\nThis is an automated message.\n"
	case mailReopen:
		return "Request #" + id + " has been reopened by your reply. An agent will follow up.\n\nThis is an automated message.\n"
	case mailAgent:
		text := "Hello " + first + ",\n\n" + commentText(st) + "\n"
		if st == stepSolve {
			text += "\nYour request #" + id + " has been solved. Reply to this email if anything is still wrong.\n"
		}
		return text + "\nBest regards,\n" + agent + "\n" + vendor + " Support\n"
	}
	text := commentText(st)
	if st == stepCreated {
		text = ticketDescription(tl)
	}
	sign := "Thanks,\n" + first
	if strings.ContainsAny(first, "üé") {
		sign = "Viele Grüße / merci beaucoup,\n" + first
	}
	return text + "\n\n" + sign + "\n"
}

// encodedBody is a body as sent: its charset, transfer encoding and bytes.
type encodedBody struct {
	charset, cte string
	body         []byte
}

// encodeBody writes text (LF line ends) as mail clients send it: mostly
// UTF-8, 7bit when it is ASCII and quoted-printable otherwise; some in
// base64; some, when every character fits, in ISO-8859-1.
func encodeBody(text string, r *rand.Rand) encodedBody {
	crlf := []byte(strings.ReplaceAll(text, "\n", "\r\n"))
	ascii := !bytes.ContainsFunc(crlf, func(c rune) bool { return c >= 0x80 })
	switch x := r.IntN(100); {
	case x < 10:
		enc := base64.StdEncoding.EncodeToString(crlf)
		var b strings.Builder
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
		return encodedBody{"utf-8", "base64", []byte(b.String())}
	case x < 30 && !ascii:
		latin := make([]byte, 0, len(crlf))
		for _, c := range string(crlf) {
			if c > 0xFF {
				return qpBody("utf-8", crlf)
			}
			latin = append(latin, byte(c))
		}
		return qpBody("iso-8859-1", latin)
	case ascii:
		return encodedBody{"us-ascii", "7bit", crlf}
	}
	return qpBody("utf-8", crlf)
}

func qpBody(charset string, b []byte) encodedBody {
	var out bytes.Buffer
	qw := quotedprintable.NewWriter(&out)
	_, _ = qw.Write(b) // a bytes.Buffer does not fail
	_ = qw.Close()
	return encodedBody{charset, "quoted-printable", out.Bytes()}
}
