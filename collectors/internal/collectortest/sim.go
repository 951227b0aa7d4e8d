package collectortest

import (
	"io"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// SimStart is the simulated "now" of the tests that run against the
// simulator: a Tuesday noon UTC.
var SimStart = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// SimVendor is the simulated vendor's name.
const SimVendor = "acme"

// Clock is a simulation's clock, which only the test moves.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// SmallWorld starts a SmallVendor of n tickets whose clock stands at
// SimStart, and returns the simulation and its clock.
func SmallWorld(tb testing.TB, n int) (*simulator.Sim, *Clock) {
	tb.Helper()
	c := NewClock(SimStart)
	return StartSim(tb, c, SmallVendor(n)), c
}

// StartSim starts a simulation of vendor, generated as of SimStart and
// answering as of c, with Zendesk's export limit off; it is closed when
// the test ends.
func StartSim(tb testing.TB, c *Clock, vendor simulator.Vendor) *simulator.Sim {
	tb.Helper()
	s, err := simulator.New(simulator.Options{Seed: 1, Start: SimStart, Clock: c.Now, ExportRequestsPerMinute: -1,
		Vendors: []simulator.Vendor{vendor}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// SmallVendor is a simulated vendor of a few weeks: tickets created over
// three weeks, incidents and maintenances, one of each under way at the
// start.
func SmallVendor(tickets int) simulator.Vendor {
	return simulator.Vendor{
		Name: SimVendor, Timezone: "Europe/Berlin", History: 21 * 24 * time.Hour, Tickets: tickets,
		IncidentsPerWeek: 3, MaintenancesPerWeek: 2, OpenAtStart: true,
	}
}

// Wire records the requests a source sends, as path?query, how many are
// in flight and the errors of those that got no answer. It sees them as
// the collector sends them: the credentials and headers of the source's
// http_client are added after it. It may also answer some requests itself
// (Override).
type Wire struct {
	next      http.RoundTripper
	inFlight  atomic.Int32
	mu        sync.Mutex
	sent      []string
	headers   []http.Header
	failures  []error
	statuses  []int
	overrides []*override
	perPath   map[string]int // requests by URL path
}

// override is a canned answer to the requests of one path.
type override struct {
	path   string
	nth    int // only the nth request of path (from 1); 0: every one
	status int
	body   string
	header http.Header
}

// Override answers the requests whose URL path matches path (path.Match:
// a * stands for one segment; the nth of them only, from 1, when nth > 0) with status, body and header instead of
// sending them: an answer the simulated vendor never gives (a field
// missing, paging that circles), in its world. A later override of a
// request takes precedence.
func (w *Wire) Override(path string, nth, status int, body string, header http.Header) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.overrides = append(w.overrides, &override{path: path, nth: nth, status: status, body: body, header: header})
}

// canned is the overriding answer to r, or nil.
func (w *Wire) canned(r *http.Request) *http.Response {
	if w.perPath == nil {
		w.perPath = map[string]int{}
	}
	w.perPath[r.URL.Path]++
	n := w.perPath[r.URL.Path]
	for _, o := range slices.Backward(w.overrides) { // the latest first
		if match, _ := path.Match(o.path, r.URL.Path); !match || (o.nth > 0 && o.nth != n) {
			continue
		}
		h := http.Header{"Content-Type": {JSONType}}
		for k, v := range o.header {
			h[k] = v
		}
		return &http.Response{StatusCode: o.status, Status: http.StatusText(o.status), Header: h, Request: r,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			ContentLength: int64(len(o.body)), Body: io.NopCloser(strings.NewReader(o.body))}
	}
	return nil
}

// RoundTrip records r and sends it, or answers it as overridden.
func (w *Wire) RoundTrip(r *http.Request) (*http.Response, error) {
	w.inFlight.Add(1)
	defer w.inFlight.Add(-1)
	w.mu.Lock()
	w.sent = append(w.sent, r.URL.RequestURI())
	w.headers = append(w.headers, r.Header.Clone())
	resp := w.canned(r)
	w.mu.Unlock()
	if resp == nil {
		var err error
		if resp, err = w.next.RoundTrip(r); err != nil {
			w.mu.Lock()
			w.failures = append(w.failures, err)
			w.mu.Unlock()
			return nil, err
		}
	}
	w.mu.Lock()
	w.statuses = append(w.statuses, resp.StatusCode)
	w.mu.Unlock()
	return resp, nil
}

// Headers are the headers of the requests sent, in order.
func (w *Wire) Headers() []http.Header {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]http.Header(nil), w.headers...)
}

// Statuses are the status codes of the answers received, in order.
func (w *Wire) Statuses() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.statuses...)
}

// InFlight is how many requests are under way.
func (w *Wire) InFlight() int { return int(w.inFlight.Load()) }

// Failures are the errors of the requests that got no answer.
func (w *Wire) Failures() []error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]error(nil), w.failures...)
}

// Await waits until n requests whose path?query contains part were sent,
// and fails the test after 10 s.
func (w *Wire) Await(tb testing.TB, part string, n int) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); w.Count(part) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("%d requests containing %q sent, want %d: %q", w.Count(part), part, n, w.Sent())
		}
	}
}

// Sent are the requests sent so far, in order.
func (w *Wire) Sent() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.sent...)
}

// Count is how many requests were sent whose path?query contains part
// (every request for "").
func (w *Wire) Count(part string) int {
	n := 0
	for _, s := range w.Sent() {
		if strings.Contains(s, part) {
			n++
		}
	}
	return n
}

// Reset forgets the requests sent so far.
func (w *Wire) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sent, w.headers, w.statuses = nil, nil, nil
}

// SimEnv is the Env the exporter builds for a source written as body, a
// config source's YAML without its name (simulator.Sim.SourceYAML), of
// the kind decl declares (a kind's tests cannot import package
// collectors, which holds the declarations: they declare the name, the
// feed and the options): parsed by the config package, with a client whose
// requests w records, the clock now (its door bounds too) and no stored
// ticket. Tests set what else they need on the result.
func SimEnv(tb testing.TB, decl config.Kind, body string, now func() time.Time) (source.Env, *Wire) {
	tb.Helper()
	var b strings.Builder
	b.WriteString("vendors:\n  - name: " + SimVendor + "\n    " + decl.Feeds.List() + ":\n      - name: test\n")
	for l := range strings.Lines(body) {
		b.WriteString("        " + l)
	}
	cfg, err := config.Parse([]byte(b.String()), "<test>", config.Kinds{decl})
	if err != nil {
		tb.Fatalf("%v\n%s", err, b.String())
	}
	v := cfg.Vendors[0]
	src := slices.Concat(v.Tickets, v.StatusPages, v.Docs)[0]
	hc, err := commoncfg.NewClientFromConfig(src.HTTPClient, "support_exporter")
	if err != nil {
		tb.Fatal(err)
	}
	w := &Wire{next: hc.Transport}
	hc.Transport = w
	tb.Cleanup(hc.CloseIdleConnections)
	limits := fetch.NewLimits()
	g := cfg.Global
	return source.Env{
		Config: src, Vendor: v,
		HTTP:   fetch.New(hc, limits, fetch.Options{Timeout: Timeout}),
		Limits: limits, HistoryStart: g.HistoryStart.Time, Logger: slog.New(slog.DiscardHandler), Now: now,
		Bounds: door.Bounds{NotBefore: g.EarliestTimestamp.Time, MaxSkew: time.Duration(g.MaxClockSkew), Now: now},
	}, w
}

// Store is the exporter's store as a source sees it: the last emitted
// version of each ticket, for source.Env.Stored, and the cursor to resume
// from.
type Store struct {
	mu      sync.Mutex
	tickets map[string]item.Ticket
	cursor  []byte
}

// NewStore is an empty store.
func NewStore() *Store { return &Store{tickets: map[string]item.Ticket{}} }

// Emit commits b; pass it to Source.Sync.
func (s *Store) Emit(b item.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range b.Tickets {
		s.tickets[t.ID] = t
	}
	if b.Cursor != nil {
		s.cursor = append([]byte(nil), b.Cursor...)
	}
	return nil
}

// Stored reads ticket id's stored version (nil when none): source.Env.Stored.
func (s *Store) Stored(id string) (*item.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return nil, nil
	}
	return &t, nil
}

// Cursor is the stored cursor.
func (s *Store) Cursor() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cursor == nil {
		return nil
	}
	return append([]byte(nil), s.cursor...)
}

// Tickets are the stored tickets by id.
func (s *Store) Tickets() map[string]item.Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]item.Ticket, len(s.tickets))
	for id, t := range s.tickets {
		out[id] = t
	}
	return out
}
