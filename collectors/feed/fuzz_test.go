package feed

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// FuzzDecode feeds any body to the feed decoder and checks that whatever
// decodes maps to a batch the store can take.
func FuzzDecode(f *testing.F) {
	for _, b := range collectortest.Seeds(f, "*.atom", "*.rss") {
		f.Add(b)
	}
	f.Add([]byte(rssItem("Wed, 15 Dec 2021 12:16:32 JST")))
	f.Fuzz(func(t *testing.T, body []byte) {
		entries, err := decodeFeed(body)
		if err != nil {
			return
		}
		b, skipped := buildBatch(entries, time.Time{})
		if skipped < 0 || skipped > len(entries) || len(b.Incidents)+len(b.Maintenances)+skipped > len(entries) {
			t.Errorf("%d entries gave %d incidents, %d maintenances, %d skipped", len(entries), len(b.Incidents), len(b.Maintenances), skipped)
		}
		checkBatch(t, b)
	})
}

// FuzzBody feeds any HTML to the Statuspage body reader, as the body of an
// entry, and checks the batch it maps to.
func FuzzBody(f *testing.F) {
	for _, b := range collectortest.Seeds(f, "*.atom", "*.rss") {
		entries, err := decodeFeed(b)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			f.Add(e.body)
		}
	}
	f.Add(spSchedule(`Jan <var data-var='date'>5</var>, <var data-var='time'>22:00</var> - Jan <var data-var='date'>6</var>, <var data-var='time'>02:00</var> PDT`) +
		spUpdate("Dec", 31, "23:50", "PDT", "Scheduled"))
	f.Add(spUpdate("Feb", 29, "10:05", "IST", "Postmortem") + spUpdate("Jan", 1, "00:00", "UTC", "Resolved"))
	f.Fuzz(func(t *testing.T, body string) {
		e := entry{id: "e", published: collectortest.UTC("2026-01-01T00:20:05Z"), body: body}
		b, _ := buildBatch([]entry{e}, time.Time{})
		checkBatch(t, b)
	})
}

// checkBatch asserts what the store and the derivation rely on: unique,
// non-empty ids; a first post on every item; no update, resolution or
// completion before it; a scheduled end only after a scheduled start.
func checkBatch(t *testing.T, b item.Batch) {
	t.Helper()
	seen := map[string]bool{}
	unique := func(id string) {
		if id == "" || seen[id] {
			t.Errorf("id %q empty or twice", id)
		}
		seen[id] = true
	}
	for _, inc := range b.Incidents {
		unique(inc.ID)
		if inc.CreatedAt.IsZero() || inc.Impact != item.ImpactNone {
			t.Errorf("incident %s: created %v, impact %q", inc.ID, inc.CreatedAt, inc.Impact)
		}
		if !inc.ResolvedAt.IsZero() && inc.ResolvedAt.Before(inc.CreatedAt) {
			t.Errorf("incident %s resolved %v before its first post %v", inc.ID, inc.ResolvedAt, inc.CreatedAt)
		}
		for _, u := range inc.Updates {
			if u.Before(inc.CreatedAt) {
				t.Errorf("incident %s: update %v before its first post %v", inc.ID, u, inc.CreatedAt)
			}
		}
	}
	for _, m := range b.Maintenances {
		unique(m.ID)
		if m.CreatedAt.IsZero() {
			t.Errorf("maintenance %s without an announcement time", m.ID)
		}
		if !m.CompletedAt.IsZero() && m.CompletedAt.Before(m.CreatedAt) {
			t.Errorf("maintenance %s completed %v before it was announced %v", m.ID, m.CompletedAt, m.CreatedAt)
		}
		if !m.ScheduledUntil.IsZero() && (m.ScheduledFor.IsZero() || m.ScheduledUntil.Before(m.ScheduledFor)) {
			t.Errorf("maintenance %s scheduled %v to %v", m.ID, m.ScheduledFor, m.ScheduledUntil)
		}
	}
	if b.Components != nil || b.Cursor != nil {
		t.Errorf("components %v, cursor %q: want nil", b.Components, b.Cursor)
	}
}
