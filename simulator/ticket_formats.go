package simulator

import (
	"net/http"
	"time"
)

// Every ticket kind but Zendesk's export serves the same generated tickets,
// as of the clock, through another API's lens, so each shows part of Truth:
//
//   - freshdesk: every ticket, with Freshdesk's status ids (new, open and
//     hold are 2 Open, pending 3, solved 4, closed 5) and priority ids
//     (urgent 4, high 3, normal 2, low and unset 1); is_escalated once
//     escalated; stats with the first response and only the latest solve
//     and reopen; conversations (the replies, customer's incoming, and a
//     private note per escalation; the description is the ticket);
//     satisfaction ratings of 103 (good) or -103 (bad), re-ratings included.
//   - github: every ticket as an issue of "<vendor>/<vendor>-sdk": closed
//     (as completed) while solved or closed; comments by OWNER (the vendor)
//     and NONE (the customer), closed and reopened events, labeled events
//     for escalations; labels are the tags and the priority's name. No
//     ratings, and Zendesk's automatic close changes nothing: updated_at
//     is the latest visible change.
//   - zendesk_requests: every ticket as a request of the buyer's
//     organization, with Zendesk's status and priority; public comments,
//     the description first; no tags, ratings nor figures.
//   - jira_service_management: every ticket as a request "SUP-<id>" of one
//     desk, as its agent sees it: the enhanced JQL search with Jira's
//     statuses (new "Waiting for support", open "In Progress", pending
//     "Waiting for customer", hold "Pending", solved "Resolved", closed
//     "Closed") and priorities (urgent Highest, high High, normal and
//     unset Medium, low Low), the latest resolution date, labels as the
//     tags; public comments without the description, and an internal
//     note per escalation; SLAs "Time to first response" and "Time to
//     resolution" (a cycle per solve, reopens start new ones). No ratings.
//   - slack: every ticket as a message of one of the buyer's people in a
//     Slack Connect channel shared with the vendor, dated by its first
//     creation (a Slack ts never changes); the conversation its thread,
//     the vendor's agent replying from the vendor's workspace; reactions
//     for the priority's name, "escalated" once escalated and
//     white_check_mark while solved. No ratings, statuses but solved, nor
//     figures.
//   - lark: the same in a Lark external group (lark.go): replies to the
//     ticket's message, the solving one saying #solved, the priority a
//     hashtag, the escalation a message of the vendor's bot.
//   - imap: every ticket as a mail thread in the buyer's shared support
//     mailbox, served over IMAP (mail.go, imap.go): the customer's and the
//     vendor's messages, the solving reply saying so, reopens noticed by
//     the helpdesk, and its acknowledgements when the persona
//     AutoAcknowledges; the priority the customer gave in the subject,
//     [Escalated] in the vendor's replies once escalated. No ratings,
//     statuses but solved, nor figures.
//   - gcp_support: every ticket as a Google Cloud support case of the
//     buyer's project (gcpsupport.go): states for statuses, P1..P4 for
//     the priority (Google's scale), escalated once escalated; the comments without the
//     description, Google Support's flagged googleSupport. No ratings,
//     tags nor figures.
//   - azure_support: every ticket as the buyer's Azure support ticket
//     (azuresupport.go): severity Critical, Moderate or Minimal, Open or
//     Closed, its replies as communications, a first-response deadline.
//     No ratings, tags nor escalations.
//   - aws_support: every ticket as one of the buyer's AWS Support cases,
//     its comments the communications (AWS's signed "Amazon Web
//     Services"); statuses unassigned (new), work-in-progress (open, on
//     hold), reopened (open after a reopen), pending-customer-action,
//     resolved (solved, closed); severities the priorities' names (unset
//     normal). No tags, ratings nor figures.

// ticketFormats builds each ticket kind's API over a vendor's world; base
// is the API's own URL once listening.
var ticketFormats = map[string]func(w *world, clock func() time.Time, base func() string, opts Options) http.Handler{
	KindFreshdesk: func(w *world, clock func() time.Time, base func() string, _ Options) http.Handler {
		return &freshdeskAPI{w: w, clock: clock, base: base}
	},
	KindGitHub: func(w *world, clock func() time.Time, base func() string, _ Options) http.Handler {
		return &githubAPI{w: w, clock: clock, base: base}
	},
	KindZendeskRequests: func(w *world, clock func() time.Time, base func() string, opts Options) http.Handler {
		a := &requestsAPI{w: w, clock: clock, base: base}
		if opts.ExportRequestsPerMinute > 0 { // the account quota is simulated
			a.account.limit = accountLimit
		}
		return a
	},
	KindSlack: func(w *world, clock func() time.Time, _ func() string, _ Options) http.Handler {
		return &slackAPI{w: w, clock: clock}
	},
	KindLark: func(w *world, clock func() time.Time, _ func() string, _ Options) http.Handler {
		return &larkAPI{w: w, clock: clock}
	},
	KindAzureSupport: func(w *world, clock func() time.Time, base func() string, _ Options) http.Handler {
		return &azureAPI{w: w, clock: clock, base: base}
	},
	KindAWSSupport: func(w *world, clock func() time.Time, _ func() string, _ Options) http.Handler {
		return &awsSupportAPI{w: w, clock: clock}
	},
	KindJSM: func(w *world, clock func() time.Time, base func() string, _ Options) http.Handler {
		return newJSMAPI(w, clock, base)
	},
	KindIMAP: func(w *world, clock func() time.Time, _ func() string, _ Options) http.Handler {
		return newIMAPAPI(w, clock)
	},
	KindGCPSupport: func(w *world, clock func() time.Time, base func() string, _ Options) http.Handler {
		return &gcpSupportAPI{w: w, clock: clock, base: base}
	},
}
