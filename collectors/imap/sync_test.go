package imap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// delivered is the INTERNALDATE of a message delivered when its Date
// says (mailServer.add).
var delivered time.Time

func rfc(d time.Duration) string { return t0.Add(d).Format(time.RFC1123Z) }

func kinds(t item.Ticket) []item.EventKind {
	var ks []item.EventKind
	for _, e := range t.Events {
		ks = append(ks, e.Kind)
	}
	return ks
}

// TestSyncThreadsOverPolls follows a ticket over several polls: vendor
// messages read before the customer's first one (INBOX before Sent), an
// acknowledgement, a reply, a solve, a customer's message after it, a
// caught-up poll's exact commands, a UIDVALIDITY change and a message in
// two folders that count nothing twice.
func TestSyncThreadsOverPolls(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, nil)
	ms := h.ms
	const root = "c1@buyer.example"
	refs := "References: <" + root + ">"
	ms.add("INBOX", rawMail("n1@vendor.example", "News <news@vendor.example>", rfc(-time.Hour), "Maintenance on Sunday"), delivered)
	ms.add("INBOX", rawMail("b1@buyer.example", "MAILER-DAEMON@buyer.example", rfc(-time.Hour), "Undelivered Mail Returned to Sender",
		"Auto-Submitted: auto-replied"), delivered)
	ms.add("Sent", rawMail(root, "Ann <ann@buyer.example>", rfc(0), "[P1] Database down"), delivered)
	ms.add("INBOX", rawMail("a1@vendor.example", "Helpdesk <help@vendor.example>", rfc(time.Minute), "Re: [P1] Database down",
		refs, "Auto-Submitted: auto-replied"), delivered)
	ms.add("INBOX", rawMail("v1@vendor.example", "Bob <bob@vendor.example>", rfc(30*time.Minute), "Re: [P1] Database down", refs), delivered)
	h.mustSync()
	if n := clientGoroutines(); n != 0 {
		t.Errorf("%d go-imap client goroutines left after a sync", n)
	}
	tk := h.ticket(root)
	if !tk.CreatedAt.Equal(t0) || !reflect.DeepEqual(tk.Tags, []string{"p1"}) || tk.Status != item.StatusOpen ||
		!reflect.DeepEqual(kinds(tk), []item.EventKind{item.EventVendorReply}) || !tk.Events[0].At.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("after the first sync: %+v", tk)
	}
	if len(h.store.tickets) != 1 {
		t.Errorf("tickets %v: the vendor's notice and a bounce are no tickets", slices.Collect(maps.Keys(h.store.tickets)))
	}
	first := h.commands()
	// LOGIN; per folder STATUS, EXAMINE, the headers' FETCH; the bodies of
	// INBOX's vendor messages (solved_patterns may match them).
	if want := map[string]int{"OK": 1 + 2*3 + 1 + 1}; !reflect.DeepEqual(first, want) {
		t.Errorf("first sync: commands %v, want %v", first, want)
	}

	// Caught up: one STATUS per folder beyond LOGIN and LOGOUT.
	batches := h.store.batches
	h.mustSync()
	if got, want := h.commands(), map[string]int{"OK": 1 + 2 + 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("caught-up poll: commands %v, want %v", got, want)
	}
	if h.store.batches != batches {
		t.Errorf("a caught-up poll stored %d batches", h.store.batches-batches)
	}

	// The customer answers, the vendor solves, the customer writes again.
	ms.add("Sent", rawMail("c2@buyer.example", "ann@buyer.example", rfc(time.Hour), "Re: [P1] Database down", refs), delivered)
	ms.add("INBOX", rawMail("s1@vendor.example", "help@vendor.example", rfc(2*time.Hour), "Your request has been solved",
		refs, "Auto-Submitted: auto-generated"), delivered)
	ms.add("Sent", rawMail("c3@buyer.example", "ann@buyer.example", rfc(3*time.Hour), "Re: still broken (urgent)", refs), delivered)
	h.mustSync()
	tk = h.ticket(root)
	want := []item.EventKind{item.EventVendorReply, item.EventCustomerReply, item.EventSolved, item.EventCustomerReply, item.EventReopened}
	if !reflect.DeepEqual(kinds(tk), want) || tk.Status != item.StatusOpen || !reflect.DeepEqual(tk.Tags, []string{"p1", "urgent"}) ||
		!tk.UpdatedAt.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("after the solve and the customer's message: %+v, want events %v", tk, want)
	}
	h.commands()

	// INBOX renumbered (a server rebuilding its index): read again,
	// nothing counted twice, nothing stored again.
	ms.renumber("INBOX")
	stored := len(h.store.recorded)
	h.mustSync()
	if again := h.ticket(root); !reflect.DeepEqual(again, tk) {
		t.Errorf("after a UIDVALIDITY change:\n%+v\nwant\n%+v", again, tk)
	}
	for _, b := range h.store.recorded[stored:] {
		if len(b.Tickets) > 0 {
			t.Errorf("a folder read again stored %d tickets", len(b.Tickets))
		}
	}

	// The same message in both folders (Gmail labels): one reply.
	dup := rawMail("v2@vendor.example", "bob@vendor.example", rfc(4*time.Hour), "Re: [P1] Database down", refs)
	ms.add("INBOX", dup, delivered)
	ms.add("Sent", dup, delivered)
	h.mustSync()
	tk = h.ticket(root)
	if n := len(tk.Events); n != len(want)+1 || tk.Events[n-1].Kind != item.EventVendorReply {
		t.Errorf("a message in two folders: events %v %+v", kinds(tk), tk.Events)
	}
}

// TestSyncOpenedByVendor: a notice the customer answers is no ticket with
// tickets_opened_by customer, and one from that answer with anyone.
func TestSyncOpenedByVendor(t *testing.T) {
	for _, by := range []string{openedByCustomer, openedByAnyone} {
		t.Run(by, func(t *testing.T) {
			o := testOptions()
			o.TicketsOpenedBy = by
			h := newHarness(t, implicitTLS, o, nil)
			h.ms.add("INBOX", rawMail("n1@vendor.example", "news@vendor.example", rfc(0), "Deprecation notice"), delivered)
			h.ms.add("INBOX", rawMail("c1@buyer.example", "ann@buyer.example", rfc(time.Hour), "Re: Deprecation notice",
				"In-Reply-To: <n1@vendor.example>"), delivered)
			h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(2*time.Hour), "Re: Deprecation notice",
				"References: <n1@vendor.example> <c1@buyer.example>"), delivered)
			h.mustSync()
			switch tk, ok := h.store.tickets["n1@vendor.example"]; {
			case by == openedByCustomer && ok:
				t.Errorf("a thread the vendor opened is a ticket: %+v", tk)
			case by == openedByAnyone && (!ok || !tk.CreatedAt.Equal(t0.Add(time.Hour)) || !reflect.DeepEqual(kinds(tk), []item.EventKind{item.EventVendorReply})):
				t.Errorf("tickets_opened_by anyone: %+v (found %v), want created at the customer's message with one reply", tk, ok)
			}
		})
	}
}

// populate writes threads enough for several chunks of every folder.
func populate(ms *mailServer, threads int) {
	for i := range threads {
		root := fmt.Sprintf("c%d@buyer.example", i)
		at := time.Duration(i) * time.Minute
		ms.add("Sent", rawMail(root, "ann@buyer.example", rfc(at), fmt.Sprintf("Case %d", i)), delivered)
		ms.add("INBOX", rawMail(fmt.Sprintf("v%d@vendor.example", i), "bob@vendor.example", rfc(at+time.Hour),
			fmt.Sprintf("Re: Case %d", i), "References: <"+root+">"), delivered)
		if i%3 == 0 {
			ms.add("INBOX", rawMail(fmt.Sprintf("s%d@vendor.example", i), "help@vendor.example", rfc(at+2*time.Hour),
				fmt.Sprintf("Case %d has been solved", i), "References: <"+root+">", "Auto-Submitted: auto-generated"), delivered)
		}
	}
}

// TestSyncCrashResume: a sync that dies at any batch (emit failing: the
// batch is not stored) and is resumed from the stored cursor reaches the
// store an uninterrupted sync reaches; every batch is bounded, and only a
// sync's last batch carries a cursor.
func TestSyncCrashResume(t *testing.T) {
	const threads = 260 // 260 + 347 messages: SEARCH and two chunks per folder
	whole := newHarness(t, implicitTLS, nil, nil)
	populate(whole.ms, threads)
	whole.mustSync()
	if len(whole.store.tickets) != threads {
		t.Fatalf("%d tickets, want %d", len(whole.store.tickets), threads)
	}
	batches := whole.store.recorded
	if len(batches) < 2 {
		t.Fatalf("%d batches: want several, to crash between them", len(batches))
	}
	for i, b := range batches {
		if len(b.Tickets) > chunkSize {
			t.Errorf("a batch of %d tickets", len(b.Tickets))
		}
		if last := i == len(batches)-1; (b.Cursor != nil) != last {
			t.Errorf("batch %d of %d: cursor %v, want one on the last batch only", i+1, len(batches), b.Cursor != nil)
		}
	}
	for failAt := 1; failAt <= len(batches); failAt++ {
		t.Run(fmt.Sprint("crash at batch ", failAt), func(t *testing.T) {
			h := newHarness(t, implicitTLS, nil, nil)
			populate(h.ms, threads)
			h.store.failAt = failAt
			if err := h.sync(); !errors.Is(err, errCrash) {
				t.Fatalf("sync: %v, want the crash", err)
			}
			h.store.failAt = 0
			h.mustSync()
			if !reflect.DeepEqual(h.store.tickets, whole.store.tickets) {
				for id, tk := range whole.store.tickets {
					if got := h.store.tickets[id]; !reflect.DeepEqual(got, tk) {
						t.Errorf("ticket %s after the crash: %+v, want %+v", id, got, tk)
						break
					}
				}
				t.Fatalf("%d tickets after the crash, %d without", len(h.store.tickets), len(whole.store.tickets))
			}
			if string(h.store.cursor) != string(whole.store.cursor) {
				t.Errorf("cursor after the crash %s, want %s", h.store.cursor, whole.store.cursor)
			}
		})
	}
}

// TestSyncFolderOrder: a thread spread over INBOX and Sent makes the same
// ticket whichever folder is read first: the customer's first message in
// Sent, the vendor's reply and the customer's answer in INBOX (the answer
// came from a colleague's mailbox, this one in CC); and a vendor notice
// answered from Sent is no ticket.
func TestSyncFolderOrder(t *testing.T) {
	const root = "c1@buyer.example"
	refs := "References: <" + root + ">"
	for _, folders := range [][]string{{"INBOX", "Sent"}, {"Sent", "INBOX"}} {
		t.Run(strings.Join(folders, ","), func(t *testing.T) {
			o := testOptions()
			o.Folders = folders
			h := newHarness(t, implicitTLS, o, nil)
			h.ms.add("Sent", rawMail(root, "ann@buyer.example", rfc(0), "[P1] Database down"), delivered)
			h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(time.Hour), "Re: [P1] Database down", refs), delivered)
			h.ms.add("INBOX", rawMail("c2@buyer.example", "eve@buyer.example", rfc(2*time.Hour), "Re: [P1] Database down", refs), delivered)
			h.ms.add("INBOX", rawMail("n1@vendor.example", "news@vendor.example", rfc(0), "Deprecation notice"), delivered)
			h.ms.add("Sent", rawMail("c3@buyer.example", "ann@buyer.example", rfc(time.Hour), "Re: Deprecation notice",
				"References: <n1@vendor.example>"), delivered)
			h.mustSync()
			tk := h.ticket(root)
			want := []item.EventKind{item.EventVendorReply, item.EventCustomerReply}
			if !tk.CreatedAt.Equal(t0) || !reflect.DeepEqual(kinds(tk), want) || !tk.Events[0].At.Equal(t0.Add(time.Hour)) {
				t.Errorf("ticket %+v: want created at the Sent message, then the reply and the answer", tk)
			}
			if len(h.store.tickets) != 1 {
				t.Errorf("tickets %v: the vendor's notice answered from Sent is no ticket", slices.Collect(maps.Keys(h.store.tickets)))
			}
		})
	}
}

// TestSyncBudget: a sync cut short by max_requests_per_sync stores the
// messages dated up to the frontier of what it read, each sync moves on,
// and the syncs end where one unlimited sync does, no ticket ever stored
// with a creation it does not have. A budget that cannot read a chunk of
// every folder with new mail stores nothing.
func TestSyncBudget(t *testing.T) {
	const threads = 260
	whole := newHarness(t, implicitTLS, nil, nil)
	populate(whole.ms, threads)
	whole.mustSync()

	h := newHarness(t, implicitTLS, nil, func(env *source.Env) { env.Config.MaxRequestsPerSync = 5 })
	populate(h.ms, threads)
	if err := h.sync(); fetch.Reason(err) != fetch.ReasonBudget {
		t.Fatalf("sync over budget: %v (reason %q), want budget", err, fetch.Reason(err))
	}
	if n := h.commands()["OK"]; n != 5 {
		t.Errorf("%d commands sent, want the budget's 5", n)
	}
	if len(h.store.tickets) != 0 || strings.Contains(string(h.store.cursor), "last_uid") {
		t.Errorf("a sync that read no chunk of Sent stored %d tickets, cursor %s", len(h.store.tickets), h.store.cursor)
	}

	// LOGIN and, per folder, STATUS, EXAMINE, SEARCH and a chunk's FETCHes
	// (INBOX's bodies too) fit: 10 commands; the second round of chunks
	// does not, whole.
	h = newHarness(t, implicitTLS, nil, func(env *source.Env) { env.Config.MaxRequestsPerSync = 12 })
	populate(h.ms, threads)
	syncs := 0
	for ; syncs < 20; syncs++ {
		before := len(h.store.recorded)
		err := h.sync()
		for _, b := range h.store.recorded[before:] {
			for _, tk := range b.Tickets {
				if want := whole.store.tickets[tk.ID]; !tk.CreatedAt.Equal(want.CreatedAt) {
					t.Errorf("sync %d stored ticket %s created at %s, want %s", syncs+1, tk.ID, tk.CreatedAt, want.CreatedAt)
				}
			}
		}
		if err == nil {
			break
		}
		if fetch.Reason(err) != fetch.ReasonBudget {
			t.Fatalf("sync %d: %v, want budget", syncs+1, err)
		}
		if len(h.store.recorded) == before {
			t.Fatalf("sync %d cut short stored nothing: no progress", syncs+1)
		}
	}
	if syncs < 1 {
		t.Errorf("the first sync was not cut short: the test proves nothing")
	}
	if !reflect.DeepEqual(h.store.tickets, whole.store.tickets) {
		t.Errorf("after %d syncs cut short: %d tickets, want the %d of one unlimited sync (or some differ)", syncs, len(h.store.tickets), len(whole.store.tickets))
	}
}

// TestSyncFutureDateHolds: a message whose INTERNALDATE is in the future
// holds its folder before it until plausible, and is counted rejected
// once, however many syncs read it again.
func TestSyncFutureDateHolds(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	rejected := 0
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) {
		env.Bounds = door.Bounds{MaxSkew: time.Hour, Now: func() time.Time { return now }}
		env.Reject = func(r string) {
			rejected++
			if r != door.ReasonFuture {
				t.Errorf("rejected for %q", r)
			}
		}
	})
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	h.ms.add("Sent", rawMail("c2@buyer.example", "ann@buyer.example", rfc(72*time.Hour), "From the future"), t0.Add(72*time.Hour))
	h.ms.add("Sent", rawMail("c3@buyer.example", "ann@buyer.example", rfc(time.Hour), "Case 3"), delivered)
	h.mustSync()
	if _, ok := h.store.tickets["c2@buyer.example"]; ok || len(h.store.tickets) != 2 {
		t.Fatalf("tickets %v: want c1 and c3, never the one from the future", slices.Collect(maps.Keys(h.store.tickets)))
	}
	if !strings.Contains(string(h.store.cursor), `"Sent":{"uidvalidity":1,"last_uid":1}`) {
		t.Errorf("cursor %s: want Sent held before UID 2", h.store.cursor)
	}
	h.mustSync()
	h.mustSync()
	if rejected != 1 {
		t.Errorf("rejected %d times over three syncs reading it, want once", rejected)
	}
	now = t0.Add(72 * time.Hour)
	h.mustSync()
	if _, ok := h.store.tickets["c2@buyer.example"]; !ok || len(h.store.tickets) != 3 {
		t.Errorf("once plausible: tickets %v", slices.Collect(maps.Keys(h.store.tickets)))
	}
}

func TestSyncAuthRefused(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) {
		env.Config.HTTPClient.BasicAuth.Password = "wrong"
	})
	err := h.sync()
	if fetch.Reason(err) != fetch.ReasonAuth {
		t.Fatalf("wrong password: %v (reason %q), want auth", err, fetch.Reason(err))
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error %q shows the password", err)
	}
	if got := h.commands(); got["NO"] != 1 {
		t.Errorf("commands %v, want the LOGIN's NO", got)
	}
}

func TestSyncXOAUTH2(t *testing.T) {
	bearer := func(token string) func(*source.Env) {
		return func(env *source.Env) {
			env.Config.HTTPClient.BasicAuth = nil
			env.Config.HTTPClient.Authorization = &commoncfg.Authorization{Type: "Bearer", Credentials: commoncfg.Secret(token)}
			env.Config.Options.(*Options).Username = login
		}
	}
	h := newHarness(t, implicitTLS, nil, bearer("ya29.token"))
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	h.mustSync()
	if len(h.store.tickets) != 1 {
		t.Errorf("tickets %v after XOAUTH2", slices.Collect(maps.Keys(h.store.tickets)))
	}
	// Over STARTTLS no capability is known before the login: the initial
	// response follows the server's empty continuation, not SASL-IR.
	h = newHarness(t, startTLS, nil, bearer("ya29.token"))
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	h.mustSync()
	if len(h.store.tickets) != 1 {
		t.Errorf("tickets %v after XOAUTH2 without SASL-IR", slices.Collect(maps.Keys(h.store.tickets)))
	}
	h = newHarness(t, implicitTLS, nil, bearer("expired"))
	err := h.sync()
	if fetch.Reason(err) != fetch.ReasonAuth || strings.Contains(err.Error(), "expired") {
		t.Errorf("a refused token: %v (reason %q), want auth without the token", err, fetch.Reason(err))
	}
}

func TestSyncSTARTTLS(t *testing.T) {
	h := newHarness(t, startTLS, nil, nil)
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	h.mustSync()
	if len(h.store.tickets) != 1 {
		t.Fatalf("tickets %v over STARTTLS", slices.Collect(maps.Keys(h.store.tickets)))
	}
	// STARTTLS beyond what imaps costs.
	h.commands()
	h.mustSync()
	if got, want := h.commands(), map[string]int{"OK": 1 + 1 + 2 + 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("caught-up poll over STARTTLS: %v, want %v", got, want)
	}

	h = newHarness(t, plainOnly, nil, nil)
	err := h.sync()
	if fetch.Reason(err) != fetch.ReasonNetwork || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("a server without STARTTLS: %v (reason %q), want network naming STARTTLS", err, fetch.Reason(err))
	}
	if got := h.commands(); len(got) != 0 {
		t.Errorf("commands %v sent to a server without STARTTLS, want none (the greeting lists its capabilities)", got)
	}
}

func TestSyncCancel(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, nil)
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	gate := make(chan struct{})
	defer close(gate)
	h.ms.mu.Lock()
	h.ms.gate = gate
	h.ms.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.src.Sync(ctx, nil, h.store.emit) }()
	time.Sleep(200 * time.Millisecond) // the FETCH waits at the gate
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled sync: %v, want context.Canceled", err)
		}
		if n := clientGoroutines(); n != 0 {
			t.Errorf("%d go-imap client goroutines left after the cancelled sync", n)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Sync still running 2s after its context was cancelled")
	}
}

// TestSyncCondstore: with CONDSTORE (offered once logged in, listed by
// CAPABILITY after a LOGIN answered without them) the cursor keeps
// HIGHESTMODSEQ, and a server that omits UIDNEXT is caught up by it: still
// one STATUS per folder.
func TestSyncCondstore(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, nil)
	h.ms.condstore, h.ms.noUIDNext, h.ms.bareLogin = true, true, true
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	h.mustSync()
	if !strings.Contains(string(h.store.cursor), `"Sent":{"uidvalidity":1,"last_uid":1,"highestmodseq":1}`) {
		t.Errorf("cursor %s: want Sent's HIGHESTMODSEQ", h.store.cursor)
	}
	h.commands()
	h.mustSync()
	// LOGIN's answer lists no capabilities: CAPABILITY after it, where
	// CONDSTORE shows.
	if got, want := h.commands(), map[string]int{"OK": 1 + 1 + 2 + 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("caught-up poll by HIGHESTMODSEQ: commands %v, want %v", got, want)
	}
	h.ms.add("Sent", rawMail("c2@buyer.example", "ann@buyer.example", rfc(time.Hour), "Another case"), delivered)
	h.mustSync()
	if len(h.store.tickets) != 2 {
		t.Errorf("tickets %v: the new message was not read", slices.Collect(maps.Keys(h.store.tickets)))
	}
}

// TestSyncCondstoreHeld: HIGHESTMODSEQ is stored only for a folder read
// to its end: a folder held before a message dated in the future, on a
// server without UIDNEXT, is read again once it is plausible.
func TestSyncCondstoreHeld(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) {
		env.Bounds = door.Bounds{MaxSkew: time.Hour, Now: func() time.Time { return now }}
	})
	h.ms.condstore, h.ms.noUIDNext = true, true
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	h.ms.add("Sent", rawMail("c2@buyer.example", "ann@buyer.example", rfc(72*time.Hour), "Later"), delivered)
	h.mustSync()
	if strings.Contains(string(h.store.cursor), "highestmodseq") {
		t.Errorf("cursor %s: HIGHESTMODSEQ of a folder not read to its end", h.store.cursor)
	}
	now = t0.Add(72 * time.Hour)
	h.mustSync()
	if _, ok := h.store.tickets["c2@buyer.example"]; !ok {
		t.Errorf("once plausible: tickets %v", slices.Collect(maps.Keys(h.store.tickets)))
	}
	if !strings.Contains(string(h.store.cursor), `"highestmodseq":2`) {
		t.Errorf("cursor %s: want HIGHESTMODSEQ once read to its end", h.store.cursor)
	}
}

// TestSyncOAuth2: a client-credentials token (Microsoft 365's way) is
// fetched, used for XOAUTH2 and reused; a refused client is reason auth,
// its secret in no error.
func TestSyncOAuth2(t *testing.T) {
	var tokens atomic.Int32
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		id, secret, _ := r.BasicAuth()
		if id == "" {
			id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
		}
		w.Header().Set("Content-Type", "application/json")
		if id != "app" || secret != "client-secret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		tokens.Add(1)
		_, _ = w.Write([]byte(`{"access_token":"ya29.token","token_type":"Bearer","expires_in":3600}`))
	}))
	defer idp.Close()
	withOAuth := func(secret string) func(*source.Env) {
		return func(env *source.Env) {
			env.Config.HTTPClient.BasicAuth = nil
			env.Config.HTTPClient.OAuth2 = &commoncfg.OAuth2{ClientID: "app", ClientSecret: commoncfg.Secret(secret), TokenURL: idp.URL,
				Scopes: []string{"https://outlook.office365.com/.default"}}
			env.Config.Options.(*Options).Username = login
		}
	}
	h := newHarness(t, implicitTLS, nil, withOAuth("client-secret"))
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	h.mustSync()
	h.mustSync()
	if len(h.store.tickets) != 1 || tokens.Load() != 1 {
		t.Errorf("tickets %d, tokens fetched %d: want 1 ticket, one token for both syncs", len(h.store.tickets), tokens.Load())
	}
	// A token the server refuses is not reused: the next sync fetches
	// another.
	h.ms.mu.Lock()
	h.ms.token = "ya29.other"
	h.ms.mu.Unlock()
	if err := h.sync(); fetch.Reason(err) != fetch.ReasonAuth {
		t.Errorf("a refused token: %v, want reason auth", err)
	}
	h.ms.mu.Lock()
	h.ms.token = "ya29.token"
	h.ms.mu.Unlock()
	h.mustSync()
	if tokens.Load() != 2 {
		t.Errorf("tokens fetched %d: want another after the refusal", tokens.Load())
	}
	h = newHarness(t, implicitTLS, nil, withOAuth("wrong-secret"))
	err := h.sync()
	if fetch.Reason(err) != fetch.ReasonAuth || strings.Contains(err.Error(), "wrong-secret") || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("a refused client: %v (reason %q), want auth naming invalid_client, without the secret", err, fetch.Reason(err))
	}
	if got := h.commands(); len(got) != 0 {
		t.Errorf("commands %v: no AUTHENTICATE without a token", got)
	}
}

// TestSyncTimeout: a command unanswered past global.request_timeout ends
// the sync with reason timeout.
func TestSyncTimeout(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) {
		env.HTTP = fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{Timeout: time.Second})
	})
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	gate := make(chan struct{})
	defer close(gate)
	h.ms.mu.Lock()
	h.ms.gate = gate
	h.ms.mu.Unlock()
	start := time.Now()
	err := h.sync()
	if fetch.Reason(err) != fetch.ReasonTimeout || time.Since(start) > 5*time.Second {
		t.Errorf("an unanswered FETCH: %v (reason %q) after %v, want timeout", err, fetch.Reason(err), time.Since(start))
	}
	if got := h.commands()["error"]; got != 1 {
		t.Errorf("%d commands counted as error, want the FETCH", got)
	}
}

// TestSyncHeaderTooLarge: a message whose header fields exceed
// maxHeaderBytes is skipped, counted as rejected (too_large) and logged
// without its content; the rest is read, and the next poll passes it.
func TestSyncHeaderTooLarge(t *testing.T) {
	var rejected []string
	var log bytes.Buffer
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) {
		env.Reject = func(r string) { rejected = append(rejected, r) }
		env.Logger = slog.New(slog.NewTextHandler(&log, nil))
	})
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	var refs strings.Builder
	for i := 0; refs.Len() < maxHeaderBytes; i++ {
		fmt.Fprintf(&refs, " <%d.padding@buyer.example>\n", i)
	}
	h.ms.add("INBOX", rawMail("big@vendor.example", "bob@vendor.example", rfc(time.Hour), "Re: Case", "References:"+refs.String()), delivered)
	h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(2*time.Hour), "Re: Case", "References: <c1@buyer.example>"), delivered)
	h.mustSync()
	if tk := h.ticket("c1@buyer.example"); !reflect.DeepEqual(kinds(tk), []item.EventKind{item.EventVendorReply}) || !tk.Events[0].At.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("ticket %+v: want the reply after the huge message", tk)
	}
	if !reflect.DeepEqual(rejected, []string{door.ReasonTooLarge}) {
		t.Errorf("rejected %q, want one too_large", rejected)
	}
	if !strings.Contains(log.String(), "uid=1") || strings.Contains(log.String(), "padding") || strings.Contains(log.String(), "bob@") {
		t.Errorf("the log should name the folder and UID, nothing of the message:\n%s", log.String())
	}
	rejected = nil
	h.mustSync()
	if len(rejected) != 0 {
		t.Errorf("the next poll rejected %q again: the cursor did not pass the message", rejected)
	}
}

// TestSyncSlowStore: storing a batch for longer than the request timeout
// times no command out: the timeout bounds commands, not the idle
// connection between them.
func TestSyncSlowStore(t *testing.T) {
	o := testOptions()
	o.Folders = []string{"Sent"}
	h := newHarness(t, implicitTLS, o, func(env *source.Env) {
		env.HTTP = fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{Timeout: time.Second})
	})
	populate(h.ms, chunkSize+10) // two chunks
	slow := func(b item.Batch) error {
		if h.store.batches == 0 {
			time.Sleep(1500 * time.Millisecond) // past the timeout, between two FETCHes
		}
		return h.store.emit(b)
	}
	if err := h.src.Sync(context.Background(), nil, slow); err != nil {
		t.Fatal(err)
	}
	if len(h.store.tickets) != chunkSize+10 {
		t.Errorf("%d tickets, want %d", len(h.store.tickets), chunkSize+10)
	}
}

// TestSyncGmailThreads: where the server offers X-GM-EXT-1, Gmail's thread
// id makes the thread, even for a reply that lost its References (read
// before the customer's first message).
func TestSyncGmailThreads(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, nil)
	h.ms.gmail = true
	const thrid = "1784061577513526321"
	c1 := h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	v1 := h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(time.Hour), "Re: Case"), delivered)
	h.ms.thrid[c1], h.ms.msgid[c1] = thrid, thrid
	h.ms.thrid[v1], h.ms.msgid[v1] = thrid, "1784065177513526399"
	h.mustSync()
	tk := h.ticket(thrid)
	if len(h.store.tickets) != 1 || !reflect.DeepEqual(kinds(tk), []item.EventKind{item.EventVendorReply}) {
		t.Errorf("tickets %v, %+v: want Gmail's thread with the vendor's reply", slices.Collect(maps.Keys(h.store.tickets)), tk)
	}
}

// clientGoroutines counts the goroutines running go-imap's client code or
// the collector's (the test server's are not).
func clientGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "emersion/go-imap/client.") || strings.Contains(g, "collectors/imap.(*session)") ||
			strings.Contains(g, "collectors/imap.(*collector)") || strings.Contains(g, "collectors/imap.dial") {
			n++
		}
	}
	return n
}

// TestSyncHistoryStart: a thread begun before history_start is no ticket,
// and a reply to it later makes none.
func TestSyncHistoryStart(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) { env.HistoryStart = t0 })
	h.ms.add("Sent", rawMail("old@buyer.example", "ann@buyer.example", rfc(-48*time.Hour), "Old case"), delivered)
	h.ms.add("Sent", rawMail("new@buyer.example", "ann@buyer.example", rfc(time.Hour), "New case"), delivered)
	h.mustSync()
	h.ms.add("Sent", rawMail("old2@buyer.example", "ann@buyer.example", rfc(2*time.Hour), "Re: Old case", "References: <old@buyer.example>"), delivered)
	h.ms.add("INBOX", rawMail("v@vendor.example", "bob@vendor.example", rfc(3*time.Hour), "Re: Old case", "References: <old@buyer.example>"), delivered)
	h.mustSync()
	if ids := slices.Collect(maps.Keys(h.store.tickets)); len(ids) != 1 || ids[0] != "new@buyer.example" {
		t.Errorf("tickets %v, want only the one begun after history_start", ids)
	}
}

// TestSyncMessagesWithoutIDs: a message without From is nobody's; those
// without Message-ID are told apart by INTERNALDATE, and a copy of one in
// another folder is still one.
func TestSyncMessagesWithoutIDs(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, nil)
	noID := "From: ann@buyer.example\nDate: " + rfc(0) + "\nSubject: Case\n\nHello.\n"
	h.ms.add("INBOX", "Message-ID: <x@buyer.example>\nDate: "+rfc(0)+"\nSubject: no sender\n\nHi.\n", t0)
	h.ms.add("INBOX", noID, t0)
	h.ms.add("Sent", noID, t0)
	h.ms.add("Sent", noID, t0.Add(time.Minute))
	h.mustSync()
	if n := len(h.store.tickets); n != 2 {
		t.Errorf("%d tickets %v, want 2: one per INTERNALDATE, none without a sender", n, slices.Collect(maps.Keys(h.store.tickets)))
	}
}

// TestSyncRenumberedMidSync: INBOX renumbered between two of its chunks
// (the EXAMINE that returns to it shows a new UIDVALIDITY) stops its read;
// what was read is judged up to the frontier, the next sync reads INBOX
// again from its start, and the store ends as one undisturbed sync's. A
// thread begun in INBOX's unread chunk (the customer wrote from another
// mailbox, this one in CC) and answered from Sent must not be created at
// the answer.
func TestSyncRenumberedMidSync(t *testing.T) {
	const threads = 260 // two chunks per folder
	fill := func(ms *mailServer) {
		populate(ms, threads)
		ms.add("INBOX", rawMail("late@buyer.example", "eve@buyer.example", rfc(1000*time.Minute), "Late case"), delivered)
		ms.add("Sent", rawMail("late2@buyer.example", "ann@buyer.example", rfc(1001*time.Minute), "Re: Late case",
			"References: <late@buyer.example>"), delivered)
	}
	whole := newHarness(t, implicitTLS, nil, nil)
	fill(whole.ms)
	whole.mustSync()

	var ms *mailServer
	commands := 0
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) {
		count := env.CountRequest
		env.CountRequest = func(code string) {
			count(code)
			// LOGIN; INBOX's STATUS, EXAMINE, SEARCH, headers and bodies;
			// Sent's STATUS, EXAMINE, SEARCH, headers: then back to INBOX.
			if commands++; commands == 10 {
				ms.renumber("INBOX")
			}
		}
	})
	ms = h.ms
	fill(h.ms)
	h.mustSync()
	events := func(s *fakeStore) (n int) {
		for _, tk := range s.tickets {
			n += len(tk.Events)
		}
		return n
	}
	if got, all := events(h.store), events(whole.store); got == 0 || got >= all {
		t.Fatalf("%d events after the renumbered sync, %d in all: want some, not all (the test proves nothing)", got, all)
	}
	if !strings.Contains(string(h.store.cursor), `"INBOX":{"uidvalidity":1,`) {
		t.Errorf("cursor %s: want INBOX's old UIDVALIDITY, so that the next sync reads it again", h.store.cursor)
	}
	for id, tk := range h.store.tickets {
		if want := whole.store.tickets[id]; !tk.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("ticket %s created at %s, want %s", id, tk.CreatedAt, want.CreatedAt)
		}
	}
	h.mustSync()
	if !reflect.DeepEqual(h.store.tickets, whole.store.tickets) {
		t.Errorf("after the resync: %d tickets, want the %d of one undisturbed sync (or some differ)", len(h.store.tickets), len(whole.store.tickets))
	}
}

// TestSyncReplyToReply: a customer's reply naming only the vendor's reply
// (In-Reply-To alone, as Outlook writes) joins the ticket, whether its
// parent was read in the same sync or in an earlier one.
func TestSyncReplyToReply(t *testing.T) {
	for _, split := range []bool{false, true} {
		t.Run(fmt.Sprint("two syncs ", split), func(t *testing.T) {
			h := newHarness(t, implicitTLS, nil, nil)
			h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Login fails"), delivered)
			h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(time.Hour), "Re: Login fails",
				"In-Reply-To: <c1@buyer.example>"), t0.Add(time.Hour))
			if split {
				h.mustSync()
			}
			h.ms.add("Sent", rawMail("c2@buyer.example", "ann@buyer.example", rfc(2*time.Hour), "RE: Login fails",
				"In-Reply-To: <v1@vendor.example>"), t0.Add(2*time.Hour))
			h.ms.add("INBOX", rawMail("v2@vendor.example", "bob@vendor.example", rfc(3*time.Hour), "Re: Login fails",
				"In-Reply-To: <c2@buyer.example>"), t0.Add(3*time.Hour))
			h.mustSync()
			if len(h.store.tickets) != 1 {
				t.Fatalf("tickets %v: want one", slices.Collect(maps.Keys(h.store.tickets)))
			}
			want := []item.EventKind{item.EventVendorReply, item.EventCustomerReply, item.EventVendorReply}
			if tk := h.ticket("c1@buyer.example"); !reflect.DeepEqual(kinds(tk), want) {
				t.Errorf("events %v, want %v", kinds(tk), want)
			}
		})
	}
}

// TestSyncSenderClock: the server's INTERNALDATE wins over a Date later
// than it (a sender's clock running fast) or implausible; only an
// INTERNALDATE in the future holds the folder.
func TestSyncSenderClock(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) {
		env.Bounds = door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour,
			Now: func() time.Time { return now }}
		env.Reject = func(r string) { t.Errorf("rejected for %q", r) }
	})
	// A customer clock 5 minutes fast, answered 3 minutes later.
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(5*time.Minute), "Fast clock"), t0)
	h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(3*time.Minute), "Re: Fast clock",
		"In-Reply-To: <c1@buyer.example>"), t0.Add(3*time.Minute))
	// A Date a year ahead, then an ordinary message: nothing stalls.
	h.ms.add("Sent", rawMail("c2@buyer.example", "ann@buyer.example", rfc(365*24*time.Hour), "Year ahead"), t0.Add(time.Hour))
	// A Date of 1980 (a clock reset): its INTERNALDATE.
	h.ms.add("Sent", rawMail("c3@buyer.example", "ann@buyer.example",
		time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC1123Z), "Clock reset"), t0.Add(2*time.Hour))
	h.mustSync()
	tk := h.ticket("c1@buyer.example")
	if !tk.CreatedAt.Equal(t0) || !reflect.DeepEqual(kinds(tk), []item.EventKind{item.EventVendorReply}) ||
		!tk.Events[0].At.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("fast clock: %+v, want created at INTERNALDATE and its first response kept", tk)
	}
	if tk := h.ticket("c2@buyer.example"); !tk.CreatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("a year ahead: created %v, want its INTERNALDATE", tk.CreatedAt)
	}
	if tk := h.ticket("c3@buyer.example"); !tk.CreatedAt.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("1980: created %v, want its INTERNALDATE", tk.CreatedAt)
	}
	if !strings.Contains(string(h.store.cursor), `"Sent":{"uidvalidity":1,"last_uid":3}`) {
		t.Errorf("cursor %s: want Sent read to its end", h.store.cursor)
	}
}

// TestSyncPatternsOnCustomerWords: the acknowledgement and solved patterns
// match neither the customer's subject that a vendor reply repeats nor
// the history a helpdesk appends to its mail.
func TestSyncPatternsOnCustomerWords(t *testing.T) {
	h := newHarness(t, implicitTLS, nil, nil)
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Ticket was created twice"), delivered)
	h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(time.Hour), "[Acme] RE: AW: Ticket was created twice",
		"In-Reply-To: <c1@buyer.example>"), delivered)
	h.ms.add("Sent", rawMail("c2@buyer.example", "ann@buyer.example", rfc(2*time.Hour), "Printer offline"), delivered)
	zendesk := "Message-ID: <v2@vendor.example>\nFrom: bob@vendor.example\nDate: " + rfc(3*time.Hour) +
		"\nSubject: [Acme] Re: Printer offline\nIn-Reply-To: <c2@buyer.example>\nContent-Type: text/plain; charset=utf-8\n\n" +
		"##- Please type your reply above this line -##\n\nYour request (42) has been updated.\n" +
		"----------------------------------------------\n\nBob (Acme)\n\nWe are looking into it.\n\n" +
		"----------------------------------------------\n\nBob (Acme)\n\nYour other request has been solved, see below.\n"
	h.ms.add("INBOX", zendesk, delivered)
	h.mustSync()
	for _, id := range []string{"c1@buyer.example", "c2@buyer.example"} {
		tk := h.ticket(id)
		if !reflect.DeepEqual(kinds(tk), []item.EventKind{item.EventVendorReply}) || tk.Status != item.StatusOpen {
			t.Errorf("%s: events %v, status %s: want the vendor's reply, open", id, kinds(tk), tk.Status)
		}
	}
}

func TestBaseSubject(t *testing.T) {
	for in, want := range map[string]string{
		"Re: Fwd: AW: Ticket was created twice": "Ticket was created twice",
		"[Acme] RE[2]: 回复: Login":               "Login",
		"Automatic reply: Database down":        "Automatic reply: Database down",
		"Ticket Received - Database down":       "Ticket Received - Database down",
	} {
		if got := baseSubject(in); got != want {
			t.Errorf("baseSubject(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSyncHeaderMalformed: a message whose header fields do not parse is
// skipped for good, counted and logged with its folder and UID only; the
// source goes on.
func TestSyncHeaderMalformed(t *testing.T) {
	var rejected []string
	var log bytes.Buffer
	h := newHarness(t, implicitTLS, nil, func(env *source.Env) {
		env.Reject = func(r string) { rejected = append(rejected, r) }
		env.Logger = slog.New(slog.NewTextHandler(&log, nil))
	})
	h.ms.add("Sent", rawMail("c1@buyer.example", "ann@buyer.example", rfc(0), "Case"), delivered)
	bad := h.ms.add("INBOX", rawMail("bad@vendor.example", "bob@vendor.example", rfc(time.Hour), "Re: Case"), delivered)
	h.ms.mu.Lock()
	h.ms.rawHeader[bad] = []byte("Message-ID: <bad@vendor.example>\r\nsecret line without a colon\r\n\r\n")
	h.ms.mu.Unlock()
	h.ms.add("INBOX", rawMail("v1@vendor.example", "bob@vendor.example", rfc(2*time.Hour), "Re: Case", "References: <c1@buyer.example>"), delivered)
	h.mustSync()
	if tk := h.ticket("c1@buyer.example"); !reflect.DeepEqual(kinds(tk), []item.EventKind{item.EventVendorReply}) {
		t.Errorf("ticket %+v: want the reply after the malformed message", tk)
	}
	if !reflect.DeepEqual(rejected, []string{door.ReasonTooLarge}) {
		t.Errorf("rejected %q, want one too_large", rejected)
	}
	if !strings.Contains(log.String(), "uid=1") || strings.Contains(log.String(), "secret") {
		t.Errorf("the log should name the folder and UID, nothing of the message:\n%s", log.String())
	}
	rejected = nil
	h.mustSync()
	if len(rejected) != 0 {
		t.Errorf("the next poll rejected %q again", rejected)
	}
}
