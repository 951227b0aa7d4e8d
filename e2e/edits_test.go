package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// editRounds is how many rounds of edits TestVendorEditsNeverLowerACounter
// makes, one edit per vendor per round.
const editRounds = 12

// TestVendorEditsNeverLowerACounter: every source kind of one exporter,
// synced; then, round after round, each vendor's agents edit an item the
// exporter already counted (seeded, so every run makes the same edits): a
// ticket's priority changed, its creation time moved, the ticket deleted;
// an incident's start backdated or moved later, its impact changed, the
// time of one of its posts corrected; a maintenance rescheduled or
// re-announced. After each round, once every source synced it, and at
// every scrape in between, no counter and no histogram bucket, count or
// sum has gone down (docs/metrics.md: counter labels are pinned when an
// item is first stored, an observation is made once, when final).
func TestVendorEditsNeverLowerACounter(t *testing.T) {
	t.Parallel()
	z := startZoo(t, zooOptions{})
	w := newWatcher(t, z.p, 250*time.Millisecond)
	w.quiet = true // reported by round and vendor below
	lags := func(s series) string { return strings.Join(z.lags(s, nil), "; ") }
	w.until(60*time.Second, "every source synced", func(s series) bool { return lags(s) == "" }, lags)

	rng := rand.New(rand.NewPCG(2026, 3))
	edits := 0
	for round := range editRounds {
		// Each edit is made at the simulated clock's instant, later than
		// anything the exporter has seen: the incremental APIs list the
		// item again.
		z.ticketClock.advance(10 * time.Minute)
		z.statusClock.advance(10 * time.Minute)
		edited := time.Now()
		made := map[string]string{}
		for _, src := range z.sources {
			if e := editSomething(t, rng, src); e != "" {
				made[src.vendor] = e
				edits++
			}
		}
		dropped := len(w.mono.drops)
		_, ok := w.wait(30*time.Second, fmt.Sprintf("every source synced after round %d", round+1),
			func(s series) bool { return z.syncedAfter(s, edited) }, lags)
		// One edit per vendor per round: what went down at a vendor is
		// that edit's doing.
		for _, src := range z.sources {
			var down []string
			for _, d := range w.mono.drops[dropped:] {
				if labelValue(d, "vendor") == src.vendor {
					down = append(down, d)
				}
			}
			if len(down) > 0 {
				t.Errorf("round %d, %s, after %s: went down:\n\t%s", round+1, src.vendor, made[src.vendor], strings.Join(down, "\n\t"))
			} else if made[src.vendor] != "" {
				t.Logf("round %d, %s: %s", round+1, src.vendor, made[src.vendor])
			}
		}
		if !ok {
			break
		}
	}
	t.Logf("%d edits in %d rounds; %d scrapes, %d counter and histogram series watched, %d went down",
		edits, editRounds, w.scrapes, len(w.mono.last), len(w.mono.drops))
	for _, line := range w.mono.summary() {
		t.Errorf("went down at some scrape: %s", line)
	}
	if edits < editRounds*len(z.sources)/2 {
		t.Errorf("only %d edits made: the test proves little", edits)
	}
}

// editSomething makes one random edit at src's vendor of an item the
// exporter already counted, and says what it did ("" when the vendor has
// nothing to edit).
func editSomething(t *testing.T, rng *rand.Rand, src zooSource) string {
	t.Helper()
	now := src.clock.now()
	// Items counted: those that existed before the clock's last step.
	tr := src.sim.Truth(src.vendor, now.Add(-10*time.Minute))
	if !src.status {
		var live []simulator.TicketTruth
		for _, tk := range tr.Tickets {
			if tk.Status != "deleted" {
				live = append(live, tk)
			}
		}
		if len(live) == 0 {
			return ""
		}
		tk := live[rng.IntN(len(live))]
		var e simulator.TicketEdit
		var what string
		switch rng.IntN(5) {
		case 0, 1:
			others := slices.DeleteFunc([]string{"urgent", "high", "normal", "low", ""}, func(p string) bool { return p == tk.Priority })
			p := others[rng.IntN(len(others))]
			e.Priority, what = &p, fmt.Sprintf("ticket %d priority %q -> %q", tk.ID, tk.Priority, p)
		case 2, 3:
			// Backdated by up to two days, or moved later by up to half
			// the time to its first reply (or to now).
			until := now
			if !tk.FirstReply.IsZero() {
				until = tk.FirstReply
			}
			e.Created = tk.Created.Add(-time.Duration(rng.Int64N(int64(48 * time.Hour))))
			if rng.IntN(2) == 0 && until.After(tk.Created) {
				e.Created = tk.Created.Add(time.Duration(rng.Int64N(int64(until.Sub(tk.Created)/2) + 1)))
			}
			what = fmt.Sprintf("ticket %d created %s -> %s", tk.ID, tk.Created.Format(time.RFC3339), e.Created.Format(time.RFC3339))
		default:
			e.Delete, what = true, fmt.Sprintf("ticket %d deleted", tk.ID)
		}
		if err := src.sim.EditTicket(src.vendor, tk.ID, e); err != nil {
			t.Fatalf("%s: %s: %v", src.vendor, what, err)
		}
		return what
	}
	if len(tr.Maintenances) > 0 && (len(tr.Incidents) == 0 || rng.IntN(3) == 0) {
		m := tr.Maintenances[rng.IntN(len(tr.Maintenances))]
		var e simulator.MaintenanceEdit
		var what string
		if rng.IntN(2) == 0 {
			shift := time.Duration(rng.Int64N(int64(26*time.Hour))) - 2*time.Hour
			e.ScheduledFor, e.ScheduledUntil = m.ScheduledFor.Add(shift), m.ScheduledUntil.Add(shift)
			what = fmt.Sprintf("maintenance %s rescheduled by %s", m.ID, shift.Round(time.Minute))
		} else {
			// Announced up to three days earlier, or later, up to now.
			e.Announced = m.Created.Add(-time.Duration(rng.Int64N(int64(72 * time.Hour))))
			if rng.IntN(2) == 0 {
				e.Announced = m.Created.Add(time.Duration(rng.Int64N(int64(now.Sub(m.Created)) + 1)))
			}
			what = fmt.Sprintf("maintenance %s announced %s -> %s", m.ID, m.Created.Format(time.RFC3339), e.Announced.Format(time.RFC3339))
		}
		if err := src.sim.EditMaintenance(src.vendor, m.ID, e); err != nil {
			t.Fatalf("%s: %s: %v", src.vendor, what, err)
		}
		return what
	}
	if len(tr.Incidents) == 0 {
		return ""
	}
	in := tr.Incidents[rng.IntN(len(tr.Incidents))]
	var e simulator.IncidentEdit
	var what string
	switch rng.IntN(4) {
	case 0:
		e.Started = in.Started.Add(-time.Duration(rng.Int64N(int64(6*time.Hour)) + int64(time.Minute)))
		what = fmt.Sprintf("incident %s started backdated %s -> %s", in.ID, in.Started.Format(time.RFC3339), e.Started.Format(time.RFC3339))
	case 1:
		// Later, up to its first post.
		e.Started = in.Started.Add(time.Duration(rng.Int64N(int64(max(in.Created.Sub(in.Started), 0)) + 1)))
		what = fmt.Sprintf("incident %s started moved %s -> %s", in.ID, in.Started.Format(time.RFC3339), e.Started.Format(time.RFC3339))
	case 2:
		others := slices.DeleteFunc([]string{"none", "minor", "major", "critical"}, func(i string) bool { return i == in.Impact })
		e.Impact = others[rng.IntN(len(others))]
		what = fmt.Sprintf("incident %s impact %s -> %s", in.ID, in.Impact, e.Impact)
	default:
		// One post's time corrected, between its neighbours (the first
		// post no earlier than the start).
		k := rng.IntN(len(in.Updates))
		lo, hi := in.Started, now
		if k > 0 {
			lo = in.Updates[k-1]
		}
		if k+1 < len(in.Updates) {
			hi = in.Updates[k+1]
		}
		at := lo.Add(time.Duration(rng.Int64N(int64(max(hi.Sub(lo), 0)) + 1)))
		e.Updates = map[int]time.Time{k: at}
		what = fmt.Sprintf("incident %s update %d %s -> %s", in.ID, k, in.Updates[k].Format(time.RFC3339), at.Format(time.RFC3339))
	}
	if err := src.sim.EditIncident(src.vendor, in.ID, e); err != nil {
		t.Fatalf("%s: %s: %v", src.vendor, what, err)
	}
	return what
}
