package simulator

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

// ghIssueMirror mirrors what a GitHub client reads of a listed issue.
type ghIssueMirror struct {
	Number int64 `json:"number"`
	User   struct {
		Login string `json:"login"`
	} `json:"user"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
	State             string  `json:"state"`
	StateReason       *string `json:"state_reason"`
	Comments          int     `json:"comments"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
	ClosedAt          *string `json:"closed_at"`
	AuthorAssociation string  `json:"author_association"`
}

type ghEventMirror struct {
	Event             string  `json:"event"`
	CreatedAt         string  `json:"created_at"`
	AuthorAssociation string  `json:"author_association"`
	StateReason       *string `json:"state_reason"`
	Label             *struct {
		Name string `json:"name"`
	} `json:"label"`
}

func ghIssuesURL(s *Sim, query string) string {
	return s.URL("acme", KindGitHub) + "/repos/" + s.GitHubRepository("acme") + "/issues?" + query
}

func ghBearer(s *Sim) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+s.GitHubToken("acme")) }
}

func TestGitHubIssuesAgreeWithTruth(t *testing.T) {
	s, tr := ticketSim(t)
	var issues []ghIssueMirror
	walkLinks(t, ghIssuesURL(s, "state=all&sort=updated&direction=asc&per_page=100"), nil, &issues)
	if len(issues) != len(tr.Tickets) {
		t.Fatalf("%d issues, want %d", len(issues), len(tr.Tickets))
	}
	want := map[int64]TicketTruth{}
	for _, tt := range tr.Tickets {
		want[tt.ID] = tt
	}
	for i, is := range issues {
		tt := want[is.Number]
		if i > 0 && is.UpdatedAt < issues[i-1].UpdatedAt {
			t.Errorf("issue %d listed after a later update", is.Number)
		}
		closed := tt.Status == "solved" || tt.Status == "closed"
		var labels []string
		for _, l := range is.Labels {
			labels = append(labels, l.Name)
		}
		reason := ""
		if is.StateReason != nil {
			reason = *is.StateReason
		}
		wantReason := map[bool]string{true: "completed", false: ""}[closed]
		if !closed && tt.Reopens > 0 {
			wantReason = "reopened"
		}
		checks := []struct {
			what      string
			got, want any
		}{
			{"state", is.State, map[bool]string{true: "closed", false: "open"}[closed]},
			{"state_reason", reason, wantReason},
			{"closed_at set", is.ClosedAt != nil, closed},
			{"created_at", utc(t, &is.CreatedAt), tt.Created},
			{"updated_at not after Zendesk's", utc(t, &is.UpdatedAt).After(tt.Updated), false},
			{"author_association", is.AuthorAssociation, "NONE"},
			{"tag labels", slices.ContainsFunc(tt.Tags, func(tag string) bool { return !slices.Contains(labels, tag) }), false},
			{"priority label", tt.Priority == "" || slices.Contains(labels, tt.Priority), true},
		}
		for _, c := range checks {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("issue %d: %s %v, want %v", is.Number, c.what, c.got, c.want)
			}
		}
	}
}

func TestGitHubTimelinesAgreeWithTruth(t *testing.T) {
	s, tr := ticketSim(t)
	for _, tt := range tr.Tickets[:80] {
		var events []ghEventMirror
		url := fmt.Sprintf("%s/repos/%s/issues/%d/timeline?per_page=3", s.URL("acme", KindGitHub), s.GitHubRepository("acme"), tt.ID)
		walkLinks(t, url, nil, &events)
		var owner, reopened, escalations int
		var firstReply, firstClose time.Time
		for _, e := range events {
			at := utc(t, &e.CreatedAt)
			switch {
			case e.Event == "commented" && e.AuthorAssociation == "OWNER":
				owner++
				if firstReply.IsZero() {
					firstReply = at
				}
			case e.Event == "commented" && e.AuthorAssociation != "NONE":
				t.Errorf("issue %d: a comment by %s", tt.ID, e.AuthorAssociation)
			case e.Event == "closed":
				if e.StateReason == nil || *e.StateReason != "completed" {
					t.Errorf("issue %d: closed with reason %v, want completed", tt.ID, e.StateReason)
				}
				if firstClose.IsZero() {
					firstClose = at
				}
			case e.Event == "reopened":
				reopened++
			case e.Event == "labeled" && e.Label != nil && e.Label.Name == "escalated":
				escalations++
			}
		}
		if owner != tt.Replies || !firstReply.Equal(tt.FirstReply) || !firstClose.Equal(tt.FirstSolve) || reopened != tt.Reopens {
			t.Errorf("issue %d: %d OWNER comments (first %v), first close %v, %d reopens; want %d (%v), %v, %d",
				tt.ID, owner, firstReply, firstClose, reopened, tt.Replies, tt.FirstReply, tt.FirstSolve, tt.Reopens)
		}
		if want := map[bool]int{true: 1}[slices.Contains(tt.Tags, "escalated")]; escalations != want {
			t.Errorf("issue %d: %d escalated labelings, want %d", tt.ID, escalations, want)
		}
	}
}

func TestGitHubSinceStateAndPaging(t *testing.T) {
	s, tr := ticketSim(t)
	since := testStart.Add(-3 * 24 * time.Hour)
	var recent []ghIssueMirror
	walkLinks(t, ghIssuesURL(s, "state=all&sort=updated&direction=asc&per_page=7&since="+since.Format(time.RFC3339)), nil, &recent)
	var all []ghIssueMirror
	walkLinks(t, ghIssuesURL(s, "state=all&sort=updated&direction=asc&per_page=100"), nil, &all)
	var want []int64
	for _, is := range all {
		if !utc(t, &is.UpdatedAt).Before(since) {
			want = append(want, is.Number)
		}
	}
	var got []int64
	for _, is := range recent {
		got = append(got, is.Number)
	}
	if !slices.Equal(got, want) || len(want) == 0 || len(want) == len(all) {
		t.Errorf("since %v: issues %v, want %v", since, got, want)
	}
	// The default list is the open issues, newest first.
	var open []ghIssueMirror
	walkLinks(t, ghIssuesURL(s, "per_page=100"), nil, &open)
	var wantOpen []int64
	for _, tt := range slices.Backward(tr.Tickets) {
		if tt.Status != "solved" && tt.Status != "closed" {
			wantOpen = append(wantOpen, tt.ID)
		}
	}
	var gotOpen []int64
	for _, is := range open {
		gotOpen = append(gotOpen, is.Number)
	}
	if !slices.Equal(gotOpen, wantOpen) {
		t.Errorf("default list: %v, want the open issues newest first %v", gotOpen, wantOpen)
	}
}

func TestGitHubAuthETagAndRefusals(t *testing.T) {
	s, _ := ticketSim(t)
	url := ghIssuesURL(s, "state=all&sort=updated&direction=asc&per_page=5")
	anon := fetch(t, url, nil)
	authed := fetch(t, url, ghBearer(s))
	if anon.header.Get("X-RateLimit-Limit") != "60" || authed.header.Get("X-RateLimit-Limit") != "5000" {
		t.Errorf("X-RateLimit-Limit %q without a token and %q with one, want 60 and 5000",
			anon.header.Get("X-RateLimit-Limit"), authed.header.Get("X-RateLimit-Limit"))
	}
	link := authed.header.Get("Link")
	if m := nextLink.FindStringSubmatch(link); m == nil || !regexpMatch(`/repositories/\d+/issues\?`, m[1]) {
		t.Errorf("Link %q: want a next page under /repositories/{id}/issues", link)
	}
	etag := authed.header.Get("ETag")
	again := fetch(t, url, func(r *http.Request) { ghBearer(s)(r); r.Header.Set("If-None-Match", etag) })
	if etag == "" || again.status != http.StatusNotModified {
		t.Errorf("If-None-Match %q: HTTP %d, want 304", etag, again.status)
	}
	for _, c := range []struct {
		name, url string
		auth      func(*http.Request)
		status    int
	}{
		{"wrong token", url, func(r *http.Request) { r.Header.Set("Authorization", "Bearer ghp_nope") }, http.StatusUnauthorized},
		{"other repository", s.URL("acme", KindGitHub) + "/repos/acme/other/issues", nil, http.StatusNotFound},
		{"bad state", ghIssuesURL(s, "state=maybe"), nil, http.StatusUnprocessableEntity},
		{"bad since", ghIssuesURL(s, "since=yesterday"), nil, http.StatusUnprocessableEntity},
		{"unknown issue", s.URL("acme", KindGitHub) + "/repos/" + s.GitHubRepository("acme") + "/issues/99999/timeline", nil, http.StatusNotFound},
		{"case-insensitive repository", s.URL("acme", KindGitHub) + "/repos/ACME/Acme-SDK/issues", nil, http.StatusOK},
	} {
		if r := fetch(t, c.url, c.auth); r.status != c.status {
			t.Errorf("%s: HTTP %d, want %d: %.200s", c.name, r.status, c.status, r.body)
		}
	}
}

func TestGitHubShapeMatchesRealPayloads(t *testing.T) {
	s, tr := ticketSim(t)
	issues := readJSONArrayBody(t, fetch(t, ghIssuesURL(s, "state=all&per_page=1"), nil))
	// closed_by and type came after the 2022 recording (the 2025 ones of
	// collectors/github/testdata have them).
	sameKeys(t, "issue", issues[0], readJSONArray(t, "github_issues.json")[0], []string{"closed_by", "type"})

	var escalatedReopened int64
	for _, tt := range tr.Tickets {
		if tt.Reopens > 0 && slices.Contains(tt.Tags, "escalated") {
			escalatedReopened = tt.ID
		}
	}
	if escalatedReopened == 0 {
		t.Fatal("no ticket both escalated and reopened")
	}
	real := readJSONArray(t, "github_timeline.json")
	stateChange := real[0] // the documentation's locked event, the shape of every state change
	delete(stateChange, "lock_reason")
	url := fmt.Sprintf("%s/repos/%s/issues/%d/timeline?per_page=100", s.URL("acme", KindGitHub), s.GitHubRepository("acme"), escalatedReopened)
	seen := map[string]bool{}
	for _, e := range readJSONArrayBody(t, fetch(t, url, nil)) {
		kind := e["event"].(string)
		seen[kind] = true
		switch kind {
		case "commented":
			sameKeys(t, "commented event", e, real[3], nil)
		case "closed":
			sameKeys(t, "closed event", e, stateChange, []string{"state_reason"})
		case "labeled", "unlabeled":
			sameKeys(t, kind+" event", e, stateChange, []string{"label"})
		default:
			sameKeys(t, kind+" event", e, stateChange, nil)
		}
	}
	for _, kind := range []string{"commented", "closed", "reopened", "labeled"} {
		if !seen[kind] {
			t.Errorf("issue %d: no %s event", escalatedReopened, kind)
		}
	}
}
