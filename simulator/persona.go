package simulator

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Delay is a random duration: log-normal around Median, clamped to
// [Min, Max]. Log-normal because human response times are: most come close
// to the typical value, a long tail comes much later.
type Delay struct {
	Min, Median, Max time.Duration
}

// delaySigma is the spread of every Delay, in natural-log units: one sigma
// multiplies or divides the median by about 2.5.
const delaySigma = 0.9

func (d Delay) isZero() bool { return d == Delay{} }

func (d Delay) sample(r *rand.Rand) time.Duration {
	v := time.Duration(float64(d.Median) * math.Exp(delaySigma*r.NormFloat64()))
	return min(max(v, d.Min), d.Max)
}

// Persona is how a vendor's support behaves: the knobs that shape every
// generated timeline. A zero knob means "like a typical vendor" (see
// typical), so a preset sets only the knobs of its trait and presets can be
// stacked with Combine.
type Persona struct {
	Name string

	// FirstReply is creation to the first public vendor reply (business
	// time when BusinessHoursOnly), for a normal-priority ticket; urgent
	// tickets are answered faster, low ones slower.
	FirstReply Delay
	// NextReply is from a customer's answer to the vendor's next reply.
	NextReply Delay
	// CustomerReply is from a vendor's reply to the customer's answer.
	CustomerReply Delay
	// RoundWeights weighs 1, 2, 3 or 4 public vendor replies before the
	// first solve.
	RoundWeights [4]float64
	// ReopenShare is the share of solved tickets the customer reopens.
	ReopenShare float64
	// GoodRatingShare is the share of satisfaction ratings that are good.
	GoodRatingShare float64
	// BusinessHoursOnly: the vendor acts only inside its office's business
	// hours, so tickets created at night or on weekends wait.
	BusinessHoursOnly bool

	// IncidentNotice is from when an incident started to its first post.
	IncidentNotice Delay
	// IncidentUpdateGap is between consecutive incident updates.
	IncidentUpdateGap Delay
	// PostmortemShare is the share of incidents that get a postmortem.
	PostmortemShare float64
	// PostmortemDelay is from resolution to the postmortem.
	PostmortemDelay Delay
	// MaintenanceNotice is from announcement to the start of a maintenance.
	MaintenanceNotice Delay
	// PostsAfterComplaints: the vendor posts an incident only once a
	// customer has complained, after the first ticket created since the
	// incident began, which the customer files as urgent (when no ticket
	// ever comes, it posts as usual).
	PostsAfterComplaints bool
	// AutoAcknowledges: the vendor's helpdesk answers every new ticket at
	// once with a machine acknowledgement ("we received your request"),
	// which the formats that carry one render (a mail auto-reply) and
	// which is no response: it never enters the ticket's timeline.
	AutoAcknowledges bool
}

// typical fills every knob a preset leaves zero.
var typical = Persona{
	Name:              "typical",
	FirstReply:        Delay{Min: 3 * time.Minute, Median: 45 * time.Minute, Max: 12 * time.Hour},
	NextReply:         Delay{Min: 5 * time.Minute, Median: 2 * time.Hour, Max: 24 * time.Hour},
	CustomerReply:     Delay{Min: 5 * time.Minute, Median: 3 * time.Hour, Max: 48 * time.Hour},
	RoundWeights:      [4]float64{0.45, 0.35, 0.15, 0.05},
	ReopenShare:       0.10,
	GoodRatingShare:   0.80,
	IncidentNotice:    Delay{Min: time.Minute, Median: 6 * time.Minute, Max: 20 * time.Minute},
	IncidentUpdateGap: Delay{Min: 10 * time.Minute, Median: 30 * time.Minute, Max: 90 * time.Minute},
	PostmortemDelay:   Delay{Min: 12 * time.Hour, Median: 48 * time.Hour, Max: 7 * 24 * time.Hour},
	MaintenanceNotice: Delay{Min: 3 * 24 * time.Hour, Median: 5 * 24 * time.Hour, Max: 14 * 24 * time.Hour},
}

// The preset personas, of which the demo's vendors and the tests are made.
var (
	// FastShallow answers within minutes but rarely fixes things at once:
	// several rounds per ticket and about 30% reopened.
	FastShallow = Persona{
		Name:            "fast-shallow",
		FirstReply:      Delay{Min: time.Minute, Median: 6 * time.Minute, Max: 45 * time.Minute},
		NextReply:       Delay{Min: 2 * time.Minute, Median: 20 * time.Minute, Max: 3 * time.Hour},
		RoundWeights:    [4]float64{0.10, 0.35, 0.35, 0.20},
		ReopenShare:     0.30,
		GoodRatingShare: 0.65,
	}
	// SlowThorough answers after hours (often past an 8h target) but mostly
	// solves with that one reply, and writes postmortems.
	SlowThorough = Persona{
		Name:            "slow-thorough",
		FirstReply:      Delay{Min: 40 * time.Minute, Median: 6 * time.Hour, Max: 36 * time.Hour},
		NextReply:       Delay{Min: 30 * time.Minute, Median: 5 * time.Hour, Max: 36 * time.Hour},
		RoundWeights:    [4]float64{0.75, 0.20, 0.05, 0},
		ReopenShare:     0.03,
		GoodRatingShare: 0.92,
		PostmortemShare: 0.8,
	}
	// NoNightShift acts only inside business hours.
	NoNightShift = Persona{Name: "no-night-shift", BusinessHoursOnly: true}
	// SilentDuringIncidents posts its first incident update 30-90 minutes
	// after impact began and then goes quiet for hours.
	SilentDuringIncidents = Persona{
		Name:              "silent-during-incidents",
		IncidentNotice:    Delay{Min: 30 * time.Minute, Median: 50 * time.Minute, Max: 90 * time.Minute},
		IncidentUpdateGap: Delay{Min: 90 * time.Minute, Median: 3 * time.Hour, Max: 6 * time.Hour},
	}
	// ShortNoticeMaintenance announces maintenance about two hours ahead
	// (1h45 to 2h15).
	ShortNoticeMaintenance = Persona{
		Name:              "short-notice-maintenance",
		MaintenanceNotice: Delay{Min: 105 * time.Minute, Median: 2 * time.Hour, Max: 135 * time.Minute},
	}
	// PostsAfterComplaints posts an incident only after the first customer
	// ticket created since it began, an urgent one.
	PostsAfterComplaints = Persona{Name: "posts-after-complaints", PostsAfterComplaints: true}
	// ChatOfficeHours is a vendor's people in a shared chat channel: they
	// answer within minutes (2-30, median 5), and the next message as
	// quickly, but only inside the office's business hours: a question
	// asked at night or on a weekend waits for the morning.
	ChatOfficeHours = Persona{
		Name:              "chat-office-hours",
		FirstReply:        Delay{Min: 2 * time.Minute, Median: 5 * time.Minute, Max: 30 * time.Minute},
		NextReply:         Delay{Min: time.Minute, Median: 4 * time.Minute, Max: 20 * time.Minute},
		BusinessHoursOnly: true,
	}
	// MailNextDay is a support mailbox behind a helpdesk: every mail gets an
	// automatic "we received your request" at once (AutoAcknowledges, which
	// is no response), and a person's answer about a day later (median
	// 24 h, 6 h to 3 days), follow-ups likewise slow.
	MailNextDay = Persona{
		Name:             "mail-next-day",
		FirstReply:       Delay{Min: 6 * time.Hour, Median: 24 * time.Hour, Max: 72 * time.Hour},
		NextReply:        Delay{Min: 4 * time.Hour, Median: 20 * time.Hour, Max: 72 * time.Hour},
		AutoAcknowledges: true,
	}
)

// Combine stacks personas: each knob comes from the last persona that sets
// it, and names are joined with "+".
func Combine(ps ...Persona) Persona {
	var out Persona
	for _, p := range ps {
		if p.Name != "" {
			if out.Name != "" {
				out.Name += "+"
			}
			out.Name += p.Name
		}
		out = overlay(out, p)
	}
	return out
}

// overlay returns base with every knob that p sets (Name excepted).
func overlay(base, p Persona) Persona {
	delays := []struct{ dst, src *Delay }{
		{&base.FirstReply, &p.FirstReply}, {&base.NextReply, &p.NextReply},
		{&base.CustomerReply, &p.CustomerReply}, {&base.IncidentNotice, &p.IncidentNotice},
		{&base.IncidentUpdateGap, &p.IncidentUpdateGap}, {&base.PostmortemDelay, &p.PostmortemDelay},
		{&base.MaintenanceNotice, &p.MaintenanceNotice},
	}
	for _, d := range delays {
		if !d.src.isZero() {
			*d.dst = *d.src
		}
	}
	if p.RoundWeights != [4]float64{} {
		base.RoundWeights = p.RoundWeights
	}
	shares := []struct{ dst, src *float64 }{
		{&base.ReopenShare, &p.ReopenShare}, {&base.GoodRatingShare, &p.GoodRatingShare},
		{&base.PostmortemShare, &p.PostmortemShare},
	}
	for _, s := range shares {
		if *s.src != 0 {
			*s.dst = *s.src
		}
	}
	base.BusinessHoursOnly = base.BusinessHoursOnly || p.BusinessHoursOnly
	base.PostsAfterComplaints = base.PostsAfterComplaints || p.PostsAfterComplaints
	base.AutoAcknowledges = base.AutoAcknowledges || p.AutoAcknowledges
	return base
}

// withDefaults fills the knobs p leaves zero from typical.
func (p Persona) withDefaults() Persona {
	out := overlay(typical, p)
	out.Name = p.Name
	return out
}

// validate reports the first knob that cannot be sampled.
func (p Persona) validate() error {
	delays := map[string]Delay{
		"FirstReply": p.FirstReply, "NextReply": p.NextReply, "CustomerReply": p.CustomerReply,
		"IncidentNotice": p.IncidentNotice, "IncidentUpdateGap": p.IncidentUpdateGap,
		"PostmortemDelay": p.PostmortemDelay, "MaintenanceNotice": p.MaintenanceNotice,
	}
	for _, name := range slices.Sorted(maps.Keys(delays)) {
		if d := delays[name]; d.Min <= 0 || d.Min > d.Median || d.Median > d.Max {
			return fmt.Errorf("persona %q: %s: want 0 < Min <= Median <= Max, got %v/%v/%v", p.Name, name, d.Min, d.Median, d.Max)
		}
	}
	var sum float64
	for _, w := range p.RoundWeights {
		if w < 0 {
			return fmt.Errorf("persona %q: negative RoundWeights", p.Name)
		}
		sum += w
	}
	if sum == 0 {
		return fmt.Errorf("persona %q: RoundWeights are all zero", p.Name)
	}
	shares := []struct {
		name string
		v    float64
	}{{"ReopenShare", p.ReopenShare}, {"GoodRatingShare", p.GoodRatingShare}, {"PostmortemShare", p.PostmortemShare}}
	for _, s := range shares {
		if s.v < 0 || s.v > 1 {
			return fmt.Errorf("persona %q: %s %v is not a share in [0, 1]", p.Name, s.name, s.v)
		}
	}
	return nil
}
