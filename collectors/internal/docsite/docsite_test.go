package docsite

import (
	"bytes"
	"log/slog"
	"strings"
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
		{URL: "https://d.example/docs/%zz"}, // no URL: never kept
		{URL: "https://d.example/docs/ahead", Updated: now.Add(2 * time.Hour)},
		{URL: "https://d.example/docs/past", Updated: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)},
	}, f, bounds)
	want := []item.Page{
		{URL: "https://d.example/docs/a"},
		{URL: "https://d.example/docs/ahead", Updated: now.Add(2 * time.Hour)}, // for the exporter's door to hold
		{URL: "https://d.example/docs/b", Updated: now.Add(-24 * time.Hour), OutdatedTranslations: 1},
		{URL: "https://d.example/docs/past", Updated: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)}, // held by the door too
		{URL: "https://d.example/guides"},
	}
	if len(l.Pages) != len(want) || l.Duplicates != 1 || l.Ahead != 1 || l.Past != 1 || l.Filtered != 3 {
		t.Fatalf("pages %+v, duplicates %d, ahead %d, past %d, filtered %d", l.Pages, l.Duplicates, l.Ahead, l.Past, l.Filtered)
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

// TestFinishDropsUnparseable: with no pattern, a URL that does not parse
// is still left out (counted as filtered).
func TestFinishDropsUnparseable(t *testing.T) {
	l := Finish([]item.Page{{URL: "https://d.example/a"}, {URL: "https://d.example/%zz"}}, &Filter{}, door.Bounds{})
	if len(l.Pages) != 1 || l.Filtered != 1 {
		t.Errorf("pages %+v, filtered %d; want the parseable one alone", l.Pages, l.Filtered)
	}
}

// TestReportWarnsWhenFilterEmpties: a filter that leaves out every page of
// a site listing some warns, once; one that keeps a page does not.
func TestReportWarnsWhenFilterEmpties(t *testing.T) {
	f, err := NewFilter(Keys{Include: []string{"^https://"}}) // a URL, not a path: matches nothing
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	Finish([]item.Page{{URL: "https://d.example/a"}, {URL: "https://d.example/b"}}, f, door.Bounds{}).Report("sitemap", logger)
	if n := strings.Count(buf.String(), "leave out every page"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, buf.String())
	}
	buf.Reset()
	Finish([]item.Page{{URL: "https://d.example/a"}}, &Filter{}, door.Bounds{}).Report("sitemap", logger)
	if buf.Len() != 0 {
		t.Errorf("a page kept: %s", buf.String())
	}
}

// TestWindowsOrder: updated_within must be shorter than stale_after, so
// that a page is never both stale and updated.
func TestWindowsOrder(t *testing.T) {
	var got []string
	Keys{StaleAfter: DefaultUpdatedWithin, UpdatedWithin: DefaultUpdatedWithin}.Check(func(key, format string, args ...any) {
		got = append(got, key)
	})
	if len(got) != 1 || got[0] != "updated_within" {
		t.Errorf("problems at %v, want updated_within", got)
	}
}
