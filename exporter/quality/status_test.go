package quality

import (
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

type statusStep struct {
	incidents    []item.Incident
	maintenances []item.Maintenance
	now          time.Time
	want         func(*VendorSnapshot)
}

func TestStatusScenarios(t *testing.T) {
	h := time.Hour
	m := time.Minute
	july := func(day int, hour int) time.Time { return time.Date(2026, 7, day, hour, 0, 0, 0, time.UTC) }
	tests := []struct {
		name      string
		minNotice float64 // hours; zero: no minimum
		vendor    func(*config.Vendor)
		steps     []statusStep
	}{
		{
			name: "incident with no updates has no gaps",
			steps: []statusStep{
				{
					// Nothing is observed before the resolution: the
					// vendor may still date the start earlier (docs/metrics.md,
					// support_status_incident_notice_delay_seconds; the
					// notice delay used to be observed at once).
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0}},
					now:       after(h),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor], v.IncidentsOpen[ImpactMinor] = 1, 1
						v.IncidentOldestLastUpdate[ImpactMinor] = t0
						v.Detected[VendorFirst] = 1
					},
				},
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, ResolvedAt: after(2 * h)}},
					now:       after(3 * h),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor] = 1
						v.Detected[VendorFirst] = 1
						observe(&v.NoticeDelay[ImpactMinor], 0)
						observe(&v.Duration[ImpactMinor], 7200)
					},
				},
			},
		},
		{
			name: "resolution unknown (a generic feed entry): counted, never open, no gaps or duration",
			steps: []statusStep{{
				incidents: []item.Incident{{ID: "i", Impact: item.ImpactNone, CreatedAt: t0,
					Updates: []time.Time{after(2 * h)}, ResolutionUnknown: true}},
				now: after(3 * h),
				want: func(v *VendorSnapshot) {
					v.Incidents[ImpactNone] = 1
					v.Detected[VendorFirst] = 1
					observe(&v.NoticeDelay[ImpactNone], 0)
				},
			}},
		},
		{
			name: "first post unknown (Instatus): counted from started_at, no notice delay, gaps or verdict",
			steps: []statusStep{{
				incidents: []item.Incident{{ID: "i", Impact: item.ImpactMajor, StartedAt: t0, ResolvedAt: after(2 * h)}},
				now:       after(3 * h),
				want: func(v *VendorSnapshot) {
					v.Incidents[ImpactMajor] = 1
					observe(&v.Duration[ImpactMajor], 7200)
				},
			}},
		},
		{
			name: "impact changed: counted once under the first impact, open under the current",
			steps: []statusStep{
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0}},
					now:       after(h),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor], v.IncidentsOpen[ImpactMinor] = 1, 1
						v.IncidentOldestLastUpdate[ImpactMinor] = t0
						v.Detected[VendorFirst] = 1
					},
				},
				{
					// The gap closed at 00:30 waits for the resolution too
					// (it used to be observed at once).
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactCritical, CreatedAt: t0, Updates: []time.Time{after(30 * m)}}},
					now:       after(h),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor], v.IncidentsOpen[ImpactCritical] = 1, 1
						v.IncidentOldestLastUpdate[ImpactCritical] = after(30 * m)
						v.Detected[VendorFirst] = 1
					},
				},
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactCritical, CreatedAt: t0, ResolvedAt: after(2 * h),
						Updates: []time.Time{after(30 * m), after(2 * h)}}},
					now: after(3 * h),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor] = 1
						v.Detected[VendorFirst] = 1
						observe(&v.NoticeDelay[ImpactMinor], 0)
						observe(&v.UpdateGap, 1800)
						observe(&v.UpdateGap, 5400)
						observe(&v.Duration[ImpactMinor], 7200)
					},
				},
			},
		},
		{
			name: "backdated started_at: notice delay and duration from the start",
			steps: []statusStep{{
				incidents: []item.Incident{{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0, StartedAt: after(-20 * m),
					ResolvedAt: after(h), Updates: []time.Time{after(h), after(30 * m)}}},
				now: after(2 * h),
				want: func(v *VendorSnapshot) {
					v.Incidents[ImpactMajor] = 1
					v.Detected[VendorFirst] = 1
					observe(&v.NoticeDelay[ImpactMajor], 1200)
					observe(&v.Duration[ImpactMajor], 4800)
					observe(&v.UpdateGap, 1800)
					observe(&v.UpdateGap, 1800)
				},
			}},
		},
		{
			name: "started after the first post: no negative delay",
			steps: []statusStep{{
				incidents: []item.Incident{{ID: "i", Impact: item.ImpactNone, CreatedAt: t0, StartedAt: after(10 * m), ResolvedAt: after(h)}},
				now:       after(2 * h),
				want: func(v *VendorSnapshot) {
					v.Incidents[ImpactNone] = 1
					v.Detected[VendorFirst] = 1
					observe(&v.NoticeDelay[ImpactNone], 0)
					observe(&v.Duration[ImpactNone], 3000)
				},
			}},
		},
		{
			name: "gaps up to the resolving update; an update deleted after the resolution stays counted",
			steps: func() []statusStep {
				resolved := item.Incident{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0, ResolvedAt: after(40 * m),
					Updates:               []time.Time{after(10 * m), after(40 * m), after(2 * h)}, // the last one after resolution
					PostmortemPublishedAt: after(40*m + 72*h)}
				deleted := resolved
				deleted.Updates = []time.Time{after(40 * m), after(2 * h)}
				want := func(v *VendorSnapshot) {
					v.Incidents[ImpactMajor] = 1
					v.Detected[VendorFirst] = 1
					observe(&v.NoticeDelay[ImpactMajor], 0)
					observe(&v.UpdateGap, 600)
					observe(&v.UpdateGap, 1800)
					observe(&v.Duration[ImpactMajor], 2400)
					observe(&v.Postmortem, 72*3600)
				}
				return []statusStep{
					{
						// Unresolved: no gap observed yet, not even the closed
						// one of 00:00-00:10 (observed at once before the rule
						// of turn 2).
						incidents: []item.Incident{{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0, Updates: []time.Time{after(10 * m)}}},
						now:       after(35 * m),
						want: func(v *VendorSnapshot) {
							v.Incidents[ImpactMajor], v.IncidentsOpen[ImpactMajor] = 1, 1
							v.IncidentOldestLastUpdate[ImpactMajor] = after(10 * m)
							v.Detected[VendorFirst] = 1
						},
					},
					{incidents: []item.Incident{resolved}, now: after(80 * h), want: want},
					{incidents: []item.Incident{deleted}, now: after(80 * h), want: want},
				}
			}(),
		},
		{
			// Before turn 3 the union of every update ever seen counted the
			// moved update twice: gaps 1200, 600 and 1800.
			name: "an update moved before the resolution: the gaps of the updates the version first seen resolved shows",
			steps: []statusStep{
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, Updates: []time.Time{after(30 * m)}}},
					now:       after(40 * m),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor], v.IncidentsOpen[ImpactMinor] = 1, 1
						v.IncidentOldestLastUpdate[ImpactMinor] = after(30 * m)
						v.Detected[VendorFirst] = 1
					},
				},
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, ResolvedAt: after(h),
						Updates: []time.Time{after(20 * m), after(h)}}},
					now: after(2 * h),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor] = 1
						v.Detected[VendorFirst] = 1
						observe(&v.NoticeDelay[ImpactMinor], 0)
						observe(&v.UpdateGap, 1200) // first post 00:00 to 00:20
						observe(&v.UpdateGap, 2400) // 00:20 to the resolution at 01:00
						observe(&v.Duration[ImpactMinor], 3600)
					},
				},
			},
		},
		{
			// Before turn 3 the update moved away still showed: 00:30, a
			// silence 10 minutes shorter than the page shows.
			name: "the longest silence reads the updates an open incident shows now, not one moved away",
			steps: []statusStep{
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, Updates: []time.Time{after(30 * m)}}},
					now:       after(40 * m),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor], v.IncidentsOpen[ImpactMinor] = 1, 1
						v.IncidentOldestLastUpdate[ImpactMinor] = after(30 * m)
						v.Detected[VendorFirst] = 1
					},
				},
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, Updates: []time.Time{after(20 * m)}}},
					now:       after(50 * m),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor], v.IncidentsOpen[ImpactMinor] = 1, 1
						v.IncidentOldestLastUpdate[ImpactMinor] = after(20 * m)
						v.Detected[VendorFirst] = 1
					},
				},
			},
		},
		{
			// An update on one incident must not hide the silence on another.
			name: "oldest last update: the silent incident's, then none once all are resolved",
			steps: func() []statusStep {
				recent := item.Incident{ID: "recent", Impact: item.ImpactMajor, CreatedAt: t0, Updates: []time.Time{after(150 * m), after(h)}}
				silent := item.Incident{ID: "silent", Impact: item.ImpactMajor, CreatedAt: after(20 * m), Updates: []time.Time{after(40 * m)}}
				// Each incident's notice delay and gaps are observed when it
				// resolves.
				counters := func(v *VendorSnapshot) {
					v.Incidents[ImpactMajor] = 2
					v.Detected[VendorFirst] = 2
				}
				silentObserved := func(v *VendorSnapshot) { // first post 00:20, updates 00:40 and 04:00
					observe(&v.NoticeDelay[ImpactMajor], 0)
					observe(&v.UpdateGap, 1200)
					observe(&v.UpdateGap, 12000)
					observe(&v.Duration[ImpactMajor], 13200)
				}
				silentResolved := silent
				silentResolved.ResolvedAt, silentResolved.Updates = after(4*h), []time.Time{after(40 * m), after(4 * h)}
				recentResolved := recent
				recentResolved.ResolvedAt, recentResolved.Updates = after(5*h), []time.Time{after(h), after(150 * m), after(5 * h)}
				return []statusStep{
					{
						incidents: []item.Incident{recent, silent},
						now:       after(3 * h),
						want: func(v *VendorSnapshot) {
							counters(v)
							v.IncidentsOpen[ImpactMajor] = 2
							v.IncidentOldestLastUpdate[ImpactMajor] = after(40 * m) // not the earliest first post (recent's)
						},
					},
					{
						incidents: []item.Incident{silentResolved},
						now:       after(4 * h),
						want: func(v *VendorSnapshot) {
							counters(v)
							silentObserved(v)
							v.IncidentsOpen[ImpactMajor] = 1
							v.IncidentOldestLastUpdate[ImpactMajor] = after(150 * m)
						},
					},
					{
						incidents: []item.Incident{recentResolved},
						now:       after(5 * h),
						want: func(v *VendorSnapshot) { // none open: zero
							counters(v)
							silentObserved(v)
							// recent: first post 00:00, updates 01:00, 02:30, 05:00
							observe(&v.NoticeDelay[ImpactMajor], 0)
							observe(&v.UpdateGap, 3600)
							observe(&v.UpdateGap, 5400)
							observe(&v.UpdateGap, 9000)
							observe(&v.Duration[ImpactMajor], 18000)
						},
					},
				}
			}(),
		},
		{
			name: "oldest last update: resolved incidents ignored, each current impact on its own",
			steps: []statusStep{{
				incidents: []item.Incident{
					{ID: "resolved", Impact: item.ImpactMajor, CreatedAt: t0, ResolvedAt: after(30 * m), Updates: []time.Time{after(30 * m)}},
					{ID: "major", Impact: item.ImpactMajor, CreatedAt: after(h), Updates: []time.Time{after(2 * h)}},
					{ID: "minor", Impact: item.ImpactMinor, CreatedAt: after(90 * m)},
				},
				now: after(3 * h),
				want: func(v *VendorSnapshot) {
					v.Incidents[ImpactMajor], v.Incidents[ImpactMinor] = 2, 1
					v.IncidentsOpen[ImpactMajor], v.IncidentsOpen[ImpactMinor] = 1, 1
					v.IncidentOldestLastUpdate[ImpactMajor] = after(2 * h)
					v.IncidentOldestLastUpdate[ImpactMinor] = after(90 * m)
					v.Detected[VendorFirst] = 3
					// Only the resolved one is observed (the open ones
					// used to have their notice delay and closed gaps too).
					observe(&v.NoticeDelay[ImpactMajor], 0)
					observe(&v.UpdateGap, 1800)
					observe(&v.Duration[ImpactMajor], 1800)
				},
			}},
		},
		{
			name: "unknown impact is none",
			steps: []statusStep{{
				incidents: []item.Incident{{ID: "i", Impact: "maintenance", CreatedAt: t0}},
				now:       after(h),
				want: func(v *VendorSnapshot) {
					v.Incidents[ImpactNone], v.IncidentsOpen[ImpactNone] = 1, 1
					v.IncidentOldestLastUpdate[ImpactNone] = t0
					v.Detected[VendorFirst] = 1
				},
			}},
		},
		{
			name:      "maintenance announced after it started: zero notice, short",
			minNotice: 72,
			steps: []statusStep{{
				maintenances: []item.Maintenance{{ID: "m", CreatedAt: after(h), ScheduledFor: t0, ScheduledUntil: after(2 * h)}},
				now:          after(90 * m),
				want: func(v *VendorSnapshot) {
					v.Maintenances, v.ShortNotice = 1, 1
					observe(&v.MaintenanceNotice, 0)
				},
			}},
		},
		{
			name:      "maintenance with enough notice, observed when it starts; a later re-announcement keeps the first",
			minNotice: 72,
			steps: []statusStep{
				{
					// The notice is observed once the start passes (it used
					// to be at the announcement, and moved with a reschedule).
					maintenances: []item.Maintenance{{ID: "m", CreatedAt: t0, ScheduledFor: after(96 * h)}},
					now:          after(h),
					want: func(v *VendorSnapshot) {
						v.Maintenances = 1
						v.NextMaintenance = after(96 * h)
					},
				},
				{
					maintenances: []item.Maintenance{{ID: "m", CreatedAt: after(90 * h), ScheduledFor: after(96 * h)}},
					now:          after(91 * h),
					want: func(v *VendorSnapshot) {
						v.Maintenances = 1
						v.NextMaintenance = after(96 * h)
					},
				},
				{
					now: after(96 * h),
					want: func(v *VendorSnapshot) {
						v.Maintenances = 1
						observe(&v.MaintenanceNotice, 96*3600)
					},
				},
			},
		},
		{
			name:      "maintenance whose announcement the format does not give: counted, no notice, next",
			minNotice: 72,
			steps: []statusStep{{
				maintenances: []item.Maintenance{{ID: "m", ScheduledFor: after(5 * h), ScheduledUntil: after(6 * h)}},
				now:          after(h),
				want: func(v *VendorSnapshot) {
					v.Maintenances = 1
					v.NextMaintenance = after(5 * h)
				},
			}},
		},
		{
			name: "without a minimum notice nothing is short",
			steps: []statusStep{{
				maintenances: []item.Maintenance{{ID: "m", CreatedAt: t0, ScheduledFor: after(time.Minute)}},
				now:          after(h),
				want: func(v *VendorSnapshot) {
					v.Maintenances = 1
					observe(&v.MaintenanceNotice, 60)
				},
			}},
		},
		{
			name: "next maintenance: the earliest not completed and not yet started",
			steps: func() []statusStep {
				all := []item.Maintenance{
					{ID: "completed", CreatedAt: t0, ScheduledFor: after(10 * h), CompletedAt: after(time.Minute)},
					{ID: "started", CreatedAt: t0, ScheduledFor: after(5 * h)},
					{ID: "later", CreatedAt: t0, ScheduledFor: after(30 * h)},
					{ID: "next", CreatedAt: t0, ScheduledFor: after(20 * h)},
					{ID: "unscheduled", CreatedAt: t0},
				}
				// Each notice is observed when its maintenance completes or
				// starts.
				counters := func(started ...float64) func(v *VendorSnapshot) {
					return func(v *VendorSnapshot) {
						v.Maintenances = 5
						for _, n := range started {
							observe(&v.MaintenanceNotice, n*3600)
						}
					}
				}
				return []statusStep{
					{maintenances: all, now: after(6 * h), want: func(v *VendorSnapshot) { counters(10, 5)(v); v.NextMaintenance = after(20 * h) }},
					{now: after(25 * h), want: func(v *VendorSnapshot) { counters(10, 5, 20)(v); v.NextMaintenance = after(30 * h) }},
					{now: after(31 * h), want: counters(10, 5, 20, 30)},
				}
			}(),
		},
		{
			name: "a start backdated, a resolution and updates moved after the resolution: nothing observed moves",
			steps: func() []statusStep {
				resolved := item.Incident{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0, StartedAt: after(-20 * m),
					ResolvedAt: after(h), Updates: []time.Time{after(30 * m), after(h)}}
				edited := resolved
				edited.StartedAt, edited.ResolvedAt = after(-2*h), after(3*h)
				edited.Updates = []time.Time{after(10 * m), after(30 * m), after(h), after(3 * h)}
				want := func(v *VendorSnapshot) { // observed at the resolution, from its times then
					v.Incidents[ImpactMajor] = 1
					v.Detected[VendorFirst] = 1
					observe(&v.NoticeDelay[ImpactMajor], 1200)
					observe(&v.UpdateGap, 1800)
					observe(&v.UpdateGap, 1800)
					observe(&v.Duration[ImpactMajor], 4800)
				}
				return []statusStep{
					{incidents: []item.Incident{resolved}, now: after(2 * h), want: want},
					{incidents: []item.Incident{edited}, now: after(4 * h), want: want},
				}
			}(),
		},
		{
			name: "an incident reopened after its resolution is open again; nothing observed is taken back",
			steps: []statusStep{
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, ResolvedAt: after(h), Updates: []time.Time{after(h)}}},
					now:       after(2 * h),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor] = 1
						v.Detected[VendorFirst] = 1
						observe(&v.NoticeDelay[ImpactMinor], 0)
						observe(&v.UpdateGap, 3600)
						observe(&v.Duration[ImpactMinor], 3600)
					},
				},
				{
					incidents: []item.Incident{{ID: "i", Impact: item.ImpactMajor, CreatedAt: t0, Updates: []time.Time{after(h), after(3 * h)}}},
					now:       after(4 * h),
					want: func(v *VendorSnapshot) {
						v.Incidents[ImpactMinor] = 1
						v.Detected[VendorFirst] = 1
						observe(&v.NoticeDelay[ImpactMinor], 0)
						observe(&v.UpdateGap, 3600)
						observe(&v.Duration[ImpactMinor], 3600)
						v.IncidentsOpen[ImpactMajor] = 1
						v.IncidentOldestLastUpdate[ImpactMajor] = after(3 * h)
					},
				},
			},
		},
		{
			name: "resolution unknown: the notice delay is observed at first store, a start backdated later moves nothing",
			steps: func() []statusStep {
				want := func(v *VendorSnapshot) {
					v.Incidents[ImpactNone] = 1
					v.Detected[VendorFirst] = 1
					observe(&v.NoticeDelay[ImpactNone], 600)
				}
				return []statusStep{
					{incidents: []item.Incident{{ID: "i", CreatedAt: t0, StartedAt: after(-10 * m), ResolutionUnknown: true}}, now: after(h), want: want},
					{incidents: []item.Incident{{ID: "i", CreatedAt: t0, StartedAt: after(-2 * h), ResolutionUnknown: true}}, now: after(2 * h), want: want},
				}
			}(),
		},
		{
			name: "a postmortem, once seen, stays observed when the vendor re-dates or removes it",
			steps: func() []statusStep {
				resolved := item.Incident{ID: "i", Impact: item.ImpactMinor, CreatedAt: t0, ResolvedAt: after(h), Updates: []time.Time{after(h)}}
				withPostmortem := func(at time.Time) item.Incident { i := resolved; i.PostmortemPublishedAt = at; return i }
				want := func(v *VendorSnapshot) {
					v.Incidents[ImpactMinor] = 1
					v.Detected[VendorFirst] = 1
					observe(&v.NoticeDelay[ImpactMinor], 0)
					observe(&v.UpdateGap, 3600)
					observe(&v.Duration[ImpactMinor], 3600)
					observe(&v.Postmortem, 49*3600)
				}
				return []statusStep{
					{incidents: []item.Incident{withPostmortem(after(50 * h))}, now: after(51 * h), want: want},
					{incidents: []item.Incident{withPostmortem(after(80 * h))}, now: after(81 * h), want: want},
					{incidents: []item.Incident{resolved}, now: after(82 * h), want: want},
				}
			}(),
		},
		{
			name:      "maintenance rescheduled after it started: the notice observed at the start stays",
			minNotice: 72,
			steps: func() []statusStep {
				observed := func(v *VendorSnapshot) {
					v.Maintenances, v.ShortNotice = 1, 1
					observe(&v.MaintenanceNotice, 10*3600)
				}
				return []statusStep{
					{maintenances: []item.Maintenance{{ID: "m", CreatedAt: t0, ScheduledFor: after(10 * h)}}, now: after(11 * h), want: observed},
					{
						maintenances: []item.Maintenance{{ID: "m", CreatedAt: t0, ScheduledFor: after(200 * h)}},
						now:          after(12 * h),
						want:         func(v *VendorSnapshot) { observed(v); v.NextMaintenance = after(200 * h) },
					},
				}
			}(),
		},
		{
			name:      "maintenance rescheduled before it started: the notice is observed at the new start",
			minNotice: 72,
			steps: []statusStep{
				{maintenances: []item.Maintenance{{ID: "m", CreatedAt: t0, ScheduledFor: after(10 * h)}}, now: after(5 * h),
					want: func(v *VendorSnapshot) { v.Maintenances = 1; v.NextMaintenance = after(10 * h) }},
				{maintenances: []item.Maintenance{{ID: "m", CreatedAt: t0, ScheduledFor: after(100 * h)}}, now: after(6 * h),
					want: func(v *VendorSnapshot) { v.Maintenances = 1; v.NextMaintenance = after(100 * h) }},
				{now: after(100 * h), want: func(v *VendorSnapshot) {
					v.Maintenances = 1
					observe(&v.MaintenanceNotice, 100*3600) // 100h >= 72h: not short
				}},
			},
		},
		{
			name: "short notice by the term in force at the announcement",
			vendor: func(v *config.Vendor) {
				v.SLA = config.SLATerms{
					{MaintenanceNotice: hours(24)},
					{From: config.Date{Time: july(1, 0)}, Start: july(1, 0), MaintenanceNotice: hours(72)},
				}
			},
			steps: []statusStep{{
				maintenances: []item.Maintenance{
					// 48h of notice: enough under the first term (24h),
					// announced before the second took effect.
					{ID: "june", CreatedAt: time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), ScheduledFor: july(2, 12), CompletedAt: july(2, 14)},
					// 36h: short under the second (72h).
					{ID: "july", CreatedAt: july(1, 12), ScheduledFor: july(3, 0), CompletedAt: july(3, 2)},
				},
				now: july(4, 0),
				want: func(v *VendorSnapshot) {
					v.Maintenances, v.ShortNotice = 2, 1
					observe(&v.MaintenanceNotice, 48*3600)
					observe(&v.MaintenanceNotice, 36*3600)
				},
			}},
		},
		{
			name: "status items created before history_start are ignored",
			steps: []statusStep{{
				incidents:    []item.Incident{{ID: "i", Impact: item.ImpactMajor, CreatedAt: after(-2 * h)}},
				maintenances: []item.Maintenance{{ID: "m", CreatedAt: after(-2 * h), ScheduledFor: after(h)}},
				now:          t0,
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := testVendor()
			v.SLA[0].MaintenanceNotice = hours(tc.minNotice)
			if tc.vendor != nil {
				tc.vendor(v)
			}
			r := mustRules(t, v, after(-h))
			s := newStore(r)
			for i, step := range tc.steps {
				for _, inc := range step.incidents {
					s.incident("status", inc)
				}
				for _, mt := range step.maintenances {
					s.maintenance("status", mt)
				}
				assertSnapshot(t, r, s.agg.Snapshot(at(step.now)), step.now, step.want)
				if fresh, got := s.reload().Snapshot(at(step.now)), s.agg.Snapshot(at(step.now)); !reflect.DeepEqual(fresh, got) {
					t.Errorf("step %d: incremental snapshot differs from a recomputation:\n%s", i, snapshotDiff(fresh, got))
				}
			}
		})
	}
}

func TestComponents(t *testing.T) {
	a := NewAggregator(mustRules(t, testVendor(), time.Time{}), testSources, testTicketSources)
	a.SetComponents("status", []item.Component{{Name: "API", Status: "operational"}, {Name: "Web", Status: "partial_outage"}})
	a.SetComponents("eu-status", []item.Component{{Name: "Web", Status: "major_outage"}, {Name: "Database", Status: "on_fire"}})
	tests := []struct {
		name   string
		change func()
		want   []ComponentStatus
	}{
		{
			name: "sorted; a name listed twice is taken from the first source; unknown status kept",
			want: []ComponentStatus{{"API", "operational"}, {"Database", "on_fire"}, {"Web", "major_outage"}},
		},
		{
			name:   "a new list replaces the source's",
			change: func() { a.SetComponents("eu-status", []item.Component{{Name: "Database", Status: "operational"}}) },
			want:   []ComponentStatus{{"API", "operational"}, {"Database", "operational"}, {"Web", "partial_outage"}},
		},
		{
			name:   "an empty list removes them",
			change: func() { a.SetComponents("status", nil) },
			want:   []ComponentStatus{{"Database", "operational"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.change != nil {
				tc.change()
			}
			if got := a.Snapshot(at(t0)).Components; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("components = %v, want %v", got, tc.want)
			}
		})
	}
}
