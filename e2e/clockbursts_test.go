package e2e

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
	"github.com/support-exporter/support_exporter/simulator/simtest"
)

// TestVendorClockBursts: every source kind of one exporter, synced, meets a
// vendor whose clock runs ten years ahead for a while, then one whose clock
// runs a hundred years back (docs/configuration.md, "Timestamps a vendor
// sends"). While they last and after, no counter and no histogram series
// ever goes down between two scrapes, every source counts the items it
// refused, the status pages serve exactly what they served before (nothing
// refused was stored, nothing open was taken as gone), and once the vendors'
// clocks are right again and their world moves on, every source holds
// everything the vendor shows: no refused time moved a cursor to the future.
func TestVendorClockBursts(t *testing.T) {
	t.Parallel()
	z := startZoo(t, zooOptions{docs: docsKinds})
	w := newWatcher(t, z.p, 250*time.Millisecond)
	synced := false
	w.each = func(s series) {
		if !synced {
			return
		}
		for _, src := range z.sources {
			if src.docs {
				checkDocsServed(t, s, src, "at a scrape")
				// A page dated wrongly is held, never taken as gone: the
				// site keeps every page at every scrape.
				pages, _ := docsTruth(src)
				if n, _ := s.get("support_docs_pages", "vendor", src.vendor, "source", "docs"); int(n) != pages {
					t.Errorf("at a scrape: %s: support_docs_pages %v, the site has %d", src.vendor, n, pages)
				}
			}
		}
	}
	t0 := frozenNow
	want := map[string]simtest.Shown{}
	for _, src := range z.sources {
		if src.status {
			want[src.vendor] = visibleIn(t, src.kind, src.sim.Truth(src.vendor, t0))
		}
	}
	lags := func(s series) string { return strings.Join(z.lags(s, want), "; ") }
	w.until(60*time.Second, "every source synced", func(s series) bool { return lags(s) == "" }, lags)
	// One more sync of every source settles what the bursts must leave as
	// it is (a catch-up may leave the clock's last moments to the next).
	settle := time.Now()
	before := w.until(30*time.Second, "one more sync of every source", func(s series) bool { return z.syncedAfter(s, settle) }, nil)
	synced = true // from now on every scrape serves the docs gauges, none dated ahead

	bursts := []struct {
		fault  simulator.Fault
		reason string
	}{
		{simulator.FaultFutureTimes, "future_timestamp"},
		{simulator.FaultPastTimes, "past_timestamp"},
	}
	var burstEnd time.Time
	for _, b := range bursts {
		was := w.scrape()
		srcs := z.playing(t, b.fault)
		for _, src := range srcs {
			src.inject(t, simulator.Spec{Fault: b.fault, For: 5 * time.Second})
		}
		// The tickets' vendors go on working during the burst, so that
		// the ticket APIs, incremental, have changes to date wrongly (a
		// caught-up incremental answer may hold no item at all): only once
		// the faults are in place, or a poll in between could take the
		// changes with their true times and leave the burst nothing to
		// date wrongly. The status pages answer their whole lists.
		z.ticketClock.advance(20 * time.Minute)
		// Each source meets the burst at its next poll: its first refusal
		// comes at most 5 s after that burst began, which lasts 5 s.
		hit := map[string]time.Time{}
		rejected := func(s series, src zooSource, reason string) float64 {
			v, _ := s.get("support_items_rejected_total", "vendor", src.vendor, "source", src.source(), "reason", reason)
			return v
		}
		w.wait(10*time.Second, "every source refusing items dated "+b.reason, func(s series) bool {
			for _, src := range srcs {
				if _, ok := hit[src.vendor]; !ok && rejected(s, src, b.reason) > rejected(was, src, b.reason) {
					hit[src.vendor] = time.Now()
					burstEnd = time.Now().Add(5 * time.Second)
				}
			}
			return len(hit) == len(srcs)
		}, func(s series) string {
			var missing []string
			for _, src := range srcs {
				if _, ok := hit[src.vendor]; !ok {
					missing = append(missing, src.vendor)
				}
			}
			return "no item refused by " + strings.Join(missing, ", ")
		})
		w.during(time.Until(burstEnd))
		t.Logf("%s: %d of %d sources refused items; the last burst ended by %s", b.fault, len(hit), len(srcs), burstEnd.Format("15:04:05.000"))
	}

	after := w.until(30*time.Second, "a sync of every source after the bursts", func(s series) bool { return z.syncedAfter(s, burstEnd) }, nil)
	for _, src := range z.sources {
		var counts []string
		for _, b := range bursts {
			v, _ := after.get("support_items_rejected_total", "vendor", src.vendor, "source", src.source(), "reason", b.reason)
			counts = append(counts, fmt.Sprintf("%s %v", b.reason, v))
		}
		t.Logf("%s refused: %s", src.vendor, strings.Join(counts, ", "))
		if !src.status && !src.docs {
			continue
		}
		// The status pages' (and docs sites') clock stood still: every value is the one
		// served before the bursts.
		if d := diff(derived(before, src.vendor), derived(after, src.vendor)); len(d) > 0 {
			t.Errorf("%s: values changed by answers whose times were all refused: %v", src.vendor, d[:min(len(d), 10)])
		}
	}

	// The vendors' clocks are right again and their world moves on: an hour
	// of tickets; for the status pages, days until every page that shows
	// its history has a new incident.
	z.ticketClock.advance(time.Hour)
	days := 0
	for days = 1; days <= 30; days++ {
		fresh := true
		for _, kind := range statusKinds {
			if history, _ := simtest.ShowsHistory(kind); !history {
				continue
			}
			tr := z.status.Truth(kind, t0.Add(time.Duration(days)*day))
			fresh = fresh && slices.ContainsFunc(tr.Incidents, func(in simulator.IncidentTruth) bool { return in.Created.After(t0) })
		}
		if fresh {
			break
		}
	}
	z.statusClock.advance(time.Duration(days) * day)
	t1 := z.statusClock.now()
	for _, src := range z.sources {
		if src.status {
			was := want[src.vendor]
			want[src.vendor] = was.Union(visibleIn(t, src.kind, src.sim.Truth(src.vendor, t1)))
			t.Logf("%s: %d new incidents and %d new maintenances to see after %d days", src.vendor,
				len(want[src.vendor].Incidents)-len(was.Incidents), len(want[src.vendor].Maintenances)-len(was.Maintenances), days)
		}
	}
	w.until(20*time.Second, "every source holding everything its vendor shows", func(s series) bool { return lags(s) == "" }, lags)

	for _, family := range []string{"support_tickets_created_total", "support_items_rejected_total", "support_source_requests_total",
		"support_ticket_first_response_seconds_bucket", "support_status_incidents_total", "support_status_incident_update_gap_seconds_bucket"} {
		if !w.mono.seen[family] {
			t.Errorf("%s was not watched: the exposition has no such counter or histogram (watched: %v)", family, slices.Sorted(maps.Keys(w.mono.seen)))
		}
	}
	t.Logf("%d scrapes, %d counter and histogram series watched, %d went down", w.scrapes, len(w.mono.last), len(w.mono.drops))
}

// derived is a vendor's quality series without the count of items refused,
// which is about the vendor's answers, not a value derived from them.
func derived(s series, vendor string) series {
	out := s.quality().ofVendor(vendor)
	for k := range out {
		if strings.HasPrefix(k, "support_items_rejected_total{") {
			delete(out, k)
		}
	}
	return out
}
