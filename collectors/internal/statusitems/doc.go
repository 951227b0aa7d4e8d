// Package statusitems holds what the status-page collectors (statuspage,
// incidentio, instatus, statusio, cachet) share beyond the HTTP client: one
// reading of a JSON document, the RFC 3339 timestamp most status APIs write,
// the newest-version-wins merge of item lists keyed by id, the uniquing of
// component labels, Statuspage's incident impact words, and Statuspage's v2
// item schema, which incident.io's compatible API serves too.
//
// Only logic that is the same across formats lives here. What differs by
// vendor (wire schemas, status vocabularies, group naming, when an item is
// finished) stays in each collector.
package statusitems
