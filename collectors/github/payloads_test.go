package github

import (
	"encoding/json"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// The recorded GitHub payloads (testdata) that the tests shape their items
// from.

// realIssue is the first issue of the recorded issue list with fields
// overridden (a nil value is sent as JSON null); "login" and "user_type"
// set the author's login and type.
func realIssue(t testing.TB, number int, overrides map[string]any) map[string]any {
	t.Helper()
	var page []map[string]any
	if err := json.Unmarshal(collectortest.Testdata(t, "octokit-fixtures_paginate-issues_raw_page1.json"), &page); err != nil {
		t.Fatal(err)
	}
	is := page[0]
	is["number"] = number
	is["author_association"] = "NONE"
	user := is["user"].(map[string]any)
	for k, v := range overrides {
		switch k {
		case "login":
			user["login"] = v
		case "user_type":
			user["type"] = v
		default:
			is[k] = v
		}
	}
	return is
}

// realTimeline is the documentation's timeline example.
func realTimeline(t testing.TB) []map[string]any {
	t.Helper()
	var events []map[string]any
	if err := json.Unmarshal(collectortest.Testdata(t, "docs_list_timeline_events.json"), &events); err != nil {
		t.Fatal(err)
	}
	return events
}

// comment is the documentation's commented event, by login with the given
// association, at at.
func comment(t testing.TB, login, association, at string) map[string]any {
	t.Helper()
	c := realTimeline(t)[3]
	for _, k := range []string{"user", "actor"} {
		c[k].(map[string]any)["login"] = login
	}
	c["author_association"], c["created_at"], c["updated_at"] = association, at, at
	return c
}

// botComment is a comment by a GitHub App's bot account.
func botComment(t testing.TB, login, at string) map[string]any {
	t.Helper()
	c := comment(t, login, "NONE", at)
	for _, k := range []string{"user", "actor"} {
		c[k].(map[string]any)["type"] = "Bot"
	}
	return c
}

// stateEvent is a closed or reopened event shaped like the documentation's
// state-change events (its locked event with the state-change fields).
func stateEvent(t testing.TB, event string, reason any, at string) map[string]any {
	t.Helper()
	e := realTimeline(t)[0]
	delete(e, "lock_reason")
	e["event"], e["created_at"] = event, at
	if event == "closed" {
		e["state_reason"] = reason
	}
	return e
}
