package quality

import (
	"slices"
	"time"
)

// Priority is a normalized ticket priority, the `priority` label.
type Priority int

// Normalized priorities.
const (
	Urgent Priority = iota
	High
	Normal
	Low
	NumPriorities
)

var priorityNames = [NumPriorities]string{"urgent", "high", "normal", "low"}

func (p Priority) String() string { return priorityNames[p] }

// ParsePriority maps a normalized priority name to its Priority.
func ParsePriority(s string) (Priority, bool) {
	for i, n := range priorityNames {
		if n == s {
			return Priority(i), true
		}
	}
	return 0, false
}

// Hours is the `hours` label: whether a ticket was created inside the
// vendor's business calendar.
type Hours int

// Hours values.
const (
	Business Hours = iota
	Off
	NumHours
)

func (h Hours) String() string { return [NumHours]string{"business", "off"}[h] }

// Target is the `target` label: which SLA clock.
type Target int

// SLA targets.
const (
	FirstResponse Target = iota
	Resolution
	NumTargets
)

func (t Target) String() string { return [NumTargets]string{"first_response", "resolution"}[t] }

// OpenState is the `state` label of support_tickets_open.
type OpenState int

// Open ticket states.
const (
	AwaitingVendor OpenState = iota
	AwaitingCustomer
	OnHold
	NumOpenStates
)

func (s OpenState) String() string {
	return [NumOpenStates]string{"awaiting_vendor", "awaiting_customer", "on_hold"}[s]
}

// Impact is the `impact` label.
type Impact int

// Incident impacts.
const (
	ImpactNone Impact = iota
	ImpactMinor
	ImpactMajor
	ImpactCritical
	NumImpacts
)

func (i Impact) String() string { return [NumImpacts]string{"none", "minor", "major", "critical"}[i] }

// Rating is the `rating` label.
type Rating int

// Ratings.
const (
	Good Rating = iota
	Bad
	NumRatings
)

func (r Rating) String() string { return [NumRatings]string{"good", "bad"}[r] }

// First is the `first` label of support_incidents_detected_total: who
// noticed an incident first.
type First int

// Who noticed first.
const (
	VendorFirst First = iota
	CustomerFirst
	NumFirsts
)

func (f First) String() string { return [NumFirsts]string{"vendor", "customer"}[f] }

// DefaultBuckets are the duration histogram bounds in seconds
// (docs/metrics.md); every configured SLA target of a vendor is added as an
// extra bound so that compliance read from a histogram is exact.
var DefaultBuckets = []float64{300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800}

// RoundBuckets are the bounds of support_ticket_vendor_replies_to_resolve.
var RoundBuckets = []float64{1, 2, 3, 5, 8, 13}

// Histogram is a cumulative-ready histogram: Counts[i] is the number of
// observations v with Bounds[i-1] < v <= Bounds[i]; the last element of
// Counts (len(Bounds)+1 in all) holds those above every bound.
type Histogram struct {
	Bounds []float64 // shared, never modified
	Counts []uint64
	Sum    float64
	Count  uint64
	// Native holds the same observations in native buckets (native.go),
	// served with --metrics.native-histograms; nil where none were kept.
	Native *Native
}

// Snapshot is every derived aggregate at one instant, what a scrape serves.
// It is immutable once built: exposition reads it without locks.
type Snapshot struct {
	At      time.Time
	Vendors []*VendorSnapshot // sorted by Vendor
}

// VendorSnapshot holds one vendor's aggregates, indexed by the label enums
// above. Tickets is false when the vendor has no ticket source, Status false
// when it has no status page: their families are then not exposed at all.
type VendorSnapshot struct {
	Vendor  string
	Tickets bool
	Status  bool
	// Drill is the vendor's off-hours drills (drill.go); nil when its
	// drill is off, and then its families are not exposed.
	Drill *DrillSummary
	// Replies is false when every ticket source gives counts, not a reply
	// timeline: VendorReplies is then not exposed (an hour without replies
	// would read as an hour nobody worked).
	Replies bool

	TicketsCreated   [NumPriorities]uint64
	UnknownPriority  uint64                             // tickets first stored with a priority value no mapping knows (counted as normal)
	FirstResponse    [NumPriorities][NumHours]Histogram // in the SLA clock's seconds
	Resolution       [NumPriorities]Histogram
	FirstContact     [NumPriorities]uint64
	Rounds           [NumPriorities]Histogram
	Reopened         [NumPriorities]uint64
	Followups        [NumPriorities]uint64
	SLAChecks        [NumPriorities][NumTargets]uint64
	SLABreaches      [NumPriorities][NumTargets]uint64
	Open             [NumPriorities][NumOpenStates]uint64
	Breaching        [NumPriorities][NumTargets]uint64
	OldestUnanswered [NumPriorities]time.Time // zero when none
	EscalationsOpen  [NumPriorities]uint64
	Escalations      [NumPriorities]uint64
	Ratings          [NumRatings]uint64
	VendorReplies    ReplyHours // public vendor replies by local hour of the week

	Components               []ComponentStatus // sorted by Component
	IncidentsOpen            [NumImpacts]uint64
	IncidentOldestLastUpdate [NumImpacts]time.Time // the earliest of open incidents' latest updates (first post included); zero when none
	Incidents                [NumImpacts]uint64
	NoticeDelay              [NumImpacts]Histogram
	UpdateGap                Histogram
	Duration                 [NumImpacts]Histogram
	Postmortem               Histogram
	Maintenances             uint64
	MaintenanceNotice        Histogram
	ShortNotice              uint64
	NextMaintenance          time.Time // zero when none
	Detected                 [NumFirsts]uint64
	CustomerLead             Histogram // customer-first incidents: first customer signal to the first post

	// Docs are the documentation sites judged, sorted by source (docs.go);
	// none: the docs families are not exposed.
	Docs     []DocsSite
	Features FeatureSnapshot // feature requests (feature.go)
	// Contracts are the vendor's agreements, in config order (contract.go).
	Contracts []ContractStatus

	// Items held in the store, by source kind (support_store_items).
	StoreItems map[string]uint64
}

// ComponentStatus is one status-page component's current status.
type ComponentStatus struct {
	Component string
	Status    string
}

// ComponentStatuses are the values of the `status` label of
// support_status_component_status: a state set, one series per value.
var ComponentStatuses = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}

// counterFamilies are the counter and histogram families of a vendor's
// aggregates, by exposed name (docs/metrics.md), each with the series it
// reads from a snapshot: counters flattened, or histograms.
var counterFamilies = []struct {
	name       string
	counters   func(*VendorSnapshot) []uint64
	histograms func(*VendorSnapshot) []Histogram
}{
	{name: "support_tickets_created_total", counters: func(v *VendorSnapshot) []uint64 { return v.TicketsCreated[:] }},
	{name: "support_ticket_first_response_seconds", histograms: func(v *VendorSnapshot) []Histogram {
		var hs []Histogram
		for p := range NumPriorities {
			hs = append(hs, v.FirstResponse[p][:]...)
		}
		return hs
	}},
	{name: "support_ticket_resolution_seconds", histograms: func(v *VendorSnapshot) []Histogram { return v.Resolution[:] }},
	{name: "support_tickets_resolved_first_contact_total", counters: func(v *VendorSnapshot) []uint64 { return v.FirstContact[:] }},
	{name: "support_ticket_vendor_replies_to_resolve", histograms: func(v *VendorSnapshot) []Histogram { return v.Rounds[:] }},
	{name: "support_tickets_reopened_total", counters: func(v *VendorSnapshot) []uint64 { return v.Reopened[:] }},
	{name: "support_ticket_customer_followups_total", counters: func(v *VendorSnapshot) []uint64 { return v.Followups[:] }},
	{name: "support_ticket_sla_checks_total", counters: func(v *VendorSnapshot) []uint64 { return byTarget(&v.SLAChecks) }},
	{name: "support_ticket_sla_breaches_total", counters: func(v *VendorSnapshot) []uint64 { return byTarget(&v.SLABreaches) }},
	{name: "support_escalations_total", counters: func(v *VendorSnapshot) []uint64 { return v.Escalations[:] }},
	{name: "support_ticket_satisfaction_ratings_total", counters: func(v *VendorSnapshot) []uint64 { return v.Ratings[:] }},
	{name: "support_tickets_unknown_priority_total", counters: func(v *VendorSnapshot) []uint64 { return []uint64{v.UnknownPriority} }},
	{name: "support_vendor_replies_total", counters: func(v *VendorSnapshot) []uint64 {
		var out []uint64
		for d := range DaysPerWeek {
			out = append(out, v.VendorReplies[d][:]...)
		}
		return out
	}},
	{name: "support_status_incidents_total", counters: func(v *VendorSnapshot) []uint64 { return v.Incidents[:] }},
	{name: "support_status_incident_notice_delay_seconds", histograms: func(v *VendorSnapshot) []Histogram { return v.NoticeDelay[:] }},
	{name: "support_status_incident_update_gap_seconds", histograms: func(v *VendorSnapshot) []Histogram { return []Histogram{v.UpdateGap} }},
	{name: "support_status_incident_duration_seconds", histograms: func(v *VendorSnapshot) []Histogram { return v.Duration[:] }},
	{name: "support_status_incident_postmortem_seconds", histograms: func(v *VendorSnapshot) []Histogram { return []Histogram{v.Postmortem} }},
	{name: "support_status_maintenances_total", counters: func(v *VendorSnapshot) []uint64 { return []uint64{v.Maintenances} }},
	{name: "support_status_maintenance_notice_seconds", histograms: func(v *VendorSnapshot) []Histogram { return []Histogram{v.MaintenanceNotice} }},
	{name: "support_status_maintenance_short_notice_total", counters: func(v *VendorSnapshot) []uint64 { return []uint64{v.ShortNotice} }},
	{name: "support_incidents_detected_total", counters: func(v *VendorSnapshot) []uint64 { return v.Detected[:] }},
	{name: "support_incident_customer_lead_seconds", histograms: func(v *VendorSnapshot) []Histogram { return []Histogram{v.CustomerLead} }},
}

func byTarget(c *[NumPriorities][NumTargets]uint64) []uint64 {
	var out []uint64
	for p := range NumPriorities {
		out = append(out, c[p][:]...)
	}
	return out
}

// CountersDiffer names the counter and histogram families in which some
// series differs between two snapshots of a vendor, in catalog order; none
// when every series is equal. A histogram's series are its count, its sum
// and its cumulative count at each bound both snapshots have: a bound only
// one has (a contract term added or removed) is a series appearing or
// going, not one that moved. After a reload rebuilt a vendor's aggregates
// from the store, the exporter compares the new snapshot with the old
// aggregator's, both judged as of the same instants, to tell whether the
// rebuild moved any counter: it then logs the families and sets
// support_aggregates_rebuilt_timestamp_seconds{vendor} (docs/metrics.md).
func CountersDiffer(a, b *VendorSnapshot) []string {
	var moved []string
	for _, f := range counterFamilies {
		same := f.counters != nil && slices.Equal(f.counters(a), f.counters(b)) ||
			f.histograms != nil && slices.EqualFunc(f.histograms(a), f.histograms(b), sameSeries)
		if !same {
			moved = append(moved, f.name)
		}
	}
	if contractDowntimeMoved(a, b) { // series that come and go with the agreements (contract.go)
		moved = append(moved, "support_contract_downtime_seconds_total")
	}
	return moved
}

// sameSeries reports whether two histograms expose the same values in the
// series both have (CountersDiffer).
func sameSeries(a, b Histogram) bool {
	if a.Count != b.Count || a.Sum != b.Sum {
		return false
	}
	cumulative := func(h Histogram) map[float64]uint64 {
		m := make(map[float64]uint64, len(h.Bounds))
		var n uint64
		for i, bound := range h.Bounds {
			n += h.Counts[i]
			m[bound] = n
		}
		return m
	}
	ca, cb := cumulative(a), cumulative(b)
	for bound, n := range ca {
		if m, ok := cb[bound]; ok && m != n {
			return false
		}
	}
	return true
}
