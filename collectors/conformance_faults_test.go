package collectors_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/simulator"
)

// faultCase is a vendor's failure and the reasons a sync under it may fail
// with (fetch.Reason; "" is a sync that succeeds).
type faultCase struct {
	fault   simulator.Fault
	reasons []string
	timeout time.Duration // the client's request timeout under it
	budget  int           // the sync's max_requests_per_sync under it
	// loose: a sync under the fault may store what the vendor truly
	// showed before it (the endless faults serve true pages first), or
	// what it showed under it (an empty page: nothing new), so the store
	// need not stay as it was; it must still never hold an item's version
	// the vendor did not serve.
	loose bool
	// noComponents: the fault shows a page without components, which a
	// sync may store as such.
	noComponents bool
}

var faultCases = []faultCase{
	{fault: simulator.FaultRateLimit, reasons: []string{fetch.ReasonRateLimited}},
	{fault: simulator.FaultServerError, reasons: []string{fetch.ReasonHTTP}},
	{fault: simulator.FaultTimeout, reasons: []string{fetch.ReasonTimeout}, timeout: shortTimeout},
	{fault: simulator.FaultReset, reasons: []string{fetch.ReasonNetwork}},
	{fault: simulator.FaultMalformed, reasons: []string{fetch.ReasonDecode}},
	{fault: simulator.FaultTruncated, reasons: []string{fetch.ReasonDecode}},
	{fault: simulator.FaultUnauthorized, reasons: []string{fetch.ReasonAuth}},
	{fault: simulator.FaultForbidden, reasons: []string{fetch.ReasonAuth}},
	{fault: simulator.FaultHugeBody, reasons: []string{fetch.ReasonTooLarge}},
	// A list that shows nothing may be taken as nothing new, or refused
	// (an account seeing no service desk has no access).
	{fault: simulator.FaultEmptyPage, reasons: []string{"", fetch.ReasonAuth, fetch.ReasonDecode}, loose: true, noComponents: true},
	// Paging that never ends stops the sync, or is never followed: a list
	// paged by its counts, or a walk that reaches what it stored before.
	{fault: simulator.FaultEndlessSame, reasons: []string{fetch.ReasonLoop, fetch.ReasonBudget, ""}, budget: 60, loose: true},
	{fault: simulator.FaultEndlessGrowing, reasons: []string{fetch.ReasonLoop, fetch.ReasonBudget, ""}, budget: 60, loose: true},
}

// forever is how many requests a fault lasts: until the test ends it.
const forever = 1 << 30

// reasonOf is err's reason, "" for none.
func reasonOf(err error) string {
	if err == nil {
		return ""
	}
	return fetch.Reason(err)
}

// checkFaults runs every fault the kind's API can suffer in four places
// of a source's life: its first sync, from no cursor; a first sync the
// fault meets once it committed a batch (kinds with several); a sync
// caught up with a world that did not move; and one caught up once the
// world moved on. Each sync under the fault must fail
// with the fault's reason and leave the store as it was (or, where the
// fault serves true pages first, hold no version the vendor did not
// serve); once the fault ends, one sync must store the reference.
func (f *fixture) checkFaults(t *testing.T, ref *memStore, found *findings) {
	type scenario struct {
		name string
		at   time.Time
		from func() *memStore // the store before the sync
		want *memStore        // what the sync after the fault must store
		// inject, when set, injects the fault once n batches are
		// committed, instead of before the sync.
		injectAfter int
	}
	scenarios := []scenario{
		{name: "first sync", at: start, from: newMemStore, want: ref, injectAfter: -1},
		// Nothing changed since the store caught up: whatever the fault
		// shows, nothing may end or move.
		{name: "caught up, nothing new", at: start, from: ref.clone, want: ref, injectAfter: -1},
	}
	if ref.batches > 1 {
		scenarios = append(scenarios, scenario{name: "within a first sync", at: start, from: newMemStore, want: ref, injectAfter: 1})
	}
	var results []string
	run := func(sc scenario) {
		for _, fc := range faultCases {
			name := sc.name + "/" + fc.fault.String()
			spec := simulator.Spec{Fault: fc.fault, Requests: forever}
			if err := f.sim.InjectSpec(vendorName, f.k.kind, spec); err != nil {
				continue // the API cannot fail so
			}
			f.sim.EndFaults(vendorName, f.k.kind)
			t.Run(name, func(t *testing.T) {
				st := sc.from()
				before := st.clone()
				opts := syncOpts{timeout: fc.timeout, budget: fc.budget, failAfter: -1}
				if sc.injectAfter < 0 {
					_ = f.sim.InjectSpec(vendorName, f.k.kind, spec)
				} else {
					opts.committed = func(n int) {
						if n == sc.injectAfter {
							_ = f.sim.InjectSpec(vendorName, f.k.kind, spec)
						}
					}
				}
				err := f.sync(t, st, opts)
				f.sim.EndFaults(vendorName, f.k.kind)
				// A fault injected within a sync may meet no request: a
				// collector that reads a page ahead while it stores one
				// may have read the last already. Such a sync stores the
				// reference.
				missed := err == nil && sc.injectAfter >= 0 && len(st.diff(sc.want, false, 1)) == 0
				if got := reasonOf(err); !slices.Contains(fc.reasons, got) && !missed {
					t.Errorf("the sync under the fault: reason %q (%v), want one of %q", got, err, fc.reasons)
				}
				outcome := "failed " + reasonOf(err)
				switch {
				case missed:
					outcome = "fault met no request (read ahead)"
				case err == nil:
					outcome = "succeeded"
				}
				switch {
				case !fc.loose && sc.injectAfter < 0:
					if d := st.diff(before, true, 10); len(d) > 0 {
						t.Errorf("the failed sync changed the store:\n%s", strings.Join(d, "\n"))
					}
				default:
					if d := st.wrongVersions(sc.want, before, fc.noComponents, 10); len(d) > 0 {
						t.Errorf("the sync under the fault stored versions the vendor did not serve:\n%s", strings.Join(d, "\n"))
						outcome += ", stored wrong versions"
					}
				}
				if err := f.sync(t, st, plain); err != nil {
					t.Errorf("the sync after the fault: %v", err)
				}
				if d := st.diff(sc.want, false, 10); len(d) > 0 {
					t.Errorf("after the fault, the store differs from the reference:\n%s", strings.Join(d, "\n"))
					outcome += ", then lost data"
				} else {
					outcome += ", then reference reached"
				}
				results = append(results, fmt.Sprintf("%s: %s", name, outcome))
			})
		}
	}
	for _, sc := range scenarios {
		f.clock.Set(sc.at)
		run(sc)
	}
	// The world moves on; a source caught up at start syncs at later.
	f.clock.Set(later)
	moved := ref.clone()
	if err := f.sync(t, moved, plain); err != nil {
		t.Fatalf("the sync at a later time: %v", err)
	}
	full := newMemStore()
	if err := f.sync(t, full, plain); err != nil {
		t.Fatalf("a first sync at a later time: %v", err)
	}
	if d := moved.asFirstSync(full, f.k.kind, 5); len(d) > 0 {
		t.Errorf("a sync caught up at start then synced at a later time differs from a first sync then:\n%s", strings.Join(d, "\n"))
	}
	run(scenario{name: "caught up", at: later, from: ref.clone, want: moved, injectAfter: -1})
	f.clock.Set(start)
	for _, r := range results {
		found.add(f.k.name, "fault "+r[:strings.Index(r, ":")], "%s", r[strings.Index(r, ":")+2:])
	}
}
