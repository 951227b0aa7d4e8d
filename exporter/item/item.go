// Package item holds the normalized items that every collector produces and
// the store keeps: tickets with their timelines, status-page incidents,
// scheduled maintenances and component states. It carries no metric
// semantics: those live in package quality.
package item

import (
	"strings"
	"time"
)

// Status is a ticket's normalized state.
type Status string

// Ticket states. Collectors map their API's states onto these.
const (
	StatusNew     Status = "new"
	StatusOpen    Status = "open"
	StatusPending Status = "pending" // waiting for the customer
	StatusOnHold  Status = "on_hold" // waiting for a third party
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed" // final: can no longer be reopened
)

// Rating is a customer satisfaction rating.
type Rating string

// Satisfaction ratings; the empty Rating means none was given.
const (
	RatingNone Rating = ""
	RatingGood Rating = "good"
	RatingBad  Rating = "bad"
)

// EventKind names a public event on a ticket's timeline.
type EventKind string

// Timeline events.
const (
	EventVendorReply   EventKind = "vendor_reply"   // public reply by the vendor's agents
	EventCustomerReply EventKind = "customer_reply" // public reply by the customer
	EventSolved        EventKind = "solved"
	EventReopened      EventKind = "reopened"
	EventEscalated     EventKind = "escalated"
)

// Event is one entry of a ticket's public timeline.
type Event struct {
	Kind EventKind `json:"k"`
	At   time.Time `json:"t"`
	// Ref names the message behind the event where a kind must tell a
	// message read again from a new one (imap: a digest of its
	// Message-ID, since a mailbox can be read again from its start);
	// empty elsewhere. Never a metric label.
	Ref string `json:"r,omitempty"`
}

// Figures are what the vendor's API computes itself (Zendesk ticket metric
// sets, Freshdesk stats, Jira SLA cycles). Where present they take precedence
// over the timeline (docs/metrics.md: "the API's own figure where it computes
// one"; docs/sources.md names each kind's).
type Figures struct {
	FirstReplyAt  time.Time `json:"first_reply_at,omitzero"`  // first public vendor reply; zero when none yet
	FirstSolvedAt time.Time `json:"first_solved_at,omitzero"` // first solve; zero when never solved
	Replies       int       `json:"replies"`                  // public vendor replies so far
	Reopens       int       `json:"reopens"`                  // reopen events so far
	// FirstResponseSLA and ResolutionSLA are the vendor's own runs of its
	// SLA clocks (Jira Service Management's SLA cycles); nil where the API
	// gives none. Where present, the vendor's verdict replaces the one
	// derived from the configured targets.
	FirstResponseSLA *SLAClock `json:"first_response_sla,omitempty"`
	ResolutionSLA    *SLAClock `json:"resolution_sla,omitempty"`
}

// SLAClock is the first run of one of the vendor's SLA clocks for a
// ticket, as the vendor measures it: on its own calendar, with its own
// pauses and goals.
type SLAClock struct {
	// Deadline is when the clock breaches (or breached); zero when the
	// vendor does not say (a paused clock, a clock without a goal).
	Deadline time.Time `json:"deadline,omitzero"`
	// Stopped is when the clock stopped; zero while it runs.
	Stopped time.Time `json:"stopped,omitzero"`
	// Breached is the vendor's verdict; a running clock may already be
	// breached.
	Breached bool `json:"breached,omitempty"`
}

// Ticket is a support ticket as the vendor's API last reported it.
type Ticket struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Priority is the vendor's own value ("urgent", "p1", "4"...); the vendor's
	// `priorities` config maps it to a normalized priority.
	Priority string   `json:"priority,omitempty"`
	Status   Status   `json:"status"`
	Tags     []string `json:"tags,omitempty"`
	// Escalated is set when the API itself flags the ticket escalated;
	// escalation by configured tags is decided in package quality.
	Escalated    bool     `json:"escalated,omitempty"`
	Satisfaction Rating   `json:"satisfaction,omitempty"`
	Events       []Event  `json:"events,omitempty"` // public timeline, where the API exposes one
	Figures      *Figures `json:"figures,omitempty"`
	// CloseReason is the vendor's own reason for a close where the API
	// gives one (github: the state_reason, "completed",
	// "not_planned", "duplicate"); empty elsewhere and while open.
	CloseReason string `json:"close_reason,omitempty"`
	// ClosedBy is who closed the ticket where the API says (github: the
	// closer's login), so that a bot's close can be told from a person's;
	// empty elsewhere. Never a metric label.
	ClosedBy string `json:"closed_by,omitempty"`
	// Author is who opened the ticket where the API says (github: the
	// issue's user.login), so that a requester's own close can be told
	// from the vendor's decision; empty elsewhere, and when the author
	// speaks for the vendor (a maintainer's own issue). Never a metric
	// label.
	Author string `json:"author,omitempty"`
	// Closes are every close of the ticket as the API dates them, in time
	// order (github: the timeline's closed events, each with its
	// state_reason, "completed" when null, and its actor); nil where the
	// API gives none, when the version carries only its last close
	// (CloseReason, ClosedBy, ClosedAt).
	Closes []Closure `json:"closes,omitempty"`
	// ClosedAt is when the ticket last closed where the API says (github:
	// the closed_at), the instant its last close is pinned at when
	// the version has no Closes (TicketHistory.Closes); zero elsewhere and
	// while open.
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// Type is the ticket's type where the API gives one (github: the
	// issue type's name, "Feature", "Bug"); empty elsewhere. A vendor's
	// feature_requests.types match it (docs/configuration.md). A field of
	// its own rather than a tag: tags drive priorities, escalation and
	// customer signals, which must not change meaning when a vendor adopts
	// issue types. Never a metric label.
	Type string `json:"type,omitempty"`
	// TriagedAt is the first time the vendor labeled the ticket where the
	// API shows who labeled it (github: the first labeled event by someone
	// other than the author and bots); zero elsewhere and before. A feature
	// request is acknowledged by it or by the first vendor reply.
	TriagedAt time.Time `json:"triaged_at,omitzero"`
	// Seen is the collector's own note of how far it has read the ticket
	// where the API tells that apart from the timeline (slack: the
	// thread's latest_reply, bots' replies included; aws_support: the
	// latest communication's time), so that a ticket unchanged since is
	// not read again; empty elsewhere. Never a metric.
	Seen string `json:"seen,omitempty"`
	// Drill is set by the collectors that read a ticket's subject
	// (zendesk_requests, jira_service_management customer, github; imap:
	// its thread's first message) when it holds an off-hours drill's
	// marker (DrillMarked):
	// a test ticket, whoever's drill filed it (this exporter's, an HA
	// peer's, a colleague's), never a customer signal for who noticed
	// first (TicketHistory.DrillSeen). Its replies count like any ticket's.
	Drill bool `json:"drill,omitempty"`
	// History is set by package quality when the ticket is stored.
	History *TicketHistory `json:"history,omitempty"`
}

// Impact is a status-page incident's impact.
type Impact string

// Incident impacts, as Atlassian Statuspage names them.
const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

// Incident is a status-page incident.
type Incident struct {
	ID string `json:"id"`
	// Title is the vendor's own name for the incident (Statuspage's
	// name, a feed entry's title; docs/sources.md names each kind's),
	// as CleanTitle leaves it; empty where the format gives none. The
	// newest version's wins. Shown in the report, never a metric label.
	Title     string    `json:"title,omitempty"`
	Impact    Impact    `json:"impact"`
	CreatedAt time.Time `json:"created_at"`          // first public post
	StartedAt time.Time `json:"started_at,omitzero"` // when impact began; zero: same as CreatedAt
	// ResolvedAt is zero while the incident is unresolved.
	ResolvedAt            time.Time   `json:"resolved_at,omitzero"`
	UpdatedAt             time.Time   `json:"updated_at"`
	Updates               []time.Time `json:"updates,omitempty"` // public updates (display time), any order
	Components            []string    `json:"components,omitempty"`
	PostmortemPublishedAt time.Time   `json:"postmortem_published_at,omitzero"`
	// ResolutionUnknown is set by formats that never say whether or when an
	// incident ended (a generic RSS or Atom entry): the incident is counted,
	// but feeds no open gauge, update gaps or duration.
	ResolutionUnknown bool `json:"resolution_unknown,omitempty"`
	// History is set by package quality when the incident is stored.
	History *IncidentHistory `json:"history,omitempty"`
}

// Maintenance is a scheduled maintenance announced on a status page.
type Maintenance struct {
	ID string `json:"id"`
	// Title is the vendor's own name for the maintenance, as Incident's.
	Title          string    `json:"title,omitempty"`
	CreatedAt      time.Time `json:"created_at,omitzero"` // announced; zero when the format does not say
	UpdatedAt      time.Time `json:"updated_at"`
	ScheduledFor   time.Time `json:"scheduled_for"`
	ScheduledUntil time.Time `json:"scheduled_until,omitzero"`
	CompletedAt    time.Time `json:"completed_at,omitzero"` // zero until completed
	// History is set by package quality when the maintenance is stored.
	History *MaintenanceHistory `json:"history,omitempty"`
}

// Component is the current status of one status-page component.
type Component struct {
	Name   string `json:"name"`
	Status string `json:"status"` // operational, degraded_performance, partial_outage, major_outage, under_maintenance
}

// Page is one page of a documentation site: a sitemap entry, a help-center
// article.
type Page struct {
	URL string `json:"url"`
	// Updated is when the page's content last changed as the site says
	// (a sitemap's lastmod, a help-center article's edited_at); zero when
	// the site does not say.
	Updated time.Time `json:"updated,omitzero"`
	// OutdatedTranslations is how many of the page's translations the site
	// marks outdated (a help-center article's outdated_locales); zero
	// where the site has no such notion.
	OutdatedTranslations int `json:"outdated_translations,omitempty"`
}

// Batch is what a collector hands over after each page of an API: the items
// it fetched and the cursor to resume from once they are stored. The store
// commits a batch in one transaction, so a crash never splits the items from
// their cursor.
type Batch struct {
	Tickets      []Ticket
	Incidents    []Incident
	Maintenances []Maintenance
	// Components, when non-nil, replaces the source's whole component list.
	Components []Component
	// Pages, when non-nil, replaces the source's whole page list (a
	// documentation site read whole).
	Pages []Page
	// Cursor is the opaque resume point after this batch; nil keeps the
	// stored one.
	Cursor []byte
}

// The histories below hold what package quality pins in an item when it
// stores it, so that counters derived from the store never go down when the
// vendor later edits the item, across restarts too: vendor facts once seen
// (instants, counts, the vendor's own verdicts) and the judged instants as
// of which a snapshot may have counted something time-driven. They hold
// facts, never derived durations, so that a config change (targets,
// calendar, clock) derives again from the same facts. Collectors leave them
// nil. Fields added in record format 3 are zero in older records: package
// quality then reads them from the item itself, as it did before.

// TicketHistory holds a ticket's pinned facts (see above).
type TicketHistory struct {
	FirstPriority string `json:"first_priority"` // counter label `priority` is pinned to this
	// RepliesAtFirstSolve is the number of public vendor replies when the
	// first solve was seen; -1 until then.
	RepliesAtFirstSolve int      `json:"replies_at_first_solve"`
	EverEscalated       bool     `json:"ever_escalated,omitempty"`
	Ratings             []Rating `json:"ratings,omitempty"` // every rating given; a changed rating counts again

	// Created is the creation as first stored: whether the ticket is in the
	// history, its `hours` label, its contract term and deadlines.
	Created time.Time `json:"created,omitzero"`
	// FirstReply and FirstSolve are the first public vendor reply and the
	// first solve, as first seen; zero until then.
	FirstReply time.Time `json:"first_reply,omitzero"`
	FirstSolve time.Time `json:"first_solve,omitzero"`
	// Reopens and Followups are the most ever seen.
	Reopens   int `json:"reopens,omitempty"`
	Followups int `json:"followups,omitempty"`
	// ReopensSeen counts the versions stored showing an open status
	// (new, open, pending, on_hold) after a first solve, following one that
	// did not: a reopen the exporter saw itself, which a vendor's status
	// revert shows without a reopen event or figure.
	ReopensSeen int `json:"reopens_seen,omitempty"`
	// FirstResponse and Resolution are the SLA clocks' pins.
	FirstResponse ClockHistory `json:"first_response,omitzero"`
	Resolution    ClockHistory `json:"resolution,omitzero"`
	OneTouch      OneTouch     `json:"one_touch,omitempty"`
	// StoredAsOf is the instant up to which the vendor's signal sources were
	// complete when the ticket was first stored, kept only when after its
	// creation (a ticket that came late): who noticed an incident first
	// counts a signal only if it was known before the decision.
	StoredAsOf time.Time `json:"stored_as_of,omitzero"`
	// SeenTags are the tags (lower-cased) an earlier version carried that
	// the stored one does not, and those first seen after the first store,
	// each with the instant up to which the signal sources were complete
	// when it was first seen (zero: carried by the first stored version).
	SeenTags []SeenTag `json:"seen_tags,omitempty"`
	// VendorReplies are the instants of every public vendor reply the
	// timeline ever showed, sorted and distinct: a reply the vendor later
	// deletes stays counted (support_vendor_replies_total).
	VendorReplies []time.Time `json:"vendor_replies,omitempty"`
	// Closes are every close with a reason ever seen (Ticket.Closes, else
	// the version's last close: CloseReason, ClosedBy, ClosedAt), distinct
	// by instant, in the order first seen (those first seen together in
	// time order): a close seen once stays, and one dated earlier that
	// shows only later comes after. A feature request's outcomes are judged
	// from them, each once (support_feature_request_outcomes_total): the
	// first close by a bot and the first close by anyone else.
	Closes []Closure `json:"closes,omitempty"`
	// Types are every type (Ticket.Type, lower-cased) the ticket ever
	// carried, sorted: a ticket once of a feature-request type stays a
	// feature request when the vendor changes its type.
	Types []string `json:"types,omitempty"`
	// Acknowledged is the first acknowledgement as first seen: the earlier
	// of the first vendor public reply and the vendor's first label
	// (Ticket.TriagedAt) when either first showed; zero until then. Pinned
	// once, so that a reply or label dated earlier that shows later moves
	// nothing (support_feature_request_acknowledgement_seconds).
	Acknowledged time.Time `json:"acknowledged,omitzero"`
	// DrillSeen is the instant up to which the vendor's signal sources were
	// complete when a version marked Drill was first stored (for the first
	// stored version: the later of that instant and the creation); zero
	// while none was. A signal known no earlier than it is no customer
	// signal: a ticket marked from its first store never is one, and a
	// mark that shows later never takes back a signal a decision may have
	// used, so every decision, and any rebuild from the store, agree.
	DrillSeen time.Time `json:"drill_seen,omitzero"`
}

// Closure is a close: when, why, and by whom, as the vendor's API said.
type Closure struct {
	At     time.Time `json:"at,omitzero"` // as the API dates it; for a version's last close without one, its latest solve event, else its last change
	Reason string    `json:"reason"`
	By     string    `json:"by,omitempty"`
	// ByAuthor: By is the ticket's Author, as the version that first
	// showed the close said (pinned in TicketHistory.Closes only): a
	// requester's withdrawal stays one when the author field changes.
	ByAuthor bool `json:"by_author,omitempty"`
}

// ClockHistory pins one SLA clock of a ticket.
type ClockHistory struct {
	// Ended is when the clock stopped (first reply, first solve, or a close
	// without a solve), as first seen; zero while it runs.
	Ended time.Time `json:"ended,omitzero"`
	// RunningAsOf is the latest instant as of which a snapshot judged the
	// clock while the stored version showed it running: a target that had
	// passed by then was counted breached.
	RunningAsOf time.Time `json:"running_as_of,omitzero"`
	// Vendor is the vendor's own run of the clock (Figures) as it stood
	// when the clock was judged: at its stop, or at Ended.
	Vendor *SLAClock `json:"vendor,omitempty"`
	// VendorBreached: the vendor's own clock, still running, had passed its
	// deadline as of a judged instant, and was counted breached.
	VendorBreached bool `json:"vendor_breached,omitempty"`
	// Judge is whose clock judged the target the first time it was judged
	// (stopped, or counted breached while running): it judges it from then
	// on, whichever clocks later versions carry.
	Judge Judge `json:"judge,omitempty"`
}

// Judge is whose SLA clock judges a ticket's target.
type Judge uint8

// Judges.
const (
	JudgeUndecided Judge = iota // not judged yet: the version's clocks decide
	JudgeOurs                   // the contract term's target, on our SLA clock
	JudgeVendor                 // the vendor's own clock (Figures)
)

// OneTouch is a ticket's one-touch verdict once known.
type OneTouch uint8

// One-touch verdicts.
const (
	OneTouchUndecided OneTouch = iota
	OneTouchCounted            // its resolution settled as one-touch: counted
	OneTouchRuledOut           // it can no longer count
)

// SeenTag is a tag with the instant it became known (see
// TicketHistory.SeenTags).
type SeenTag struct {
	Tag  string    `json:"tag"`
	AsOf time.Time `json:"as_of,omitzero"`
}

// IncidentHistory holds an incident's pinned facts.
type IncidentHistory struct {
	FirstImpact Impact `json:"first_impact"` // counter label `impact` is pinned to this
	// Created is the first post (else started_at) as first stored: whether
	// the incident is in the history.
	Created time.Time `json:"created,omitzero"`
	// Final holds the incident's times as first seen resolved (for a format
	// that never says, as first stored); nil before.
	Final *IncidentFinal `json:"final,omitempty"`
	// Postmortem is the postmortem's publication, as first seen.
	Postmortem time.Time `json:"postmortem,omitzero"`
	// NoticeStarted and NoticePost are when impact began and the first post
	// as they stood when who noticed it first became decidable; zero before.
	NoticeStarted time.Time `json:"notice_started,omitzero"`
	NoticePost    time.Time `json:"notice_post,omitzero"`
}

// IncidentFinal is an incident's times at resolution.
type IncidentFinal struct {
	Started   time.Time   `json:"started,omitzero"`    // when impact began (the first post when not given)
	FirstPost time.Time   `json:"first_post,omitzero"` // zero when the format does not give it
	Resolved  time.Time   `json:"resolved,omitzero"`   // zero when the format never says
	Updates   []time.Time `json:"updates,omitempty"`   // public updates up to the resolution, sorted
	// Impact and Components are the incident's impact and affected
	// components at resolution: the outage an availability agreement
	// counts (docs/configuration.md, agreements). Zero in records written
	// before format 5: the incident's own fields are read then.
	Impact     Impact   `json:"impact,omitempty"`
	Components []string `json:"components,omitempty"`
}

// MaintenanceHistory holds a maintenance's pinned facts.
type MaintenanceHistory struct {
	// Created is the announcement (else the scheduled start) as first
	// stored: whether the maintenance is in the history.
	Created time.Time `json:"created,omitzero"`
	// Notice is the announcement and scheduled start as they stood when the
	// maintenance started or completed; nil before.
	Notice *MaintenanceNotice `json:"notice,omitempty"`
}

// MaintenanceNotice is the notice a maintenance was given.
type MaintenanceNotice struct {
	Announced time.Time `json:"announced,omitzero"` // zero when the format does not say
	Start     time.Time `json:"start"`
}

// DrillMarkerPrefix starts every off-hours drill's marker
// ("support-drill-<id>", exporter/drill), which the drill's subject and
// body both carry (config: drill.subject and drill.body must contain it).
const DrillMarkerPrefix = "support-drill-"

// DrillMarked reports whether any of texts (a ticket's subject) holds a
// drill's marker.
func DrillMarked(texts ...string) bool {
	for _, t := range texts {
		if strings.Contains(t, DrillMarkerPrefix) {
			return true
		}
	}
	return false
}
