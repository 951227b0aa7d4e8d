package quality

import (
	"slices"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// The feedback loop: are a vendor's feature requests heard and shipped?
// (docs/metrics.md, "Feedback loop: feature requests"; docs/configuration.md,
// "Feature requests").
//
// A ticket is a feature request when any version ever stored carried one of
// the vendor's feature_requests.tags (its tags and History.SeenTags) or one
// of its feature_requests.types (History.Types): a relabel or retype never
// takes a request back. Each request contributes, in the static part of
// its ticket, all from pins:
//
//   - created: once, under its pinned creation (inside history_start, like
//     every ticket);
//   - acknowledgement: from the pinned creation to the acknowledgement
//     pinned when first seen (History.Acknowledged: the earlier of the
//     first vendor public reply and the vendor's first label then),
//     wall-clock time, observed once known;
//   - outcomes, from every close seen (History.Closes, in the order
//     first seen): the first close by one of feature_requests.bots is
//     closed_by_bot whatever the reason; the first close by anyone else is
//     the decision: withdrawn when by the ticket's author, else shipped
//     when completed and declined for any other reason. Each is counted
//     once, with the time from creation to its close: a request a bot
//     closed and a person later decided counts under both. As the API
//     dates every close (github's timeline), the same vendor data gives the
//     same outcomes whenever the exporter first saw the request.
//
// Its live part is the open gauge: a request whose ticket is open (new,
// open, pending, on hold) counts under its age as of the source's judged
// instant. A request reopened after its outcome keeps the outcome counted
// and shows open again. Requests count in every ordinary ticket metric as
// well, unchanged.

// Outcome is the `outcome` label of the feature-request families.
type Outcome int

// Feature-request outcomes.
const (
	Shipped Outcome = iota
	Declined
	ClosedByBot
	Withdrawn // closed by its own author
	NumOutcomes
)

func (o Outcome) String() string {
	return [NumOutcomes]string{"shipped", "declined", "closed_by_bot", "withdrawn"}[o]
}

// Age is the `age` label of support_feature_requests_open: how long an open
// request has waited since its creation, as of the judged instant. Each
// bound belongs to the older bucket: 30 days exactly is 30d_90d.
type Age int

// Ages.
const (
	AgeUnder30d Age = iota
	Age30dTo90d
	Age90dTo365d
	AgeOver365d
	NumAges
)

func (a Age) String() string {
	return [NumAges]string{"lt_30d", "30d_90d", "90d_365d", "gt_365d"}[a]
}

const day = 24 * time.Hour

// ageOf is the age bucket of a request open for d.
func ageOf(d time.Duration) Age {
	switch {
	case d < 30*day:
		return AgeUnder30d
	case d < 90*day:
		return Age30dTo90d
	case d < 365*day:
		return Age90dTo365d
	}
	return AgeOver365d
}

// FeatureBuckets are the bounds, in seconds, of the acknowledgement and
// outcome histograms: 1h, 1d, 7d, 14d, 30d, 60d, 90d, 180d, 365d, 730d.
var FeatureBuckets = []float64{3600, 86400, 604800, 1209600, 2592000, 5184000, 7776000, 15552000, 31536000, 63072000}

// FeatureSnapshot is a vendor's feature-request aggregates; Enabled is
// false when the vendor's feature_requests name no tags nor types: its
// families are then not exposed.
type FeatureSnapshot struct {
	Enabled         bool
	Created         uint64
	Acknowledgement Histogram
	Outcomes        [NumOutcomes]uint64
	OutcomeTime     [NumOutcomes]Histogram
	Open            [NumAges]uint64
}

// featureRules are a vendor's feature_requests, lower-cased.
type featureRules struct {
	enabled           bool
	tags, types, bots map[string]bool
	buckets           *buckets
}

func newFeatureRules(f *config.FeatureRequests) featureRules {
	set := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, s := range list {
			m[normalizeValue(s)] = true
		}
		return m
	}
	bots := f.Bots
	if bots == nil { // a config built in code
		bots = config.DefaultFeatureRequestBots
	}
	return featureRules{enabled: f.Enabled(), tags: set(f.Tags), types: set(f.Types), bots: set(bots),
		buckets: newBuckets(FeatureBuckets)}
}

// pinFeatureFacts completes a ticket's history (its first reply already
// completed) with what feature requests are judged from: every type it
// carried, its acknowledgement as first seen, and every close seen
// (ticketHistory). It pins
// for every ticket, request or not, so that a config change derives again
// from the same facts.
func pinFeatureFacts(h *item.TicketHistory, t *item.Ticket) {
	if typ := normalizeValue(t.Type); typ != "" {
		if i, found := slices.BinarySearch(h.Types, typ); !found {
			h.Types = slices.Insert(slices.Clip(h.Types), i, typ) // never write into the stored version's array
		}
	}
	if h.Acknowledged.IsZero() {
		h.Acknowledged = earliest(h.FirstReply, t.TriagedAt)
	}
	h.Closes = addCloses(h.Closes, closesOf(t))
}

// closesOf are the closes version t shows, in time order: every close the
// API dates, else its last close where it is closed with a reason; each
// marked ByAuthor when by the version's author.
func closesOf(t *item.Ticket) []item.Closure {
	var closes []item.Closure
	for _, c := range t.Closes {
		if !c.At.IsZero() {
			closes = append(closes, c)
		}
	}
	if len(closes) == 0 {
		if _, closed := closedStates[t.Status]; !closed || t.CloseReason == "" {
			return nil
		}
		closes = []item.Closure{{At: closedAt(t), Reason: t.CloseReason, By: t.ClosedBy}}
	}
	slices.SortStableFunc(closes, func(a, b item.Closure) int { return a.At.Compare(b.At) })
	for i := range closes {
		closes[i].ByAuthor = t.Author != "" && strings.EqualFold(closes[i].By, t.Author)
	}
	return closes
}

// addCloses returns pinned with the closes of seen at an instant none of
// pinned has appended, in a new array when any is new: a close once seen
// stays where it was (item.TicketHistory.Closes).
func addCloses(pinned, seen []item.Closure) []item.Closure {
	var fresh []item.Closure
	for _, c := range seen {
		known := func(p item.Closure) bool { return p.At.Equal(c.At) }
		if !slices.ContainsFunc(pinned, known) && !slices.ContainsFunc(fresh, known) {
			fresh = append(fresh, c)
		}
	}
	if len(fresh) == 0 {
		return pinned
	}
	return append(slices.Clone(pinned), fresh...)
}

// closesShown are the instants each pinned close shows from in a replay:
// its own, or a close pinned before it when that is later, so that the
// closes shown at any instant are the first ones pinned and judge the
// outcomes the stored ticket counts, never others.
func closesShown(closes []item.Closure) []time.Time {
	out := make([]time.Time, len(closes))
	var last time.Time
	for i, c := range closes {
		last = latest(last, c.At)
		out[i] = last
	}
	return out
}

// featureChanges are the instants a ticket's feature-request facts changed
// (TicketChanges): its acknowledgement and each close as the replay shows
// it (closesShown).
func featureChanges(h *item.TicketHistory) []time.Time {
	return append([]time.Time{h.Acknowledged}, closesShown(h.Closes)...)
}

// featuresAt completes vh, the pins of a ticket's version replayed at at
// (TicketAt), with its feature-request facts from h, the stored pins: every
// type (a request from its creation, as every tag is: everyTag), the
// acknowledgement and the closes shown by then (closesShown).
func featuresAt(vh, h *item.TicketHistory, at time.Time) {
	vh.Types = h.Types
	vh.Acknowledged = dated(h.Acknowledged, at)
	for i, shown := range closesShown(h.Closes) {
		if shown.After(at) {
			break
		}
		vh.Closes = h.Closes[: i+1 : i+1]
	}
}

// lastClose is the latest close among closes dated by at; zero when none.
func lastClose(closes []item.Closure, at time.Time) time.Time {
	var last time.Time
	for _, c := range closes {
		if !c.At.After(at) {
			last = latest(last, c.At)
		}
	}
	return last
}

// featureStatic is a ticket's feature-request contribution that no longer
// depends on the time.
type featureStatic struct {
	request bool
	ack     int64 // milliseconds; -1: not acknowledged yet
	// toOutcome is, per outcome, the time to it in milliseconds; -1: not
	// reached.
	toOutcome [NumOutcomes]int64
}

// isRequest reports whether ticket t, whose completed history is h, is a
// feature request: one of its versions carried a configured tag or type.
func (fr *featureRules) isRequest(t *item.Ticket, h *item.TicketHistory) bool {
	if !fr.enabled {
		return false
	}
	for _, typ := range h.Types {
		if fr.types[typ] {
			return true
		}
	}
	if len(fr.tags) == 0 {
		return false
	}
	for _, s := range h.SeenTags {
		if fr.tags[s.Tag] {
			return true
		}
	}
	for _, tag := range t.Tags {
		if fr.tags[normalizeValue(tag)] {
			return true
		}
	}
	return false
}

// featureParts are ticket t's feature-request parts (h its completed
// history): the static part, and whether it is an open request (the live
// part: the gauge, under its age as of the judged instant).
func (r *Rules) featureParts(t *item.Ticket, h *item.TicketHistory) (st featureStatic, open bool) {
	fr := &r.features
	if !fr.isRequest(t, h) {
		return featureStatic{}, false
	}
	st = featureStatic{request: true, ack: -1}
	for o := range NumOutcomes {
		st.toOutcome[o] = -1
	}
	if ack := h.Acknowledged; !ack.IsZero() {
		st.ack = max(ack.Sub(h.Created).Milliseconds(), 0)
	}
	decided := false
	for _, c := range h.Closes {
		var o Outcome
		switch {
		case fr.bots[strings.ToLower(c.By)]:
			o = ClosedByBot
		case decided:
			continue
		case c.ByAuthor:
			o, decided = Withdrawn, true
		case normalizeValue(c.Reason) == "completed":
			o, decided = Shipped, true
		default:
			o, decided = Declined, true
		}
		if st.toOutcome[o] < 0 {
			st.toOutcome[o] = max(c.At.Sub(h.Created).Milliseconds(), 0)
		}
	}
	_, open = openStates[t.Status]
	return st, open
}

// featureTally is the running total of feature requests' static parts.
type featureTally struct {
	enabled     bool // the vendor measures feature requests
	created     uint64
	ack         hist
	outcomes    [NumOutcomes]uint64
	outcomeTime [NumOutcomes]hist
}

func newFeatureTally(r *Rules) featureTally {
	ft := featureTally{enabled: r.features.enabled && r.hasTickets, ack: newHist(r.features.buckets)}
	for o := range NumOutcomes {
		ft.outcomeTime[o] = newHist(r.features.buckets)
	}
	return ft
}

func (ft *featureTally) add(c *featureStatic, s sign) {
	if !c.request {
		return
	}
	ft.created += uint64(s)
	if c.ack >= 0 {
		ft.ack.observe(c.ack, s)
	}
	for o, to := range c.toOutcome {
		if to >= 0 {
			ft.outcomes[o] += uint64(s)
			ft.outcomeTime[o].observe(to, s)
		}
	}
}

func (ft *featureTally) export(v *VendorSnapshot) {
	f := &v.Features
	f.Enabled = ft.enabled
	f.Created = ft.created
	f.Acknowledgement = ft.ack.export()
	f.Outcomes = ft.outcomes
	for o := range NumOutcomes {
		f.OutcomeTime[o] = ft.outcomeTime[o].export()
	}
}

// addOpenFeature counts an open request created at created in the gauge,
// as of now.
func addOpenFeature(v *VendorSnapshot, created, now time.Time) {
	v.Features.Open[ageOf(now.Sub(created))]++
}

// The feature-request counters and histograms, for CountersDiffer.
func init() {
	counterFamilies = append(counterFamilies, []struct {
		name       string
		counters   func(*VendorSnapshot) []uint64
		histograms func(*VendorSnapshot) []Histogram
	}{
		{name: "support_feature_requests_created_total", counters: func(v *VendorSnapshot) []uint64 { return []uint64{v.Features.Created} }},
		{name: "support_feature_request_acknowledgement_seconds", histograms: func(v *VendorSnapshot) []Histogram { return []Histogram{v.Features.Acknowledgement} }},
		{name: "support_feature_request_outcomes_total", counters: func(v *VendorSnapshot) []uint64 { return v.Features.Outcomes[:] }},
		{name: "support_feature_request_outcome_seconds", histograms: func(v *VendorSnapshot) []Histogram { return v.Features.OutcomeTime[:] }},
	}...)
}
