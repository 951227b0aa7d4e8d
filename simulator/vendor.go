package simulator

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Vendor is one simulated vendor: its support persona, its office, and how
// much it generates.
type Vendor struct {
	Name     string // lower-case letters, digits and dashes: it becomes a host-like name
	Persona  Persona
	Timezone string        // the vendor's support office (business hours 09:00-18:00 mon-fri there)
	History  time.Duration // items start this long before Options.Start
	Tickets  int           // tickets created over History (spread evenly with jitter)
	// LiveTicketsPerHour keeps creating tickets after Options.Start, so a
	// demo shows movement.
	LiveTicketsPerHour                    float64
	IncidentsPerWeek, MaintenancesPerWeek float64
	// OpenAtStart adds an incident under way, a maintenance under way and
	// an announced one at Options.Start, so that a demo shows them at once.
	OpenAtStart bool
	// Script, when set, is the vendor's every ticket, in creation order, in
	// place of generated ones (Tickets and LiveTicketsPerHour must be zero):
	// a small known history whose metrics a test computes by hand. Tickets
	// must be created at or after Options.Start - History.
	Script []ScriptedTicket
	// Docs shapes the vendor's documentation site (docs.go).
	Docs DocsSite
	// FeatureRequests is the share of generated tickets that GitHub shows
	// as feature requests (labeled enhancement, some of type Feature),
	// shipped, declined or closed by a stale bot (github_feature.go);
	// zero: none.
	FeatureRequests float64
	// Incidents are scripted status-page incidents, besides the generated
	// ones (IncidentsPerWeek may be zero).
	Incidents []ScriptedIncident
}

var vendorName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// maxHistory keeps every instant within the 32-bit second offsets of the
// export index.
const maxHistory = 50 * 365 * 24 * time.Hour

func (v Vendor) validate() error {
	if !vendorName.MatchString(v.Name) {
		return fmt.Errorf("vendor name %q: want lower-case letters, digits and inner dashes", v.Name)
	}
	if _, err := time.LoadLocation(v.Timezone); err != nil || v.Timezone == "" {
		return fmt.Errorf("vendor %s: unknown time zone %q", v.Name, v.Timezone)
	}
	switch {
	case v.History < 0 || v.History > maxHistory:
		return fmt.Errorf("vendor %s: History %v out of range [0, %v]", v.Name, v.History, maxHistory)
	case v.Tickets < 0:
		return fmt.Errorf("vendor %s: negative Tickets", v.Name)
	case !(v.FeatureRequests >= 0 && v.FeatureRequests <= 1):
		return fmt.Errorf("vendor %s: FeatureRequests %v out of [0, 1]", v.Name, v.FeatureRequests)
	case v.Tickets > 0 && v.History <= 0:
		return fmt.Errorf("vendor %s: %d Tickets need a positive History to be spread over", v.Name, v.Tickets)
	case v.LiveTicketsPerHour < 0 || v.IncidentsPerWeek < 0 || v.MaintenancesPerWeek < 0:
		return fmt.Errorf("vendor %s: negative rate", v.Name)
	}
	if err := v.Persona.withDefaults().validate(); err != nil {
		return fmt.Errorf("vendor %s: %w", v.Name, err)
	}
	for _, si := range v.Incidents {
		if err := si.validate(); err != nil {
			return fmt.Errorf("vendor %s: %w", v.Name, err)
		}
	}
	if v.Script != nil {
		return v.validateScript()
	}
	return nil
}

func validateVendors(vs []Vendor) error {
	if len(vs) == 0 {
		return errors.New("no vendors")
	}
	seen := map[string]bool{}
	for _, v := range vs {
		if err := v.validate(); err != nil {
			return err
		}
		if seen[v.Name] {
			return fmt.Errorf("vendor %s listed twice", v.Name)
		}
		seen[v.Name] = true
	}
	return nil
}

// Demo returns the eight vendors of `--demo`: a fast but shallow one, a slow
// but thorough one, one without a night shift, one that posts incidents only
// after customers complain, one reached by chat that answers within minutes
// in office hours only, one reached by mail whose helpdesk acknowledges at
// once and whose people answer the next day, and two smaller ones, each with about 30 days of
// history and live tickets so that metrics move within minutes (the demo
// polls each through the kinds DemoSources names). History
// reaches back to local midnight in each office, so daily panels start on a
// whole day.
//
// Whatever the instant start, every metric has data at once: what a gauge
// shows now (an open incident, an upcoming maintenance) must not depend on
// the hour the demo starts. So the vendors whose status kind shows only
// what is active (nightless on status.io, edgebuyer on Instatus) are
// OpenAtStart, as are two with history. nightless' pinned maintenances are
// announced with its persona's short notice: one starts under an hour
// after start (the next maintenance), one started minutes before start
// and is under way, so that its short notice, observed once a maintenance
// has started, shows at the first poll, where its generated ones (two a
// week, on status.io only for the few hours from announcement to
// completion) mostly would not.
func Demo(start time.Time) []Vendor {
	vs := []Vendor{
		{
			Name: "swiftedge", Persona: FastShallow, Timezone: "Asia/Singapore",
			Tickets: 1500, LiveTicketsPerHour: 40, IncidentsPerWeek: 2, MaintenancesPerWeek: 1,
			OpenAtStart: true,
		},
		{
			Name: "deeproute", Persona: SlowThorough, Timezone: "Europe/Berlin",
			Tickets: 1200, LiveTicketsPerHour: 25, IncidentsPerWeek: 1.5, MaintenancesPerWeek: 1,
			// A known API outage two days before start: the demo's
			// availability agreement shows downtime, a credit and a
			// termination right whatever the date.
			Incidents: []ScriptedIncident{{Impact: "critical", Components: []string{"API"},
				Started: start.Add(-50 * time.Hour), Posted: start.Add(-50*time.Hour + 10*time.Minute), Resolved: start.Add(-48 * time.Hour)}},
		},
		{
			Name:     "nightless",
			Persona:  Combine(NoNightShift, SilentDuringIncidents, ShortNoticeMaintenance),
			Timezone: "America/Los_Angeles",
			Tickets:  1800, LiveTicketsPerHour: 30, IncidentsPerWeek: 2, MaintenancesPerWeek: 2,
			OpenAtStart: true,
		},
		{
			Name: "openpipe", Persona: PostsAfterComplaints, Timezone: "Asia/Tokyo",
			Tickets: 600, LiveTicketsPerHour: 10, IncidentsPerWeek: 2, MaintenancesPerWeek: 1,
			OpenAtStart: true, FeatureRequests: 0.2,
		},
		{
			Name: "edgebuyer", Persona: SlowThorough, Timezone: "America/New_York",
			Tickets: 400, LiveTicketsPerHour: 6, IncidentsPerWeek: 1, MaintenancesPerWeek: 1,
			OpenAtStart: true,
		},
		{
			Name: "feedcast", Persona: SilentDuringIncidents, Timezone: "Europe/London",
			Tickets: 300, LiveTicketsPerHour: 5, IncidentsPerWeek: 2, MaintenancesPerWeek: 1,
		},
		{
			// Reached only through a shared Slack channel: no status page,
			// so no incidents nor maintenances to generate.
			Name: "chatwire", Persona: ChatOfficeHours, Timezone: "America/Sao_Paulo",
			Tickets: 500, LiveTicketsPerHour: 8,
		},
		Slowpost,
		{
			// A cloud provider read through the buyer's own support
			// cases (aws_support): no status page of the buyer's to poll.
			Name: "cloudline", Persona: AroundTheClock, Timezone: "America/Chicago",
			Tickets: 300, LiveTicketsPerHour: 4,
		},
	}
	for i := range vs {
		loc, err := time.LoadLocation(vs[i].Timezone)
		if err != nil { // no zone database: New reports the zone
			loc = time.UTC
		}
		y, m, d := start.In(loc).AddDate(0, 0, -30).Date()
		vs[i].History = start.Sub(time.Date(y, m, d, 0, 0, 0, 0, loc))
		vs[i].Docs = demoDocsSite(vs[i].Name, start)
	}
	return vs
}

// DemoSource is how `--demo` polls one Demo vendor: a ticket kind and a
// status-page kind, Kind constants, either empty for none (never both).
type DemoSource struct{ Tickets, Status string }

// DemoSources maps each Demo vendor to its DemoSource, so that the demo
// runs a collector of every family: each vendor's one world is served in every
// format, so a vendor gets one ticket kind and one status kind (two would
// count its tickets twice). Each status kind goes where its format can show
// the vendor's point:
//   - deeproute, which writes postmortems, on Statuspage, the format with
//     history that publishes them;
//   - openpipe, which posts only after customers complain, on Cachet: who
//     noticed first needs the incidents' history, when impact began
//     (occurred_at) and the first post (created_at). Instatus' public data
//     (summary.json) lists only active incidents, without their first post;
//   - edgebuyer, whose point is its tickets, on Instatus, whose active
//     incident and maintenance OpenAtStart guarantees;
//   - nightless, whose maintenances come at short notice, on status.io,
//     which shows the announcement time;
//   - swiftedge on incident.io and feedcast, without tickets, on the feed;
//   - chatwire, whose point is how fast it answers in chat, on slack only:
//     a vendor reached by chat often has no status page of its own;
//   - slowpost, whose point is the acknowledgement that is no answer, on
//     a support mailbox (imap) only: a vendor reached by mail, no status
//     page either;
//   - cloudline, a cloud provider answering around the clock, on
//     aws_support only: the buyer's own support cases.
//
// lark, gcp_support and azure_support have no demo vendor (one chat and
// one cloud kind show the point); the conformance suite and e2e run them
// against the same simulator.
func DemoSources() map[string]DemoSource {
	return map[string]DemoSource{
		"swiftedge": {KindZendesk, KindIncidentio},
		"deeproute": {KindFreshdesk, KindStatuspage},
		"nightless": {KindJSM, KindStatusio},
		"openpipe":  {KindGitHub, KindCachet},
		"edgebuyer": {KindZendeskRequests, KindInstatus},
		"feedcast":  {"", KindFeed},
		"chatwire":  {KindSlack, ""},
		"slowpost":  {KindIMAP, ""},
		"cloudline": {KindAWSSupport, ""},
	}
}

// Slowpost is the demo's vendor reached by mail (DemoSources: imap). Its
// point is the auto-reply that is no answer: every mail is acknowledged at
// once, and a person answers about a day later, so its first response is
// a day although its mailbox replies in seconds. Its zone's offset (UTC+5:30)
// is no other demo vendor's. Demo sets its History, as for every demo
// vendor; this value has none.
var Slowpost = Vendor{
	Name: "slowpost", Persona: MailNextDay, Timezone: "Asia/Kolkata",
	Tickets: 400, LiveTicketsPerHour: 6,
}
