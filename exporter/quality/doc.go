// Package quality is the only place that knows what the metrics mean. It
// turns stored tickets, incidents and maintenances into the aggregates of the
// metric catalog (docs/metrics.md), incrementally.
//
// Each item contributes in two parts:
//
//   - a static part that no longer depends on the time: tickets created,
//     durations observed, SLA clocks judged, incidents seen... It is added
//     to running totals when the item is stored and taken back, exactly, when
//     the item is replaced by a newer version. Totals are integers (histogram
//     sums in milliseconds) so that taking back what was added restores them
//     bit for bit, and the incremental aggregate equals a full recomputation.
//   - a live part that is evaluated at every snapshot because it depends on
//     the time: open-ticket gauges, SLA clocks still running (breached once
//     their deadline passes, even while the ticket is open), open incidents,
//     the next maintenance. What becomes final as time passes (a one-touch
//     resolution settling, a maintenance starting) is folded into the
//     totals by the snapshot that sees it pass. Only unsettled items have a
//     live part, so a snapshot costs the same with a thousand or a million
//     settled tickets, and settled items are forgotten once folded.
//
// Time is judged per source as of the start of its last complete sync (the
// asOf given to Snapshot), never the wall clock. The Aggregator records how
// far it has judged each source, and derives every contribution as of
// that, so that Replace takes back exactly what the totals hold. It holds
// nothing else a time-driven count depends on: a fresh Aggregator loaded
// from the store (a restart, a reload) and given the same asOf counts the
// same one-touch resolutions settled, running clocks breached and
// maintenances started, for items fetched since or not, provided asOf
// never moves back (the exporter reads it from the store's synced_at).
// What a later version must not take back is pinned in the item when it
// is merged (Judged).
//
// # Counters never go down
//
// A vendor edits what was already counted: it backdates an incident's
// start, moves a reply, reverts a status, deletes events, pauses its SLA
// clock. Taking back an old version's contribution and adding the new
// one's would move such an observation to another bucket, or take a count
// back. So every observation is made once, when final, from facts pinned in
// the item's History (model.TicketHistory, IncidentHistory,
// MaintenanceHistory), stored with it (record format 3):
//
//   - facts once seen: a ticket's creation, first priority, first reply and
//     solve, each SLA clock's end and the vendor's own run of it, whose
//     clock judged each target first (it judges it for good), reopens and
//     follow-ups never lower, the reopens seen (versions shown open after
//     the first solve), ratings, escalation, every tag; an incident's
//     impact and creation, its times and updates as the version first seen
//     resolved shows them, its postmortem; a maintenance's creation, and
//     its announcement and schedule once it started or completed;
//   - what a snapshot may have counted from time-driven values, as of the
//     instants it judged (Judged, given to the Merge methods): a clock seen
//     running past its deadline, a one-touch resolution settled, an
//     incident's notice window once who noticed it first was decidable.
//
// The pins are facts (instants, counts, the vendor's verdicts) and judged
// instants, never durations: a config change (targets, calendar, terms,
// clock) derives again from the same facts when a reload rebuilds the
// vendor's aggregates from the store, which the exporter reports
// (CountersDiffer). Items are never removed from the store when the vendor
// deletes them, so a deletion lowers nothing either.
//
// # Who noticed first
//
// Who noticed an incident first (docs/metrics.md) depends on customer
// signals that may arrive long after the incident: tickets, as each ticket
// source syncs on its own schedule, and customer alerts, which Alertmanager
// delivers with some delay. An incident counts in neither series of
// support_incidents_detected_total until every ticket source is complete
// past its first post and the alerts are too (AlertSource: the exporter
// allows global.alert_grace for them); it is then decided once, and kept.
// So that a restart, deciding again from the store, decides the same, the
// window is pinned in the incident once decidable, and a signal counts only
// if it was known before the signals were complete past the window's end:
// a ticket stored, or tagged, after that is known too late (its History
// keeps when). Two cases remain where a restart may decide otherwise: an
// alert Alertmanager delivered later than alert_grace (the store does not
// keep when an alert arrived), and a merge whose Judged was taken just
// before a snapshot, in another source's sync, decided the incident.
package quality
