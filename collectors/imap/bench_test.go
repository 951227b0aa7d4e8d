package imap_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/internal/dovecot"
)

// Size of the benchmark's mailbox: 100,000 messages in 20,000 threads.
const (
	benchThreads   = 20000
	benchPerThread = 5
)

// BenchmarkDovecotSync is one full sync of a large mailbox from a real
// Dovecot: 20,000 threads of five messages (the customer opens, the vendor
// answers, the customer answers, the vendor answers, the vendor solves),
// interleaved in time as a busy mailbox is. The maildir files are written
// directly (dovecot.WriteMaildir), not APPENDed: the mailbox is the
// fixture, the sync is what is measured. Dovecot indexes the folder before
// the timer starts (a server does that as mail arrives).
//
// Reported: messages/s of the full sync; peak_rss_MB, the process's peak
// resident set (VmHWM) during the sync, reset just before it (the emitted
// tickets are kept in a map, as small as the store's own copy); and
// caught_up_cmds, the commands a poll with nothing new sends, login and
// logout included. Run it with -benchtime=1x: each iteration reads all of
// it again.
func BenchmarkDovecotSync(b *testing.B) {
	if testing.Short() {
		b.Skip("a 100,000-message mailbox: not under -short")
	}
	srv := dovecot.StartWith(b, dovecot.Options{NoRawLog: true}, dovecot.User{Name: mailUser, Password: mailPass})
	writeBenchMailbox(b, srv)
	// Dovecot reads the new files and builds its index now, not in the
	// timed sync.
	if st := srv.Status(b, mailUser, "INBOX"); st.Messages != benchThreads*benchPerThread {
		b.Fatalf("the folder holds %d messages, want %d", st.Messages, benchThreads*benchPerThread)
	}
	yaml := fmt.Sprintf(`vendors:
  - name: acme
    tickets:
      - name: mailbox
        kind: imap
        url: %s
        vendor_addresses: ["@vendor.example"]
        tag_patterns: {p1: '\[P1\]', p2: '\[P2\]'}
        solved_patterns: ['(?i)has been solved']
        max_requests_per_sync: 100000
        http_client:
          basic_auth: {username: %s, password: %s}
          tls_config: {ca: %q}
`, srv.URL(), mailUser, mailPass, srv.CAPEM())
	cfg, err := config.Parse([]byte(yaml), "<bench>", collectors.Kinds.Config())
	if err != nil {
		b.Fatal(err)
	}
	sc := cfg.Vendors[0].Tickets[0]

	var caughtUp int
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		stored := map[string]item.Ticket{}
		var counted int
		env := collectortest.Env("imap", sc.URL, http.DefaultClient)
		env.Config, env.Vendor = sc, cfg.Vendors[0]
		env.CountRequest = func(string) { counted++ }
		env.Stored = func(id string) (*item.Ticket, error) {
			if tk, ok := stored[id]; ok {
				return &tk, nil
			}
			return nil, nil
		}
		src := collectortest.NewSource(b, collectors.New, env)
		var cursor []byte
		emit := func(bt item.Batch) error {
			for _, tk := range bt.Tickets {
				stored[tk.ID] = tk
			}
			if bt.Cursor != nil {
				cursor = bt.Cursor
			}
			return nil
		}
		runtime.GC()
		resetPeakRSS(b)
		b.StartTimer()
		start := time.Now()
		if err := src.Sync(context.Background(), nil, emit); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(benchThreads*benchPerThread)/elapsed.Seconds(), "messages/s")
		b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak_rss_MB")
		b.ReportMetric(float64(counted), "full_sync_cmds")
		if len(stored) != benchThreads {
			b.Fatalf("%d tickets, want %d", len(stored), benchThreads)
		}
		for _, tk := range stored {
			if len(tk.Events) != 5 || tk.Status != item.StatusSolved {
				b.Fatalf("ticket %s: %d events, %s; want 5 (3 vendor replies, a customer reply, a solve), solved", tk.ID, len(tk.Events), tk.Status)
			}
		}
		counted = 0
		if err := src.Sync(context.Background(), cursor, emit); err != nil {
			b.Fatal(err)
		}
		caughtUp = counted
		b.StartTimer()
	}
	b.ReportMetric(float64(caughtUp), "caught_up_cmds")
}

// writeBenchMailbox writes the threads' messages into INBOX in time order.
func writeBenchMailbox(b *testing.B, srv *dovecot.Server) {
	b.Helper()
	type slot struct {
		thread, k int
		at        time.Time
	}
	base := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)
	// Offsets of the five messages from the thread's start.
	offsets := []time.Duration{0, 30 * time.Minute, 2 * time.Hour, 4 * time.Hour, 5 * time.Hour}
	slots := make([]slot, 0, benchThreads*benchPerThread)
	for th := range benchThreads {
		start := base.Add(time.Duration(th) * 3 * time.Minute)
		for k, off := range offsets {
			slots = append(slots, slot{th, k, start.Add(off)})
		}
	}
	slices.SortStableFunc(slots, func(x, y slot) int { return x.at.Compare(y.at) })
	const chunk = 5000
	for part := range slices.Chunk(slots, chunk) {
		msgs := make([]dovecot.Message, 0, len(part))
		for _, s := range part {
			msgs = append(msgs, dovecot.Message{Raw: benchMessage(s.thread, s.k, s.at), Date: s.at.Add(deliveryDelay), Flags: []string{`\Seen`}})
		}
		srv.WriteMaildir(b, mailUser, "INBOX", msgs)
	}
}

// benchMessage is message k of thread th, at.
func benchMessage(th, k int, at time.Time) []byte {
	id := func(k int) string { return fmt.Sprintf("<t%d.m%d@mail.example>", th, k) }
	subject := fmt.Sprintf("[P%d] Orders API error %d", 1+th%4, th)
	from := fmt.Sprintf("Customer %d <customer%d@buyer.example>", th%500, th%500)
	body := "Requests to the orders API fail since this morning.\r\nRequest id: " + strconv.Itoa(th*7919) + "\r\n"
	switch k {
	case 1, 3:
		from = fmt.Sprintf("Agent %d <agent%d@vendor.example>", th%50, th%50)
		body = "Thanks for the details, we are looking into it.\r\n"
	case 4:
		from = fmt.Sprintf("Agent %d <agent%d@vendor.example>", th%50, th%50)
		body = "The fix is deployed.\r\n\r\nYour request has been solved. Reply to reopen it.\r\n"
	}
	var w bytes.Buffer
	fmt.Fprintf(&w, "From: %s\r\nTo: support@vendor.example\r\nDate: %s\r\nMessage-ID: %s\r\n", from, at.Format(time.RFC1123Z), id(k))
	if k == 0 {
		fmt.Fprintf(&w, "Subject: %s\r\n", subject)
	} else {
		var refs []string
		for j := range k {
			refs = append(refs, id(j))
		}
		fmt.Fprintf(&w, "Subject: Re: %s\r\nIn-Reply-To: %s\r\nReferences: %s\r\n", subject, id(k-1), strings.Join(refs, " "))
	}
	fmt.Fprintf(&w, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s", body)
	return w.Bytes()
}

// resetPeakRSS resets the process's VmHWM (Linux: 5 into clear_refs).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS not reset (%v): peak_rss_MB includes the fixture", err)
	}
}

// peakRSS is VmHWM of /proc/self/status, in bytes.
func peakRSS(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
