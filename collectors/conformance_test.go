package collectors_test

// The conformance suite: every registered kind, built from its simulated
// vendor's config (simulator's SourceYAML) as the exporter builds it, must
// keep the contract of source.Source that the exporter relies on
// (docs/sources.md): a usable URL checked by its constructor, an emit
// error returned at once, a cancelled sync ended promptly without a
// goroutine left behind, a sync resumed from any stored cursor reaching
// what one whole sync stores, and every fault of a vendor reported with its
// reason, never storing wrong data nor losing any once the vendor recovers.
// A kind registered in package collectors is covered by registering it.

import (
	"context"
	"errors"
	"fmt"
	"github.com/support-exporter/support_exporter/simulator/simtest"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// findings collects a line per kind and check for the suite's summary,
// which -v prints.
type findings struct {
	mu    sync.Mutex
	lines map[string]map[string]string // kind -> check -> finding
}

func (f *findings) add(kind, check, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lines[kind] == nil {
		f.lines[kind] = map[string]string{}
	}
	f.lines[kind][check] = fmt.Sprintf(format, args...)
}

func (f *findings) print(t *testing.T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, kind := range slices.Sorted(maps.Keys(f.lines)) {
		for _, check := range slices.Sorted(maps.Keys(f.lines[kind])) {
			fmt.Fprintf(&b, "%-34s %-22s %s\n", kind, check, f.lines[kind][check])
		}
	}
	t.Logf("conformance findings:\n%s", b.String())
}

func TestConformance(t *testing.T) {
	found := &findings{lines: map[string]map[string]string{}}
	t.Cleanup(func() { found.print(t) })
	// The kinds run at once, each against its own simulated vendor: they
	// mostly wait (for loopback answers, timeouts, faults), so their
	// subtests are started from goroutines rather than by t.Parallel,
	// whose -parallel defaults to the number of CPUs.
	var wg sync.WaitGroup
	for _, k := range kindsUnderTest() {
		wg.Go(func() {
			t.Run(k.name, func(t *testing.T) {
				f := newFixture(t, k, tickets)
				ref := f.reference(t, found)
				if k.tickets && ref.batches < 2 {
					f = newFixture(t, k, manyTickets)
					ref = f.reference(t, found)
				}
				t.Run("bad url", func(t *testing.T) { f.checkBadURL(t) })
				t.Run("emit error", func(t *testing.T) { f.checkEmitError(t, ref, found) })
				t.Run("restart", func(t *testing.T) { f.checkRestart(t, ref, found) })
				t.Run("faults", func(t *testing.T) { f.checkFaults(t, ref, found) })
			})
		})
	}
	wg.Wait()
}

// reference is one whole sync from no cursor as of start: what every
// other way of syncing the same world must store.
func (f *fixture) reference(t *testing.T, found *findings) *memStore {
	t.Helper()
	ref := newMemStore()
	if err := f.sync(t, ref, plain); err != nil {
		t.Fatalf("the reference sync: %v", err)
	}
	if ref.unchangedCount() > 0 {
		t.Errorf("the reference sync committed items again unchanged: %v", ref.unchanged)
	}
	truth := f.sim.Truth(vendorName, start)
	found.add(f.k.name, "reference", "%d batches, %s; the world: %d tickets, %d incidents, %d maintenances, %d pages",
		ref.batches, ref.counts(), len(truth.Tickets), len(truth.Incidents), len(truth.Maintenances), len(truth.Pages))
	if f.k.tickets && len(ref.tickets) != len(truth.Tickets) {
		t.Errorf("the reference holds %d tickets, the vendor has %d", len(ref.tickets), len(truth.Tickets))
	}
	if f.k.list == config.FeedsDocs.List() {
		if len(ref.pages) != len(truth.Pages) {
			t.Errorf("the reference holds %d pages, the site has %d", len(ref.pages), len(truth.Pages))
		}
	} else if !f.k.tickets {
		shown, err := simtest.ShownBy(f.k.kind, truth)
		if err != nil {
			t.Fatal(err)
		}
		if len(ref.incidents) != len(shown.Incidents) || len(ref.maintenances) != len(shown.Maintenances) {
			t.Errorf("the reference holds %d incidents and %d maintenances, the page shows %d and %d",
				len(ref.incidents), len(ref.maintenances), len(shown.Incidents), len(shown.Maintenances))
		}
	}
	// A sync once caught up, the world unchanged, brings nothing again.
	again := ref.clone()
	commandsBefore := f.sim.CommandCounts(vendorName)
	if err := f.sync(t, again, plain); err != nil {
		t.Errorf("a sync caught up: %v", err)
	}
	if !f.http {
		// What a poll with nothing new costs a session protocol's server.
		var cost []string
		for name, n := range f.sim.CommandCounts(vendorName) {
			if d := n - commandsBefore[name]; d > 0 {
				cost = append(cost, fmt.Sprintf("%s %d", name, d))
			}
		}
		slices.Sort(cost)
		found.add(f.k.name, "caught-up commands", "%s", strings.Join(cost, ", "))
	}
	if d := again.diff(ref, false, 10); len(d) > 0 {
		t.Errorf("a sync caught up changed the store:\n%s", strings.Join(d, "\n"))
	}
	found.add(f.k.name, "caught-up sync", "%d items committed again unchanged", again.unchangedCount())
	return ref
}

// checkBadURL: the constructor refuses a URL the exporter cannot use,
// whatever config validation said, without repeating a password in it.
func (f *fixture) checkBadURL(t *testing.T) {
	const password = "s3cr3t-in-url"
	// The kind's own scheme (http for every HTTP kind; imaps for imap).
	scheme, host, _ := strings.Cut(f.src.URL, "://")
	host, _, _ = strings.Cut(host, "/")
	for _, bad := range []struct{ name, url string }{
		{"not absolute", host + "/api"},
		{"a path alone", "/api/v2"},
		{"another scheme", "ftp://" + host + "/"},
		{"no host", scheme + ":///api"},
		{"credentials", scheme + "://agent:" + password + "@" + host + "/"},
	} {
		src := *f.src
		src.URL = bad.url
		env, _ := f.env(t, &src, newMemStore(), normalTimeout)
		s, err := collectors.New(env)
		switch {
		case err == nil:
			t.Errorf("%s (%s): New built %T, want an error", bad.name, bad.url, s)
		case strings.Contains(err.Error(), password):
			t.Errorf("%s: the error repeats the password: %v", bad.name, err)
		}
	}
}

// checkEmitError: a sync whose emit fails returns that error (wrapped at
// most) and sends no request after it, whichever batch fails.
func (f *fixture) checkEmitError(t *testing.T, ref *memStore, found *findings) {
	identical := true
	for k := range ref.batches {
		st := newMemStore()
		var atFailure, logoutsAtFailure int64
		src := f.newSource(t, st, normalTimeout)
		n := 0
		err := src.Sync(fetch.StartSync(context.Background(), maxRequests), nil, func(b item.Batch) error {
			if n < k {
				st.apply(b)
				n++
				return nil
			}
			// A fetch started before the emit (a page read ahead) reaches
			// the vendor while it waits; none may start after it.
			time.Sleep(50 * time.Millisecond)
			atFailure, logoutsAtFailure = f.requests.Load(), f.logouts()
			return errStop
		})
		src.hc.CloseIdleConnections()
		if n := f.inFlight.Load(); n != 0 {
			t.Errorf("emit failing after %d batches: Sync returned with %d requests in flight", k, n)
		}
		switch {
		case !errors.Is(err, errStop):
			t.Errorf("emit failing after %d batches: Sync returned %v, want the emit's error", k, err)
		case err != errStop:
			identical = false
		}
		// A session protocol ends its session politely: the LOGOUT a
		// client sends after the failing emit asks the vendor for nothing.
		if after := f.requests.Load() - (f.logouts() - logoutsAtFailure); atFailure != 0 && after != atFailure {
			t.Errorf("emit failing after %d batches: %d requests after the failing emit", k, after-atFailure)
		}
	}
	found.add(f.k.name, "emit error", "returned (%s) at each of %d batches, no request after", map[bool]string{true: "identical", false: "wrapped"}[identical], ref.batches)
}

// checkRestart: an exporter stopped after any number of committed batches
// and started again from the stored cursor stores exactly the reference.
// What the resumed sync brings again unchanged is counted: an API whose
// cursor is inclusive forces some.
func (f *fixture) checkRestart(t *testing.T, ref *memStore, found *findings) {
	var again []string
	for k := range ref.batches {
		st := newMemStore()
		if err := f.sync(t, st, syncOpts{failAfter: k}); !errors.Is(err, errStop) {
			t.Fatalf("the sync stopped after %d batches: %v, want the emit's error", k, err)
		}
		before := st.unchangedCount()
		if err := f.sync(t, st, plain); err != nil {
			t.Errorf("the sync resumed after %d batches: %v", k, err)
			continue
		}
		if d := st.diff(ref, false, 10); len(d) > 0 {
			t.Errorf("resumed after %d batches, the store differs from the reference:\n%s", k, strings.Join(d, "\n"))
		}
		if n := st.unchangedCount() - before; n > 0 {
			again = append(again, fmt.Sprintf("after %d: %d", k, n))
		}
	}
	found.add(f.k.name, "restart", "resumed after each of %d batches: reference reached; brought again unchanged: %v", ref.batches, again)
}
