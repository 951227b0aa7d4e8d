package statusitems

import "github.com/support-exporter/support_exporter/exporter/item"

// StatuspageImpact maps an impact in Statuspage's words (minor, major,
// critical), which incident.io's compatible API uses too; anything else
// (none, "maintenance", unknown words) is none.
func StatuspageImpact(s string) item.Impact {
	switch i := item.Impact(s); i {
	case item.ImpactMinor, item.ImpactMajor, item.ImpactCritical:
		return i
	default:
		return item.ImpactNone
	}
}
