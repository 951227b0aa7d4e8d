package simulator

import (
	"slices"
	"strconv"
)

// A vendor's GitHub repository holds its tickets as issues, numbered by
// ticket id: the customer opens one and comments as NONE, the vendor's
// agents comment as OWNER, a solve is a comment and a close as completed, a
// reopen a comment and a reopen. Labels are the ticket's tags and its
// priority's name. GitHub shows neither satisfaction ratings nor Zendesk's
// automatic close, so they change nothing there.

// ghRepo is a vendor's repository: "<vendor>/<vendor>-sdk".
func ghRepo(vendor string) (owner, name string) { return vendor, vendor + "-sdk" }

// ghRepoID is the repository's numeric id, which the Link headers use.
func (w *world) ghRepoID() int64 { return 515000000 + w.id.brandID%1000000 }

// ghVisible reports whether a step shows on GitHub.
func ghVisible(k stepKind) bool { return k != stepRate && k != stepClose }

// ghIssueView is a ticket as GitHub shows it as of now.
type ghIssueView struct {
	s         ticketState
	updated   int64 // the latest visible step
	events    []ghStep
	feature   ghFeature  // github_feature.go
	lastClose closeStyle // how the latest solve closed it
}

// ghStep is one timeline event before rendering.
type ghStep struct {
	at       int64
	event    string // commented, closed, reopened, labeled, unlabeled
	vendor   bool   // by the vendor's agent, else by the customer
	kind     stepKind
	label    string
	sequence int    // the event's position in the timeline
	bot      bool   // by the stale bot (github_feature.go)
	reason   string // closed: its state_reason
}

func (w *world) ghIssueView(i int, now int64) ghIssueView {
	v := ghIssueView{s: stateAt(w.timeline(i), now)}
	tl := v.s.tl
	v.feature = w.ghFeatureOf(tl)
	priority, edited := tl.priority, false
	extra := v.feature.labels
	add := func(st step, event string, vendor bool, label string) {
		v.events = append(v.events, ghStep{at: st.at, event: event, vendor: vendor, kind: st.kind, label: label, sequence: len(v.events)})
	}
	for _, st := range tl.steps[:v.s.n] {
		if !ghVisible(st.kind) {
			continue
		}
		v.updated = st.at
		switch {
		case st.kind == stepCreated:
			for _, l := range extra { // an issue template's labels: the author's
				add(st, "labeled", false, l)
			}
		case st.kind == stepDelete:
		case st.kind == stepEscalate:
			add(st, "labeled", true, "escalated")
			if tl.escalated != priority && !edited {
				add(st, "unlabeled", true, zPriorities[priority])
				add(st, "labeled", true, zPriorities[tl.escalated])
				priority = tl.escalated
			}
		case st.kind == stepEdit:
			// An agent's new priority is a label swapped (a ticket without
			// one has no priority label); a new creation time shows in
			// created_at alone.
			if p := st.edit.Priority; p != nil {
				if next := slices.Index(zPriorities, *p); next != priority {
					if zPriorities[priority] != "" {
						add(st, "unlabeled", true, zPriorities[priority])
					}
					if *p != "" {
						add(st, "labeled", true, *p)
					}
					priority = next
				}
				edited = true
			}
			if l := st.edit.Labels; l != nil {
				for _, old := range extra {
					if !slices.Contains(*l, old) {
						add(st, "unlabeled", true, old)
					}
				}
				for _, n := range *l {
					if !slices.Contains(extra, n) {
						add(st, "labeled", true, n)
					}
				}
				extra = *l
			}
		default:
			style := closeCompleted
			if st.kind == stepSolve {
				style = v.feature.closeOf(st)
			}
			if style != closeStale { // the stale bot closes without a word
				add(st, "commented", st.kind.vendorReply(), "")
			}
			switch st.kind {
			case stepSolve:
				add(st, "closed", style != closeStale, "")
				e := &v.events[len(v.events)-1]
				e.bot, e.reason = style == closeStale, style.reason()
				v.lastClose = style
			case stepReopen:
				add(st, "reopened", false, "")
			}
		}
	}
	return v
}

// closed reports whether the issue is closed now.
func (v *ghIssueView) closed() bool { return v.s.solved() }

// comments counts the commented events.
func (v *ghIssueView) comments() int {
	n := 0
	for _, e := range v.events {
		if e.event == "commented" {
			n++
		}
	}
	return n
}

// labels are the ticket's tags, its priority's name, when it has one, and
// its feature-request labels as last edited.
func (v *ghIssueView) labels() []string {
	out := v.s.tags()
	if p := zPriorities[v.s.priority]; p != "" {
		out = append(out, p)
	}
	if l := v.s.ghLabels; l != nil {
		return append(out, *l...)
	}
	return append(out, v.feature.labels...)
}

// issueType is the issue type's name as last edited; "" for none.
func (v *ghIssueView) issueType() string {
	if t := v.s.ghType; t != nil {
		return *t
	}
	return v.feature.typ
}

func (w *world) ghAgentLogin(tl *timeline) string {
	return w.v.Name + "-support-" + strconv.FormatInt(tl.agent%10000, 10)
}

func ghCustomerLogin(tl *timeline) string {
	return "customer-" + strconv.FormatInt(tl.requester%1000000000, 10)
}

// ghIssue renders the view; base is the API root.
func (w *world) ghIssue(v *ghIssueView, base string) ghIssue {
	tl := v.s.tl
	owner, name := ghRepo(w.v.Name)
	repoURL := base + "/repos/" + owner + "/" + name
	num := strconv.FormatInt(tl.id(), 10)
	u := repoURL + "/issues/" + num
	body := ticketDescription(tl)
	is := ghIssue{
		URL: u, RepositoryURL: repoURL, LabelsURL: u + "/labels{/name}", CommentsURL: u + "/comments",
		EventsURL: u + "/events", HTMLURL: "https://github.com/" + owner + "/" + name + "/issues/" + num,
		ID: 1300000000 + w.ghRepoID()%1000*100000 + tl.id(), NodeID: "I_" + derivedID(u, ghNodeAlphabet, 14),
		Number: tl.id(), Title: topics[tl.topic].subject,
		User:      ghUserOf(base, ghCustomerLogin(tl), tl.requester%1000000000, "User"),
		Labels:    []ghLabel{},
		State:     "open",
		Assignees: []ghUser{},
		Comments:  v.comments(),
		CreatedAt: zTime(v.s.created), UpdatedAt: zTime(v.updated),
		AuthorAssociation: "NONE",
		Body:              &body,
		Reactions:         ghReactions{URL: u + "/reactions"},
		TimelineURL:       u + "/timeline",
	}
	for _, l := range v.labels() {
		is.Labels = append(is.Labels, w.ghLabel(base, l))
	}
	if v.s.firstReply != 0 {
		a := ghUserOf(base, w.ghAgentLogin(tl), tl.agent%1000000000, "User")
		is.Assignee, is.Assignees = &a, []ghUser{a}
	}
	is.Type = ghIssueTypeOf(v.issueType())
	switch {
	case v.closed():
		is.State, is.ClosedAt, is.StateReason = "closed", zTimePtr(v.s.lastSolve), ptr(v.lastClose.reason())
		closer := ghUserOf(base, w.ghAgentLogin(tl), tl.agent%1000000000, "User")
		if v.lastClose == closeStale {
			closer = ghUserOf(base, ghStaleBot, ghStaleBotID, "Bot")
		}
		is.ClosedBy = &closer
	case v.s.reopens > 0:
		is.StateReason = ptr("reopened")
	}
	w.dressGhDrill(&is, tl.index, base)
	return is
}

func (w *world) ghLabel(base, name string) ghLabel {
	owner, repo := ghRepo(w.v.Name)
	return ghLabel{
		ID: 4000000000 + ghNumber(name), NodeID: "LA_" + derivedID(name, ghNodeAlphabet, 12),
		URL: base + "/repos/" + owner + "/" + repo + "/labels/" + name, Name: name, Color: "ededed",
	}
}

// ghTimeline renders the view's events; base is the API root.
func (w *world) ghTimeline(v *ghIssueView, base string) []ghEvent {
	tl := v.s.tl
	owner, name := ghRepo(w.v.Name)
	repoURL := base + "/repos/" + owner + "/" + name
	agent := ghUserOf(base, w.ghAgentLogin(tl), tl.agent%1000000000, "User")
	customer := ghUserOf(base, ghCustomerLogin(tl), tl.requester%1000000000, "User")
	out := make([]ghEvent, 0, len(v.events))
	for _, e := range v.events {
		id := 6400000000 + tl.id()*100 + int64(e.sequence)
		ev := ghEvent{
			URL: repoURL + "/issues/events/" + strconv.FormatInt(id, 10), ID: id,
			NodeID: "E_" + derivedID(strconv.FormatInt(id, 10), ghNodeAlphabet, 14),
			Actor:  customer, Event: e.event, CreatedAt: zTime(e.at),
			CommitID: &ghNull{}, CommitURL: &ghNull{},
		}
		if e.vendor {
			ev.Actor = agent
		}
		if e.bot {
			ev.Actor = ghUserOf(base, ghStaleBot, ghStaleBotID, "Bot")
		}
		switch e.event {
		case "commented":
			cid := commentID(tl, e.sequence)
			num := strconv.FormatInt(tl.id(), 10)
			author, assoc := ev.Actor, "NONE"
			if e.vendor {
				assoc = "OWNER"
			}
			ev.URL = repoURL + "/issues/comments/" + strconv.FormatInt(cid, 10)
			ev.HTMLURL = "https://github.com/" + owner + "/" + name + "/issues/" + num + "#issuecomment-" + strconv.FormatInt(cid, 10)
			ev.IssueURL = repoURL + "/issues/" + num
			ev.CommitID, ev.CommitURL = nil, nil
			ev.ID, ev.NodeID = cid, "IC_"+derivedID(ev.URL, ghNodeAlphabet, 14)
			ev.User, ev.UpdatedAt, ev.AuthorAssociation = &author, ev.CreatedAt, assoc
			ev.Body = commentText(e.kind)
			ev.Reactions = &ghReactions{URL: ev.URL + "/reactions"}
		case "closed":
			ev.StateReason = ptr(e.reason)
		case "labeled", "unlabeled":
			ev.Label = &ghEventLabel{Name: e.label, Color: "ededed"}
		}
		out = append(out, ev)
	}
	return out
}

// ghNumber is a stable 9-digit number for a name.
func ghNumber(name string) int64 {
	n, _ := strconv.ParseInt(derivedID(name, "0123456789", 9), 10, 64) // nine digits always parse
	return n
}
