package collectors_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// The simulated vendor every kind is run against: a few hundred tickets
// over three weeks, so that the lists paged by 100 span several pages,
// with incidents and maintenances, one of each under way at the start.
const (
	vendorName = "acme"
	seed       = 7
)

var (
	// start is the simulation's "now" of the first reference sync: a
	// Tuesday noon. The clock never moves but when a test moves it.
	start = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	// later is when the world has moved on: tickets answered, solved and
	// opened, incidents posted and resolved since start.
	later = start.Add(6 * time.Hour)
)

// Ticket counts of the simulated vendor: the usual one, and the one a
// ticket kind whose pages hold the usual one whole is run against again,
// so that its syncs span several pages too (Zendesk's export pages 1000).
const (
	tickets     = 250
	manyTickets = 1250
)

func simVendor(tickets int) simulator.Vendor {
	return simulator.Vendor{
		Name: vendorName, Timezone: "Europe/Berlin", History: 21 * 24 * time.Hour, Tickets: tickets,
		LiveTicketsPerHour: 2, IncidentsPerWeek: 3, MaintenancesPerWeek: 2, OpenAtStart: true,
	}
}

// Request timeouts of the sources' clients: a normal one, and the one a
// test of the timeout fault uses, which a normal answer on loopback never
// takes.
const (
	normalTimeout = 10 * time.Second
	shortTimeout  = 500 * time.Millisecond
)

// maxRequests is a sync's budget, max_requests_per_sync's default.
const maxRequests = 10000

// kindUnderTest is one registered kind, or one of its variants (the same
// kind reading another account of the API).
type kindUnderTest struct {
	name    string // the subtest's: the kind, then the variant
	kind    string
	tickets bool // a ticket kind, configured under tickets
	yaml    func(*simulator.Sim) string

	list string // the vendor list its sources go under (config.Feed.List)
}

// variants are the accounts a kind reads besides its default one, by kind
// name: each is run through the whole suite too.
var variants = map[string]map[string]func(*simulator.Sim) string{
	simulator.KindJSM:  {"customer": func(s *simulator.Sim) string { return s.JSMCustomerSourceYAML(vendorName) }},
	simulator.KindIMAP: {"xoauth2": func(s *simulator.Sim) string { return s.IMAPBearerSourceYAML(vendorName) }},
}

// kindsUnderTest are every registered kind (collectors.Kinds) and their
// variants.
func kindsUnderTest() []kindUnderTest {
	var out []kindUnderTest
	for _, k := range collectors.Kinds {
		name, tickets := k.Name, k.Feeds == config.FeedsTickets
		out = append(out, kindUnderTest{name: name, kind: name, tickets: tickets, list: k.Feeds.List(),
			yaml: func(s *simulator.Sim) string { return s.SourceYAML(vendorName, name) }})
		for v, yaml := range variants[name] {
			out = append(out, kindUnderTest{name: name + "/" + v, kind: name, tickets: tickets, list: k.Feeds.List(), yaml: yaml})
		}
	}
	return out
}

// simClock is the simulation's clock, which only tests move.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// fixture is one kind's source against its own simulated vendor.
type fixture struct {
	k        kindUnderTest
	sim      *simulator.Sim
	clock    *simClock
	cfg      *config.Config
	src      *config.Source
	requests atomic.Int64 // sent by the sources built here
	inFlight atomic.Int64 // of those, not answered whole yet (HTTP)
	// http: the kind speaks HTTP (its URL's scheme is http or https), so
	// that its requests are counted by the client's transport; another
	// protocol's (IMAP's commands) are counted by source.Env.CountRequest.
	http bool
}

// logouts are the commands ending a session that the vendor received: a
// session protocol's LOGOUT (zero for HTTP).
func (f *fixture) logouts() int64 {
	if f.http {
		return 0
	}
	return int64(f.sim.CommandCounts(vendorName)["LOGOUT"])
}

// received are the requests the vendor received, answered or not: the
// client's count for HTTP, which counts a request as it sends it; the
// vendor's own for another protocol, whose client counts a command once
// answered.
func (f *fixture) received() int64 {
	if f.http {
		return f.requests.Load()
	}
	n := 0
	for _, c := range f.sim.CommandCounts(vendorName) {
		n += c
	}
	return int64(n)
}

// newFixture starts the kind's simulated vendor with n tickets.
func newFixture(t *testing.T, k kindUnderTest, n int) *fixture {
	t.Helper()
	return newFixtureOf(t, k, simVendor(n))
}

// newFixtureOf starts the kind's simulated vendor v.
func newFixtureOf(t *testing.T, k kindUnderTest, v simulator.Vendor) *fixture {
	t.Helper()
	c := &simClock{t: start}
	sim, err := simulator.New(simulator.Options{
		Seed: seed, Start: start, Clock: c.Now, ExportRequestsPerMinute: -1, Vendors: []simulator.Vendor{v},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	f := &fixture{k: k, sim: sim, clock: c}
	body := k.yaml(sim)
	if body == "" {
		t.Fatalf("the simulator does not play kind %s: Sim.SourceYAML is empty (docs/sources.md, adding a source kind)", k.kind)
	}
	f.cfg, f.src = parseSource(t, k.list, body)
	f.http = strings.HasPrefix(f.src.URL, "http://") || strings.HasPrefix(f.src.URL, "https://")
	return f
}

// parseSource parses body, a source's YAML without its name, as the one
// source of a minimal config under list, with the real config package:
// the one place the suite calls config.Parse.
func parseSource(t *testing.T, list, body string) (*config.Config, *config.Source) {
	t.Helper()
	var b strings.Builder
	b.WriteString("vendors:\n  - name: " + vendorName + "\n    " + list + ":\n      - name: conformance\n")
	for l := range strings.Lines(body) {
		b.WriteString("        " + l)
	}
	cfg, err := config.Parse([]byte(b.String()), "<conformance>", collectors.Kinds.Config())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	v := cfg.Vendors[0]
	switch list {
	case config.FeedsTickets.List():
		return cfg, v.Tickets[0]
	case config.FeedsDocs.List():
		return cfg, v.Docs[0]
	}
	return cfg, v.StatusPages[0]
}

// countingTransport counts the requests a source sends (one whose context
// is already cancelled is never sent), and those not yet answered whole:
// in flight until their body is closed.
type countingTransport struct {
	next     http.RoundTripper
	n        *atomic.Int64
	inFlight *atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Context().Err() == nil {
		c.n.Add(1)
	}
	c.inFlight.Add(1)
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		c.inFlight.Add(-1)
		return nil, err
	}
	resp.Body = &doneBody{ReadCloser: resp.Body, done: func() { c.inFlight.Add(-1) }}
	return resp, nil
}

// doneBody calls done once, when the body is closed.
type doneBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *doneBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

func (c *countingTransport) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// built is a source and the HTTP client under it.
type built struct {
	source.Source
	hc *http.Client
}

// env is the Env the exporter builds for the fixture's source
// (exporter/exporter.go, newRunner), on a store st, with src as its
// config.
func (f *fixture) env(t *testing.T, src *config.Source, st *memStore, timeout time.Duration) (source.Env, *http.Client) {
	t.Helper()
	hc, err := commoncfg.NewClientFromConfig(src.HTTPClient, "support_exporter")
	if err != nil {
		t.Fatal(err)
	}
	hc.Transport = &countingTransport{next: hc.Transport, n: &f.requests, inFlight: &f.inFlight}
	limits := fetch.NewLimits()
	g := f.cfg.Global
	var countRequest func(string)
	if !f.http {
		countRequest = func(string) { f.requests.Add(1) }
	}
	return source.Env{
		CountRequest: countRequest,
		Config:       src, Vendor: f.cfg.Vendors[0],
		HTTP:   fetch.New(hc, limits, fetch.Options{Timeout: timeout, UserAgent: "support_exporter/conformance"}),
		Limits: limits, HistoryStart: g.HistoryStart.Time, Logger: slog.New(slog.DiscardHandler), Now: f.clock.Now,
		Bounds: door.Bounds{NotBefore: g.EarliestTimestamp.Time, MaxSkew: time.Duration(g.MaxClockSkew), Now: f.clock.Now},
		Stored: st.ticket,
	}, hc
}

// newSource builds the source as the exporter does, reading st.
func (f *fixture) newSource(t *testing.T, st *memStore, timeout time.Duration) built {
	t.Helper()
	env, hc := f.env(t, f.src, st, timeout)
	s, err := collectors.New(env)
	if err != nil {
		t.Fatalf("collectors.New: %v", err)
	}
	return built{s, hc}
}

// errStop is the store refusing a batch.
var errStop = errors.New("conformance: the store refused the batch")

// syncOpts shape one sync.
type syncOpts struct {
	timeout time.Duration // the client's request timeout; zero: normalTimeout
	budget  int           // max_requests_per_sync; zero: maxRequests
	// failAfter >= 0 fails the emit that follows that many committed
	// batches with errStop, and every later one.
	failAfter int
}

// sync runs one sync of a new source (a restarted exporter) from st's
// cursor, committing its batches to st.
func (f *fixture) sync(t *testing.T, st *memStore, o syncOpts) error {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = normalTimeout
	}
	if o.budget == 0 {
		o.budget = maxRequests
	}
	src := f.newSource(t, st, o.timeout)
	defer src.hc.CloseIdleConnections()
	n := 0
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hung sync fails the test, not the run
	defer cancel()
	return src.Sync(fetch.StartSync(ctx, o.budget), st.cursorCopy(), func(b item.Batch) error {
		if o.failAfter >= 0 && n >= o.failAfter {
			return errStop
		}
		st.apply(b)
		n++
		return nil
	})
}

// cursorCopy is the stored cursor, as the store hands it to a sync.
func (s *memStore) cursorCopy() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cursor == nil {
		return nil
	}
	return append([]byte(nil), s.cursor...)
}

// plain are the options of a sync that nothing disturbs.
var plain = syncOpts{failAfter: -1}
