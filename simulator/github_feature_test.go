package simulator

import (
	"fmt"
	"testing"
	"time"
)

// Feature requests as GitHub shows them: the template's labels and the
// issue type from the creation, a decline and a stale bot's close with
// their reasons and closers, an agent's relabel; the other kinds see
// plain solves.
func TestGitHubFeatureRequests(t *testing.T) {
	created := testStart.Add(-48 * time.Hour)
	c := newClock(testStart)
	s := startSim(t, c, Options{Vendors: []Vendor{scriptVendor(
		ScriptedTicket{Created: created, Labels: []string{"enhancement"}, Type: "Feature", Steps: []ScriptStep{
			{At: time.Hour, Kind: VendorReply}, {At: 2 * time.Hour, Kind: Decline}}},
		ScriptedTicket{Created: created.Add(time.Minute), Labels: []string{"enhancement"}, Steps: []ScriptStep{
			{At: 3 * time.Hour, Kind: StaleClose}}},
		ScriptedTicket{Created: created.Add(2 * time.Minute), Steps: []ScriptStep{{At: time.Hour, Kind: Solve}}},
	)}})
	base := s.URL("scripted", KindGitHub) + "/repos/" + s.GitHubRepository("scripted")
	issues := readJSONArrayBody(t, fetch(t, base+"/issues?state=all&sort=created&direction=asc", nil))
	if len(issues) != 3 {
		t.Fatalf("%d issues, want 3", len(issues))
	}
	login := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			return fmt.Sprint(m["login"], "/", m["type"])
		}
		return "null"
	}
	typeName := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			return fmt.Sprint(m["name"])
		}
		return "null"
	}
	labels := func(v any) []string {
		var out []string
		for _, l := range v.([]any) {
			out = append(out, l.(map[string]any)["name"].(string))
		}
		return out
	}
	const agent = "the assignee"
	cases := []struct {
		reason, closer, typ, label string
	}{
		{"not_planned", agent, "Feature", "enhancement"},
		{"not_planned", "github-actions[bot]/Bot", "null", "enhancement"},
		{"completed", agent, "null", ""},
	}
	for i, tc := range cases {
		is := issues[i]
		ls := labels(is["labels"])
		if tc.closer == agent {
			tc.closer = login(is["assignee"])
		}
		if is["state_reason"] != tc.reason || login(is["closed_by"]) != tc.closer || typeName(is["type"]) != tc.typ ||
			(tc.label != "" && ls[len(ls)-1] != tc.label) {
			t.Errorf("issue %d: state_reason %v, closed_by %s, type %s, labels %q; want %s, %s, %s, %q",
				i+1, is["state_reason"], login(is["closed_by"]), typeName(is["type"]), ls, tc.reason, tc.closer, tc.typ, tc.label)
		}
	}
	if a := login(issues[2]["assignee"]); a == "null" || a == "github-actions[bot]/Bot" {
		t.Fatalf("the plain solve's assignee %s: want an agent", a)
	}

	// The stale bot closes without a word; the template's label is the
	// author's.
	events := readJSONArrayBody(t, fetch(t, base+"/issues/2/timeline", nil))
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, fmt.Sprint(e["event"], " by ", login(e["actor"])))
	}
	want := []string{"labeled by " + login(issues[1]["user"]), "closed by github-actions[bot]/Bot"}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("timeline %q, want %q", kinds, want)
	}

	// An agent relabels the declined request and takes its type away.
	none := ""
	if err := s.EditTicket("scripted", 1, TicketEdit{Labels: &[]string{"wontfix"}, Type: &none}); err != nil {
		t.Fatal(err)
	}
	is := readJSONArrayBody(t, fetch(t, base+"/issues?state=all&sort=created&direction=asc", nil))[0]
	if ls := labels(is["labels"]); ls[len(ls)-1] != "wontfix" || is["type"] != nil {
		t.Errorf("after the edit: labels %q, type %v; want wontfix last and no type", ls, is["type"])
	}
	events = readJSONArrayBody(t, fetch(t, base+"/issues/1/timeline", nil))
	last := events[len(events)-2:]
	if got := fmt.Sprint(last[0]["event"], last[0]["label"], login(last[0]["actor"]), " ", last[1]["event"], last[1]["label"]); got !=
		fmt.Sprint("unlabeled", map[string]any{"name": "enhancement", "color": "ededed"}, login(is["assignee"]), " ", "labeled", map[string]any{"name": "wontfix", "color": "ededed"}) {
		t.Errorf("the relabel's events: %s", got)
	}

	// Zendesk sees three solved tickets.
	tr := s.Truth("scripted", testStart)
	for _, tt := range tr.Tickets {
		if tt.FirstSolve.IsZero() {
			t.Errorf("ticket %d: not solved in the truth", tt.ID)
		}
	}
}

func TestFeatureRequestsShareValidated(t *testing.T) {
	v := vendor("acme", FastShallow, 10)
	v.FeatureRequests = 1.5
	if _, err := New(Options{Start: testStart, Vendors: []Vendor{v}}); err == nil {
		t.Error("FeatureRequests 1.5 accepted")
	}
}
