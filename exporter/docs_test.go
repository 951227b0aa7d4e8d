package exporter

import (
	"log/slog"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestAdmitPages: a documentation page dated beyond the skew or before the
// earliest instant is refused and counted; an undated page passes; a batch
// without a page list keeps none (nil keeps the stored list), one whose
// pages are all refused keeps an empty list (the site lists nothing
// plausible).
func TestAdmitPages(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	bounds := door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }}
	st := newSourceStatus("acme", "docs", "sitemap")
	log := slog.New(slog.DiscardHandler)
	got := admit(item.Batch{Pages: []item.Page{
		{URL: "/ok", Updated: now.Add(-24 * time.Hour)}, {URL: "/undated"}, {URL: "/ahead", Updated: now.Add(2 * time.Hour)},
		{URL: "/epoch", Updated: time.Unix(0, 0)},
	}}, bounds, st, log)
	if len(got.Pages) != 2 || got.Pages[0].URL != "/ok" || got.Pages[1].URL != "/undated" {
		t.Errorf("kept %+v, want /ok and /undated", got.Pages)
	}
	if s := st.snapshot(); s.Rejected[door.ReasonFuture] != 1 || s.Rejected[door.ReasonPast] != 1 {
		t.Errorf("rejected %v, want one of each", s.Rejected)
	}
	if got := admit(item.Batch{Cursor: []byte("c")}, bounds, st, log); got.Pages != nil {
		t.Errorf("no page list became %+v", got.Pages)
	}
	if got := admit(item.Batch{Pages: []item.Page{{URL: "/ahead", Updated: now.Add(2 * time.Hour)}}}, bounds, st, log); got.Pages == nil || len(got.Pages) != 0 {
		t.Errorf("every page refused: %#v, want an empty list", got.Pages)
	}
}
