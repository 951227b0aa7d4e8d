package e2e

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// scriptedKind is a ticket kind read through the exporter while a scripted
// history unfolds (runScripted): a vendor for each SLA clock, named
// prefix-clock, polled as the simulated clock stands at each phase in
// turn, and every value checked once the last phase shows. Adding a kind
// is a scriptedKind: its source, its history and phases, its hand-worked
// values and what it cannot see of them.
type scriptedKind struct {
	kind   string // a simulator.Kind*
	prefix string // vendor names are prefix-clock
	source string // the source's name in each vendor
	seed   int64  // the simulation's seed; default 11
	clocks []string
	// history is the script, phases the instants it is read at, in order,
	// the last one after every step.
	history []simulator.ScriptedTicket
	phases  []phase
	// vendorYAML are the vendor's keys besides its calendar, sla and
	// tickets (priorities, escalation), indented under the vendor.
	vendorYAML string
	// firstResponse is the vendor's first_response targets; default
	// {urgent: 1h, high: 4h, normal: 8h, low: 24h}. The resolution targets
	// are {urgent: 24h, high: 72h}.
	firstResponse string
	// expected are the history's values worked out by hand, under a
	// clock; exceptions, what the kind cannot see of them, by its
	// documented rule (docs/sources.md).
	expected   func(clock string) metricValues
	exceptions []kindException
	// none are series the kind never feeds, each with why: summed over
	// every label, each is 0.
	none map[string]string
	// debug runs the exporter with --log.level=debug.
	debug bool
}

// phase is an instant a scripted history is read at, with what shows once
// the exporter has read it.
type phase struct {
	at   time.Time
	what string
	done func(s series, vendor string) bool
}

// scriptedRun is what runScripted leaves for a kind's own checks: the
// simulator, the vendors' names, the exporter (still running) with its
// log, and its last scrape.
type scriptedRun struct {
	sim     *simulator.Sim
	vendors []string
	p       *proc
	logs    *syncBuffer
	s       series
	body    string
}

// runScripted reads k's history through the exporter at each of its
// phases and checks every value in a subtest per clock: k's expected
// values with its exceptions, none of the series it never feeds, and its
// source up.
func runScripted(t *testing.T, k scriptedKind) *scriptedRun {
	t.Helper()
	var now atomic.Int64
	now.Store(k.phases[0].at.Unix())
	clock := func() time.Time { return time.Unix(now.Load(), 0).UTC() }
	r := &scriptedRun{logs: &syncBuffer{}}
	var vendors []simulator.Vendor
	for _, c := range k.clocks {
		r.vendors = append(r.vendors, k.prefix+"-"+c)
		vendors = append(vendors, simulator.Vendor{Name: k.prefix + "-" + c, Timezone: "Europe/Berlin", History: 30 * day, Script: k.history})
	}
	r.sim = startedSim(t, simulator.Options{Seed: cmp.Or(k.seed, 11), Start: k.phases[0].at, Clock: clock, Vendors: vendors})

	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString(officeConfigHeader)
	for i, c := range k.clocks {
		fmt.Fprintf(&cfg, `  - name: %s
    calendar: office
%s    sla:
      clock: %s
      first_response: %s
      resolution: {urgent: 24h, high: 72h}
    tickets:
      - name: %s
`, r.vendors[i], k.vendorYAML, c, cmp.Or(k.firstResponse, "{urgent: 1h, high: 4h, normal: 8h, low: 24h}"), k.source)
		cfg.WriteString(sourceYAML(t, r.sim, r.vendors[i], k.kind, false))
	}
	args := []string{"--config.file=" + configFile(t, dir, cfg.String()), "--storage.path=" + filepath.Join(dir, "data")}
	if k.debug {
		args = append(args, "--log.level=debug")
	}
	r.p = start(t, r.logs, args...)

	for _, ph := range k.phases {
		now.Store(ph.at.Unix())
		waitFor(t, 30*time.Second, ph.what, func() bool {
			r.s, r.body = r.p.scrape()
			for _, v := range r.vendors {
				if !ph.done(r.s, v) {
					return false
				}
			}
			return true
		})
	}

	for i, c := range k.clocks {
		t.Run(c, func(t *testing.T) {
			name := r.vendors[i]
			want := k.expected(c)
			applyExceptions(t, want, k.exceptions)
			want.check(t, r.s, name)
			for _, metric := range slices.Sorted(maps.Keys(k.none)) {
				if n := r.s.sum(metric, "vendor", name); n != 0 {
					t.Errorf("%s = %v, want none: %s", metric, n, k.none[metric])
				}
			}
			if up, _ := r.s.get("support_source_up", "vendor", name, "source", k.source, "kind", k.kind); up != 1 {
				t.Errorf("support_source_up = %v", up)
			}
		})
	}
	return r
}

// check compares every value of want with the vendor's series in s; an
// absent series is 0, as counters start.
func (want metricValues) check(t *testing.T, s series, vendor string) {
	t.Helper()
	for _, key := range slices.Sorted(maps.Keys(want)) {
		fields := strings.Fields(key)
		labels := []string{"vendor", vendor}
		for _, f := range fields[1:] {
			l, v, _ := strings.Cut(f, "=")
			labels = append(labels, l, v)
		}
		if got, _ := s.get(fields[0], labels...); got != want[key] {
			t.Errorf("%s = %v, want %v", key, got, want[key])
		}
	}
}

// applyExceptions sets each exception's value in want, telling it in the
// test's log; an exception that changes nothing want holds fails the test.
func applyExceptions(t *testing.T, want metricValues, exceptions []kindException) {
	t.Helper()
	for _, e := range exceptions {
		if want[e.series] == e.want { // an absent series is 0
			t.Fatalf("exception for %q changes nothing the table expects", e.series)
		}
		t.Logf("%s: %v instead of %v: %s", e.series, e.want, want[e.series], e.why)
		want[e.series] = e.want
	}
}

// startedSim is a simulator of o, serving until the test ends.
func startedSim(t testing.TB, o simulator.Options) *simulator.Sim {
	t.Helper()
	sim, err := simulator.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

// configFile writes cfg as the exporter's config file in dir and returns
// its path.
func configFile(t testing.TB, dir, cfg string) string {
	t.Helper()
	path := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
