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
//   - outcome: judged once from the first close with a reason
//     (History.Closure): closed by one of feature_requests.bots is
//     closed_by_bot whatever the reason; else completed is shipped and any
//     other reason declined; with the time from creation to that close.
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
	NumOutcomes
)

func (o Outcome) String() string {
	return [NumOutcomes]string{"shipped", "declined", "closed_by_bot"}[o]
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
// carried, and its acknowledgement as first seen (ticketHistory). It pins
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
}

// featureChanges are the instants a ticket's feature-request facts changed
// (TicketChanges): its acknowledgement and its first close with a reason.
func featureChanges(h *item.TicketHistory) []time.Time {
	out := []time.Time{h.Acknowledged}
	if h.Closure != nil {
		out = append(out, h.Closure.At)
	}
	return out
}

// featuresAt completes vh, the pins of a ticket's version replayed at at
// (TicketAt), with its feature-request facts from h, the stored pins: every
// type (a request from its creation, as every tag is: everyTag), the
// acknowledgement and the first close once dated by then. A close without a time
// shows from the last change on only, with the stored version itself.
func featuresAt(vh, h *item.TicketHistory, at time.Time) {
	vh.Types = h.Types
	vh.Acknowledged = dated(h.Acknowledged, at)
	if c := h.Closure; c != nil && !c.At.IsZero() && !c.At.After(at) {
		vh.Closure = c
	}
}

// featureStatic is a ticket's feature-request contribution that no longer
// depends on the time.
type featureStatic struct {
	request    bool
	ack        int64 // milliseconds; -1: not acknowledged yet
	hasOutcome bool
	outcome    Outcome
	toOutcome  int64 // milliseconds; -1: no close time
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
	st = featureStatic{request: true, ack: -1, toOutcome: -1}
	if ack := h.Acknowledged; !ack.IsZero() {
		st.ack = max(ack.Sub(h.Created).Milliseconds(), 0)
	}
	if c := h.Closure; c != nil {
		st.hasOutcome = true
		switch {
		case fr.bots[strings.ToLower(c.By)]:
			st.outcome = ClosedByBot
		case normalizeValue(c.Reason) == "completed":
			st.outcome = Shipped
		default:
			st.outcome = Declined
		}
		if !c.At.IsZero() {
			st.toOutcome = max(c.At.Sub(h.Created).Milliseconds(), 0)
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
	if c.hasOutcome {
		ft.outcomes[c.outcome] += uint64(s)
		if c.toOutcome >= 0 {
			ft.outcomeTime[c.outcome].observe(c.toOutcome, s)
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
