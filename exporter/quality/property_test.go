package quality

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	commonmodel "github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// Items evolve at random, as vendors' data does: each version of an item is
// fetched at the generator's clock, stored through Merge and Replace, and
// the clock advances between versions, a snapshot after each. Vendors edit
// what was already counted: they move times (a creation, a start, a reply
// timestamped before a deadline that a snapshot already judged passed),
// change priorities, impacts and tags, revert statuses, drop events,
// updates and figures, pause their SLA clocks, add, drop and bring back
// their own clocks. At every step no counter or bucket may go down, and the
// incremental aggregator must equal a recomputation from the stored items;
// now and then the exporter restarts (a fresh Aggregator loading the store)
// and goes on with that one, judging at once as of the same instants as
// before (restarts). Each merge is given what the previous snapshot judged
// (Aggregator.Judged), as the exporter's ingest does, and is checked
// against the rules a careful person applies by hand (oracle).
//
// New tickets are fetched up to ticketLag after their creation (a few
// later still), so the ticket source is judged complete only up to
// ticketLag ago (syncedAsOf).
// Tickets thus arrive after the incidents they may have noticed first,
// which must wait for them. Customer alerts arrive up to alertLag after
// they started, some more than once (Alertmanager resending a group), and
// are judged complete up to alertLag ago.
func TestIncrementalEqualsRecomputation(t *testing.T) {
	const steps = 4000
	for seed, clock := range []string{"calendar", "business"} {
		t.Run(clock, func(t *testing.T) {
			r := mustRules(t, propertyVendor(t, clock), t0)
			g := newGenerator(7, uint64(seed))
			s := newStore(r)
			o := newOracle(t, r)
			s.onTicket, s.onIncident = o.ticket, o.incident
			var prev []uint64
			var rs restarts
			for step := range steps {
				s.asOf = syncedAsOf(g.now) // what the previous snapshot judged
				g.now = g.now.Add(time.Duration(g.rnd.IntN(90)) * time.Minute)
				g.next(s)
				if g.rnd.IntN(100) == 0 {
					rs.restart(t, s, step, prev)
				}
				now := syncedAsOf(g.now)
				snap := s.agg.Snapshot(now)
				cur := counterValues(snap)
				for i := range prev {
					if cur[i] < prev[i] {
						t.Fatalf("step %d: counter %s went down from %d to %d", step, counterNames[i], prev[i], cur[i])
					}
				}
				prev = cur
				if fresh := s.reload().Snapshot(now); !reflect.DeepEqual(snap, fresh) {
					t.Fatalf("step %d: the incremental snapshot differs from a recomputation:\n%s", step, snapshotDiff(fresh, snap))
				}
			}
			final := s.agg.Snapshot(syncedAsOf(g.now))
			g.assertBusy(t, s, final, &rs)
			o.assertStored(s, syncedAsOf(g.now))
			for _, d := range []time.Duration{0, time.Hour, 72 * time.Hour, 365 * 24 * time.Hour} {
				assertRecomputed(t, s, g.now.Add(d))
			}
		})
	}
}

// propertyVendor is the test vendor on the given SLA clock, with a second
// contract term from a week into the history (other targets, minimum
// notice and clock), and a signal tag.
func propertyVendor(t *testing.T, clock string) *config.Vendor {
	v := testVendor()
	v.CalendarParsed, v.Calendar, v.SLA[0].Clock = shanghai(t), "shanghai-office", clock
	v.SLA[0].MaintenanceNotice = hours(72)
	other := map[string]string{"calendar": "business", "business": "calendar"}[clock]
	v.SLA = append(v.SLA, datedTerm(t0.Add(7*24*time.Hour), config.SLA{Clock: other,
		FirstResponse:     map[string]commonmodel.Duration{"urgent": hours(2), "low": hours(0.5)},
		Resolution:        map[string]commonmodel.Duration{"normal": hours(48)},
		MaintenanceNotice: hours(24)}))
	v.Signals.Tags = []string{"outage"}
	v.FeatureRequests = config.FeatureRequests{Tags: []string{"enhancement"}, Types: []string{"Feature"}}
	v.Agreements = propertyAgreements(t)
	return v
}

// assertBusy fails when the generator did not exercise what the property
// test is about.
func (g *generator) assertBusy(t *testing.T, s *store, final *VendorSnapshot, rs *restarts) {
	t.Helper()
	sum := func(xs []uint64) (n uint64) {
		for _, x := range xs {
			n += x
		}
		return n
	}
	t.Logf("%d versions, restarts %+v, edits %v", g.versions, *rs, g.edits)
	if rs.n == 0 || g.versions < 3000 {
		t.Errorf("generator too quiet: %d versions, %d restarts", g.versions, rs.n)
	}
	if rs.oneTouch == 0 || rs.breaches == 0 || rs.notices == 0 {
		t.Errorf("generator too quiet: restarts %+v, want some of each count held only in memory", *rs)
	}
	for _, kind := range editKinds {
		if g.edits[kind] < 5 {
			t.Errorf("generator too quiet: %d edits of kind %q", g.edits[kind], kind)
		}
	}
	if final.UnknownPriority == 0 || final.UnknownPriority >= final.TicketsCreated[Normal] {
		t.Errorf("generator too quiet: %d of %d normal tickets with an unknown priority, want some but not all", final.UnknownPriority, final.TicketsCreated[Normal])
	}
	if d := final.Detected; d[VendorFirst] == 0 || d[CustomerFirst] == 0 {
		t.Errorf("generator too quiet: incidents detected %v, want both vendor-first and customer-first", d)
	}
	if f := final.Features; f.Created == 0 || f.Acknowledgement.Count == 0 || slices.Contains(f.Outcomes[:], 0) ||
		sum(f.Open[:]) == 0 || f.OutcomeTime[ClosedByBot].Count == 0 {
		t.Errorf("generator too quiet: feature requests %+v, want some of each", f)
	}
	if n := sum(final.FirstContact[:]); n == 0 {
		t.Error("generator too quiet: no one-touch resolution")
	}
	assertContractsBusy(t, final)
	if len(s.agg.signals.late) == 0 {
		t.Error("generator too quiet: no late customer signal")
	}
	withoutAlerts := *s
	withoutAlerts.alerts = nil
	if d := withoutAlerts.reload().Snapshot(syncedAsOf(g.now)).Detected; d == final.Detected {
		t.Errorf("generator too quiet: %d alerts changed no verdict (%v)", len(g.alerts), d)
	}
	// Drill marks keep signals out: without them the verdicts differ; some
	// marked tickets were signals before their mark (kept), some not.
	withoutDrills := *s
	withoutDrills.tickets = map[itemKey]*item.Ticket{}
	var marked, markedSignals int
	for k, tk := range s.tickets {
		c := *tk
		if h := c.History; h != nil && !h.DrillSeen.IsZero() {
			marked++
			if _, ok := s.agg.Rules().ticketSignal(tk, h); ok {
				markedSignals++
			}
			hc := *h
			hc.DrillSeen, c.Drill, c.History = time.Time{}, false, &hc
		}
		withoutDrills.tickets[k] = &c
	}
	if d := withoutDrills.reload().Snapshot(syncedAsOf(g.now)).Detected; d == final.Detected || marked == 0 || markedSignals == 0 {
		t.Errorf("generator too quiet: %d drill tickets (%d signals marked late) changed no verdict (%v)", marked, markedSignals, d)
	}
	if len(s.alerts) != len(g.alerts) || g.redelivered == 0 {
		t.Errorf("alerts stored %d of %d, %d re-delivered: want re-deliveries, each stored once", len(s.alerts), len(g.alerts), g.redelivered)
	}
	// The pins that keep counters from going down were all made.
	var pins struct{ runningBreached, vendorBreached, oneTouch, window, notice int }
	for _, tk := range s.tickets {
		h, _ := s.agg.Rules().ticketHistory(tk)
		tm := s.agg.Rules().termAt(h.Created)
		p, _ := s.agg.Rules().Priority(h.FirstPriority)
		for tg, c := range clockHistories(&h) {
			if d := tm.target(p, Target(tg)); d > 0 && c.RunningAsOf.After(s.agg.Rules().deadline(tm, h.Created, d)) {
				pins.runningBreached++
			}
			if c.VendorBreached {
				pins.vendorBreached++
			}
		}
		if h.OneTouch == item.OneTouchCounted {
			pins.oneTouch++
		}
	}
	for _, i := range s.incidents {
		if i.History != nil && !i.History.NoticePost.IsZero() {
			pins.window++
		}
	}
	for _, m := range s.maintenances {
		if m.History != nil && m.History.Notice != nil {
			pins.notice++
		}
	}
	if pins.runningBreached == 0 || pins.vendorBreached == 0 || pins.oneTouch == 0 || pins.window == 0 || pins.notice == 0 {
		t.Errorf("generator too quiet: pins %+v, want some of each", pins)
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
	add("feature_requests_created", v.Features.Created)
	hist("feature_acknowledgement", &v.Features.Acknowledgement)
	for o := range NumOutcomes {
		add("feature_outcomes/"+o.String(), v.Features.Outcomes[o])
		hist("feature_outcome_time/"+o.String(), &v.Features.OutcomeTime[o])
	}
	for _, c := range v.Contracts {
		add("contract_downtime/"+c.Agreement, uint64(c.Downtime))
	}
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
	edits        map[string]int // edits of already-counted items, by kind (editKinds)
	tickets      []*item.Ticket
	reverted     []int // tickets shown open again after a solve, without a reopen event
	incidents    []*item.Incident
	maintenances []*item.Maintenance
	// Alerts draw from their own stream, and so do feature requests'
	// labels, types, triage and closes (featureEdit).
	alertRnd    *rand.Rand
	featRnd     *rand.Rand
	drillRnd    *rand.Rand // drill marks (item.Ticket.Drill): their own stream
	alerts      []alertKey
	redelivered int
}

// editKinds are the vendor edits the generator makes to items already
// stored, which must lower no counter.
var editKinds = []string{
	"ticket created moved", "ticket event moved", "ticket reply dated late", "ticket events dropped", "ticket figures zeroed",
	"ticket status reverted", "vendor clock paused", "vendor clock added", "vendor clock dropped", "signal tag",
	"incident started moved", "incident resolution moved",
	"incident reopened", "incident updates moved", "incident created moved", "postmortem moved", "maintenance rescheduled",
	"maintenance completion moved",
	"feature label", "feature type", "triage", "close reason changed", "close dated earlier shown late", "author changed",
	"drill mark",
}

func newGenerator(seed1, seed2 uint64) *generator {
	return &generator{rnd: rand.New(rand.NewPCG(seed1, seed2)), alertRnd: rand.New(rand.NewPCG(seed1+1, seed2)),
		featRnd: rand.New(rand.NewPCG(seed1+2, seed2)), drillRnd: rand.New(rand.NewPCG(seed1+3, seed2)), now: t0, edits: map[string]int{}}
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

// edit counts an edit of an already-counted item.
func (g *generator) edit(kind string) { g.edits[kind]++ }

// shift is a random move of up to max either way, whole minutes.
func (g *generator) shift(max time.Duration) time.Duration {
	return time.Duration(g.rnd.Int64N(int64(2*max/time.Minute))-int64(max/time.Minute)) * time.Minute
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

func (g *generator) ticket() item.Ticket {
	i := pick(g, g.tickets)
	if i < 0 {
		t := &item.Ticket{ID: fmt.Sprint("t", len(g.tickets)), CreatedAt: g.now.Add(-time.Duration(g.rnd.Int64N(int64(ticketLag)))),
			Priority: rawPriorities[g.rnd.IntN(len(rawPriorities))], Status: item.StatusNew}
		switch g.rnd.IntN(20) {
		case 0:
			t.CreatedAt = t0.Add(-time.Duration(1+g.rnd.IntN(100)) * time.Hour) // before history_start
		case 1:
			// Fetched late (an import, an API that lags): after the source
			// was judged complete past its creation.
			t.CreatedAt = g.now.Add(-ticketLag - time.Duration(g.rnd.IntN(10*60))*time.Minute)
		}
		if g.rnd.IntN(3) == 0 {
			t.Figures = &item.Figures{}
			if g.rnd.IntN(3) > 0 { // the vendor runs its own SLA clocks
				deadline := func() time.Time { return t.CreatedAt.Add(time.Duration(g.rnd.Int64N(int64(10 * time.Hour)))) }
				t.Figures.FirstResponseSLA = &item.SLAClock{Deadline: deadline()}
				t.Figures.ResolutionSLA = &item.SLAClock{Deadline: deadline()}
			}
		}
		if g.rnd.IntN(10) == 0 {
			t.Tags = []string{"outage"}
		}
		// A drill's test ticket, marked from its creation: never a signal.
		t.Drill = g.drillRnd.IntN(8) == 0
		g.featureEdit(t, true)
		g.tickets = append(g.tickets, t)
		return g.emitTicket(t)
	}
	if n := len(g.reverted); n > 0 && g.rnd.IntN(2) == 0 {
		// Solved again soon after a revert, as one made by mistake is: a
		// one-touch resolution but for the status shown in between.
		t := g.tickets[g.reverted[n-1]]
		g.reverted = g.reverted[:n-1]
		if t.Status != item.StatusSolved && t.Status != item.StatusClosed { // not solved since
			t.Status, t.UpdatedAt = item.StatusSolved, g.now
			t.Events = append(t.Events, ev(item.EventSolved, g.now))
			return g.emitTicket(t)
		}
	}
	t := g.tickets[i]
	if t.Status == item.StatusClosed && g.rnd.IntN(2) == 0 {
		return g.emitTicket(t) // final: mostly only re-fetched
	}
	solved := t.Status == item.StatusSolved
	event := func(k item.EventKind) { t.Events = append(t.Events, ev(k, g.now)) }
	reply := func() {
		event(item.EventVendorReply)
		if f := t.Figures; f != nil {
			f.Replies++
			if f.FirstReplyAt.IsZero() {
				f.FirstReplyAt = g.now
				stopClock(f.FirstResponseSLA, g.now)
			}
		}
	}
	switch g.rnd.IntN(21) {
	case 0, 1:
		reply()
	case 2:
		event(item.EventCustomerReply)
	case 3, 4:
		if !solved {
			if len(t.Events) == 0 && g.rnd.IntN(2) == 0 {
				reply() // answered and solved at once, as agents often do: a one-touch candidate
			}
			event(item.EventSolved)
			t.Status = item.StatusSolved
			if f := t.Figures; f != nil && f.FirstSolvedAt.IsZero() {
				f.FirstSolvedAt = g.now
				stopClock(f.FirstResponseSLA, g.now)
				stopClock(f.ResolutionSLA, g.now)
			}
		}
	case 5:
		if solved {
			event(item.EventReopened)
			t.Status = item.StatusOpen
			if f := t.Figures; f != nil {
				f.Reopens++
			}
		}
	case 6:
		if solved {
			t.Status = item.StatusClosed
		}
	case 7:
		if solved {
			// Shown open again with no reopen event or figure: a status
			// reverted, or a helpdesk that records no reopens.
			g.edit("ticket status reverted")
			g.reverted = append(g.reverted, i)
		}
		t.Status = []item.Status{item.StatusNew, item.StatusOpen, item.StatusPending, item.StatusOnHold}[g.rnd.IntN(4)]
	case 8:
		t.Priority = rawPriorities[g.rnd.IntN(len(rawPriorities))]
	case 9:
		if len(t.Tags) == 0 {
			t.Tags = []string{"escalated"}
		} else {
			t.Tags = nil
		}
	case 10:
		t.Escalated = !t.Escalated
		if g.rnd.IntN(2) == 0 {
			event(item.EventEscalated)
		}
	case 11:
		t.Satisfaction = []item.Rating{item.RatingNone, item.RatingGood, item.RatingBad}[g.rnd.IntN(3)]
	case 12:
		g.edit("ticket created moved")
		t.CreatedAt = t.CreatedAt.Add(g.shift(48 * time.Hour))
	case 13:
		if len(t.Events) > 0 {
			g.edit("ticket event moved")
			e := &t.Events[g.rnd.IntN(len(t.Events))]
			e.At = e.At.Add(g.shift(24 * time.Hour))
		}
	case 14:
		// A reply fetched late, timestamped before snapshots already
		// judged the clock running (maybe before its deadline).
		g.edit("ticket reply dated late")
		at := g.now.Add(-time.Duration(g.rnd.IntN(10*60)) * time.Minute)
		t.Events = append(t.Events, ev(item.EventVendorReply, at))
		if f := t.Figures; f != nil && f.FirstReplyAt.IsZero() {
			f.FirstReplyAt = at
		}
	case 15:
		g.edit("ticket events dropped")
		if g.rnd.IntN(2) == 0 {
			t.Events = nil
		} else if len(t.Events) > 0 {
			k := g.rnd.IntN(len(t.Events))
			t.Events = slices.Delete(t.Events, k, k+1)
		}
	case 16:
		g.edit("ticket figures zeroed")
		if t.Figures != nil && g.rnd.IntN(2) == 0 {
			t.Figures = nil
		} else {
			t.Figures = &item.Figures{}
		}
	case 17:
		g.edit("ticket status reverted")
		t.Status = []item.Status{item.StatusOpen, item.StatusSolved, item.StatusNew}[g.rnd.IntN(3)]
		if solved && t.Status != item.StatusSolved {
			g.reverted = append(g.reverted, i)
		}
	case 18:
		if f := t.Figures; f != nil {
			// A pause: the deadline moves later, or the clock stops
			// judged met.
			for _, c := range []*item.SLAClock{f.FirstResponseSLA, f.ResolutionSLA} {
				if c == nil || !c.Stopped.IsZero() {
					continue
				}
				g.edit("vendor clock paused")
				switch g.rnd.IntN(3) {
				case 0:
					c.Deadline = c.Deadline.Add(time.Duration(g.rnd.IntN(48)) * time.Hour)
				case 1:
					c.Deadline = time.Time{}
				default:
					c.Stopped, c.Breached = g.now, false
				}
			}
		}
	case 19:
		g.edit("signal tag")
		if slices.Contains(t.Tags, "outage") {
			t.Tags = nil
		} else {
			t.Tags = append(slices.Clone(t.Tags), "Outage")
		}
	case 20:
		// The vendor's clock shows for a target that had none (SLA fields
		// granted to the agent account, a cycle computed late), maybe after
		// ours judged it: running, or stopped met or breached.
		if t.Figures == nil {
			t.Figures = &item.Figures{}
		}
		for _, c := range []**item.SLAClock{&t.Figures.FirstResponseSLA, &t.Figures.ResolutionSLA} {
			if *c != nil {
				continue
			}
			g.edit("vendor clock added")
			clock := &item.SLAClock{Deadline: t.CreatedAt.Add(time.Duration(g.rnd.Int64N(int64(10 * time.Hour))))}
			if g.rnd.IntN(3) > 0 {
				clock.Stopped, clock.Breached = g.now, g.rnd.IntN(2) == 0
			}
			*c = clock
			break
		}
	}
	t.UpdatedAt = g.now
	if g.drillRnd.IntN(30) == 0 {
		// The mark shows late (a signal stays one) or is edited away (a
		// drill ticket stays one).
		g.edit("drill mark")
		t.Drill = !t.Drill
	}
	g.featureEdit(t, false)
	return g.emitTicket(t)
}

// featureEdit keeps a ticket's close fields true to its status, as the
// github collector maps them (a reason, closer and time while solved or
// closed, none while open), and makes the vendor's feature-request edits
// from its own stream: labels, types and triage that come and go, a close
// reason and closer changed after the fact, a first close by a bot.
func (g *generator) featureEdit(t *item.Ticket, created bool) {
	rnd := g.featRnd
	if created {
		switch rnd.IntN(6) {
		case 0:
			t.Tags = append(t.Tags, "enhancement")
		case 1:
			t.Type = "Feature"
		}
		if rnd.IntN(2) == 0 {
			t.Author = "requester"
		}
		return
	}
	_, open := openStates[t.Status]
	switch {
	case open:
		t.CloseReason, t.ClosedBy, t.ClosedAt = "", "", time.Time{}
	case t.CloseReason == "":
		t.CloseReason = []string{"completed", "completed", "not_planned", "duplicate"}[rnd.IntN(4)]
		t.ClosedBy = []string{"octocat", "Stale[bot]", "github-actions[bot]", "maintainer", "Requester"}[rnd.IntN(5)]
		t.ClosedAt = g.now
		if rnd.IntN(2) == 0 { // a timeline dating every close
			t.Closes = append(slices.Clip(t.Closes), item.Closure{At: g.now, Reason: t.CloseReason, By: t.ClosedBy})
		}
	case rnd.IntN(8) == 0:
		g.edit("close reason changed")
		t.CloseReason = []string{"completed", "not_planned"}[rnd.IntN(2)]
		t.ClosedBy = []string{"octocat", "stale[bot]"}[rnd.IntN(2)]
		t.ClosedAt = t.ClosedAt.Add(g.shift(24 * time.Hour))
	}
	if len(t.Closes) > 0 && rnd.IntN(10) == 0 {
		// A close and reopen between two polls, or a timeline read only
		// now: a close dated before those seen shows late.
		g.edit("close dated earlier shown late")
		at := t.CreatedAt.Add(time.Duration(rnd.Int64N(max(int64(t.Closes[0].At.Sub(t.CreatedAt)), 0) + 1)))
		t.Closes = append([]item.Closure{{At: at, Reason: "not_planned", By: []string{"octocat", "stale[bot]", "requester"}[rnd.IntN(3)]}}, t.Closes...)
	}
	if rnd.IntN(20) == 0 {
		// The requester's account deleted (GitHub shows "ghost"), or a
		// requester who joined the vendor: a withdrawal seen stays one.
		g.edit("author changed")
		t.Author = map[string]string{"requester": "ghost", "ghost": "", "": "requester"}[t.Author]
	}
	switch rnd.IntN(12) {
	case 0:
		g.edit("feature label")
		if i := slices.Index(t.Tags, "enhancement"); i >= 0 {
			t.Tags = slices.Delete(slices.Clone(t.Tags), i, i+1)
		} else {
			t.Tags = append(slices.Clone(t.Tags), "Enhancement")
		}
	case 1:
		g.edit("feature type")
		t.Type = []string{"", "Feature", "Bug"}[rnd.IntN(3)]
	case 2:
		g.edit("triage")
		if t.TriagedAt.IsZero() {
			t.TriagedAt = g.now.Add(-time.Duration(rnd.IntN(5*60)) * time.Minute)
		} else {
			t.TriagedAt = time.Time{}
		}
	}
}

// emitTicket is what the API returns: a copy, sometimes with an older
// reopen count (APIs that recount from a window), or without the vendor's
// clocks, which the next version may bring back (an agent account that
// loses the SLA fields for a while).
func (g *generator) emitTicket(t *item.Ticket) item.Ticket {
	out := *t
	out.Events = slices.Clone(t.Events)
	out.Tags = slices.Clone(t.Tags)
	if t.Figures != nil {
		f := *t.Figures
		if f.Reopens > 0 && g.rnd.IntN(4) == 0 {
			f.Reopens--
		}
		if (f.FirstResponseSLA != nil || f.ResolutionSLA != nil) && g.rnd.IntN(8) == 0 {
			g.edit("vendor clock dropped")
			f.FirstResponseSLA, f.ResolutionSLA = nil, nil
		}
		for _, c := range []**item.SLAClock{&f.FirstResponseSLA, &f.ResolutionSLA} {
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
func stopClock(c *item.SLAClock, now time.Time) {
	if c != nil && c.Stopped.IsZero() {
		c.Stopped, c.Breached = now, !c.Deadline.IsZero() && now.After(c.Deadline)
	}
}

var rawImpacts = []item.Impact{item.ImpactNone, item.ImpactMinor, item.ImpactMajor, item.ImpactCritical, "maintenance"}

func (g *generator) incident() item.Incident {
	i := pick(g, g.incidents)
	if i < 0 {
		inc := &item.Incident{ID: fmt.Sprint("i", len(g.incidents)), CreatedAt: g.now, Impact: rawImpacts[g.rnd.IntN(len(rawImpacts))],
			Components: incidentComponents[len(g.incidents)%len(incidentComponents)]}
		switch g.rnd.IntN(3) {
		case 0:
			inc.StartedAt = g.now.Add(-time.Duration(g.rnd.IntN(120)) * time.Minute)
		case 1:
			inc.StartedAt = g.now.Add(5 * time.Minute)
		}
		if g.rnd.IntN(20) == 0 {
			inc.CreatedAt = t0.Add(-time.Hour)
		}
		if g.rnd.IntN(15) == 0 {
			inc.ResolutionUnknown = true // a feed entry
		}
		g.incidents = append(g.incidents, inc)
		return g.emitIncident(inc)
	}
	inc := g.incidents[i]
	resolved := !inc.ResolvedAt.IsZero()
	switch g.rnd.IntN(13) {
	case 0:
		inc.Updates = append(inc.Updates, g.now) // after resolution: a note that is no gap
	case 1:
		inc.Impact = rawImpacts[g.rnd.IntN(len(rawImpacts))]
	case 2, 3:
		if !resolved && !inc.ResolutionUnknown {
			if len(inc.Updates) > 0 && g.rnd.IntN(2) == 0 {
				// The vendor tidies its timeline as it resolves: an update
				// shown before moves (the gaps are those shown now).
				g.edit("incident updates moved")
				u := &inc.Updates[g.rnd.IntN(len(inc.Updates))]
				*u = u.Add(g.shift(30 * time.Minute))
			}
			inc.ResolvedAt = g.now
			inc.Updates = append(inc.Updates, g.now)
		}
	case 4, 10, 11, 12:
		switch {
		case inc.PostmortemPublishedAt.IsZero():
			if resolved || g.rnd.IntN(3) == 0 {
				inc.PostmortemPublishedAt = g.now // now and then before the resolution
			}
		case g.rnd.IntN(2) == 0:
			g.edit("postmortem moved")
			inc.PostmortemPublishedAt = time.Time{}
		default:
			g.edit("postmortem moved")
			inc.PostmortemPublishedAt = inc.PostmortemPublishedAt.Add(g.shift(24 * time.Hour))
		}
	case 5:
		// The vendor dates the impact earlier or later, whether or not
		// who noticed first is decided or the incident resolved.
		g.edit("incident started moved")
		inc.StartedAt = startedAt(inc).Add(g.shift(2 * time.Hour))
	case 6:
		if resolved {
			g.edit("incident resolution moved")
			inc.ResolvedAt = inc.ResolvedAt.Add(g.shift(3 * time.Hour))
		}
	case 7:
		if resolved {
			g.edit("incident reopened")
			inc.ResolvedAt = time.Time{}
		}
	case 8:
		if len(inc.Updates) > 0 {
			g.edit("incident updates moved")
			u := &inc.Updates[g.rnd.IntN(len(inc.Updates))]
			*u = u.Add(g.shift(2 * time.Hour))
		}
	case 9:
		g.edit("incident created moved")
		inc.CreatedAt = inc.CreatedAt.Add(g.shift(time.Hour))
	}
	inc.UpdatedAt = g.now
	return g.emitIncident(inc)
}

// emitIncident sometimes drops the first update, as a vendor deleting it.
func (g *generator) emitIncident(inc *item.Incident) item.Incident {
	out := *inc
	out.Updates = slices.Clone(inc.Updates)
	if len(out.Updates) > 1 && g.rnd.IntN(5) == 0 {
		out.Updates = out.Updates[1:]
	}
	return out
}

func (g *generator) maintenance() item.Maintenance {
	i := pick(g, g.maintenances)
	if i < 0 {
		m := &item.Maintenance{ID: fmt.Sprint("m", len(g.maintenances)), CreatedAt: g.now}
		if g.rnd.IntN(10) > 0 {
			m.ScheduledFor = g.now.Add(time.Duration(g.rnd.IntN(200)-3) * time.Hour)
			m.ScheduledUntil = m.ScheduledFor.Add(2 * time.Hour)
		}
		g.maintenances = append(g.maintenances, m)
		return *m
	}
	m := g.maintenances[i]
	out := *m
	switch g.rnd.IntN(5) {
	case 0:
		if m.CompletedAt.IsZero() && !m.ScheduledFor.IsZero() && !m.ScheduledFor.After(g.now) {
			m.CompletedAt = g.now
			out.CompletedAt = g.now
		}
	case 1:
		out.CreatedAt = g.now // re-announced: the first announcement counts
	case 2, 3:
		if !m.ScheduledFor.IsZero() {
			// Rescheduled, before or after it started.
			g.edit("maintenance rescheduled")
			m.ScheduledFor = m.ScheduledFor.Add(g.shift(100 * time.Hour))
			m.ScheduledUntil = m.ScheduledFor.Add(2 * time.Hour)
			out.ScheduledFor, out.ScheduledUntil = m.ScheduledFor, m.ScheduledUntil
		}
	case 4:
		if !m.CompletedAt.IsZero() {
			g.edit("maintenance completion moved")
			m.CompletedAt = m.CompletedAt.Add(g.shift(5 * time.Hour))
			out.CompletedAt = m.CompletedAt
		}
	}
	m.UpdatedAt = g.now
	out.UpdatedAt = g.now
	return out
}

// restarts counts the exporter's restarts and, at each, the counts the
// snapshots so far had made from the time alone, held only in memory: no
// pin of the stored items holds them (they were not fetched since). A
// restart must make them again from the store and the synced_at it keeps.
type restarts struct{ n, oneTouch, breaches, notices int }

// restart replaces the aggregator with one loaded from the store, as the
// exporter's start-up does, and snapshots it at once as of what the last
// snapshot judged (the store's synced_at, which only moves forward, is all
// a restarted exporter knows of it): no counter may be lower than that
// snapshot's, prev.
func (rs *restarts) restart(t *testing.T, s *store, step int, prev []uint64) {
	t.Helper()
	a := s.agg
	for k, tk := range s.tickets {
		judged := a.judged[k.source]
		c := a.rules.ticketContribution(tk, judged)
		if !c.counted {
			continue
		}
		if c.static.firstContact && tk.History.OneTouch != item.OneTouchCounted {
			rs.oneTouch++ // settled as of judged, not pinned
		}
		for _, deadline := range c.live.running {
			if !deadline.IsZero() && judged.After(deadline) {
				rs.breaches++ // breached while running as of judged, not pinned
			}
		}
	}
	for k, m := range s.maintenances {
		if h := maintenanceHistory(m); a.rules.counted(h.Created) && h.Notice == nil &&
			!m.ScheduledFor.IsZero() && !m.ScheduledFor.After(a.judged[k.source]) {
			rs.notices++ // started as of judged, its notice not pinned
		}
	}
	s.agg = s.reload()
	rs.n++
	cur := counterValues(s.agg.Snapshot(s.asOf))
	for i := range prev {
		if cur[i] < prev[i] {
			t.Fatalf("step %d: restarted, judged as of the same instants, counter %s went down from %d to %d", step, counterNames[i], prev[i], cur[i])
		}
	}
}

// oracle checks each merge against what a careful person computes by hand
// from the versions the vendor showed (docs/metrics.md), where a wrong
// count would still never go down and so pass the other checks.
type oracle struct {
	t *testing.T
	r *Rules
	// reopenedUnsettled are the tickets shown open after their first
	// solve before their one-touch resolution was counted: never
	// one-touch; solvedAgain counts their versions shown solved or closed
	// again after that, with one vendor reply before the first solve and
	// no reopen event or figure (one-touch but for the status shown).
	reopenedUnsettled map[string]bool
	solvedAgain       int
	// reopensShown counts, per ticket, the versions shown open right
	// after one shown solved or closed: reopens, whatever the events say.
	reopensShown map[string]int
	// updatesShown are all the updates each incident ever showed; moved
	// counts the incidents first seen resolved, and the open versions,
	// where they differ from those shown then (the union of all would
	// count another gap, or another last update).
	updatesShown             map[string][]time.Time
	movedResolved, movedOpen int
}

func newOracle(t *testing.T, r *Rules) *oracle {
	return &oracle{t: t, r: r, reopenedUnsettled: map[string]bool{}, reopensShown: map[string]int{}, updatesShown: map[string][]time.Time{}}
}

// ticket: a ticket shown open after its first solve, unless its one-touch
// resolution was counted before (as of the instant the stored version was
// judged), is never one-touch; and every time it is shown open right after
// a version shown solved or closed, it was reopened.
func (o *oracle) ticket(old *item.Ticket, fetched item.Ticket, merged *item.Ticket, j Judged) {
	h, _ := o.r.ticketHistory(merged)
	_, open := openStates[fetched.Status]
	done := fetched.Status == item.StatusSolved || fetched.Status == item.StatusClosed
	if open && !h.FirstSolve.IsZero() && (old == nil || !o.r.ticketContribution(old, j.Source).static.firstContact) {
		o.reopenedUnsettled[fetched.ID] = true
	}
	if done && o.reopenedUnsettled[fetched.ID] && h.RepliesAtFirstSolve == 1 && h.Reopens == 0 {
		o.solvedAgain++
	}
	if open && old != nil && (old.Status == item.StatusSolved || old.Status == item.StatusClosed) {
		o.reopensShown[fetched.ID]++
	}
}

// incident: the gaps observed when an incident is first seen resolved are
// those between the first post and the updates that version shows, up to
// the resolution; an open incident's last update is the latest it shows.
func (o *oracle) incident(old *item.Incident, fetched item.Incident, merged *item.Incident) {
	shown := append(o.updatesShown[fetched.ID], fetched.Updates...)
	o.updatesShown[fetched.ID] = shown
	st, live, counted, open := o.r.incidentContribution(merged)
	if !counted {
		return
	}
	firstResolved := !fetched.ResolvedAt.IsZero() && !fetched.ResolutionUnknown && (old == nil || incidentHistory(old).Final == nil)
	if firstResolved && !merged.CreatedAt.IsZero() {
		want := gapsByHand(merged.CreatedAt, fetched.Updates, fetched.ResolvedAt)
		if !slices.Equal(st.gaps, want) {
			o.t.Fatalf("incident %s first seen resolved: gaps %v, want %v (updates shown %v)", fetched.ID, st.gaps, want, fetched.Updates)
		}
		if !slices.Equal(gapsByHand(merged.CreatedAt, shown, fetched.ResolvedAt), want) {
			o.movedResolved++
		}
	}
	if open {
		want, ever := merged.CreatedAt, merged.CreatedAt
		for _, u := range fetched.Updates {
			want = latest(want, u)
		}
		for _, u := range shown {
			ever = latest(ever, u)
		}
		if !live.lastUpdate.Equal(want) {
			o.t.Fatalf("open incident %s: last update %v, want %v (updates shown %v)", fetched.ID, live.lastUpdate, want, fetched.Updates)
		}
		if !ever.Equal(want) {
			o.movedOpen++
		}
	}
}

// gapsByHand are the milliseconds between consecutive distinct instants
// among the first post and the updates, up to the resolution.
func gapsByHand(firstPost time.Time, updates []time.Time, resolved time.Time) []int64 {
	var times []time.Time
	for _, u := range append([]time.Time{firstPost}, updates...) {
		if !u.After(resolved) {
			times = append(times, u)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	times = slices.CompactFunc(times, time.Time.Equal)
	var gaps []int64
	for k := 1; k < len(times); k++ {
		gaps = append(gaps, times[k].Sub(times[k-1]).Milliseconds())
	}
	return gaps
}

// assertStored checks the stored tickets against the ticket rules, as of
// the instants the last snapshot judged, and that the oracle's cases came
// up.
func (o *oracle) assertStored(s *store, asOf func(string) time.Time) {
	t := o.t
	t.Helper()
	reverted := 0 // tickets shown reopened more often than their events or figures say
	for k, tk := range s.tickets {
		c := o.r.ticketContribution(tk, latest(asOf(k.source), s.agg.judged[k.source]))
		if !c.counted {
			continue
		}
		if o.reopenedUnsettled[k.id] && (c.static.firstContact || tk.History.OneTouch == item.OneTouchCounted) {
			t.Errorf("ticket %s, shown open after its first solve before it settled, counts one-touch", k.id)
		}
		if n := o.reopensShown[k.id]; c.static.reopens < n {
			t.Errorf("ticket %s: %d reopens counted, but shown open again after a solve %d times", k.id, c.static.reopens, n)
		}
		if h := tk.History; o.reopensShown[k.id] > h.Reopens {
			reverted++
		}
	}
	t.Logf("oracle: %d reopened before settling (%d solved again), %d reverted, %d incidents resolved and %d open with updates moved",
		len(o.reopenedUnsettled), o.solvedAgain, reverted, o.movedResolved, o.movedOpen)
	if o.solvedAgain == 0 || reverted == 0 || o.movedResolved == 0 || o.movedOpen == 0 {
		t.Error("generator too quiet for the oracle")
	}
}
