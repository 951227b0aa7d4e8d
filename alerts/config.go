package alerts

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Config is the one place the rules are adapted to a Prometheus: which
// series are the exporter's, how often rules run and every alert threshold.
// Start from Default and change what differs.
type Config struct {
	// Selector is the label matchers, without braces, injected into every
	// selector of every rule and dashboard query, e.g. job="support_exporter".
	// The labels it names are kept by every recording rule's aggregation.
	Selector string
	// Interval is the evaluation interval of every rule group.
	Interval time.Duration
	// RunbookURL is the runbook every alert links to; an alert's anchor is
	// its lower-cased name.
	RunbookURL string
	// ReplicaLabels are the labels that tell apart exporters serving the
	// same vendors: an HA pair (docs/ha.md). Every rule and dashboard query
	// reads the exporter's series through max without (these labels) under
	// its aggregation, so a pair counts once; shards (disjoint vendors) and
	// one exporter read the same. None: every series counts (one exporter
	// per vendor). They cannot be labels of Selector, which the rules keep.
	ReplicaLabels []string

	// MinSLAChecks is how many SLA checks the long window of a burn-rate
	// alert must hold before its breach ratio is trusted: a day with two
	// tickets, one late, is not a 50% breach rate.
	MinSLAChecks int
	// BurnRates are the multi-window burn-rate alerts on the SLA breach
	// ratio, one alert rule each.
	BurnRates []BurnRate

	// UrgentPriorities is a regular expression of the priorities whose
	// tickets page when unanswered past their first-response target.
	UrgentPriorities string
	// EscalationOpenFor is how long escalated tickets of a vendor and
	// priority may stay open before an alert.
	EscalationOpenFor time.Duration
	// BacklogGrowthWindow and BacklogGrowthMin: alert when the open tickets
	// past a target grew by at least BacklogGrowthMin within the window.
	BacklogGrowthWindow time.Duration
	BacklogGrowthMin    int
	// ShortNoticeWindow is how long the alert on a maintenance announced
	// with short notice keeps firing after the exporter saw it.
	ShortNoticeWindow time.Duration
	// IncidentSilence is how long an open incident may go without a public
	// update (its first post counting as one).
	IncidentSilence time.Duration
	// VendorFirstMin is the lowest acceptable share of incidents (over 30
	// days) the vendor announced before a customer noticed them.
	VendorFirstMin float64
	// MinIncidents is how many incidents 30 days must hold before the
	// vendor-first share is trusted.
	MinIncidents int
	// SourceDownFor is how long a source may fail every sync.
	SourceDownFor time.Duration
	// StaleAfter is the age of a source's last successful sync past which
	// its data is too old to trust. Keep it at three poll intervals or more
	// (poll_interval defaults to 5m), so that one or two failed polls, which
	// SupportSourceDown already reports, do not also call the data stale.
	StaleAfter time.Duration
	// StalePolls scales SupportSourceStale to each source's own poll
	// interval (support_source_poll_interval_seconds): a source is stale
	// when its last success is older than max(StaleAfter, StalePolls x its
	// interval). 3: a healthy source's age reaches one interval plus jitter
	// and a sync's duration before its next success; 3 leaves room for two
	// failed polls in a row, which SupportSourceDown reports first.
	StalePolls int
	// ConfirmFor is the for: of the alerts without a duration of their own
	// (urgent ticket unanswered, backlog growing, vendor silent, vendor-first
	// share low, reload failed): it rides out one odd sync or evaluation.
	ConfirmFor time.Duration
	// ClaimNotice is how long before a credit's claim deadline
	// SupportContractCreditClaimDue fires.
	ClaimNotice time.Duration
	// DrillWindow is how long SupportDrillUnanswered and
	// SupportDrillFailing keep firing after a drill ended so: long enough
	// for a weekly review to see it, and within the default drill interval
	// (30 days). With a vendor's interval shorter than it, one alert covers
	// every such drill of the window: its value counts them.
	DrillWindow time.Duration

	// ClusterLabel, when set, is the label that tells Prometheus servers
	// (clusters) apart in a shared long-term store: the dashboards show a
	// `cluster` variable over it and every query filters on it, and every
	// rule's aggregation keeps it (a global ruler then records and alerts
	// per cluster). Empty (the default): the variable stays hidden and no
	// query names a cluster.
	ClusterLabel string
}

// BurnRate is one multi-window burn-rate alert: it fires when the SLA
// breach ratio is above Factor times the error budget (1 - the vendor's
// support_sla_objective_ratio) over both windows, and the long window holds
// at least Config.MinSLAChecks checks. The long window says the burn is
// real, the short one that it is still going on, so the alert resolves soon
// after the vendor recovers.
type BurnRate struct {
	Severity string // critical, warning or info
	Long     time.Duration
	Short    time.Duration
	Factor   float64
	For      time.Duration
}

// Default returns the configuration the committed rule files are generated
// with.
func Default() Config {
	return Config{
		Selector:     `job="support_exporter"`,
		Interval:     time.Minute,
		RunbookURL:   "https://github.com/support-exporter/support_exporter/blob/main/docs/runbook.md",
		MinSLAChecks: 10,
		// Tickets are far fewer than requests: the SRE workbook's 1h/5m and
		// 6h/30m windows would hold a handful of checks. docs/runbook.md
		// (SupportSLAErrorBudgetBurn) explains these.
		BurnRates: []BurnRate{
			{Severity: "critical", Long: 24 * time.Hour, Short: 2 * time.Hour, Factor: 6, For: 15 * time.Minute},
			{Severity: "warning", Long: 72 * time.Hour, Short: 6 * time.Hour, Factor: 1, For: time.Hour},
		},
		UrgentPriorities:    "urgent",
		EscalationOpenFor:   24 * time.Hour,
		BacklogGrowthWindow: 6 * time.Hour,
		BacklogGrowthMin:    3,
		ShortNoticeWindow:   24 * time.Hour,
		IncidentSilence:     time.Hour,
		VendorFirstMin:      0.5,
		MinIncidents:        5,
		SourceDownFor:       15 * time.Minute,
		StaleAfter:          30 * time.Minute,
		StalePolls:          3,
		ConfirmFor:          10 * time.Minute,
		ClaimNotice:         7 * 24 * time.Hour,
		DrillWindow:         7 * 24 * time.Hour,
		// Prometheus' own target label and the Prometheus Operator's pod
		// label (docs/ha.md).
		ReplicaLabels: []string{"instance", "pod"},
	}
}

// Select returns a PromQL selector of metric with the configured selector
// and the given extra matchers, e.g. Select("support_tickets_open",
// `vendor=~"$vendor"`).
func (c Config) Select(metric string, matchers ...string) string {
	return metric + "{" + strings.Join(append([]string{c.Selector}, matchers...), ",") + "}"
}

var severities = map[string]bool{"critical": true, "warning": true, "info": true}

// Validate reports every setting that would generate broken or
// meaningless rules.
func (c Config) Validate() error {
	var errs []error
	if _, err := selectorLabels(c.Selector); err != nil {
		errs = append(errs, fmt.Errorf("selector: %w", err))
	}
	if err := c.validateReplicaLabels(); err != nil {
		errs = append(errs, fmt.Errorf("replica labels: %w", err))
	}
	if _, err := regexp.Compile("^(?:" + c.UrgentPriorities + ")$"); err != nil || c.UrgentPriorities == "" {
		errs = append(errs, fmt.Errorf("urgent priorities %q: not a non-empty regular expression", c.UrgentPriorities))
	}
	if c.RunbookURL == "" {
		errs = append(errs, errors.New("runbook URL is empty"))
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{
		{"interval", c.Interval}, {"escalation open for", c.EscalationOpenFor},
		{"backlog growth window", c.BacklogGrowthWindow}, {"short notice window", c.ShortNoticeWindow},
		{"incident silence", c.IncidentSilence}, {"source down for", c.SourceDownFor},
		{"stale after", c.StaleAfter}, {"confirm for", c.ConfirmFor}, {"claim notice", c.ClaimNotice},
		{"drill window", c.DrillWindow},
	} {
		if err := checkDuration(d.d); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.name, err))
		}
	}
	for _, n := range []struct {
		name string
		n    int
	}{
		{"min SLA checks", c.MinSLAChecks}, {"backlog growth min", c.BacklogGrowthMin}, {"min incidents", c.MinIncidents},
		{"stale polls", c.StalePolls},
	} {
		if n.n < 1 {
			errs = append(errs, fmt.Errorf("%s: %d is below 1", n.name, n.n))
		}
	}
	if !(c.VendorFirstMin > 0 && c.VendorFirstMin <= 1) {
		errs = append(errs, fmt.Errorf("vendor-first min: %v is outside (0, 1]", c.VendorFirstMin))
	}
	if len(c.BurnRates) == 0 {
		errs = append(errs, errors.New("no burn rates"))
	}
	for i, b := range c.BurnRates {
		if err := b.validate(); err != nil {
			errs = append(errs, fmt.Errorf("burn rate %d: %w", i, err))
		}
	}
	errs = append(errs, c.validateLabels()...)
	return errors.Join(errs...)
}

func (b BurnRate) validate() error {
	var errs []error
	if !severities[b.Severity] {
		errs = append(errs, fmt.Errorf("severity %q is not critical, warning or info", b.Severity))
	}
	if err := checkDuration(b.Long); err != nil {
		errs = append(errs, fmt.Errorf("long window: %w", err))
	}
	if err := checkDuration(b.Short); err != nil {
		errs = append(errs, fmt.Errorf("short window: %w", err))
	}
	if b.Short >= b.Long {
		errs = append(errs, fmt.Errorf("short window %v is not shorter than the long one %v", b.Short, b.Long))
	}
	if !(b.Factor > 0) {
		errs = append(errs, fmt.Errorf("factor %v is not positive", b.Factor))
	}
	if b.For < 0 || b.For%time.Second != 0 {
		errs = append(errs, fmt.Errorf("for %v is not a whole number of seconds", b.For))
	}
	return errors.Join(errs...)
}

// checkDuration accepts the durations PromQL can write: positive whole
// seconds.
func checkDuration(d time.Duration) error {
	if d <= 0 || d%time.Second != 0 {
		return fmt.Errorf("%v is not a positive whole number of seconds", d)
	}
	return nil
}
