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
	// OpenAtStart adds an incident under way and an announced maintenance
	// at Options.Start, so that a demo shows both at once.
	OpenAtStart bool
	// Script, when set, is the vendor's every ticket, in creation order, in
	// place of generated ones (Tickets and LiveTicketsPerHour must be zero):
	// a small known history whose metrics a test computes by hand. Tickets
	// must be created at or after Options.Start - History.
	Script []ScriptedTicket
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
	case v.Tickets > 0 && v.History <= 0:
		return fmt.Errorf("vendor %s: %d Tickets need a positive History to be spread over", v.Name, v.Tickets)
	case v.LiveTicketsPerHour < 0 || v.IncidentsPerWeek < 0 || v.MaintenancesPerWeek < 0:
		return fmt.Errorf("vendor %s: negative rate", v.Name)
	}
	if err := v.Persona.withDefaults().validate(); err != nil {
		return fmt.Errorf("vendor %s: %w", v.Name, err)
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

// Demo returns the six vendors of `--demo`: a fast but shallow one, a slow
// but thorough one, one without a night shift, one that posts incidents only
// after customers complain, and two smaller ones, each with about 30 days of
// history and live tickets so that metrics move within minutes (the demo
// polls each through a different kind of source). History
// reaches back to local midnight in each office, so daily panels start on a
// whole day.
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
		},
		{
			Name:     "nightless",
			Persona:  Combine(NoNightShift, SilentDuringIncidents, ShortNoticeMaintenance),
			Timezone: "America/Los_Angeles",
			Tickets:  1800, LiveTicketsPerHour: 30, IncidentsPerWeek: 2, MaintenancesPerWeek: 2,
		},
		{
			Name: "openpipe", Persona: PostsAfterComplaints, Timezone: "Asia/Tokyo",
			Tickets: 600, LiveTicketsPerHour: 10, IncidentsPerWeek: 2, MaintenancesPerWeek: 1,
			OpenAtStart: true,
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
	}
	for i := range vs {
		loc, err := time.LoadLocation(vs[i].Timezone)
		if err != nil { // no zone database: New reports the zone
			loc = time.UTC
		}
		y, m, d := start.In(loc).AddDate(0, 0, -30).Date()
		vs[i].History = start.Sub(time.Date(y, m, d, 0, 0, 0, 0, loc))
	}
	return vs
}
