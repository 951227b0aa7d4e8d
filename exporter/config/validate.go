package config

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/calendar"
)

// checker runs the semantic checks on a decoded, defaulted Config and
// reports each mistake at the line of the path it concerns.
type checker struct {
	ix    nodeIndex
	kinds Kinds
	*problems
}

func (ck *checker) report(path, format string, args ...any) {
	ck.add(ck.ix.line(path), "%s: %s", path, fmt.Sprintf(format, args...))
}

// priorities are the normalized priorities, in the order of urgency.
var priorities = []string{"urgent", "high", "normal", "low"}

// validName: names become label values and file keys; keeping them to a
// plain alphabet keeps them readable in both.
var validName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func (ck *checker) config(c *Config) {
	if c.Global.PollInterval <= 0 {
		ck.report("global.poll_interval", "must be positive")
	}
	if c.Global.RequestTimeout <= 0 {
		ck.report("global.request_timeout", "must be positive")
	}
	if c.Global.SolvedSettle <= 0 {
		ck.report("global.solved_settle", "must be positive")
	}
	if c.Global.MaxClockSkew <= 0 {
		ck.report("global.max_clock_skew", "must be positive")
	}
	// Alertmanager 0.25 and Prometheus 2 allow only these label names; a
	// name no alert can carry would silently drop every customer alert.
	if !model.LegacyValidation.IsValidLabelName(c.Global.AlertVendorLabel) {
		ck.report("global.alert_vendor_label", "%q is not a label name (want [a-zA-Z_][a-zA-Z0-9_]*)", c.Global.AlertVendorLabel)
	}
	if w := c.AlertmanagerWebhook; w != nil {
		ck.webhook(w)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Calendars)) {
		ck.calendar(childPath("calendars", name), c.Calendars[name])
	}
	if len(c.Vendors) == 0 {
		ck.report("vendors", "at least one vendor is required")
	}
	names := map[string]int{}
	for i, v := range c.Vendors {
		ck.vendor(c, v, itemPath("vendors", i), names)
	}
}

// calendar builds cal.Parsed. calendar.New stops at the first mistake, so
// each part is first checked alone, with harmless values for the others:
// every mistake is then reported, each at its own line.
func (ck *checker) calendar(path string, cal *Calendar) {
	anyDay, allDay := []string{"mon"}, "00:00-24:00"
	parts := []struct {
		key string
		err error
	}{
		{"timezone", calendarError(cal.Timezone, anyDay, allDay)},
		{"days", calendarError("UTC", cal.Days, allDay)},
		{"hours", calendarError("UTC", anyDay, cal.Hours)},
	}
	ok := true
	for _, part := range parts {
		if part.err != nil {
			ck.add(ck.ix.line(childPath(path, part.key)), "%s: %v", path, part.err)
			ok = false
		}
	}
	if !ok {
		return
	}
	holidays := make([]time.Time, len(cal.Holidays))
	for i, h := range cal.Holidays {
		holidays[i] = h.Time
	}
	parsed, err := calendar.New(cal.Timezone, cal.Days, cal.Hours, holidays)
	if err != nil {
		ck.report(path, "%v", err)
		return
	}
	cal.Parsed = parsed
}

func calendarError(timezone string, days []string, hours string) error {
	_, err := calendar.New(timezone, days, hours, nil)
	return err
}

func (ck *checker) vendor(c *Config, v *Vendor, path string, names map[string]int) {
	v.Line = ck.ix.line(path)
	ck.name(path, v.Name, "vendor", names)
	if v.Calendar != "" {
		if cal, ok := c.Calendars[v.Calendar]; ok {
			v.CalendarParsed = cal.Parsed
		} else {
			ck.report(path+".calendar", "unknown calendar %q", v.Calendar)
		}
	}
	ck.priorities(path+".priorities", v.Priorities)
	ck.slaTerms(path, v)
	ck.signals(path+".signals", &v.Signals)
	ck.featureRequests(path+".feature_requests", v)
	ck.agreements(path, v)
	if v.NoticeWindow <= 0 {
		ck.report(path+".notice_window", "must be positive")
	}
	if len(v.Tickets)+len(v.StatusPages)+len(v.Docs) == 0 {
		ck.report(path, "no tickets, no status_pages and no docs: nothing to measure")
	}
	sourceNames := map[string]int{}
	for _, list := range v.sourceLists() {
		for j, s := range list.sources {
			ck.source(s, list.key, itemPath(childPath(path, list.key), j), sourceNames)
		}
	}
	ck.drill(path+".drill", v)
}

// name checks the name of the entry at path; seen maps the names met so far
// to their lines.
func (ck *checker) name(path, name, what string, seen map[string]int) {
	path += ".name"
	switch {
	case name == "":
		ck.report(path, "a %s name is required", what)
	case !validName.MatchString(name):
		ck.report(path, "%q is not a valid name: use letters, digits, '_', '.' and '-'", name)
	case seen[name] != 0:
		ck.report(path, "duplicate %s name %q (first at line %d)", what, name, seen[name])
	default:
		seen[name] = ck.ix.line(path)
	}
}

// priorities checks the source value -> priority mapping. Values are
// compared ignoring case, because vendors are not consistent about case.
func (ck *checker) priorities(path string, m map[string][]string) {
	for _, prio := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(priorities, prio) {
			ck.report(childPath(path, prio), "unknown priority %q (want %s)", prio, oneOf(priorities))
		}
	}
	mappedTo := map[string]string{}
	for _, prio := range priorities {
		for i, value := range m[prio] {
			key := strings.ToLower(value)
			if other, ok := mappedTo[key]; ok && other != prio {
				ck.report(itemPath(childPath(path, prio), i), "%q is already mapped to %s", value, other)
				continue
			}
			mappedTo[key] = prio
		}
	}
}

// slaTerms checks each term at its own path and dates it: From at midnight
// in the vendor's calendar zone, the zone the contract is written in. Every
// term but the first needs a from, and terms follow each other in time.
func (ck *checker) slaTerms(vendorPath string, v *Vendor) {
	loc := time.UTC
	if v.CalendarParsed != nil {
		loc = v.CalendarParsed.Location()
	}
	for i := range v.SLA {
		term := &v.SLA[i]
		path := slaTermPath(ck.ix, vendorPath, i)
		if !term.From.IsZero() {
			y, m, d := term.From.Date()
			term.Start = time.Date(y, m, d, 0, 0, 0, 0, loc)
		}
		switch {
		case i > 0 && term.From.IsZero():
			ck.report(path+".from", "required for every term but the first: the date the term takes effect")
		case i > 0 && !term.Start.After(v.SLA[i-1].Start):
			ck.report(path+".from", "%s is not after the previous term's from: list terms in the order they took effect",
				term.From.Format(time.DateOnly))
		}
		ck.sla(path, term, v.Calendar != "")
	}
}

func (ck *checker) signals(path string, s *Signals) {
	for i, p := range s.Priorities {
		if !slices.Contains(priorities, p) {
			ck.report(itemPath(path+".priorities", i), "unknown priority %q (want %s)", p, oneOf(priorities))
		}
	}
	for i, tag := range s.Tags {
		if strings.TrimSpace(tag) == "" {
			ck.report(itemPath(path+".tags", i), "a tag must not be empty")
		}
	}
}

// webhook reads the token the receiver requires. The token is never
// printed; only the file is named.
func (ck *checker) webhook(w *AlertmanagerWebhook) {
	const path = "alertmanager_webhook.bearer_token_file"
	if w.BearerTokenFile == "" {
		ck.report(path, "required: the file holding the token Alertmanager sends (http_config.authorization.credentials_file)")
		return
	}
	if err := readable(w.BearerTokenFile); err != nil {
		ck.report(path, "%v", err)
		return
	}
	b, err := os.ReadFile(w.BearerTokenFile)
	switch {
	case err != nil:
		ck.report(path, "cannot read file %q: %v", w.BearerTokenFile, err)
	case strings.TrimSpace(string(b)) == "":
		ck.report(path, "file %q is empty", w.BearerTokenFile)
	default:
		w.Token = commoncfg.Secret(strings.TrimSpace(string(b)))
	}
}

func (ck *checker) sla(path string, s *SLA, hasCalendar bool) {
	if !(s.Objective > 0 && s.Objective <= 1) { // also refuses NaN
		ck.report(path+".objective", "%v is outside (0, 1]", s.Objective)
	}
	switch s.Clock {
	case clockCalendar:
	case clockBusiness:
		if !hasCalendar {
			ck.report(path+".clock", "the business clock needs the vendor's calendar")
		}
	default:
		ck.report(path+".clock", "unknown clock %q (want %s or %s)", s.Clock, clockCalendar, clockBusiness)
	}
	ck.targets(path+".first_response", s.FirstResponse)
	ck.targets(path+".resolution", s.Resolution)
}

func (ck *checker) targets(path string, targets map[string]model.Duration) {
	for _, prio := range slices.Sorted(maps.Keys(targets)) {
		switch {
		case !slices.Contains(priorities, prio):
			ck.report(childPath(path, prio), "unknown priority %q (want %s)", prio, oneOf(priorities))
		case targets[prio] <= 0:
			ck.report(childPath(path, prio), "target must be positive")
		}
	}
}

// oneOf lists choices for a message: "a, b or c".
func oneOf(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}
