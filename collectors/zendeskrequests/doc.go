// Package zendeskrequests collects the buyer's view of a vendor's Zendesk:
// the requests (tickets) of one end user, through the Requests API, which
// end users may call.
//
// # Credentials
//
// An end user of the vendor's Zendesk: http_client basic_auth with username
// EMAIL/token and the API token as password. Nothing more is needed: the
// Requests API lists only what that user may see, and shows only public
// comments. An agent's credentials work too (Zendesk treats agents as end
// users on these endpoints) but grant far more than this collector reads.
//
// # Endpoints and cost
//
//   - GET /api/v2/requests?page[size]=100&sort_by=updated_at&sort_order=desc
//     lists the user's requests with cursor pagination, most recently updated
//     first; the walk stops after the first page that reaches requests
//     updated before the stored high-water mark. A caught-up poll costs this
//     one request.
//   - GET /api/v2/requests/{id}/comments?page[size]=100, for each request that
//     changed (one request per 100 comments), to build its public timeline.
//
// A first sync costs one list request per 100 requests plus one per request
// for the comments. Zendesk's account-wide rate limit applies (the vendor's
// plan: 200 to 700 requests a minute); the shared client honours the
// ratelimit-* and Retry-After headers, so there is no static limit to
// declare.
//
// # Never missing a change
//
// The cursor holds the high-water mark: the newest update time stored and
// the ids of the requests stored at exactly that second (Zendesk's
// timestamps have one-second resolution). Updates made while a walk runs
// move a request ahead of the walk's position; they are left to the next
// walk, whose mark is therefore capped a margin below the server's clock
// (the Date header) at the walk's first page. A walk interrupted after a page
// resumes at the next page (page[after]); a stored page cursor that Zendesk
// no longer accepts (400) restarts the walk from the newest request. A walk
// that has_more leads to a last page without requests (a list that shrank
// as it was walked, or a vendor's glitch showing nothing) has not seen the
// requests below it: the next sync walks again from the newest request,
// the mark unchanged, and takes a walk that ends so again as complete.
//
// The API reference documents sort_by and sort_order for List Requests and
// cursor pagination for it, but a Zendesk community report (2024-11,
// "Lists Requests API with Cursor Pagination not sorting") says that the
// sort is ignored under cursor pagination. The walk therefore checks the
// order it receives: it stops early only after whole pages in newest-first
// order; a page out of order makes it walk to the last page instead, which
// stays correct at the cost of one list request per 100 requests per poll
// (and a warning in the log). An order it cannot tell from newest first on
// the pages before the mark (say by id, with older requests updated later)
// would go unnoticed.
//
// # Implausible times and circles
//
// A request whose updated_at is implausible (source.Env.Bounds: far in the
// future, or before global.earliest_timestamp) is left out of the walk and
// counted as rejected: it would set the mark past every later change, or
// end the walk early. It is taken once Zendesk dates it plausibly. A Date
// header outside the bounds is not taken as the server's clock either (our
// clock caps the mark instead), and a mark stored in the future makes the
// next sync start over.
//
// A list whose has_more stays true on a page without requests, or on a
// page that only repeats requests listed earlier in the sync, ends the sync
// with reason loop once the walk is stored past that page; a page cursor
// followed before ends it too, the page's requests stored with the cursor
// that resumes at that page. Comments that circle the same way end the
// sync. Responses over 8 MiB are refused.
//
// # What it can and cannot feed
//
// A request maps to a ticket with its status (new, open, pending, hold,
// solved, closed), its priority when the vendor shows it to end users, and a
// timeline of public replies. The earliest public comment is the request's
// description, not a reply. A later public comment is a customer reply when
// written by the requester or by one of the `colleagues` (user ids), and a
// vendor reply otherwise.
//
// The Requests API reports the current status only: no solve time and no
// status history. Solves and reopens are told from the version stored at
// the previous sync (source.Env.Stored), whose solved and reopened events
// are carried forward:
//
//   - a request first seen solved or closed, or seen so after a sync that
//     stored it new, open, pending or on hold, gets a solved event at its
//     updated_at. The API has no solved_at for end users (its `solved` field
//     is a flag), so this is the latest it can have been solved: it is late
//     by whatever updated the request after the solve, and for a request
//     first seen closed it is the close, by default 4 days after the solve.
//     A request closed by merging it into another counts as solved too;
//   - a request stored solved (or closed) and now new, open, pending or on
//     hold gets a reopened event at the first customer reply after the
//     stored updated_at (an end user's reply reopens a solved request), or
//     at its updated_at when an agent reopened it. None is known for a
//     request first seen open again, and a status changed and changed back
//     between two syncs is not seen: reopens are a lower bound.
//
// First response, resolution (an upper bound, as above), rounds, reopens,
// follow-ups, one-touch (for a request first seen closed, reopens before
// that are unknown), SLA checks on first response and resolution, the open
// gauges, tickets created and the hours label are fed. Escalations and
// satisfaction are not: the API shows no tags, no satisfaction rating and
// no figures of its own.
package zendeskrequests
