package docsite

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestFinish(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f, err := NewFilter(Keys{Include: []string{"^/docs/", "^/guides$"}, Exclude: []string{"/internal/"}})
	if err != nil {
		t.Fatal(err)
	}
	bounds := door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return now }}
	l := Finish([]item.Page{
		{URL: "https://d.example/docs/b", Updated: now.Add(-48 * time.Hour), OutdatedTranslations: 1},
		{URL: "https://d.example/docs/a"},
		{URL: "https://d.example/docs/b", Updated: now.Add(-24 * time.Hour)}, // listed twice: the latest date, the most outdated
		{URL: "https://d.example/docs/internal/x"},
		{URL: "https://d.example/guides"},
		{URL: "https://d.example/guides/more"},
		{URL: "https://d.example/docs/%zz"}, // no URL: matched as written, kept by no pattern
		{URL: "https://d.example/docs/ahead", Updated: now.Add(2 * time.Hour)},
	}, f, bounds)
	want := []item.Page{
		{URL: "https://d.example/docs/a"},
		{URL: "https://d.example/docs/b", Updated: now.Add(-24 * time.Hour), OutdatedTranslations: 1},
		{URL: "https://d.example/guides"},
	}
	if len(l.Pages) != len(want) || l.Duplicates != 1 || l.Refused[door.ReasonFuture] != 1 {
		t.Fatalf("pages %+v, duplicates %d, refused %v", l.Pages, l.Duplicates, l.Refused)
	}
	for i := range want {
		if l.Pages[i] != want[i] {
			t.Errorf("page %d: %+v, want %+v", i, l.Pages[i], want[i])
		}
	}
	if empty := Finish(nil, nil, bounds); empty.Pages == nil || len(empty.Pages) != 0 {
		t.Errorf("no page: %#v, want an empty list, not nil", empty.Pages)
	}
}
