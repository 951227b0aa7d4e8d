package statusitems

import "github.com/support-exporter/support_exporter/exporter/model"

// StatuspageImpact maps an impact in Statuspage's words (minor, major,
// critical), which incident.io's compatible API uses too; anything else
// (none, "maintenance", unknown words) is none.
func StatuspageImpact(s string) model.Impact {
	switch i := model.Impact(s); i {
	case model.ImpactMinor, model.ImpactMajor, model.ImpactCritical:
		return i
	default:
		return model.ImpactNone
	}
}
