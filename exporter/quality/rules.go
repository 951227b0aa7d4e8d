package quality

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	commonmodel "github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/calendar"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Rules are a vendor's derivation settings, built from its config: how its
// priorities map, its business calendar, its contract terms with their SLA
// clocks and targets, its escalation tags and its customer signals. They are
// immutable once built.
type Rules struct {
	vendor       string
	historyStart time.Time
	hasTickets   bool
	hasStatus    bool
	// hasReplies: a ticket source gives a reply timeline (not every one
	// is config.Source.CountsOnly): support_vendor_replies_total is
	// exposed.
	hasReplies bool

	priorities     map[string]Priority // lower-cased source value -> priority
	calendar       *calendar.Calendar  // nil: every instant is business hours
	terms          []term              // in the order they took effect (config.SLATerms)
	escalationTags map[string]bool     // lower-cased
	noticeWindow   time.Duration       // who noticed first: how long before impact began a signal counts
	solvedSettle   time.Duration       // one-touch: how long a solve must stand
	// Customer signals (who noticed first): tickets opened with one of these
	// priorities, or carrying one of these tags (lower-cased).
	signalPriorities [NumPriorities]bool
	signalTags       map[string]bool

	durationBuckets *buckets // first response and resolution: defaults plus every term's targets
	statusBuckets   *buckets // incident histograms
	noticeBuckets   *buckets // maintenance notice: defaults plus every term's minimum notice
	roundBuckets    *buckets

	docs       map[string]config.DocsWindows // documentation source -> its windows (docs.go)
	features   featureRules                  // feature_requests (feature.go)
	agreements []*config.Agreement           // validated (config.Agreement's parsed parts set)
}

// term is one contract term (config.SLA): a ticket is judged by the term in
// force when it was created, a maintenance by the one in force when it was
// announced (docs/configuration.md, "Contract terms with dates").
type term struct {
	start         time.Time // zero: in force since ever
	businessClock bool      // SLA durations count business time only
	targets       [NumPriorities][NumTargets]time.Duration
	minNotice     time.Duration // sla.maintenance_notice; zero: no minimum
}

// DefaultSolvedSettle is global.solved_settle when a config built in code
// leaves it out: Zendesk's default auto-close.
const DefaultSolvedSettle = 96 * time.Hour

// DefaultSignalPriorities are the vendor's signals.priorities when a config
// built in code leaves them out (nil): an urgent ticket is a customer
// saying "it is down".
var DefaultSignalPriorities = []string{"urgent"}

// NewRules builds a vendor's rules. From the global settings it takes
// history_start (items created earlier are ignored entirely; zero: no
// limit) and solved_settle.
func NewRules(v *config.Vendor, g config.Global) (*Rules, error) {
	if v == nil {
		return nil, errors.New("no vendor config")
	}
	r := &Rules{
		vendor:         v.Name,
		historyStart:   g.HistoryStart.Time,
		hasTickets:     len(v.Tickets) > 0,
		hasStatus:      len(v.StatusPages) > 0,
		hasReplies:     slices.ContainsFunc(v.Tickets, func(s *config.Source) bool { return !s.CountsOnly }),
		calendar:       v.CalendarParsed,
		escalationTags: make(map[string]bool, len(v.Escalation.Tags)),
		noticeWindow:   time.Duration(v.NoticeWindow),
		solvedSettle:   cmp.Or(time.Duration(g.SolvedSettle), DefaultSolvedSettle),
		signalTags:     make(map[string]bool, len(v.Signals.Tags)),
		docs:           docsWindows(v),
		agreements:     v.Agreements,
	}
	switch {
	case r.noticeWindow == 0: // a config built in code, without defaults
		r.noticeWindow = DefaultNoticeWindow
	case r.noticeWindow < 0:
		return nil, fmt.Errorf("notice_window %v: must be positive", r.noticeWindow)
	}
	if r.solvedSettle < 0 {
		return nil, fmt.Errorf("solved_settle %v: must be positive", r.solvedSettle)
	}
	if v.Calendar != "" && v.CalendarParsed == nil {
		return nil, fmt.Errorf("calendar %q was not parsed", v.Calendar)
	}
	var err error
	if r.priorities, err = priorityMap(v.Priorities); err != nil {
		return nil, err
	}
	for i := range v.SLA {
		t, err := r.newTerm(&v.SLA[i])
		if err != nil {
			if len(v.SLA) > 1 {
				err = fmt.Errorf("term %d: %w", i+1, err)
			}
			return nil, err
		}
		r.terms = append(r.terms, t)
	}
	signalPriorities := v.Signals.Priorities
	if signalPriorities == nil {
		signalPriorities = DefaultSignalPriorities
	}
	for _, name := range signalPriorities {
		p, ok := ParsePriority(name)
		if !ok {
			return nil, fmt.Errorf("signals: unknown priority %q", name)
		}
		r.signalPriorities[p] = true
	}
	for _, tag := range v.Signals.Tags {
		r.signalTags[normalizeValue(tag)] = true
	}
	for _, tag := range v.Escalation.Tags {
		r.escalationTags[strings.ToLower(tag)] = true
	}
	var targets, notices []time.Duration
	for _, t := range r.terms {
		targets = append(targets, t.slaTargets()...)
		if t.minNotice > 0 {
			notices = append(notices, t.minNotice)
		}
	}
	r.durationBuckets = newBuckets(DefaultBuckets, targets...)
	r.statusBuckets = newBuckets(DefaultBuckets)
	r.noticeBuckets = r.statusBuckets
	if len(notices) > 0 {
		r.noticeBuckets = newBuckets(DefaultBuckets, notices...)
	}
	r.roundBuckets = newBuckets(RoundBuckets)
	r.features = newFeatureRules(&v.FeatureRequests)
	return r, nil
}

// newTerm checks and reads one contract term.
func (r *Rules) newTerm(sla *config.SLA) (term, error) {
	t := term{start: sla.Start, minNotice: time.Duration(sla.MaintenanceNotice)}
	if !sla.From.IsZero() && sla.Start.IsZero() {
		return t, fmt.Errorf("sla: from %s was not dated", sla.From.Format(time.DateOnly))
	}
	switch sla.Clock {
	case "", "calendar":
	case "business":
		if r.calendar == nil {
			return t, errors.New("sla: clock business needs a calendar")
		}
		t.businessClock = true
	default:
		return t, fmt.Errorf("sla: unknown clock %q (want calendar or business)", sla.Clock)
	}
	if err := t.setTargets(FirstResponse, sla.FirstResponse); err != nil {
		return t, err
	}
	return t, t.setTargets(Resolution, sla.Resolution)
}

func (t *term) setTargets(tg Target, targets map[string]commonmodel.Duration) error {
	for name, d := range targets {
		p, ok := ParsePriority(name)
		if !ok {
			return fmt.Errorf("sla: %s: unknown priority %q", tg, name)
		}
		if d <= 0 {
			return fmt.Errorf("sla: %s: %s: target must be positive", tg, name)
		}
		t.targets[p][tg] = time.Duration(d)
	}
	return nil
}

// termAt is the term in force at t, by config.SLATerms.At's rule (the last
// whose start is not after t); nil when none is: no targets, and the
// calendar clock.
func (r *Rules) termAt(t time.Time) *term {
	for i := len(r.terms) - 1; i >= 0; i-- {
		if !r.terms[i].start.After(t) {
			return &r.terms[i]
		}
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

// MostUrgent returns the value, as written, that names the most urgent
// priority among values (a ticket's tags, for a kind whose tickets carry
// their priority as a label, such as GitHub's issues), by the map Priority
// uses: the vendor's `priorities`, then the built-in names
// (docs/configuration.md, "Priorities"). Values naming no priority are
// ignored; of equally urgent ones the first wins; "" when none names one.
// Passed on as the ticket's priority, the value maps as any other.
func (r *Rules) MostUrgent(values []string) string {
	best, bestP := "", NumPriorities
	for _, v := range values {
		if p, ok := r.priorities[normalizeValue(v)]; ok && p < bestP {
			best, bestP = v, p
		}
	}
	return best
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

// target is the term's target for a priority; zero when none applies (no
// term, or none configured).
func (t *term) target(p Priority, tg Target) time.Duration {
	if t == nil {
		return 0
	}
	return t.targets[p][tg]
}

// clockMillis is the term's SLA clock from start to end in milliseconds:
// wall time, or business time under a business clock (docs/metrics.md:
// durations are in the SLA clock of the ticket's term; without a term,
// wall time). An end before the start (clock skew between systems) counts
// as zero.
func (r *Rules) clockMillis(t *term, start, end time.Time) int64 {
	var d time.Duration
	if t != nil && t.businessClock {
		d = r.calendar.Between(start, end)
	} else {
		d = end.Sub(start)
	}
	return max(d, 0).Milliseconds()
}

// deadline is when a target of d, started at start, runs out on the term's
// SLA clock.
func (r *Rules) deadline(t *term, start time.Time, d time.Duration) time.Time {
	if t.businessClock {
		return r.calendar.Add(start, d)
	}
	return start.Add(d)
}

func (t *term) slaTargets() []time.Duration {
	var ds []time.Duration
	for p := range NumPriorities {
		for tg := range NumTargets {
			if d := t.targets[p][tg]; d > 0 {
				ds = append(ds, d)
			}
		}
	}
	return ds
}
