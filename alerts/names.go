package alerts

// Recording is the name of a recording rule without its window suffix.
// Every recorded series keeps the labels named by Config.Selector (the job
// label by default) besides the labels of its level, so the same selector
// that picks the exporter's series picks the recorded ones.
type Recording string

// Over returns the recorded series name for a window, e.g.
// SLABreachRatio.Over(Window30d).
func (r Recording) Over(window string) string { return string(r) + window }

// The windows every recording rule is computed over, written as PromQL
// durations (they end the recorded names).
const (
	Window1d  = "1d"
	Window7d  = "7d"
	Window30d = "30d"
	Window90d = "90d"
)

// Windows returns the recorded windows, shortest first.
func Windows() []string { return []string{Window1d, Window7d, Window30d, Window90d} }

// The recording rules, named level:metric:operations.
const (
	// SLABreachRatioByPriority is the share of SLA checks breached, by
	// vendor, priority and target.
	SLABreachRatioByPriority Recording = "vendor_priority_target:support_ticket_sla_breaches:ratio_rate"
	// SLABreachRatio is the share of SLA checks breached, by vendor and
	// target, all priorities together. The burn-rate alerts read it, so it
	// is also recorded over the alerts' burn-rate windows.
	SLABreachRatio Recording = "vendor_target:support_ticket_sla_breaches:ratio_rate"
	// SLAChecks is how many SLA checks ended (the breach ratio's
	// denominator), by vendor and target: show it next to a ratio so a
	// reader can tell a trend from three tickets.
	SLAChecks Recording = "vendor_target:support_ticket_sla_checks:increase"
	// FirstResponseQuantiles are first-response time quantiles in seconds,
	// by vendor and priority, one series per QuantileLabel value.
	FirstResponseQuantiles Recording = "vendor_priority_quantile:support_ticket_first_response_seconds:histogram_quantile_rate"
	// ResolutionQuantiles are resolution time quantiles in seconds, by
	// vendor and priority, one series per QuantileLabel value.
	ResolutionQuantiles Recording = "vendor_priority_quantile:support_ticket_resolution_seconds:histogram_quantile_rate"
	// FirstContactRatio is the share of resolved tickets resolved with one
	// vendor reply (one-touch), by vendor.
	FirstContactRatio Recording = "vendor:support_tickets_resolved_first_contact:ratio_rate"
	// ReopenRatio is reopen events per ticket created, by vendor.
	ReopenRatio Recording = "vendor:support_tickets_reopened:ratio_rate"
	// SatisfactionGoodRatio is the share of satisfaction ratings that are
	// good, by vendor.
	SatisfactionGoodRatio Recording = "vendor:support_ticket_satisfaction_ratings:good_ratio_rate"
	// VendorFirstRatio is the share of incidents the vendor announced
	// before any customer signal, by vendor.
	VendorFirstRatio Recording = "vendor:support_incidents_detected:vendor_first_ratio_rate"
	// ShortNoticeRatio is the share of maintenances announced with less
	// notice than the contract, by vendor. Both counts are of the
	// maintenances whose notice was observed (at their start), so that a
	// maintenance announced in one window and started in the next is in
	// neither or both.
	ShortNoticeRatio Recording = "vendor:support_status_maintenance_short_notice:ratio_rate"
	// WeekHoursCovered is the share of the week's 168 hours (in the
	// vendor's calendar zone) in which the vendor posted at least one
	// public reply over the window, by vendor; 0 for a vendor with replies
	// in no hour. Recorded over CoverageWindows only: a day covers at most
	// 24 of the 168.
	WeekHoursCovered Recording = "vendor:support_vendor_replies:week_hours_covered_ratio"
)

// CoverageWindows are the windows WeekHoursCovered is recorded over: those
// of a week or more.
func CoverageWindows() []string { return []string{Window7d, Window30d, Window90d} }

// QuantileLabel is the label that tells the quantile series of
// FirstResponseQuantiles and ResolutionQuantiles apart; its values are
// Quantile50 and Quantile90.
const (
	QuantileLabel = "quantile"
	Quantile50    = "0.5"
	Quantile90    = "0.9"
)

// Quantiles returns the recorded quantiles, as the QuantileLabel values.
func Quantiles() []string { return []string{Quantile50, Quantile90} }
