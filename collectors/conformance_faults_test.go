package collectors_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/simulator"
	"github.com/support-exporter/support_exporter/simulator/simtest"
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
	{fault: simulator.FaultRetryAfterDate, reasons: []string{fetch.ReasonRateLimited}},
	{fault: simulator.FaultRateLimitNoReset, reasons: []string{fetch.ReasonRateLimited}},
	{fault: simulator.FaultGitHubPrimaryLimit, reasons: []string{fetch.ReasonRateLimited}},
	// A list that shows nothing may be taken as nothing new, or refused
	// (an account seeing no service desk has no access).
	{fault: simulator.FaultEmptyPage, reasons: []string{"", fetch.ReasonAuth, fetch.ReasonDecode}, loose: true},
	// Paging that never ends stops the sync, or is never followed: a list
	// paged by its counts, or a walk that reaches what it stored before.
	{fault: simulator.FaultEndlessSame, reasons: []string{fetch.ReasonLoop, fetch.ReasonBudget, ""}, budget: 60, loose: true},
	{fault: simulator.FaultEndlessGrowing, reasons: []string{fetch.ReasonLoop, fetch.ReasonBudget, ""}, budget: 60, loose: true},
}

// notFaultCases are the simulator's faults the suite leaves to other
// tests, each with the reason: every other fault must be a faultCase.
var notFaultCases = map[simulator.Fault]string{
	// Times years off are no failure of the API: the sync succeeds and the
	// exporter refuses the items at the door (exporter/door, and the e2e
	// TestVendorClockBursts over every kind).
	simulator.FaultFutureTimes: "refused at the door, not by the collector",
	simulator.FaultPastTimes:   "refused at the door, not by the collector",
	// A list served in another order than asked is a quirk of one API
	// (Zendesk's Requests), whose walk its own tests play.
	simulator.FaultUnsorted: "zendesk_requests' own tests",
}

// sessionCases are the session kinds' faults in their own terms, and
// notForSession the faults of faultCases that have no meaning for them,
// each with the reason: every faultCase is one or the other. Both are
// simtest's tables, which the e2e tests expect of each kind too.
var (
	sessionCases  = simtest.SessionFaults
	notForSession = simtest.NotForSession
)

// reasonsFor are the reasons a sync of kind under fc may fail with in
// scenario (idle: fetching no message; within: the fault after the
// session opened), and whether the kind plays fc at all.
func (fc faultCase) reasonsFor(kind string, http, idle, within bool) ([]string, bool) {
	if http {
		return fc.reasons, true
	}
	sc, ok := sessionCases[kind][fc.fault]
	switch {
	case !ok:
		return nil, false
	case idle && sc.Idle != nil:
		return sc.Idle, true
	case within && sc.Within != nil:
		return sc.Within, true
	}
	return sc.Reasons, true
}

// TestEveryFaultIsCovered: a fault added to the simulator is either run
// over every kind by the suite or left out with a reason.
func TestEveryFaultIsCovered(t *testing.T) {
	n := 0
	for f := simulator.Fault(1); f.String() != fmt.Sprintf("Fault(%d)", int(f)); f++ {
		n++
		_, excluded := notFaultCases[f]
		covered := slices.ContainsFunc(faultCases, func(c faultCase) bool { return c.fault == f })
		if covered == excluded {
			t.Errorf("fault %v: in faultCases %v, in notFaultCases %v: want exactly one", f, covered, excluded)
		}
	}
	if n < len(faultCases) {
		t.Fatalf("walked %d faults, fewer than the %d cases", n, len(faultCases))
	}
	for kind, cases := range sessionCases {
		for _, fc := range faultCases {
			_, played := cases[fc.fault]
			_, excluded := notForSession[kind][fc.fault]
			if played == excluded {
				t.Errorf("%s, fault %v: in sessionCases %v, in notForSession %v: want exactly one", kind, fc.fault, played, excluded)
			}
		}
	}
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
// fault meets at its middle request (kinds with several batches); a sync
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
		// after is how many requests the vendor answers as usual before
		// the fault (Spec.After): 0, the sync's first request meets it.
		after int
		idle  bool // the world did not move since the store caught up
	}
	scenarios := []scenario{
		{name: "first sync", at: start, from: newMemStore, want: ref},
		// Nothing changed since the store caught up: whatever the fault
		// shows, nothing may end or move.
		{name: "caught up, nothing new", at: start, from: ref.clone, want: ref, idle: true},
	}
	if ref.batches > 1 {
		// The fault meets the middle request of a first sync, counted on
		// a first sync like the reference's: as the world stands still,
		// the sync under the fault sends the same requests up to it, so
		// the fault meets it whatever the collector reads ahead.
		sent := f.requests.Load()
		if err := f.sync(t, newMemStore(), plain); err != nil {
			t.Fatalf("a first sync to count its requests: %v", err)
		}
		if n := int(f.requests.Load() - sent); n >= 2 {
			scenarios = append(scenarios, scenario{name: "within a first sync", at: start, from: newMemStore, want: ref, after: n / 2})
		}
	}
	var results []string
	run := func(sc scenario) {
		for _, fc := range faultCases {
			name := sc.name + "/" + fc.fault.String()
			spec := simulator.Spec{Fault: fc.fault, Requests: forever, After: sc.after}
			reasons, played := fc.reasonsFor(f.k.kind, f.http, sc.idle, sc.after > 0)
			if err := f.sim.InjectSpec(vendorName, f.k.kind, spec); err != nil {
				if played && !f.http {
					t.Errorf("%s: the simulator cannot play it (%v), but sessionCases has it", name, err)
				}
				continue // the API cannot fail so
			}
			f.sim.EndFaults(vendorName, f.k.kind)
			if !played {
				t.Errorf("%s: the simulator plays it, but sessionCases has it not", name)
				continue
			}
			t.Run(name, func(t *testing.T) {
				st := sc.from()
				before := st.clone()
				opts := syncOpts{timeout: fc.timeout, budget: fc.budget, failAfter: -1}
				if err := f.sim.InjectSpec(vendorName, f.k.kind, spec); err != nil {
					t.Fatal(err)
				}
				err := f.sync(t, st, opts)
				f.sim.EndFaults(vendorName, f.k.kind)
				if got := reasonOf(err); !slices.Contains(reasons, got) {
					t.Errorf("the sync under the fault: reason %q (%v), want one of %q", got, err, reasons)
				}
				outcome := "failed " + reasonOf(err)
				if err == nil {
					outcome = "succeeded"
				}
				// A session kind's sync stopped mid-way (the fault after its
				// first command) has stored each thread as of the last
				// message it read.
				midSession := !f.http && (sc.after > 0 || sessionCases[f.k.kind][fc.fault].FetchOnly)
				switch {
				case midSession:
					if d := st.earlierVersions(sc.want, before, 10); len(d) > 0 {
						t.Errorf("the sync under the fault stored versions the tickets never had:\n%s", strings.Join(d, "\n"))
						outcome += ", stored wrong versions"
					}
				case !fc.loose && sc.after == 0:
					if d := st.diff(before, true, 10); len(d) > 0 {
						t.Errorf("the failed sync changed the store:\n%s", strings.Join(d, "\n"))
					}
				default:
					if d := st.wrongVersions(sc.want, before, 10); len(d) > 0 {
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
	run(scenario{name: "caught up", at: later, from: ref.clone, want: moved})
	f.clock.Set(start)
	for _, r := range results {
		found.add(f.k.name, "fault "+r[:strings.Index(r, ":")], "%s", r[strings.Index(r, ":")+2:])
	}
}
