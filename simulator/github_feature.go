package simulator

// Feature requests on GitHub. A vendor's issues may be feature requests:
// labeled enhancement by the issue template (the author's label), some of
// the issue type Feature; each solve of one closes the issue as completed
// (shipped), as not planned after a reply (declined), or as not planned by
// the stale workflow, github-actions[bot], without any comment. Scripted
// tickets say so themselves (ScriptedTicket.Labels and Type, the Decline
// and StaleClose steps); generated ones are drawn, for a share
// Vendor.FeatureRequests of the tickets, from a stream of their own, so
// that the other kinds and every other ticket are served as before. An
// agent's TicketEdit may relabel or retype an issue later. Only GitHub
// shows any of it: the other kinds show a solve.

// streamFeature draws generated tickets' feature requests.
const streamFeature stream = 100

// closeStyle is how GitHub shows a solve.
type closeStyle uint8

const (
	closeCompleted closeStyle = iota // the agent's reply, closed as completed
	closeDeclined                    // the agent's reply, closed as not planned
	closeStale                       // closed as not planned by the stale bot, no comment
)

// ghStaleBot is the stale workflow's login and GitHub's id of the account.
const (
	ghStaleBot   = "github-actions[bot]"
	ghStaleBotID = 41898282
)

// ghFeature is what makes an issue a feature request on GitHub.
type ghFeature struct {
	labels []string   // from its creation, the author's
	typ    string     // its issue type; "" for none
	close  closeStyle // a generated request's every solve
}

// ghFeatureOf is ticket tl's feature request; zero for none.
func (w *world) ghFeatureOf(tl *timeline) ghFeature {
	if w.scripted != nil {
		return ghFeature{labels: tl.ghLabels, typ: tl.ghType}
	}
	if w.v.FeatureRequests <= 0 {
		return ghFeature{}
	}
	r := itemRand(w.seed, streamFeature, uint64(tl.index))
	if r.Float64() >= w.v.FeatureRequests {
		return ghFeature{}
	}
	f := ghFeature{labels: []string{"enhancement"}}
	if r.IntN(2) == 0 {
		f.typ = "Feature"
	}
	f.close = []closeStyle{closeCompleted, closeCompleted, closeDeclined, closeStale}[r.IntN(4)]
	return f
}

// closeOf is how GitHub shows solve step st of the request.
func (f *ghFeature) closeOf(st step) closeStyle {
	if st.close != closeCompleted {
		return st.close
	}
	return f.close
}

// reason is the close's state_reason.
func (c closeStyle) reason() string {
	if c == closeCompleted {
		return "completed"
	}
	return "not_planned"
}

// ghIssueTypeOf renders an issue type by name; nil for none.
func ghIssueTypeOf(name string) *ghIssueType {
	if name == "" {
		return nil
	}
	return &ghIssueType{
		ID: 1386000 + ghNumber(name)%1000, NodeID: "IT_" + derivedID(name, ghNodeAlphabet, 16), Name: name,
		Description: "A request, idea, or new functionality", Color: "blue",
		CreatedAt: "2024-01-25T12:55:41Z", UpdatedAt: "2024-10-08T09:21:54Z", IsEnabled: true,
	}
}
