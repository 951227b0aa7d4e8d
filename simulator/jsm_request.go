package simulator

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// A ticket as a Jira Service Management customer request: the platform
// issue the search lists, and the servicedeskapi's comments and SLAs.

// jsmAgentID is an agent's Atlassian account id (24 hex digits).
func jsmAgentID(agent int64) string {
	return derivedID("agent/"+strconv.FormatInt(agent, 10), hexDigits, 24)
}

// jsmCustomerID is a portal customer's account id: "qm:" and a UUID, as
// Atlassian names customer-only accounts.
func jsmCustomerID(requester int64) string {
	h := derivedID("customer/"+strconv.FormatInt(requester, 10), hexDigits, 32)
	return "qm:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func jsmIssueID(tl *timeline) string { return strconv.FormatInt(jsmIssueIDBase+tl.id(), 10) }

func jsmIssueKey(tl *timeline) string { return jsmProjectKey + "-" + strconv.FormatInt(tl.id(), 10) }

func (a *jsmAPI) myself(customer bool) jMyself {
	if customer {
		return jMyself{jPlatformUser: a.platformUser(jsmCustomerAccountID(a.w), jsmCustomerEmail(a.w.v.Name), "Buyer", "customer"), Locale: "en_US"}
	}
	id := derivedID(a.w.id.token+"/jsm-account", hexDigits, 24)
	return jMyself{jPlatformUser: a.platformUser(id, jsmEmail(a.w.v.Name), "Support Agent", "atlassian"), Locale: "en_US"}
}

func (a *jsmAPI) platformUser(accountID, email, name, accountType string) jPlatformUser {
	return jPlatformUser{
		Self:      a.base() + "/rest/api/3/user?accountId=" + url.QueryEscape(accountID),
		AccountID: accountID, EmailAddress: email, AvatarURLs: avatars(accountID), DisplayName: name,
		Active: true, TimeZone: a.zone.String(), AccountType: accountType,
	}
}

func (a *jsmAPI) desk() jDesk {
	return jDesk{
		ID: jsmDeskID, ProjectID: jsmProjectID, ProjectName: "Support", ProjectKey: jsmProjectKey,
		Links: jLinks{a.base() + "/rest/servicedeskapi/servicedesk/" + jsmDeskID},
	}
}

// issue renders a ticket as the search returns it, with only the named
// fields (unknown names are ignored, as Jira ignores them).
func (a *jsmAPI) issue(s *ticketState, fields []string) jIssue {
	tl := s.tl
	is := jIssue{
		Expand: "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
		ID:     jsmIssueID(tl), Self: a.base() + "/rest/api/3/issue/" + jsmIssueID(tl), Key: jsmIssueKey(tl),
		Fields: map[string]any{},
	}
	for _, f := range fields {
		switch f {
		case "summary":
			is.Fields[f] = topics[tl.topic].subject
		case "created":
			is.Fields[f] = a.jiraTime(s.created)
		case "updated":
			is.Fields[f] = a.jiraTime(s.updated)
		case "resolutiondate": // the latest resolution: a reopen clears it
			var at int64
			if s.solved() {
				at = s.lastSolve
			}
			is.Fields[f] = a.jiraTime(at)
		case "priority":
			is.Fields[f] = a.priority(s.priority)
		case "status":
			is.Fields[f] = a.status(s.status)
		case "reporter":
			id, name, email := a.reporter(tl)
			is.Fields[f] = a.platformUser(id, email, name, "customer")
		case "labels":
			is.Fields[f] = s.tags()
		}
	}
	return is
}

// reporter is the request's reporter: a customer of the buyer's
// organization, or the buyer's own customer account (myself) for a drill
// request the buyer filed.
func (a *jsmAPI) reporter(tl *timeline) (id, name, email string) {
	if tl.requester == a.w.buyerUserID() {
		return jsmCustomerAccountID(a.w), "Buyer", jsmCustomerEmail(a.w.v.Name)
	}
	return jsmCustomerID(tl.requester), "Customer " + strconv.FormatInt(tl.requester%1000, 10), "customer-" + strconv.FormatInt(tl.requester, 10) + "@customer-of-" + a.w.v.Name + ".example"
}

// deskUser is a comment author: the request's reporter or its agent.
func (a *jsmAPI) deskUser(tl *timeline, vendor bool) jDeskUser {
	id, name, email := a.reporter(tl)
	if vendor {
		id, name, email = jsmAgentID(tl.agent), "Agent "+strconv.FormatInt(tl.agent%1000, 10), "agent-"+strconv.FormatInt(tl.agent%1000, 10)+"@"+a.w.v.Name+".example"
	}
	u := jDeskUser{AccountID: id, Name: id, Key: id, EmailAddress: email, DisplayName: name, Active: true, TimeZone: a.zone.String()}
	u.Links.JiraRest = a.base() + "/rest/api/2/user?accountId=" + url.QueryEscape(id)
	u.Links.AvatarURLs = avatars(id)
	u.Links.Self = u.Links.JiraRest
	return u
}

// comments are the request's comments so far, oldest first, as the public
// and internal parameters select them (both default to true): the public
// replies of the customer and the agent (the description is the issue's,
// not a comment) and an agent's internal note per escalation.
func (a *jsmAPI) comments(s *ticketState, q url.Values) []jComment {
	tl := s.tl
	public, internal := q.Get("public") != "false", q.Get("internal") != "false"
	self := a.base() + "/rest/servicedeskapi/request/" + jsmIssueID(tl) + "/comment/"
	out := []jComment{}
	add := func(id int64, at int64, body string, isPublic, vendor bool) {
		c := jComment{
			Expands: []string{"attachment", "renderedBody"}, ID: strconv.FormatInt(id, 10), Body: body,
			Public: isPublic, Author: a.deskUser(tl, vendor), Created: a.date(at),
		}
		c.Links.Self = self + c.ID
		out = append(out, c)
	}
	if public {
		for _, c := range s.comments() {
			if c.kind != stepCreated {
				add(commentID(tl, c.seq), c.at, commentText(c.kind), true, c.vendor)
			}
		}
	}
	if internal {
		notes := 0
		for _, st := range tl.steps[:s.n] {
			if st.kind == stepEscalate {
				add(commentID(tl, 500+notes), st.at, "Escalated to engineering.", false, true)
				notes++
			}
		}
	}
	slices.SortStableFunc(out, func(x, y jComment) int { return cmp.Compare(x.Created.EpochMillis, y.Created.EpochMillis) })
	return out
}

// SLA goals by index of zPriorities, as a desk sets them per priority.
var (
	jsmFirstResponseGoal = []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 4 * time.Hour}
	jsmResolutionGoal    = []time.Duration{4 * time.Hour, 8 * time.Hour, 24 * time.Hour, 48 * time.Hour, 24 * time.Hour}
)

// slas are the request's two SLA metrics, on a 24/7 calendar that never
// pauses: "Time to first response" runs from creation to the first public
// agent reply; "Time to resolution" from creation, or from each reopen, to
// the next solve, so every resolution cycle after the first is a reopen.
func (a *jsmAPI) slas(s *ticketState) []jSLA {
	tl := s.tl
	self := a.base() + "/rest/servicedeskapi/request/" + jsmIssueID(tl) + "/sla/"
	first := jSLA{ID: "1", Name: "Time to first response", Links: jLinks{self + "1"}, CompletedCycles: []jCompletedCycle{}}
	goal := jsmFirstResponseGoal[s.priority]
	if s.firstReply != 0 {
		first.CompletedCycles = append(first.CompletedCycles, a.completedCycle(s.created, s.firstReply, goal))
	} else {
		first.OngoingCycle = a.ongoingCycle(s.created, s.now, goal)
	}
	res := jSLA{ID: "2", Name: "Time to resolution", Links: jLinks{self + "2"}, CompletedCycles: []jCompletedCycle{}}
	goal = jsmResolutionGoal[s.priority]
	cycleStart := s.created
	for _, st := range tl.steps[:s.n] {
		switch st.kind {
		case stepSolve:
			res.CompletedCycles = append(res.CompletedCycles, a.completedCycle(cycleStart, st.at, goal))
		case stepReopen:
			cycleStart = st.at
		}
	}
	if !s.solved() {
		res.OngoingCycle = a.ongoingCycle(cycleStart, s.now, goal)
	}
	return []jSLA{first, res}
}

func (a *jsmAPI) completedCycle(start, stop int64, goal time.Duration) jCompletedCycle {
	elapsed := time.Duration(stop-start) * time.Second
	return jCompletedCycle{
		StartTime: a.date(start), StopTime: a.date(stop), BreachTime: a.date(start + secs(goal)),
		Breached: elapsed > goal, GoalDuration: duration(goal), ElapsedTime: duration(elapsed), RemainingTime: duration(goal - elapsed),
	}
}

func (a *jsmAPI) ongoingCycle(start, now int64, goal time.Duration) *jOngoingCycle {
	elapsed := time.Duration(now-start) * time.Second
	return &jOngoingCycle{
		StartTime: a.date(start), BreachTime: a.date(start + secs(goal)), Breached: elapsed > goal, WithinCalendarHours: true,
		GoalDuration: duration(goal), ElapsedTime: duration(elapsed), RemainingTime: duration(goal - elapsed),
	}
}
