// Package report builds the periodic service review (docs/report.md): one
// period, one or several vendors side by side, the five dimensions, the
// contract and the money, computed from the store by the rules of every
// metric. Its figures are the differences between two replayed snapshots
// (quality.Replay, as the backfill writes them), so each equals what
// Prometheus shows for the same window: `increase` over the period, and
// histogram quantiles interpolated inside their buckets as
// histogram_quantile does.
//
// The Report value is the JSON format as is; exporter/report/render draws
// it as HTML and Markdown.
package report

import "time"

// Report is one review: a period and the vendors asked for, in the order
// asked.
type Report struct {
	// Generated is when the report was built (the exporter's clock).
	Generated time.Time `json:"generated"`
	Version   string    `json:"version"` // the exporter's version
	Period    Period    `json:"period"`
	// Previous is the period compared with, when asked for: the calendar
	// quarter or month before a named Period (2026Q3: 2026Q2, named so),
	// else the period of the same length just before; every indicator
	// then has its Previous. For a named period "so far" (RequestedTo
	// set) it is the same elapsed part of the previous one (its From plus
	// the time elapsed, ToDate set), the usual period-to-date comparison.
	Previous *Period `json:"previous,omitempty"`
	// PreviousUnavailable says why there is no comparison although one
	// was asked for (the previous period starts before
	// global.history_start, when measurement began); Previous is then nil.
	PreviousUnavailable string   `json:"previous_unavailable,omitempty"`
	Vendors             []Vendor `json:"vendors"`
	// Footnotes say how each indicator is computed, by Indicator.Footnote.
	Footnotes []Footnote `json:"footnotes"`
}

// Period is the stretch of time reviewed. Counted events: (From, To], as
// Prometheus' increase at To over samples on both edges counts them (the
// replay advanced to an instant includes the changes at it): an event
// exactly at To is in, one exactly at From is out. The lists (incidents,
// maintenances, worst tickets, drills) use the same test. A gauge-like
// figure (escalations open, documentation) is read at To.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Name is how the period was asked for when a shorthand was used
	// ("2026Q3", "2026-11"); empty otherwise.
	Name string `json:"name,omitempty"`
	// RequestedTo is the end asked for when it was after the report was
	// generated: the period is then cut at Generated ("so far"), and To
	// is that instant.
	RequestedTo *time.Time `json:"requested_to,omitempty"`
	// ToDate (a previous period only): the period is the named one's
	// first part, as long as the period "so far" it is compared with.
	ToDate bool `json:"to_date,omitempty"`
}

// Dimensions, in the order the report shows them.
const (
	ResponseSpeed   = "response_speed"
	Resolution      = "resolution"
	Professionalism = "professionalism"
	Communication   = "communication"
	Proactivity     = "proactivity"
)

// Dimensions lists the five dimensions in report order.
var Dimensions = []string{ResponseSpeed, Resolution, Professionalism, Communication, Proactivity}

// Units of an indicator's value.
const (
	UnitSeconds = "seconds"
	UnitRatio   = "ratio" // 0..1
	UnitCount   = "count"
	UnitPer     = "per_ticket" // a count per ticket opened
)

// Vendor is one vendor's review.
type Vendor struct {
	Name string `json:"name"`
	// Sources are the vendor's sources and when each last completed a
	// sync: every figure from one is judged as of that instant when it is
	// before the period's end (a period "so far", a source failing).
	Sources []SourceSync `json:"sources"`
	// Sections says which optional sections the vendor's configuration
	// has; a section that is not configured is shown as such, not as zero.
	Sections Sections `json:"sections"`
	// Volume: tickets opened, SLA clocks ended, incidents and maintenances
	// announced in the period; the denominators of the ratios below.
	Volume     Volume      `json:"volume"`
	Indicators []Indicator `json:"indicators"` // the five-dimension table, by Dimensions then a fixed order
	// SLA is compliance by priority and target, with the worst tickets.
	SLA          []SLARow      `json:"sla"`
	Incidents    []Incident    `json:"incidents"`    // announced or open in the period, by start
	Maintenances []Maintenance `json:"maintenances"` // scheduled in the period, by start
	Contracts    []Contract    `json:"contracts"`    // credits owed and claim deadlines
	Drills       []Drill       `json:"drills"`       // drills that ran in the period
	Docs         []DocsSite    `json:"docs"`         // documentation freshness at the period's end
	// Escalations are the tickets escalated and still open at the
	// period's end.
	Escalations []TicketRef `json:"escalations"`
	Charts      Charts      `json:"charts"`
}

// Sections says which optional parts a vendor has: tickets, a status page,
// agreements, a drill, documentation sites, feature requests. A false one
// is rendered "not configured".
type Sections struct {
	Tickets    bool `json:"tickets"`
	Status     bool `json:"status"`
	Contracts  bool `json:"contracts"`
	Drill      bool `json:"drill"`
	Docs       bool `json:"docs"`
	Features   bool `json:"features"`
	ReplyHours bool `json:"reply_hours"` // a reply timeline exists (not counts only)
}

// Volume is what happened in the period, the denominators.
type Volume struct {
	TicketsOpened uint64 `json:"tickets_opened"`
	SLAChecks     uint64 `json:"sla_checks"` // clocks ended, both targets
	Incidents     uint64 `json:"incidents"`
	Maintenances  uint64 `json:"maintenances"`
}

// Indicator is one row of the five-dimension table.
type Indicator struct {
	// ID is stable across versions (e.g. "first_response_p90_urgent"):
	// tools read the JSON by it.
	ID        string `json:"id"`
	Dimension string `json:"dimension"`
	Name      string `json:"name"` // as shown, e.g. "First response p90 (urgent)"
	Unit      string `json:"unit"`
	// Value is nil when the period has no observation to compute it from
	// (shown as "no data", never as zero).
	Value *float64 `json:"value"`
	// Samples is the count the value is computed from (tickets, clocks,
	// incidents, ratings): read a ratio against it.
	Samples uint64 `json:"samples"`
	// Target is the contract's (sla:) target for this indicator, when it
	// has one; Met is whether Value meets it (nil without a target or a
	// value). HigherIsBetter orders the comparison.
	Target         *float64 `json:"target,omitempty"`
	Met            *bool    `json:"met,omitempty"`
	HigherIsBetter bool     `json:"higher_is_better"`
	// Neutral: a volume (tickets opened, requests opened) that is neither
	// better nor worse when it moves; HigherIsBetter is then meaningless.
	Neutral bool `json:"neutral,omitempty"`
	// Previous is the value over the previous period, when compared.
	Previous *float64 `json:"previous,omitempty"`
	Footnote string   `json:"footnote"` // a Footnote.ID
}

// Footnote says how an indicator is computed, in words and as the PromQL
// that gives the same number over the same window.
type Footnote struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	PromQL string `json:"promql"`
}

// SLARow is one priority and target's compliance in the period.
type SLARow struct {
	Priority string `json:"priority"`
	Target   string `json:"target"` // first_response, resolution
	// TargetSeconds is the SLA target (in the SLA clock's seconds);
	// Objective the share of clocks that should meet it (sla.objective).
	TargetSeconds float64 `json:"target_seconds"`
	Objective     float64 `json:"objective"`
	Checks        uint64  `json:"checks"`   // clocks that ended in the period
	Breaches      uint64  `json:"breaches"` // of which past the target
	// Compliance is 1 - breaches/checks; nil without a check.
	Compliance *float64 `json:"compliance"`
	// Met is Compliance >= Objective; nil without a compliance or without
	// an objective.
	Met *bool `json:"met,omitempty"`
	// Worst are the tickets with the longest clocks that ended in the
	// period, breaches first, at most WorstTickets.
	Worst []TicketRef `json:"worst"`
}

// WorstTickets is how many tickets an SLA row lists.
const WorstTickets = 5

// TicketRef names a ticket: the report is not Prometheus, ids belong here.
type TicketRef struct {
	Source  string    `json:"source"`
	ID      string    `json:"id"`
	URL     string    `json:"url,omitempty"` // the ticket at the vendor, where the kind has links
	Created time.Time `json:"created"`
	// Seconds is the clock's duration in the SLA clock's seconds (SLA
	// rows), or the age at the period's end (escalations). In an SLA row
	// judged by the vendor's own clock (Clock "vendor") it is 0: the
	// vendor's elapsed time, with its pauses, is not in the APIs.
	Seconds  float64 `json:"seconds"`
	Breached bool    `json:"breached,omitempty"`
	Priority string  `json:"priority"`
	// Clock is "vendor" when the vendor's own SLA clock judged the target
	// (JSM, Azure: docs/metrics.md "Whose verdict"): Breached is its
	// verdict, and OverSeconds is where the clock stopped (or stood at the
	// period's end) against the vendor's deadline, positive past it; nil
	// when the vendor gives no deadline. Empty: our clock (Seconds).
	Clock       string   `json:"clock,omitempty"`
	OverSeconds *float64 `json:"over_seconds,omitempty"`
}

// Incident is one status-page incident of the period.
type Incident struct {
	Source string `json:"source"`
	ID     string `json:"id"`
	// Title is the vendor's name for it as last read (item.Incident.Title:
	// the newest version's, even for a past period); "" when the format
	// gives none or the store predates titles (record format 7).
	Title      string     `json:"title"`
	URL        string     `json:"url,omitempty"`
	Impact     string     `json:"impact"`
	Started    time.Time  `json:"started"`   // impact began (or the first post)
	Announced  time.Time  `json:"announced"` // first public post
	Resolved   *time.Time `json:"resolved"`  // nil: still open at the period's end
	Components []string   `json:"components,omitempty"`
	// NoticeDelaySeconds is from the start to the first post;
	// LongestGapSeconds the longest silence between public updates.
	NoticeDelaySeconds float64 `json:"notice_delay_seconds"`
	// The longest gap includes the silence from the last post to the
	// resolution, or when still open to the period's end as the status
	// source is judged (its last complete sync start, when earlier). Updates are the
	// public posts after the first.
	LongestGapSeconds float64 `json:"longest_gap_seconds"`
	Updates           int     `json:"updates"`
	// Postmortem is when its postmortem was published; nil: none by the
	// period's end.
	Postmortem *time.Time `json:"postmortem"`
	// CustomerFirst: true when a customer signal came before the first
	// post, false when the vendor posted first, nil while undecided at the
	// period's end (a signal may still show up, as support_incidents_detected_total
	// has not counted it yet) or outside the history.
	CustomerFirst *bool `json:"customer_first"`
}

// Maintenance is one scheduled maintenance of the period: those whose
// notice maintenance_notice_compliance observes in it (the start the
// exporter recorded in (From, To], as each status source is judged at
// the period's ends), and those with an unknown notice that started so.
type Maintenance struct {
	Source string `json:"source"`
	ID     string `json:"id"`
	Title  string `json:"title"` // as Incident's
	URL    string `json:"url,omitempty"`
	// Announced is nil when the format does not date the announcement
	// (instatus, incident.io): the notice is then unknown.
	Announced *time.Time `json:"announced"`
	// Scheduled is the start the notice is measured to: the one the
	// exporter recorded when it saw it pass, not a later reschedule.
	Scheduled     time.Time `json:"scheduled"`
	NoticeSeconds *float64  `json:"notice_seconds"` // nil: unknown
	// ShortNotice: less notice than sla.maintenance_notice.
	ShortNotice bool `json:"short_notice"`
}

// Contract is one agreement's periods that overlap the report's period.
type Contract struct {
	Agreement string           `json:"agreement"`
	Measure   string           `json:"measure"` // availability, response
	Periods   []ContractPeriod `json:"periods"`
	// TerminationRight holds at the period's end.
	TerminationRight bool `json:"termination_right"`
}

// ContractPeriod is one contract period: its measure, the credit our
// numbers support and the claim deadline.
type ContractPeriod struct {
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Availability *float64  `json:"availability,omitempty"`
	// Compliance per priority name (response agreements).
	Compliance    map[string]float64 `json:"compliance,omitempty"`
	CreditRatio   float64            `json:"credit_ratio"`
	ClaimDeadline *time.Time         `json:"claim_deadline,omitempty"`
}

// Drill is one off-hours drill that ran in the period.
type Drill struct {
	ID string `json:"id"`
	// Ticket is the ticket the drill filed; nil when none was (a create
	// that failed, a skipped drill).
	Ticket *TicketRef `json:"ticket"`
	Ran    time.Time  `json:"ran"`
	Result string     `json:"result"` // responded, timed_out, create_failed, skipped
	Hours  string     `json:"hours"`  // business, off
	// FirstResponseSeconds: responded drills only.
	FirstResponseSeconds *float64 `json:"first_response_seconds,omitempty"`
}

// DocsSite is a documentation site's freshness at the period's end. The
// store keeps only the page list last read (ListRead), not the earlier
// ones: for a past period the figures are that list's pages dated at or
// before the period's end (and the undated ones), judged as of it; the
// pages it dates after the period's end are left out (LaterDated), as
// their date at the period's end is not known.
type DocsSite struct {
	Source               string     `json:"source"`
	Pages                uint64     `json:"pages"`
	LastUpdate           *time.Time `json:"last_update"`
	Stale                uint64     `json:"stale"`
	UpdatedInPeriod      uint64     `json:"updated_in_period"`
	Undated              uint64     `json:"undated"`
	OutdatedTranslations uint64     `json:"outdated_translations"`
	LastmodSuspect       bool       `json:"lastmod_suspect"`
	// ListRead is when the page list was read: the source's last complete
	// sync start; nil when none completed.
	ListRead   *time.Time `json:"list_read,omitempty"`
	LaterDated uint64     `json:"later_dated"`
}

// Charts are the series the pictures draw.
type Charts struct {
	// Weekly first response by priority, one point per week (weeks start
	// on the period's start; the last may be shorter).
	WeeklyFirstResponse []WeekPoint `json:"weekly_first_response"`
	// MonthlyCompliance is SLA compliance per calendar month (UTC) in the
	// period, both targets.
	MonthlyCompliance []MonthPoint `json:"monthly_compliance"`
	// RepliesByHour are the vendor's public replies in the period by day
	// of the week (0 = Monday) and hour, in the vendor's calendar zone.
	RepliesByHour [7][24]uint64 `json:"replies_by_hour"`
	// Zone is the calendar zone RepliesByHour is in ("UTC" without a
	// calendar).
	Zone string `json:"zone"`
}

// WeekPoint is one week's first-response quantiles of one priority.
type WeekPoint struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Priority string    `json:"priority"`
	P50      *float64  `json:"p50"`
	P90      *float64  `json:"p90"`
	Samples  uint64    `json:"samples"`
	// TargetSeconds is the priority's first-response target; 0: none.
	TargetSeconds float64 `json:"target_seconds"`
}

// MonthPoint is one month's SLA compliance of one target.
type MonthPoint struct {
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Target     string    `json:"target"`
	Checks     uint64    `json:"checks"`
	Compliance *float64  `json:"compliance"`
	Objective  float64   `json:"objective"`
}

// SourceSync is one source of a vendor and the start of its last complete
// sync (zero: none completed).
type SourceSync struct {
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`
	SyncedAt time.Time `json:"synced_at"`
}
