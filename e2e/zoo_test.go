package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/simulator"
	"github.com/support-exporter/support_exporter/simulator/simtest"
)

// A zoo is one exporter polling one vendor per source kind: every ticket
// kind (and both accounts of jira_service_management, as faultSources has
// them) from one simulator, and every status kind, each vendor named after
// its kind, from another, so that the tickets' clock and the status pages'
// clock move apart. The tests of misbehaving vendors (timestamps, endless
// pages, huge bodies, rate limits) each start one.

// simClock is a simulated clock that a test moves by hand.
type simClock struct{ ns atomic.Int64 }

func newSimClock(at time.Time) *simClock {
	c := &simClock{}
	c.ns.Store(at.UnixNano())
	return c
}

func (c *simClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *simClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// statusKinds are the status-page kinds of collectors.Kinds, each a vendor
// of that name.
var statusKinds = collectors.Kinds.Config().Feeding(config.FeedsStatus)

// zooSource is one source of a zoo: its vendor polled through one kind.
type zooSource struct {
	vendor, kind string
	customer     bool // jira_service_management as a portal customer
	status       bool
	docs         bool // a documentation site (zooOptions.docs)
	sim          *simulator.Sim
	clock        *simClock
	// proxy carries the source's requests; host is its API's host there.
	proxy *vendorProxy
	host  string
}

func (z zooSource) source() string {
	if z.status {
		return "status"
	}
	if z.docs {
		return "docs"
	}
	return "helpdesk"
}

// labels are the source's labels on the support_source_* families.
func (z zooSource) labels() []string {
	return []string{"vendor", z.vendor, "source", z.source(), "kind", z.kind}
}

// requests is how many requests the source's API has received, counted on
// the way (vendorProxy); for imap, which speaks no HTTP and so never goes
// through the proxy, the commands its server received
// (simulator.Sim.CommandCounts).
func (z zooSource) requests() int {
	if z.kind == simulator.KindIMAP {
		n := 0
		for _, c := range z.sim.CommandCounts(z.vendor) {
			n += c
		}
		return n
	}
	return z.proxy.requests(z.host)
}

func (z zooSource) inject(t *testing.T, spec simulator.Spec) {
	t.Helper()
	if err := z.sim.InjectSpec(z.vendor, z.kind, spec); err != nil {
		t.Fatal(err)
	}
}

type zooOptions struct {
	tickets  []faultSource // the ticket sources; default faultSources
	status   []string      // status kinds; default statusKinds; none with noStatus
	noStatus bool
	// docs are documentation kinds (docsKinds), each a vendor named after
	// it (docsVendor)
	// with the simulator's generated site (simulator.DocsSite), served by
	// the status pages' simulator on its clock; none by default.
	docs []string
	// ticketsPerVendor tickets over 30 days of history (default 100); 10
	// more an hour after the start.
	ticketsPerVendor int
	// sourceYAML, when set, is appended to each source (indented under
	// its list item), e.g. "        max_requests_per_sync: 200\n".
	sourceYAML     func(zooSource) string
	requestTimeout string // default 5s
}

type zoo struct {
	tickets, status *simulator.Sim
	// ticketClock and statusClock are the simulators' clocks, both at
	// frozenNow to begin with.
	ticketClock, statusClock *simClock
	sources                  []zooSource
	// proxy carries every request of the exporter to the vendors.
	proxy *vendorProxy
	p     *proc
}

// startZoo starts the simulators and the exporter, and returns once the
// exporter answers /-/ready, not once it synced (see lags and syncedAfter).
func startZoo(t *testing.T, o zooOptions) *zoo {
	t.Helper()
	if o.tickets == nil {
		o.tickets = faultSources
	}
	if o.status == nil && !o.noStatus {
		o.status = statusKinds
	}
	if o.ticketsPerVendor == 0 {
		o.ticketsPerVendor = 100
	}
	if o.requestTimeout == "" {
		// Long enough for any answer over loopback on a loaded CI machine
		// (the largest, a capped 32 MiB body, takes well under a second).
		o.requestTimeout = "5s"
	}
	z := &zoo{ticketClock: newSimClock(frozenNow), statusClock: newSimClock(frozenNow), proxy: newVendorProxy(t)}
	var tv, sv []simulator.Vendor
	for _, f := range o.tickets {
		tv = append(tv, simulator.Vendor{
			Name: f.vendor, Persona: simulator.SlowThorough, Timezone: "Europe/Berlin",
			History: 30 * day, Tickets: o.ticketsPerVendor, LiveTicketsPerHour: 10,
		})
	}
	for _, kind := range o.status {
		sv = append(sv, simulator.Vendor{
			Name: kind, Timezone: "Asia/Singapore", History: 30 * day,
			IncidentsPerWeek: 5, MaintenancesPerWeek: 3, OpenAtStart: true,
		})
	}
	for _, kind := range o.docs {
		sv = append(sv, simulator.Vendor{Name: docsVendor(kind), Timezone: "UTC", History: 30 * day})
	}
	startSim := func(vendors []simulator.Vendor, c *simClock) *simulator.Sim {
		if len(vendors) == 0 {
			return nil
		}
		sim, err := simulator.New(simulator.Options{Seed: 7, Start: c.now(), Clock: c.now, Vendors: vendors, ExportRequestsPerMinute: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sim.Close)
		return sim
	}
	z.tickets, z.status = startSim(tv, z.ticketClock), startSim(sv, z.statusClock)

	dir := t.TempDir()
	var cfg strings.Builder
	header := strings.Replace(officeConfigHeader, "request_timeout: 2s", "request_timeout: "+o.requestTimeout, 1)
	if header == officeConfigHeader && o.requestTimeout != "2s" {
		t.Fatal("officeConfigHeader sets no request_timeout of 2s to replace")
	}
	cfg.WriteString(header)
	for _, f := range o.tickets {
		src := zooSource{vendor: f.vendor, kind: f.kind, customer: f.customer, sim: z.tickets, clock: z.ticketClock,
			proxy: z.proxy, host: z.proxy.host(t, z.tickets.URL(f.vendor, f.kind))}
		z.sources = append(z.sources, src)
		cfg.WriteString(z.proxy.proxied(t, ticketVendorYAML(t, z.tickets, f)))
		if o.sourceYAML != nil {
			cfg.WriteString(o.sourceYAML(src))
		}
	}
	for _, kind := range o.status {
		src := zooSource{vendor: kind, kind: kind, status: true, sim: z.status, clock: z.statusClock,
			proxy: z.proxy, host: z.proxy.host(t, z.status.URL(kind, kind))}
		z.sources = append(z.sources, src)
		fmt.Fprintf(&cfg, "  - name: %s\n    sla:\n      maintenance_notice: 72h\n    status_pages:\n      - name: status\n", kind)
		cfg.WriteString(sourceYAML(t, z.status, kind, kind, false))
		cfg.WriteString("        http_client:\n" + z.proxy.yaml())
		if o.sourceYAML != nil {
			cfg.WriteString(o.sourceYAML(src))
		}
	}
	for _, kind := range o.docs {
		src := zooSource{vendor: docsVendor(kind), kind: kind, docs: true, sim: z.status, clock: z.statusClock,
			proxy: z.proxy, host: z.proxy.host(t, z.status.URL(docsVendor(kind), kind))}
		z.sources = append(z.sources, src)
		fmt.Fprintf(&cfg, "  - name: %s\n    docs:\n      - name: docs\n", src.vendor)
		cfg.WriteString(sourceYAML(t, z.status, src.vendor, kind, false))
		cfg.WriteString("        http_client:\n" + z.proxy.yaml())
		if o.sourceYAML != nil {
			cfg.WriteString(o.sourceYAML(src))
		}
	}
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	z.p = start(t, nil, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"))
	return z
}

// playing are the zoo's sources whose kind the simulator plays fault on
// (simulator.Fault.AppliesTo); each other one is named in a t.Log, left out
// of what the test injects and expects for that fault.
func (z *zoo) playing(t *testing.T, fault simulator.Fault) []zooSource {
	t.Helper()
	var out []zooSource
	for _, src := range z.sources {
		if !fault.AppliesTo(src.kind) {
			t.Logf("%s: left out of %v, which the simulator does not play on %s", src.vendor, fault, src.kind)
			continue
		}
		out = append(out, src)
	}
	return out
}

// source returns the zoo's source of vendor.
func (z *zoo) source(t *testing.T, vendor string) zooSource {
	t.Helper()
	i := slices.IndexFunc(z.sources, func(s zooSource) bool { return s.vendor == vendor })
	if i < 0 {
		t.Fatalf("no source of vendor %q in the zoo", vendor)
	}
	return z.sources[i]
}

// lag says why a source does not hold everything its vendor shows as of the
// source's clock ("" when it does): a ticket source must be up and count
// every ticket of the vendor's truth; a status source must have synced,
// and count want's incidents and maintenances when want is given; a docs
// source must be up and show every page of the site and its newest update
// (docsLag).
func (z *zoo) lag(s series, src zooSource, want map[string]simtest.Shown) string {
	up, _ := s.get("support_source_up", src.labels()...)
	if up != 1 {
		return "not up"
	}
	if src.docs {
		return docsLag(s, src)
	}
	if !src.status {
		truth := len(src.sim.Truth(src.vendor, src.clock.now()).Tickets)
		if got := int(s.sum("support_tickets_created_total", "vendor", src.vendor)); got != truth {
			return fmt.Sprintf("%d tickets counted, the vendor has %d", got, truth)
		}
		return ""
	}
	w, ok := want[src.vendor]
	if !ok {
		return ""
	}
	incidents := int(s.sum("support_status_incidents_total", "vendor", src.vendor))
	maints := int(s.sum("support_status_maintenances_total", "vendor", src.vendor))
	if incidents != len(w.Incidents) || maints != len(w.Maintenances) {
		return fmt.Sprintf("%d incidents and %d maintenances counted, want %d and %d", incidents, maints, len(w.Incidents), len(w.Maintenances))
	}
	return ""
}

// lags lists the sources that do not hold everything (see lag).
func (z *zoo) lags(s series, want map[string]simtest.Shown) []string {
	var out []string
	for _, src := range z.sources {
		if why := z.lag(s, src, want); why != "" {
			out = append(out, src.vendor+": "+why)
		}
	}
	return out
}

// syncedAfter reports whether every source's last sync succeeded and
// started after at (real time): what a vendor showed from at on is in the
// store.
func (z *zoo) syncedAfter(s series, at time.Time) bool {
	for _, src := range z.sources {
		if !src.syncedAfter(s, at) {
			return false
		}
	}
	return true
}

// syncedAfter reports whether the source's last sync succeeded and started
// after at (real time). The start is the end of the last success less the
// duration of the last attempt, which is that success when the source is
// up.
func (z zooSource) syncedAfter(s series, at time.Time) bool {
	up, _ := s.get("support_source_up", z.labels()...)
	end, _ := s.get("support_source_last_success_timestamp_seconds", z.labels()...)
	took, _ := s.get("support_source_sync_duration_seconds", z.labels()...)
	return up == 1 && end-took > float64(at.UnixNano())/1e9
}

// visibleIn is what kind shows of tr (simtest.ShownBy).
func visibleIn(t *testing.T, kind string, tr simulator.Truth) simtest.Shown {
	t.Helper()
	s, err := simtest.ShownBy(kind, tr)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// monotonic watches the series that may never go down, scrape after
// scrape: every counter and every histogram's buckets, count and sum of
// the support_ families (quality and self-metrics alike), as the
// exposition types them. A series that disappears has gone down to
// nothing, which Prometheus reads as a reset too.
type monotonic struct {
	last   series
	lastAt time.Time
	drops  []string
	// seen is every counter and histogram family watched.
	seen map[string]bool
}

// observe checks a scrape's exposition against the previous one and
// returns what went down.
func (m *monotonic) observe(t testing.TB, text string) []string {
	t.Helper()
	cur := monotonicSeries(t, text)
	now := time.Now()
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	for k := range cur {
		name, _, _ := strings.Cut(k, "{")
		m.seen[name] = true
	}
	var drops []string
	for k, was := range m.last {
		is, ok := cur[k]
		switch {
		case !ok:
			drops = append(drops, fmt.Sprintf("%s: %v, then gone", k, was))
		case is < was:
			drops = append(drops, fmt.Sprintf("%s: %v, then %v", k, was, is))
		}
	}
	slices.Sort(drops)
	for i, d := range drops {
		drops[i] = fmt.Sprintf("%s (scrapes %s apart)", d, now.Sub(m.lastAt).Round(time.Millisecond))
	}
	m.drops = append(m.drops, drops...)
	m.last, m.lastAt = cur, now
	return drops
}

// summary groups what went down by family, with the vendors whose
// series of it went down and how many series: "family: vendor (n), ...".
func (m *monotonic) summary() []string {
	byFamily := map[string]map[string]int{}
	for _, d := range m.drops {
		family, _, _ := strings.Cut(d, "{")
		if byFamily[family] == nil {
			byFamily[family] = map[string]int{}
		}
		byFamily[family][labelValue(d, "vendor")]++
	}
	var out []string
	for _, family := range slices.Sorted(maps.Keys(byFamily)) {
		var vendors []string
		for _, v := range slices.Sorted(maps.Keys(byFamily[family])) {
			vendors = append(vendors, fmt.Sprintf("%s (%d)", v, byFamily[family][v]))
		}
		out = append(out, family+": "+strings.Join(vendors, ", "))
	}
	return out
}

// monotonicSeries keeps the counters and histogram series of the support_
// families of an exposition.
func monotonicSeries(t testing.TB, text string) series {
	t.Helper()
	return parseSeries(t, text, func(name string, typ dto.MetricType) bool {
		return strings.HasPrefix(name, "support_") && (typ == dto.MetricType_COUNTER || typ == dto.MetricType_HISTOGRAM)
	})
}

// watcher scrapes an exporter every interval while a test waits, checking
// every scrape with a monotonic and recording the largest resident memory
// the process reported.
type watcher struct {
	t       *testing.T
	p       *proc
	every   time.Duration
	mono    monotonic
	scrapes int
	maxRSS  float64
	// quiet: what goes down is left in mono.drops for the test to report,
	// rather than failing the test at once.
	quiet bool
	// each, when set, checks every scrape too.
	each func(series)
}

func newWatcher(t *testing.T, p *proc, every time.Duration) *watcher {
	return &watcher{t: t, p: p, every: every}
}

// scrape takes one scrape and checks it.
func (w *watcher) scrape() series {
	w.t.Helper()
	code, body := w.p.get("/metrics")
	if code != http.StatusOK {
		w.t.Fatalf("GET /metrics: %d %.300s", code, body)
	}
	s := parseMetrics(w.t, body)
	w.scrapes++
	for _, d := range w.mono.observe(w.t, body) {
		if !w.quiet && len(w.mono.drops) <= 30 {
			w.t.Errorf("went down: %s", d)
		}
	}
	if rss, ok := s.get("process_resident_memory_bytes"); ok {
		w.maxRSS = max(w.maxRSS, rss)
	} else {
		w.t.Fatal("no process_resident_memory_bytes in the scrape")
	}
	if w.each != nil {
		w.each(s)
	}
	return s
}

// until scrapes every interval until cond holds of a scrape, and fails
// after timeout, saying why with explain (when not nil) of the last scrape.
func (w *watcher) until(timeout time.Duration, what string, cond func(series) bool, explain func(series) string) series {
	w.t.Helper()
	s, ok := w.wait(timeout, what, cond, explain)
	if !ok {
		w.t.FailNow()
	}
	return s
}

// wait is until, which on timeout marks the test failed and returns the
// last scrape and false, so that the test can go on to what else it checks.
func (w *watcher) wait(timeout time.Duration, what string, cond func(series) bool, explain func(series) string) (series, bool) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := w.scrape()
		if cond(s) {
			return s, true
		}
		if time.Now().After(deadline) {
			why := ""
			if explain != nil {
				why = ": " + explain(s)
			}
			w.t.Errorf("timed out after %s waiting for %s%s", timeout, what, why)
			return s, false
		}
		time.Sleep(w.every)
	}
}

// during scrapes every interval for d.
func (w *watcher) during(d time.Duration) series {
	w.t.Helper()
	end := time.Now().Add(d)
	return w.until(d+time.Minute, "the end of "+d.String(), func(series) bool { return !time.Now().Before(end) }, nil)
}
