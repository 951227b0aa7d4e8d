package config

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// Fingerprint is a stable hash of the settings of v that change how its
// metrics are derived: its calendar's definition, priorities, sla,
// escalation, signals, notice_window, feature_requests,
// global.history_start and
// global.solved_settle, and the names and kinds of its sources.
// When a reload changes it, the vendor's aggregates must be recomputed.
// Connection settings (url, poll_interval, http_client) are left out: they
// change where data comes from, not what it means; so is global.alert_grace,
// which only delays decisions still to come.
func (c *Config) Fingerprint(v *Vendor) string {
	h := sha256.New()
	// fmt prints maps sorted by key, so every line below is deterministic.
	fmt.Fprintf(h, "history_start %s\n", c.Global.HistoryStart.Format(time.DateOnly))
	if cal := c.Calendars[v.Calendar]; cal != nil && v.Calendar != "" {
		holidays := make([]string, len(cal.Holidays))
		for i, d := range cal.Holidays {
			holidays[i] = d.Format(time.DateOnly)
		}
		slices.Sort(holidays)
		fmt.Fprintf(h, "calendar %q %q %q %q\n", cal.Timezone, cal.Days, cal.Hours, holidays)
	}
	fmt.Fprintf(h, "priorities %q\n", sortedValues(v.Priorities))
	for _, term := range v.SLA {
		fmt.Fprintf(h, "sla %s %v %q %v %v %v\n", term.Start.Format(time.RFC3339), term.Objective, term.Clock,
			term.FirstResponse, term.Resolution, term.MaintenanceNotice)
	}
	fmt.Fprintf(h, "signals %q %q\n", slices.Sorted(slices.Values(v.Signals.Priorities)), slices.Sorted(slices.Values(v.Signals.Tags)))
	fmt.Fprintf(h, "solved_settle %v\n", c.Global.SolvedSettle)
	fmt.Fprintf(h, "escalation %q\n", slices.Sorted(slices.Values(v.Escalation.Tags)))
	fmt.Fprintf(h, "notice_window %v\n", v.NoticeWindow)
	if v.FeatureRequests.Enabled() {
		// Only when measured: a vendor without feature_requests keeps the
		// fingerprint of the builds before them (no rebuild on upgrade).
		fmt.Fprintf(h, "feature_requests %s\n", v.FeatureRequests.fingerprint())
	}
	writeAgreements(h, v.Agreements)
	sources := slices.Concat(v.Tickets, v.StatusPages, v.Docs)
	slices.SortFunc(sources, func(a, b *Source) int { return cmp.Compare(a.Name, b.Name) })
	for _, s := range sources {
		fmt.Fprintf(h, "source %q %q\n", s.Name, s.Kind)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sortedValues copies m with each value list sorted: their order carries no
// meaning.
func sortedValues(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, values := range m {
		out[k] = slices.Sorted(slices.Values(values))
	}
	return out
}
