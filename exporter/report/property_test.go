package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/replay"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// randomTicket is a ticket of a random life between from and synced (as
// the backfill's tests draw them).
func randomTicket(rnd *rand.Rand, i int, from, synced time.Time) item.Ticket {
	created := from.Add(time.Duration(rnd.Int64N(int64(synced.Sub(from)))))
	t := item.Ticket{ID: fmt.Sprint(i), CreatedAt: created, UpdatedAt: created,
		Priority: []string{"urgent", "high", "normal", "low"}[rnd.IntN(4)], Status: item.StatusOpen}
	at := created
	event := func(k item.EventKind, after time.Duration) bool {
		at = at.Add(after)
		if at.After(synced) {
			return false
		}
		t.Events = append(t.Events, item.Event{Kind: k, At: at})
		t.UpdatedAt = at
		return true
	}
	if !event(item.EventVendorReply, time.Duration(rnd.IntN(600))*time.Minute) {
		return t
	}
	if rnd.IntN(3) == 0 && !event(item.EventCustomerReply, time.Duration(rnd.IntN(600))*time.Minute) {
		return t
	}
	if rnd.IntN(6) == 0 {
		t.Escalated = true
		if !event(item.EventEscalated, time.Duration(rnd.IntN(600))*time.Minute) {
			return t
		}
	}
	if !event(item.EventSolved, time.Duration(rnd.IntN(4000))*time.Minute) {
		return t
	}
	t.Status = item.StatusSolved
	if rnd.IntN(5) == 0 {
		if !event(item.EventReopened, time.Duration(rnd.IntN(600))*time.Minute) {
			return t
		}
		t.Status = item.StatusOpen
		if !event(item.EventSolved, time.Duration(rnd.IntN(600))*time.Minute) {
			return t
		}
		t.Status = item.StatusSolved
	}
	if rnd.IntN(2) == 0 && t.UpdatedAt.Add(96*time.Hour).Before(synced) {
		t.Status, t.UpdatedAt = item.StatusClosed, t.UpdatedAt.Add(96*time.Hour)
		t.Satisfaction = []item.Rating{item.RatingGood, item.RatingBad}[rnd.IntN(2)]
	}
	return t
}

func randomIncident(rnd *rand.Rand, i int, from, synced time.Time) item.Incident {
	created := from.Add(time.Duration(rnd.Int64N(int64(synced.Sub(from)))))
	inc := item.Incident{ID: fmt.Sprint("i", i), Impact: []item.Impact{item.ImpactMinor, item.ImpactMajor}[rnd.IntN(2)],
		CreatedAt: created, StartedAt: created.Add(-time.Duration(rnd.IntN(60)) * time.Minute), UpdatedAt: created}
	for at := created.Add(time.Duration(1+rnd.IntN(90)) * time.Minute); at.Before(synced) && len(inc.Updates) < 4; at = at.Add(time.Duration(1+rnd.IntN(90)) * time.Minute) {
		inc.Updates = append(inc.Updates, at)
		inc.UpdatedAt = at
	}
	if n := len(inc.Updates); n > 1 {
		inc.ResolvedAt = inc.Updates[n-1]
		if rnd.IntN(2) == 0 {
			inc.PostmortemPublishedAt = inc.ResolvedAt.Add(time.Duration(rnd.IntN(72)) * time.Hour)
		}
	}
	return inc
}

const propertyYAML = `global:
  history_start: 2025-11-01
vendors:
  - name: acme
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h}
      resolution: {urgent: 24h, high: 72h}
      maintenance_notice: 72h
    tickets:
      - {name: support, kind: zendesk, url: "https://acme.zendesk.com", http_client: {basic_auth: {username: agent, password: token}}}
    status_pages:
      - {name: status, kind: statuspage, url: "https://status.acme.com"}
`

// TestCountersAreSnapshotDifferences: on random stores, each report
// figure equals the difference between two snapshots of a plain replay
// (no shortcut for items done before the first instant), what the
// backfill writes; every SLA check has its ticket among the candidates of
// the worst list.
func TestCountersAreSnapshotDifferences(t *testing.T) {
	cfg := testConfig(t, propertyYAML)
	vc := cfg.Vendors[0]
	begin := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for seed := range uint64(8) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(seed, 7))
			st, err := store.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rules, _ := quality.NewRules(vc, cfg.Global)
			var tickets []item.Ticket
			for i := range 400 {
				tickets = append(tickets, randomTicket(rnd, i, begin, end))
			}
			putTickets(t, st, cfg, "acme", "support", end, tickets)
			err = st.Update(store.SourceKey{Vendor: "acme", Source: "status"}, func(tx *store.Tx) error {
				for i := range 40 {
					merged := rules.MergeIncident(nil, randomIncident(rnd, i, begin, end), quality.Judged{})
					if _, err := tx.PutIncident(&merged); err != nil {
						return err
					}
				}
				for i := range 20 {
					at := begin.Add(time.Duration(rnd.Int64N(int64(end.Sub(begin) - 200*time.Hour))))
					notice := time.Duration(rnd.IntN(120)) * time.Hour
					m := item.Maintenance{ID: fmt.Sprint("m", i), CreatedAt: at, UpdatedAt: at.Add(notice + 2*time.Hour),
						ScheduledFor: at.Add(notice), CompletedAt: at.Add(notice + 2*time.Hour)}
					merged := rules.MergeMaintenance(nil, m, quality.Judged{})
					if _, err := tx.PutMaintenance(&merged); err != nil {
						return err
					}
				}
				return tx.SetSyncedAt(end)
			})
			if err != nil {
				t.Fatal(err)
			}
			// A period, with the previous one, inside the history.
			pFrom := begin.AddDate(0, 0, 50+rnd.IntN(20)).Add(time.Duration(rnd.IntN(86400)) * time.Second)
			pTo := pFrom.AddDate(0, 0, 20+rnd.IntN(30))
			var mu sync.Mutex
			var ended [quality.NumPriorities][quality.NumTargets]uint64
			testHook = func(_ string, c *collector) { mu.Lock(); ended = c.ended; mu.Unlock() }
			defer func() { testHook = nil }()
			r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
				Period: Period{From: pFrom, To: pTo}, ComparePrevious: true, Now: end.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			v := r.Vendors[0]

			rv, err := replay.NewVendor(st, vc, &cfg.Global, replay.Options{})
			if err != nil {
				t.Fatal(err)
			}
			snap := func(at time.Time) *quality.VendorSnapshot {
				if err := rv.Advance(at); err != nil {
					t.Fatal(err)
				}
				return rv.Snapshot(at)
			}
			prevFrom := pFrom.Add(-pTo.Sub(pFrom))
			s0, s1 := snap(prevFrom), snap(pFrom)
			// The report's other instants lie between: take them as it does.
			for _, at := range plan(r.Period, r.Previous).at {
				if at.After(pFrom) && at.Before(pTo) {
					snap(at)
				}
			}
			s2 := snap(pTo)
			d, pd := diff(s1, s2), diff(s0, s1)

			var created, prevCreated uint64
			for p := range quality.NumPriorities {
				created += s2.TicketsCreated[p] - s1.TicketsCreated[p]
				prevCreated += s1.TicketsCreated[p] - s0.TicketsCreated[p]
			}
			if v.Volume.TicketsOpened != created {
				t.Errorf("tickets opened %d, snapshots say %d", v.Volume.TicketsOpened, created)
			}
			// Tickets opened by hand: created in [From, To).
			var byHand uint64
			for _, tk := range tickets {
				if !tk.CreatedAt.Before(pFrom) && tk.CreatedAt.Before(pTo) {
					byHand++
				}
			}
			if created != byHand {
				t.Errorf("tickets opened %d, by hand %d", created, byHand)
			}
			if p := indicator(t, v, "tickets_opened").Previous; p == nil || *p != float64(prevCreated) {
				t.Errorf("previous tickets opened %s, want %d", val(p), prevCreated)
			}
			for _, row := range v.SLA {
				pr, _ := quality.ParsePriority(row.Priority)
				tg := quality.FirstResponse
				if row.Target == "resolution" {
					tg = quality.Resolution
				}
				if row.Checks != d.checks[pr][tg] || row.Breaches != d.breaches[pr][tg] {
					t.Errorf("%s/%s: %d checks %d breaches, snapshots say %d, %d", row.Priority, row.Target,
						row.Checks, row.Breaches, d.checks[pr][tg], d.breaches[pr][tg])
				}
				if ended[pr][tg] != row.Checks {
					t.Errorf("%s/%s: %d tickets whose clock ended in the period, %d checks", row.Priority, row.Target, ended[pr][tg], row.Checks)
				}
				var breachedListed int
				for i, w := range row.Worst {
					if w.Breached {
						breachedListed++
					}
					if i > 0 && !row.Worst[i-1].Breached && w.Breached {
						t.Errorf("%s/%s: worst tickets out of order", row.Priority, row.Target)
					}
				}
				if uint64(breachedListed) != min(row.Breaches, uint64(len(row.Worst))) {
					t.Errorf("%s/%s: %d breaches listed of %d, %d listed", row.Priority, row.Target, breachedListed, row.Breaches, len(row.Worst))
				}
			}
			for _, id := range []string{"first_response_p90_urgent", "resolution_p50_high", "rounds_p90", "incident_update_gap_p90",
				"postmortem_delay_p50", "maintenance_notice_compliance", "reopen_rate", "satisfaction", "one_touch_rate"} {
				want := map[string]func(*delta) (*float64, uint64){}
				for _, def := range indicatorDefs() {
					want[def.id] = def.value
				}
				ind := indicator(t, v, id)
				w, n := want[id](&d)
				pw, _ := want[id](&pd)
				if !same(ind.Value, w) || ind.Samples != n || !same(ind.Previous, pw) {
					t.Errorf("%s = %s (%d samples, previous %s), snapshots say %s (%d, %s)", id,
						val(ind.Value), ind.Samples, val(ind.Previous), val(w), n, val(pw))
				}
			}
			if v.Volume.Incidents != sumU(d.incidents[:]) || v.Volume.Maintenances != d.maintenances {
				t.Errorf("volume %+v, snapshots say %d incidents %d maintenances", v.Volume, sumU(d.incidents[:]), d.maintenances)
			}
			t.Logf("opened %d, sla %+v, incidents %d, maint %d, esc %d", created, len(v.SLA), len(v.Incidents), len(v.Maintenances), len(v.Escalations))
			var open uint64
			for p := range quality.NumPriorities {
				open += s2.EscalationsOpen[p]
			}
			if uint64(len(v.Escalations)) != min(open, maxEscalations) {
				t.Errorf("%d open escalations listed, snapshot at To has %d", len(v.Escalations), open)
			}
		})
	}
}

func same(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && (*a == *b || math.Abs(*a-*b) < 1e-9)
}
