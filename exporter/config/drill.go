package config

import (
	"strings"
	"text/template"
	"time"

	"github.com/prometheus/common/model"
)

// Drill is a vendor's off-hours drill (docs/configuration.md, "The off-hours
// drill"): at most once per Interval, at a random moment outside the
// vendor's business calendar, a clearly marked test ticket is filed through
// one of the vendor's ticket sources, as the buyer, and the first human
// reply is timed. Off when the key is absent or enabled is false.
type Drill struct {
	Enabled bool `yaml:"enabled"`
	// Source names one of the vendor's ticket sources whose kind can file
	// tickets as the buyer (Kind.Drills).
	Source string `yaml:"source"`
	// Interval: at most one drill per interval (default 30d).
	Interval model.Duration `yaml:"interval"`
	// Priority is the vendor's own priority value to file with (the API's
	// field, or a label for GitHub); empty: the vendor's default.
	Priority string `yaml:"priority"`
	// Subject and Body are text/template templates; each must contain
	// {{.Marker}}, the drill's unique marker that the search for an earlier
	// attempt looks for.
	Subject string `yaml:"subject"`
	Body    string `yaml:"body"`
	// Closing is the comment posted once, after the first human reply.
	Closing string `yaml:"closing"`
	// Timeout: no human reply by then ends the drill as timed_out
	// (default 72h).
	Timeout model.Duration `yaml:"timeout"`
	// RequestType is the request type id to file with, for
	// jira_service_management (required there: the portal's create needs
	// one).
	RequestType string `yaml:"request_type"`

	// SubjectTemplate and BodyTemplate are the parsed templates.
	SubjectTemplate *template.Template `yaml:"-"`
	BodyTemplate    *template.Template `yaml:"-"`
}

// On reports whether the drill is configured and enabled.
func (d *Drill) On() bool { return d != nil && d.Enabled }

// Defaults of a drill's keys.
const (
	defaultDrillInterval = model.Duration(30 * 24 * time.Hour)
	defaultDrillTimeout  = model.Duration(72 * time.Hour)
	// DrillMarkerAction is what subject and body must both contain.
	DrillMarkerAction = "{{.Marker}}"
)

// DrillFields are what the subject and body templates are executed with.
type DrillFields struct {
	Vendor string
	Marker string // unique per drill: "support-drill-<id>"
	// Moment is the planned moment, in the vendor's calendar zone.
	Moment time.Time
}

// drill checks a vendor's drill and applies its defaults; path is
// vendors[i].drill.
func (ck *checker) drill(path string, v *Vendor) {
	d := v.Drill
	if d == nil {
		return
	}
	if !ck.ix.has(path + ".interval") {
		d.Interval = defaultDrillInterval
	}
	if !ck.ix.has(path + ".timeout") {
		d.Timeout = defaultDrillTimeout
	}
	if !d.Enabled {
		return // written but off: nothing is used
	}
	if v.CalendarParsed == nil {
		ck.report(path, "the drill files its ticket outside the vendor's business hours: set the vendor's calendar")
	} else if longest := longestOffHours(v.CalendarParsed); longest < MinDrillOffHours {
		ck.report(path, "the calendar %q leaves no off-hours stretch of %v in a week (the longest: %v): a drill would never fire",
			v.Calendar, MinDrillOffHours, longest)
	}
	ck.drillSource(path+".source", v)
	if d.Interval <= 0 {
		ck.report(path+".interval", "must be positive")
	}
	switch {
	case d.Timeout <= 0:
		ck.report(path+".timeout", "must be positive")
	case d.Interval > 0 && d.Timeout >= d.Interval:
		ck.report(path+".timeout", "%v is not shorter than the interval %v: a drill must end before the next one", d.Timeout, d.Interval)
	}
	d.SubjectTemplate = ck.drillTemplate(path+".subject", d.Subject)
	d.BodyTemplate = ck.drillTemplate(path+".body", d.Body)
	if strings.TrimSpace(d.Closing) == "" {
		ck.report(path+".closing", "required: the polite comment posted after the vendor's first reply (it says the ticket was a drill)")
	}
}

// MinDrillOffHours is the shortest off-hours stretch a drill's calendar
// must leave in a week (holidays aside): a drill's moment is picked at
// least a step before a stretch ends, and a create the vendor asked to
// retry may be sent again within it.
const MinDrillOffHours = 30 * time.Minute

// longestOffHours is the calendar's longest off-hours stretch, to the
// minute, in the two weeks from Monday 5 January 2026 in its zone
// (holidays, which only add off-hours, aside).
func longestOffHours(cal interface {
	Contains(time.Time) bool
	Location() *time.Location
}) time.Duration {
	t := time.Date(2026, 1, 5, 0, 0, 0, 0, cal.Location())
	var longest, run time.Duration
	for range 14 * 24 * 60 {
		if cal.Contains(t) {
			run = 0
		} else {
			run += time.Minute
			longest = max(longest, run)
		}
		t = t.Add(time.Minute)
	}
	return longest
}

// drillSource checks that the drill's source is one of the vendor's
// ticket sources, of a kind that can file tickets.
func (ck *checker) drillSource(path string, v *Vendor) {
	name := v.Drill.Source
	if name == "" {
		ck.report(path, "required: the name of one of the vendor's ticket sources (kind %s)", oneOf(ck.drillKinds()))
		return
	}
	for _, s := range v.Tickets {
		if s == nil || s.Name != name {
			continue
		}
		kind, ok := ck.kinds.Lookup(s.Kind)
		switch {
		case !ok:
			// reported at the source
		case !kind.Drills:
			ck.report(path, "source %q is of kind %s, which cannot file tickets (want %s)", name, s.Kind, oneOf(ck.drillKinds()))
		case !carriesCredentials(s, kind):
			var ways []string
			for _, a := range kind.Credentials.Accepts {
				ways = append(ways, a.String())
			}
			ck.report(path, "source %q has no credentials in http_client: a drill files its ticket as the buyer, with the buyer's %s",
				name, strings.Join(ways, " or "))
		default:
			if r, ok := s.Options.(DrillRefuser); ok {
				if why := r.DrillRefusal(v.Drill); why != "" {
					ck.report(path, "source %q: %s", name, why)
				}
			}
		}
		return
	}
	ck.report(path, "no ticket source named %q in this vendor", name)
}

// DrillRefuser is implemented by Options of a kind that can file tickets
// only in some settings (jira_service_management: api customer).
type DrillRefuser interface {
	// DrillRefusal says why this source cannot file a drill ticket; empty
	// when it can.
	DrillRefusal(d *Drill) string
}

// drillKinds names the kinds that can file a drill ticket.
func (ck *checker) drillKinds() []string {
	var names []string
	for _, k := range ck.kinds {
		if k.Drills {
			names = append(names, k.Name)
		}
	}
	return names
}

// drillTemplate parses a subject or body template, which must contain the
// marker, and tries it once.
func (ck *checker) drillTemplate(path, text string) *template.Template {
	if !strings.Contains(text, DrillMarkerAction) {
		ck.report(path, "must contain %s: the marker tells the vendor it is a drill and finds an earlier attempt", DrillMarkerAction)
		return nil
	}
	t, err := template.New(path).Option("missingkey=error").Parse(text)
	if err != nil {
		ck.report(path, "%v", err)
		return nil
	}
	var b strings.Builder
	if err := t.Execute(&b, DrillFields{Vendor: "vendor", Marker: "support-drill-x", Moment: time.Unix(0, 0).UTC()}); err != nil {
		ck.report(path, "%v", err)
		return nil
	}
	return t
}

// carriesCredentials reports whether the source's http_client carries
// credentials of a way its kind accepts.
func carriesCredentials(s *Source, kind *Kind) bool {
	for _, a := range kind.Credentials.Accepts {
		if a.carriedBy(&s.HTTPClient, kind.Credentials.Header) {
			return true
		}
	}
	return false
}
