package quality

import (
	"errors"
	"fmt"
	"strings"
	"time"

	commonmodel "github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/calendar"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Rules are a vendor's derivation settings, built from its config: how its
// priorities map, its business calendar and SLA clock, its targets and its
// escalation tags. They are immutable once built.
type Rules struct {
	vendor       string
	historyStart time.Time
	hasTickets   bool
	hasStatus    bool

	priorities     map[string]Priority // lower-cased source value -> priority
	calendar       *calendar.Calendar  // nil: every instant is business hours
	businessClock  bool                // SLA durations count business time only
	targets        [NumPriorities][NumTargets]time.Duration
	minNotice      time.Duration   // sla.maintenance_notice; zero: no minimum
	escalationTags map[string]bool // lower-cased
	noticeWindow   time.Duration   // who noticed first: how long before impact began a signal counts

	durationBuckets *buckets // first response and resolution: defaults plus SLA targets
	statusBuckets   *buckets // incident histograms
	noticeBuckets   *buckets // maintenance notice: defaults plus the minimum notice
	roundBuckets    *buckets
}

// NewRules builds a vendor's rules. Items created before historyStart (zero:
// no limit) are ignored entirely.
func NewRules(v *config.Vendor, historyStart time.Time) (*Rules, error) {
	if v == nil {
		return nil, errors.New("no vendor config")
	}
	// TODO(issue 10): judge each ticket by the term in force at its
	// creation; until then the latest term.
	var sla config.SLA
	if n := len(v.SLA); n > 0 {
		sla = v.SLA[n-1]
	}
	r := &Rules{
		vendor:         v.Name,
		historyStart:   historyStart,
		hasTickets:     len(v.Tickets) > 0,
		hasStatus:      len(v.StatusPages) > 0,
		calendar:       v.CalendarParsed,
		minNotice:      time.Duration(sla.MaintenanceNotice),
		escalationTags: make(map[string]bool, len(v.Escalation.Tags)),
		noticeWindow:   time.Duration(v.NoticeWindow),
	}
	switch {
	case r.noticeWindow == 0: // a config built in code, without defaults
		r.noticeWindow = DefaultNoticeWindow
	case r.noticeWindow < 0:
		return nil, fmt.Errorf("notice_window %v: must be positive", r.noticeWindow)
	}
	if v.Calendar != "" && v.CalendarParsed == nil {
		return nil, fmt.Errorf("calendar %q was not parsed", v.Calendar)
	}
	var err error
	if r.priorities, err = priorityMap(v.Priorities); err != nil {
		return nil, err
	}
	switch sla.Clock {
	case "", "calendar":
	case "business":
		if r.calendar == nil {
			return nil, errors.New("sla: clock business needs a calendar")
		}
		r.businessClock = true
	default:
		return nil, fmt.Errorf("sla: unknown clock %q (want calendar or business)", sla.Clock)
	}
	if err := r.setTargets(FirstResponse, sla.FirstResponse); err != nil {
		return nil, err
	}
	if err := r.setTargets(Resolution, sla.Resolution); err != nil {
		return nil, err
	}
	for _, tag := range v.Escalation.Tags {
		r.escalationTags[strings.ToLower(tag)] = true
	}
	r.durationBuckets = newBuckets(DefaultBuckets, r.slaTargets()...)
	r.statusBuckets = newBuckets(DefaultBuckets)
	r.noticeBuckets = r.statusBuckets
	if r.minNotice > 0 {
		r.noticeBuckets = newBuckets(DefaultBuckets, r.minNotice)
	}
	r.roundBuckets = newBuckets(RoundBuckets)
	return r, nil
}

func (r *Rules) setTargets(t Target, targets map[string]commonmodel.Duration) error {
	for name, d := range targets {
		p, ok := ParsePriority(name)
		if !ok {
			return fmt.Errorf("sla: %s: unknown priority %q", t, name)
		}
		if d <= 0 {
			return fmt.Errorf("sla: %s: %s: target must be positive", t, name)
		}
		r.targets[p][t] = time.Duration(d)
	}
	return nil
}

// defaultPriorities are the priority names the ticket systems use out of
// the box (Zendesk, Freshdesk, Jira's Highest..Lowest, P1..P4 labels), so
// that most vendors need no `priorities` config.
var defaultPriorities = map[Priority][]string{
	Urgent: {"urgent", "highest", "critical", "blocker", "p1"},
	High:   {"high", "major", "p2"},
	Normal: {"normal", "medium", "p3"},
	Low:    {"low", "lowest", "minor", "trivial", "p4"},
}

// priorityMap maps source values to priorities: the configured ones, and
// the built-in defaults for values the config does not list. Matching is
// case-insensitive.
func priorityMap(config map[string][]string) (map[string]Priority, error) {
	m := make(map[string]Priority, 16)
	for p, names := range defaultPriorities {
		for _, n := range names {
			m[n] = p
		}
	}
	for name := range config {
		if _, ok := ParsePriority(name); !ok {
			return nil, fmt.Errorf("priorities: unknown priority %q (want urgent, high, normal or low)", name)
		}
	}
	configured := map[string]Priority{}
	for p := range NumPriorities { // in a fixed order, so that errors are reproducible
		for _, v := range config[p.String()] {
			key := normalizeValue(v)
			if other, dup := configured[key]; dup && other != p {
				return nil, fmt.Errorf("priorities: value %q maps to both %s and %s", v, other, p)
			}
			configured[key] = p
			m[key] = p
		}
	}
	return m, nil
}

func normalizeValue(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Priority maps a vendor's raw priority value to a normalized priority;
// known is false when a value was set that is neither configured nor a
// default, and the priority fell back to normal. No value at all (a ticket
// without a priority at the vendor) is simply normal, and known: only a
// value we could not read is worth a user's notice.
func (r *Rules) Priority(raw string) (p Priority, known bool) {
	key := normalizeValue(raw)
	if p, ok := r.priorities[key]; ok {
		return p, true
	}
	return Normal, key == ""
}

// priority is Priority without the known flag.
func (r *Rules) priority(raw string) Priority {
	p, _ := r.Priority(raw)
	return p
}

// hours is the `hours` label of a ticket created at t.
func (r *Rules) hours(t time.Time) Hours {
	if r.calendar == nil || r.calendar.Contains(t) {
		return Business
	}
	return Off
}

// counted reports whether an item created at t is inside the history.
func (r *Rules) counted(created time.Time) bool {
	return r.historyStart.IsZero() || !created.Before(r.historyStart)
}

// clockMillis is the SLA clock's time from start to end in milliseconds:
// wall time, or business time under a business clock. An end before the
// start (clock skew between systems) counts as zero.
func (r *Rules) clockMillis(start, end time.Time) int64 {
	var d time.Duration
	if r.businessClock {
		d = r.calendar.Between(start, end)
	} else {
		d = end.Sub(start)
	}
	return max(d, 0).Milliseconds()
}

// deadline is when a target of d, started at start, runs out on the SLA
// clock.
func (r *Rules) deadline(start time.Time, d time.Duration) time.Time {
	if r.businessClock {
		return r.calendar.Add(start, d)
	}
	return start.Add(d)
}

func (r *Rules) slaTargets() []time.Duration {
	var ds []time.Duration
	for p := range NumPriorities {
		for t := range NumTargets {
			if d := r.targets[p][t]; d > 0 {
				ds = append(ds, d)
			}
		}
	}
	return ds
}
