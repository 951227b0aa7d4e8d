package simulator

import (
	"cmp"
	"net/http"
	"slices"
)

// The portal customer of a vendor's Jira Service Management desk: a member
// of the buyer's organization, whose requests are all the vendor's tickets.

// jsmCustomerEmail is the customer account the API token belongs to.
func jsmCustomerEmail(vendor string) string { return "buyer@customer-of-" + vendor + ".example" }

// jsmCustomerToken is the customer's Atlassian API token, derived from the
// vendor's.
func (w *world) jsmCustomerToken() string {
	return "ATATT3xFfGF0" + derivedID(w.id.token+"/jsm-customer", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 180)
}

// jsmCustomerAccountID is the customer's account id: a customer-only
// account, "qm:" and a UUID.
func jsmCustomerAccountID(w *world) string {
	h := derivedID(w.id.token+"/jsm-customer-account", hexDigits, 32)
	return "qm:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// JSMCustomerCredentials returns the basic auth of a portal customer of
// the vendor's desk, a member of the buyer's organization: the account's
// email and its API token. The platform search answers it as Jira answers
// an account that may browse no project (400), the SLA endpoint refuses it
// (403), and the request list shows it every ticket.
func (s *Sim) JSMCustomerCredentials(vendor string) (email, token string) {
	w := s.worlds[vendor]
	if w == nil {
		return "", ""
	}
	return jsmCustomerEmail(vendor), w.jsmCustomerToken()
}

// Values GET /rest/servicedeskapi/request accepts.
var (
	jsmOwnerships     = []string{"OWNED_REQUESTS", "PARTICIPATED_REQUESTS", "ORGANIZATION", "ALL_ORGANIZATIONS", "APPROVER", "ALL_REQUESTS"}
	jsmRequestStatus  = []string{"OPEN_REQUESTS", "CLOSED_REQUESTS", "ALL_REQUESTS"}
	jsmCategoryUpper  = map[string]string{"new": "NEW", "indeterminate": "INDETERMINATE", "done": "DONE"}
	jsmRequestTypeID  = "25"
	jsmRequestExpands = []string{"participant", "status", "sla", "requestType", "serviceDesk", "attachment", "action", "comment"}
)

// serveRequests answers GET /rest/servicedeskapi/request: every request
// as of now (the desk's, for an agent; the organization's, for the
// customer: the same tickets), open, closed or both, latest activity (a
// status change or a public comment) first, paged with start and limit.
// The ownerships that take in the organization's requests list every one;
// OWNED_REQUESTS and PARTICIPATED_REQUESTS only the drill requests the
// customer filed itself (its reporter: drill.go, ScriptedTicket.Colleague).
func (a *jsmAPI) serveRequests(rw http.ResponseWriter, r *http.Request, now int64, customer bool) {
	q := r.URL.Query()
	owners := q["requestOwnership"]
	for _, o := range owners {
		if !slices.Contains(jsmOwnerships, o) {
			writeDeskError(rw, http.StatusBadRequest, "The requestOwnership value '"+o+"' is not valid.", "sd.customer.request.error.ownership.invalid")
			return
		}
	}
	status := cmp.Or(q.Get("requestStatus"), "ALL_REQUESTS")
	if !slices.Contains(jsmRequestStatus, status) {
		writeDeskError(rw, http.StatusBadRequest, "The requestStatus value '"+status+"' is not valid.", "sd.customer.request.error.status.invalid")
		return
	}
	desk := q.Get("serviceDeskId")
	owns := a.owns(owners, customer)
	var states []ticketState
	if desk == "" || desk == jsmDeskID {
		for i := range a.w.ticketsBy(now) {
			if a.w.deleted(i, now) || !owns(a.w.timeline(i)) {
				continue
			}
			s := stateAt(a.w.timeline(i), now)
			if (status == "OPEN_REQUESTS" && s.solved()) || (status == "CLOSED_REQUESTS" && !s.solved()) {
				continue
			}
			states = append(states, s)
		}
	}
	slices.SortStableFunc(states, func(x, y ticketState) int {
		return cmp.Or(cmp.Compare(jsmActivity(&y), jsmActivity(&x)), cmp.Compare(y.tl.id(), x.tl.id()))
	})
	out := make([]jRequest, len(states))
	for i := range states {
		out[i] = a.customerRequestOf(&states[i])
	}
	writeDeskPage(rw, r, a.base(), out)
}

// owns says which requests the ownerships list (owns).
func (a *jsmAPI) owns(owners []string, customer bool) func(*timeline) bool {
	switch {
	case len(owners) == 0 || slices.ContainsFunc(owners, func(o string) bool {
		return o == "ALL_ORGANIZATIONS" || o == "ORGANIZATION" || o == "ALL_REQUESTS"
	}):
		return func(*timeline) bool { return true }
	case customer && slices.ContainsFunc(owners, func(o string) bool { return o == "OWNED_REQUESTS" || o == "PARTICIPATED_REQUESTS" }):
		buyer := a.w.buyerUserID()
		return func(tl *timeline) bool { return tl.requester == buyer }
	}
	return func(*timeline) bool { return false }
}

// jsmActivity is a request's latest status change or public comment.
func jsmActivity(s *ticketState) int64 { return max(s.lastStatus, s.lastComment) }

// customerRequest renders a ticket as the request list shows it.
func (a *jsmAPI) customerRequest(s *ticketState) jRequest {
	tl := s.tl
	st := jsmStatuses[s.status]
	id := jsmIssueID(tl)
	return jRequest{
		Expands: jsmRequestExpands, IssueID: id, IssueKey: jsmIssueKey(tl), RequestTypeID: jsmRequestTypeID,
		ServiceDeskID: jsmDeskID, CreatedDate: a.date(s.created), Reporter: a.deskUser(tl, false),
		RequestFieldValues: []jFieldValue{{FieldID: "summary", Label: "What do you need?", Value: topics[tl.topic].subject}},
		CurrentStatus:      jRequestStatus{Status: st.name, StatusCategory: jsmCategoryUpper[st.category], StatusDate: a.date(s.lastStatus)},
		Links: jRequestLinks{
			JiraRest: a.base() + "/rest/api/2/issue/" + id,
			Web:      a.base() + "/servicedesk/customer/portal/" + jsmDeskID + "/" + jsmIssueKey(tl),
			Self:     a.base() + "/rest/servicedeskapi/request/" + id,
			Agent:    a.base() + "/browse/" + jsmIssueKey(tl),
		},
	}
}

// customerRequestOf is customerRequest with a filed drill request's text
// (drill_jsm.go).
func (a *jsmAPI) customerRequestOf(s *ticketState) jRequest {
	rq := a.customerRequest(s)
	a.w.dressJSMDrill(&rq, s.tl.index)
	return rq
}
