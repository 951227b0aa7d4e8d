package github

import (
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

func TestDecodeRecordedIssueList(t *testing.T) {
	issues, err := decodeIssues(collectortest.Testdata(t, "octokit-fixtures_paginate-issues_raw_page1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 3 {
		t.Fatalf("%d issues, want 3", len(issues))
	}
	is := issues[0]
	if *is.Number != 13 || is.State != stateOpen || is.StateReason != nil || is.ClosedAt != nil ||
		is.AuthorAssociation != "MEMBER" || is.User.Login != "octokit-fixture-user-a" || is.User.Type != "User" ||
		is.PullRequest != nil || is.Comments != 0 || len(is.Labels) != 0 ||
		!is.CreatedAt.Equal(time.Date(2022, 7, 19, 4, 39, 16, 0, time.UTC)) || !is.UpdatedAt.Equal(is.CreatedAt) {
		t.Errorf("issue %+v", is)
	}
	if *issues[2].Number != 11 {
		t.Errorf("last issue %d, want 11", *issues[2].Number)
	}
}

func TestDecodeDocumentedTimeline(t *testing.T) {
	events, err := decodeTimeline(collectortest.Testdata(t, "docs_list_timeline_events.json"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Event)
	}
	if got := strings.Join(kinds, ","); got != "locked,labeled,renamed,commented" {
		t.Fatalf("events %s", got)
	}
	c := events[3]
	if c.AuthorAssociation != "COLLABORATOR" || c.User.Login != "octocat" || c.Actor.Login != "octocat" ||
		!c.CreatedAt.Equal(time.Date(2022, 5, 19, 0, 52, 15, 0, time.UTC)) {
		t.Errorf("comment %+v", c)
	}
	if r := testRules(); r.ticket("github/roadmap", wireIssue{Number: ptr(int64(493)), State: stateOpen}, events).Events[0].Kind != "vendor_reply" {
		t.Error("the collaborator's comment is not a vendor reply")
	}
}

func TestDecodeLabelShapes(t *testing.T) {
	body := `[{"number":1,"state":"open","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z",` +
		`"labels":["P1",{"id":1,"name":"bug","color":"f29513","default":true}]}]`
	issues, err := decodeIssues([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if l := issues[0].Labels; len(l) != 2 || l[0].Name != "P1" || l[1].Name != "bug" {
		t.Errorf("labels %+v", l)
	}
}

func TestDecodeRejects(t *testing.T) {
	const okIssue = `"number":1,"state":"open","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"`
	cases := []struct {
		name, body, wantErr string
		timeline            bool
	}{
		{name: "null list", body: `null`, wantErr: "no issue array"},
		{name: "object", body: `{"message":"Not Found"}`, wantErr: "cannot unmarshal"},
		{name: "bad time", body: `[{"number":1,"created_at":"yesterday"}]`, wantErr: "cannot parse"},
		{name: "label of a wrong type", body: `[{` + okIssue + `,"labels":[7]}]`, wantErr: "cannot unmarshal"},
		{name: "unknown state", body: `[{"number":1,"state":"merged","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}]`, wantErr: `unknown state "merged"`},
		{name: "negative comments", body: `[{` + okIssue + `,"comments":-1}]`, wantErr: "negative comment count"},
		{name: "null timeline", body: `null`, timeline: true, wantErr: "no event array"},
		{name: "reopen without time", body: `[{"event":"reopened"}]`, timeline: true, wantErr: "reopened event without created_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.timeline {
				_, err = decodeTimeline([]byte(tc.body))
			} else {
				_, err = decodeIssues([]byte(tc.body))
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestPageLinks(t *testing.T) {
	cases := []struct {
		link string
		want links
	}{
		{"", links{}},
		// The recorded api.github.com header.
		{`<https://api.github.com/repositories/515435940/issues?per_page=3&page=2>; rel="next", <https://api.github.com/repositories/515435940/issues?per_page=3&page=5>; rel="last"`, links{next: true, last: 5}},
		{`<https://api.github.com/repositories/1/issues?page=4>; rel="prev", <https://api.github.com/repositories/1/issues?page=1>; rel="first"`, links{}},
		{`<https://x/?page=2>;rel=next`, links{next: true}},
		{`<https://x/?page=2>; rel="last next"`, links{next: true, last: 2}},
		{`<https://x/?page=2>; title="next"`, links{}},
		{`<https://x/?page=two>; rel="last"`, links{}},
	}
	for _, tc := range cases {
		h := map[string][]string{}
		if tc.link != "" {
			h["Link"] = []string{tc.link}
		}
		if got := pageLinks(h); got != tc.want {
			t.Errorf("pageLinks(%q) = %+v, want %+v", tc.link, got, tc.want)
		}
	}
}

func TestCursorAdvance(t *testing.T) {
	issue := func(n int64, updated int, comments int) wireIssue {
		return wireIssue{Number: ptr(n), State: stateOpen, CreatedAt: t0, UpdatedAt: minute(updated), Comments: comments}
	}
	start := repoCursor{Since: minute(1), Seen: map[string]string{"1": fingerprint(issue(1, 1, 0))}, ETag: `"abc"`}

	same := start.advance([]wireIssue{issue(2, 1, 0)})
	if !same.Since.Equal(minute(1)) || len(same.Seen) != 2 || same.ETag != "" {
		t.Errorf("same second: %+v, want both issues seen, no ETag", same)
	}
	later := start.advance([]wireIssue{issue(2, 1, 0), issue(3, 4, 0), issue(4, 4, 0)})
	if !later.Since.Equal(minute(4)) || len(later.Seen) != 2 || later.Seen["3"] == "" || later.Seen["4"] == "" {
		t.Errorf("later: %+v, want since minute 4 with #3 and #4 seen", later)
	}
	if !start.seen(issue(1, 1, 0)) || start.seen(issue(1, 1, 1)) || start.seen(issue(1, 2, 0)) || start.seen(issue(5, 1, 0)) {
		t.Error("seen must match number, second and fingerprint")
	}
}
