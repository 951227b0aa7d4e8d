package github

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

var validStatuses = map[item.Status]bool{item.StatusOpen: true, item.StatusPending: true,
	item.StatusSolved: true, item.StatusClosed: true}

// FuzzDecodeIssues feeds arbitrary bodies to the issue list decoder: it
// must never panic, and whatever it accepts must map to a usable ticket.
func FuzzDecodeIssues(f *testing.F) {
	f.Add(collectortest.Testdata(f, "octokit-fixtures_paginate-issues_raw_page1.json"))
	f.Add(collectortest.Testdata(f, "pygithub_issues_state-closed_type-any.json"))
	f.Add(collectortest.Marshal(f, []any{realIssue(f, 1, map[string]any{"state": "closed", "state_reason": "not_planned",
		"closed_at": "2025-03-03T10:00:00Z", "labels": []any{"P1", map[string]any{"name": "bug"}},
		"pull_request": map[string]any{"url": "x"}})}))
	f.Add([]byte(`[{"number":1,"state":"open","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z","user":null}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	r := testRules()
	// The exporter's default bounds, on a fixed clock.
	bounds := door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour,
		Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }}
	f.Fuzz(func(t *testing.T, body []byte) {
		issues, err := decodeIssues(body)
		if err != nil {
			return
		}
		for _, is := range issues {
			tk := r.ticket("a/b", is, nil)
			if tk.ID == "" || tk.CreatedAt.IsZero() || tk.UpdatedAt.IsZero() || !validStatuses[tk.Status] {
				t.Errorf("accepted unusable ticket %+v", tk)
			}
			if bounds.Check(is.UpdatedAt) != "" {
				continue // left out of the walk (collector.plausible)
			}
			rc := repoCursor{}.advance([]wireIssue{is})
			if !rc.seen(is) {
				t.Errorf("issue %d not seen after its page: %+v", *is.Number, rc)
			}
			if _, err := (cursor{Version: cursorVersion, Repos: map[string]repoCursor{"a/b": rc}}).encode(); err != nil {
				t.Errorf("cursor after issue %d: %v", *is.Number, err)
			}
		}
	})
}

// FuzzDecodeTimeline feeds arbitrary bodies to the timeline decoder:
// every event it maps must be dated.
func FuzzDecodeTimeline(f *testing.F) {
	f.Add(collectortest.Testdata(f, "docs_list_timeline_events.json"))
	f.Add(collectortest.Testdata(f, "pygithub_issue28_timeline.json"))
	f.Add(collectortest.Marshal(f, []any{comment(f, "customer", "NONE", "2025-03-03T09:00:00Z"), botComment(f, "stale[bot]", "2025-03-03T09:01:00Z"),
		stateEvent(f, "closed", "completed", "2025-03-03T09:02:00Z"), stateEvent(f, "reopened", nil, "2025-03-03T09:03:00Z"),
		stateEvent(f, "closed", nil, "2025-03-03T09:04:00Z")}))
	f.Add([]byte(`[{"event":"commented","created_at":"2025-03-03T09:00:00Z","user":null,"actor":null}]`))
	f.Add([]byte(`[{"event":"committed","sha":"abc"}]`))
	r := testRules()
	issue := wireIssue{Number: ptr(int64(1)), State: stateClosed, CreatedAt: t0, UpdatedAt: t0}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := decodeTimeline(body)
		if err != nil {
			return
		}
		for _, e := range r.ticket("a/b", issue, events).Events {
			if e.At.IsZero() {
				t.Errorf("undated event %+v", e)
			}
		}
	})
}
