package quality

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// Items evolve at random, as vendors' data does: each version of an item is
// fetched at the generator's clock, stored through Merge and Replace, and
// the clock advances between versions. The incremental aggregator must
// equal a recomputation from the final stored versions, and its counters
// must never go down.
//
// New facts are timestamped at the clock, after every snapshot taken so far
// (no sync lag). A fact reported late, with a time before an earlier
// snapshot, can legitimately turn a breach seen while the clock ran into a
// met target; that is not what this test is about.
//
// New tickets are the exception: they are fetched up to ticketLag after
// their creation, so the ticket source is judged complete only up to
// ticketLag ago (syncedAsOf). Tickets thus arrive after the incidents they
// may have noticed first, which must wait for them. Customer alerts arrive
// up to alertLag after they started, some more than once (Alertmanager
// resending a group), and are judged complete up to alertLag ago.
func TestIncrementalEqualsRecomputation(t *testing.T) {
	for _, clock := range []string{"calendar", "business"} {
		t.Run(clock, func(t *testing.T) {
			v := testVendor()
			v.CalendarParsed, v.Calendar, v.SLA[0].Clock = shanghai(t), "shanghai-office", clock
			v.SLA[0].MaintenanceNotice = hours(72)
			r := mustRules(t, v, t0)
			g := &generator{rnd: rand.New(rand.NewPCG(7, uint64(len(clock)))), alertRnd: rand.New(rand.NewPCG(8, uint64(len(clock)))), now: t0}
			s := newStore(r)
			var prev []uint64
			for step := range 4000 {
				g.now = g.now.Add(time.Duration(g.rnd.IntN(90)) * time.Minute)
				g.next(s)
				cur := counterValues(s.agg.Snapshot(syncedAsOf(g.now)))
				for i := range prev {
					if cur[i] < prev[i] {
						t.Fatalf("step %d: counter %s went down from %d to %d", step, counterNames[i], prev[i], cur[i])
					}
				}
				prev = cur
				if step%500 == 499 {
					assertRecomputed(t, s, g.now)
				}
			}
			if prev[0] == 0 || g.versions < 4000 {
				t.Fatalf("generator too quiet: %d versions, counters %v", g.versions, prev)
			}
			if final := s.agg.Snapshot(syncedAsOf(g.now)); final.UnknownPriority == 0 || final.UnknownPriority >= final.TicketsCreated[Normal] {
				t.Fatalf("generator too quiet: %d of %d normal tickets with an unknown priority, want some but not all", final.UnknownPriority, final.TicketsCreated[Normal])
			}
			if d := s.agg.Snapshot(syncedAsOf(g.now)).Detected; d[VendorFirst] == 0 || d[CustomerFirst] == 0 {
				t.Fatalf("generator too quiet: incidents detected %v, want both vendor-first and customer-first", d)
			}
			withoutAlerts := *s
			withoutAlerts.alerts = nil
			if d := withoutAlerts.reload().Snapshot(syncedAsOf(g.now)).Detected; d == s.agg.Snapshot(syncedAsOf(g.now)).Detected {
				t.Fatalf("generator too quiet: %d alerts changed no verdict (%v)", len(g.alerts), d)
			}
			if len(s.alerts) != len(g.alerts) || g.redelivered == 0 {
				t.Fatalf("alerts stored %d of %d, %d re-delivered: want re-deliveries, each stored once", len(s.alerts), len(g.alerts), g.redelivered)
			}
			for _, d := range []time.Duration{0, time.Hour, 72 * time.Hour, 365 * 24 * time.Hour} {
				assertRecomputed(t, s, g.now.Add(d))
			}
		})
	}
}

func assertRecomputed(t *testing.T, s *store, now time.Time) {
	t.Helper()
	got, want := s.agg.Snapshot(syncedAsOf(now)), s.reload().Snapshot(syncedAsOf(now))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("at %v the incremental snapshot differs from a recomputation:\n%s", now, snapshotDiff(want, got))
	}
}

// ticketLag is how long after its creation the generator may first emit a
// ticket.
const ticketLag = 180 * time.Minute

// alertLag is how long after it started the generator may deliver an
// alert: the alert_grace of the test.
const alertLag = 10 * time.Minute

// syncedAsOf is how complete the generator's sources are at now: the status
// page up to now, the ticket source up to ticketLag ago, the alerts up to
// alertLag ago.
func syncedAsOf(now time.Time) func(string) time.Time {
	return func(source string) time.Time {
		switch source {
		case "helpdesk":
			return now.Add(-ticketLag)
		case AlertSource:
			return now.Add(-alertLag)
		}
		return now
	}
}

// counterNames name the values counterValues returns, for failure messages.
var counterNames []string

// counterValues flattens every counter and histogram count of a snapshot
// (each bucket included) in a fixed order.
func counterValues(v *VendorSnapshot) []uint64 {
	var out []uint64
	var names []string
	add := func(name string, x uint64) { out = append(out, x); names = append(names, name) }
	hist := func(name string, h *Histogram) {
		add(name+".count", h.Count)
		for i, c := range h.Counts {
			add(fmt.Sprintf("%s.bucket[%d]", name, i), c)
		}
	}
	for p := range NumPriorities {
		add("tickets_created/"+p.String(), v.TicketsCreated[p])
		add("first_contact/"+p.String(), v.FirstContact[p])
		add("reopened/"+p.String(), v.Reopened[p])
		add("followups/"+p.String(), v.Followups[p])
		add("escalations/"+p.String(), v.Escalations[p])
		for tg := range NumTargets {
			add("sla_checks/"+p.String()+"/"+tg.String(), v.SLAChecks[p][tg])
			add("sla_breaches/"+p.String()+"/"+tg.String(), v.SLABreaches[p][tg])
		}
		for h := range NumHours {
			hist("first_response/"+p.String()+"/"+h.String(), &v.FirstResponse[p][h])
		}
		hist("resolution/"+p.String(), &v.Resolution[p])
		hist("rounds/"+p.String(), &v.Rounds[p])
	}
	add("unknown_priority", v.UnknownPriority)
	for r := range NumRatings {
		add("ratings/"+r.String(), v.Ratings[r])
	}
	for i := range NumImpacts {
		add("incidents/"+i.String(), v.Incidents[i])
		hist("notice_delay/"+i.String(), &v.NoticeDelay[i])
		hist("duration/"+i.String(), &v.Duration[i])
	}
	hist("update_gap", &v.UpdateGap)
	hist("postmortem", &v.Postmortem)
	add("maintenances", v.Maintenances)
	hist("maintenance_notice", &v.MaintenanceNotice)
	add("short_notice", v.ShortNotice)
	for f := range NumFirsts {
		add("detected/"+f.String(), v.Detected[f])
	}
	hist("customer_lead", &v.CustomerLead)
	counterNames = names
	return out
}

// generator invents the versions of tickets, incidents and maintenances
// over time. Its state is the vendor's truth; each version it emits is what
// an API would return at the generator's clock.
type generator struct {
	rnd          *rand.Rand
	now          time.Time
	versions     int
	tickets      []*model.Ticket
	incidents    []*model.Incident
	maintenances []*model.Maintenance
	// Alerts draw from their own stream, so that adding them left the
	// versions of the other items as they were.
	alertRnd    *rand.Rand
	alerts      []alertKey
	redelivered int
}

func (g *generator) next(s *store) {
	g.versions++
	switch k := g.rnd.IntN(20); {
	case k < 12:
		s.ticket("helpdesk", g.ticket())
	case k < 17:
		s.incident("status", g.incident())
	default:
		s.maintenance("status", g.maintenance())
	}
	if g.alertRnd.IntN(4) == 0 {
		a := g.alert()
		s.alert(a.fingerprint, a.startsAt)
	}
}

// alert is a new customer alert, started up to alertLag ago (sometimes
// before history_start), or a re-delivery of one already sent.
func (g *generator) alert() alertKey {
	if len(g.alerts) > 0 && g.alertRnd.IntN(4) == 0 {
		g.redelivered++
		return g.alerts[g.alertRnd.IntN(len(g.alerts))]
	}
	a := alertKey{fmt.Sprint("a", len(g.alerts)), g.now.Add(-time.Duration(g.alertRnd.Int64N(int64(alertLag))))}
	if g.alertRnd.IntN(20) == 0 {
		a.startsAt = t0.Add(-time.Hour)
	}
	g.alerts = append(g.alerts, a)
	return a
}

// pick returns an existing item to evolve, or -1 to create one.
func pick[T any](g *generator, items []T) int {
	if len(items) == 0 || g.rnd.IntN(4) == 0 {
		return -1
	}
	return g.rnd.IntN(len(items))
}

// rawPriorities include values no mapping knows (counted as normal and as
// unknown) and none at all (normal, not unknown).
var rawPriorities = []string{"urgent", "P1", "high", "p2", "normal", "low", "", " ", "whatever", "Sev-2"}

func (g *generator) ticket() model.Ticket {
	i := pick(g, g.tickets)
	if i < 0 {
		t := &model.Ticket{ID: fmt.Sprint("t", len(g.tickets)), CreatedAt: g.now.Add(-time.Duration(g.rnd.Int64N(int64(ticketLag)))),
			Priority: rawPriorities[g.rnd.IntN(len(rawPriorities))], Status: model.StatusNew}
		if g.rnd.IntN(20) == 0 {
			t.CreatedAt = t0.Add(-time.Duration(1+g.rnd.IntN(100)) * time.Hour) // before history_start
		}
		if g.rnd.IntN(3) == 0 {
			t.Figures = &model.Figures{}
			if g.rnd.IntN(2) == 0 { // the vendor runs its own SLA clocks
				deadline := func() time.Time { return t.CreatedAt.Add(time.Duration(g.rnd.Int64N(int64(10 * time.Hour)))) }
				t.Figures.FirstResponseSLA = &model.SLAClock{Deadline: deadline()}
				t.Figures.ResolutionSLA = &model.SLAClock{Deadline: deadline()}
			}
		}
		g.tickets = append(g.tickets, t)
		return g.emitTicket(t)
	}
	t := g.tickets[i]
	if t.Status == model.StatusClosed {
		return g.emitTicket(t) // final: only re-fetched
	}
	solved := t.Status == model.StatusSolved
	event := func(k model.EventKind) { t.Events = append(t.Events, ev(k, g.now)) }
	switch g.rnd.IntN(11) {
	case 0, 1:
		event(model.EventVendorReply)
		if f := t.Figures; f != nil {
			f.Replies++
			if f.FirstReplyAt.IsZero() {
				f.FirstReplyAt = g.now
				stopClock(f.FirstResponseSLA, g.now)
			}
		}
	case 2:
		event(model.EventCustomerReply)
	case 3:
		if !solved {
			event(model.EventSolved)
			t.Status = model.StatusSolved
			if f := t.Figures; f != nil && f.FirstSolvedAt.IsZero() {
				f.FirstSolvedAt = g.now
				stopClock(f.FirstResponseSLA, g.now)
				stopClock(f.ResolutionSLA, g.now)
			}
		}
	case 4:
		if solved {
			event(model.EventReopened)
			t.Status = model.StatusOpen
			if f := t.Figures; f != nil {
				f.Reopens++
			}
		}
	case 5:
		if solved {
			t.Status = model.StatusClosed
		}
	case 6:
		if !solved {
			t.Status = []model.Status{model.StatusNew, model.StatusOpen, model.StatusPending, model.StatusOnHold}[g.rnd.IntN(4)]
		}
	case 7:
		t.Priority = rawPriorities[g.rnd.IntN(len(rawPriorities))]
	case 8:
		if len(t.Tags) == 0 {
			t.Tags = []string{"escalated"}
		} else {
			t.Tags = nil
		}
	case 9:
		t.Escalated = !t.Escalated
		if g.rnd.IntN(2) == 0 {
			event(model.EventEscalated)
		}
	case 10:
		t.Satisfaction = []model.Rating{model.RatingNone, model.RatingGood, model.RatingBad}[g.rnd.IntN(3)]
	}
	t.UpdatedAt = g.now
	return g.emitTicket(t)
}

// emitTicket is what the API returns: a copy, sometimes with an older
// reopen count (APIs that recount from a window).
func (g *generator) emitTicket(t *model.Ticket) model.Ticket {
	out := *t
	out.Events = slices.Clone(t.Events)
	out.Tags = slices.Clone(t.Tags)
	if t.Figures != nil {
		f := *t.Figures
		if f.Reopens > 0 && g.rnd.IntN(4) == 0 {
			f.Reopens--
		}
		for _, c := range []**model.SLAClock{&f.FirstResponseSLA, &f.ResolutionSLA} {
			if *c != nil {
				copied := **c
				*c = &copied
			}
		}
		out.Figures = &f
	}
	return out
}

// stopClock stops a vendor's running SLA clock at now, with its verdict.
func stopClock(c *model.SLAClock, now time.Time) {
	if c != nil && c.Stopped.IsZero() {
		c.Stopped, c.Breached = now, now.After(c.Deadline)
	}
}

var rawImpacts = []model.Impact{model.ImpactNone, model.ImpactMinor, model.ImpactMajor, model.ImpactCritical, "maintenance"}

func (g *generator) incident() model.Incident {
	i := pick(g, g.incidents)
	if i < 0 {
		inc := &model.Incident{ID: fmt.Sprint("i", len(g.incidents)), CreatedAt: g.now, Impact: rawImpacts[g.rnd.IntN(len(rawImpacts))]}
		switch g.rnd.IntN(3) {
		case 0:
			inc.StartedAt = g.now.Add(-time.Duration(g.rnd.IntN(120)) * time.Minute)
		case 1:
			inc.StartedAt = g.now.Add(5 * time.Minute)
		}
		if g.rnd.IntN(20) == 0 {
			inc.CreatedAt = t0.Add(-time.Hour)
		}
		g.incidents = append(g.incidents, inc)
		return g.emitIncident(inc)
	}
	inc := g.incidents[i]
	resolved := !inc.ResolvedAt.IsZero()
	switch g.rnd.IntN(5) {
	case 0:
		inc.Updates = append(inc.Updates, g.now) // after resolution: a note that is no gap
	case 1:
		inc.Impact = rawImpacts[g.rnd.IntN(len(rawImpacts))]
	case 2:
		if !resolved {
			inc.ResolvedAt = g.now
			inc.Updates = append(inc.Updates, g.now)
		}
	case 3:
		if resolved && inc.PostmortemPublishedAt.IsZero() {
			inc.PostmortemPublishedAt = g.now
		}
	case 4:
		// The vendor dates the impact earlier, while tickets of its notice
		// window may still arrive: who noticed first is not decided yet.
		// (Once decided, the verdict is pinned and a recomputation would
		// judge the new window: a documented limit.)
		if inc.CreatedAt.After(g.now.Add(-ticketLag)) {
			inc.StartedAt = startedAt(inc).Add(-time.Duration(g.rnd.IntN(60)) * time.Minute)
		}
	}
	inc.UpdatedAt = g.now
	return g.emitIncident(inc)
}

// emitIncident sometimes drops the first update, as a vendor deleting it.
func (g *generator) emitIncident(inc *model.Incident) model.Incident {
	out := *inc
	out.Updates = slices.Clone(inc.Updates)
	if len(out.Updates) > 1 && g.rnd.IntN(5) == 0 {
		out.Updates = out.Updates[1:]
	}
	return out
}

func (g *generator) maintenance() model.Maintenance {
	i := pick(g, g.maintenances)
	if i < 0 {
		m := &model.Maintenance{ID: fmt.Sprint("m", len(g.maintenances)), CreatedAt: g.now}
		if g.rnd.IntN(10) > 0 {
			m.ScheduledFor = g.now.Add(time.Duration(g.rnd.IntN(200)-3) * time.Hour)
			m.ScheduledUntil = m.ScheduledFor.Add(2 * time.Hour)
		}
		g.maintenances = append(g.maintenances, m)
		return *m
	}
	m := g.maintenances[i]
	out := *m
	switch g.rnd.IntN(3) {
	case 0:
		if m.CompletedAt.IsZero() && !m.ScheduledFor.After(g.now) {
			m.CompletedAt = g.now
			out.CompletedAt = g.now
		}
	case 1:
		out.CreatedAt = g.now // re-announced: the first announcement counts
	}
	m.UpdatedAt = g.now
	out.UpdatedAt = g.now
	return out
}
