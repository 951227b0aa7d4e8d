// Package quality is the only place that knows what the metrics mean. It
// turns stored tickets, incidents and maintenances into the aggregates of the
// metric catalog (DESIGN.md), incrementally.
//
// Each item contributes in two parts:
//
//   - a static part that no longer depends on the time: tickets created,
//     durations observed, SLA clocks that ended, incidents seen... It is added
//     to running totals when the item is stored and taken back, exactly, when
//     the item is replaced by a newer version. Totals are integers (histogram
//     sums in milliseconds) so that taking back what was added restores them
//     bit for bit, and the incremental aggregate equals a full recomputation.
//   - a live part that is evaluated at every snapshot because it depends on
//     `now`: open-ticket gauges, SLA clocks still running (breached once their
//     deadline passes, even while the ticket is open), open incidents, the
//     next maintenance. Only unsettled items (open tickets, unresolved
//     incidents, maintenances not yet completed) have one, so a snapshot
//     costs the same with a thousand or a million settled tickets, and
//     settled items are forgotten once folded into the totals.
//
// Who noticed an incident first (DESIGN.md) is a third kind: it depends on
// customer signals that may arrive long after the incident: tickets, as
// each ticket source syncs on its own schedule, and customer alerts, which
// Alertmanager delivers with some delay. An incident counts in neither
// series of support_incidents_detected_total until every ticket source is
// complete past its first post and the alerts are too (AlertSource: the
// exporter allows global.alert_grace for them); it is then decided once,
// from the incident as stored at that snapshot, and the verdict is pinned in
// memory so that a later edit (started_at backdated, moving the notice
// window) cannot flip it. A restart recomputes verdicts from the store: they
// differ from the pinned ones only for incidents whose window the vendor
// moved after they were decided.
//
// Counters never go down as long as a vendor's data only moves forward:
// their labels are pinned when an item is first stored (see
// Rules.MergeTicket and MergeIncident), and facts a vendor may later revise
// (reopen counts, rating changes, incident updates) are pinned or
// accumulated by the Merge functions. Two cases remain: a reply fetched
// after a snapshot had already counted its ticket's running clock as
// breached, but timestamped before the deadline, turns that breach into a
// met target; and so does a vendor's own SLA clock (model.SLAClock) whose
// breach time the vendor moved later, by a pause, after it had passed.
package quality
