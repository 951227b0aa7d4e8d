package zendeskhelpcenter

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func readJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDecodeArticle: the real article object as Zendesk returned it.
func TestDecodeArticle(t *testing.T) {
	b, err := os.ReadFile("testdata/zenpy-article-2024-09-06.json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Article article }
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := article{
		HTMLURL:  "https://d3v-zenpydev.zendesk.com/hc/en-us/articles/33153710247315-Notify-None-Article-Name",
		EditedAt: time.Date(2024, 9, 6, 23, 9, 58, 0, time.UTC), UpdatedAt: time.Date(2024, 9, 6, 23, 9, 58, 0, time.UTC),
		OutdatedLocales: []string{},
	}
	if got.Article.HTMLURL != want.HTMLURL || !got.Article.EditedAt.Equal(want.EditedAt) || !got.Article.UpdatedAt.Equal(want.UpdatedAt) ||
		got.Article.OutdatedLocales == nil || len(got.Article.OutdatedLocales) != 0 || got.Article.Draft {
		t.Errorf("decoded %+v", got.Article)
	}
}

// helpCenter serves two pages of articles in the envelopes of a real
// cursor-paginated Help Center recording (zenpy's categories pages),
// holding articles shaped like the real one.
type helpCenter struct {
	t       *testing.T
	mu      sync.Mutex
	pages   []map[string]any
	afters  []string // the after_cursor that leads to each page, "" for the first
	queries []string
}

func (h *helpCenter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queries = append(h.queries, r.URL.Path+"?"+r.URL.RawQuery)
	if r.URL.Path != "/api/v2/help_center/en-us/articles" || r.URL.Query().Get("page[size]") != "100" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"RecordNotFound","description":"Not found"}`))
		return
	}
	for i, a := range h.afters {
		if r.URL.Query().Get("page[after]") == a {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_ = json.NewEncoder(w).Encode(h.pages[i])
			return
		}
	}
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"error":"InvalidPaginationParameter","description":"bad cursor"}`))
}

// articlePage is a recorded page envelope with its categories replaced by
// articles.
func articlePage(t *testing.T, envelope string, articles ...map[string]any) map[string]any {
	p := readJSON(t, envelope)
	delete(p, "categories")
	list := []any{}
	for _, a := range articles {
		list = append(list, a)
	}
	p["articles"] = list
	return p
}

// variant is the real article with some fields changed.
func variant(t *testing.T, id string, set map[string]any) map[string]any {
	a := readJSON(t, "zenpy-article-2024-09-06.json")["article"].(map[string]any)
	a["html_url"] = strings.Replace(a["html_url"].(string), "33153710247315-Notify-None-Article-Name", id, 1)
	for k, v := range set {
		a[k] = v
	}
	return a
}

func newSource(t *testing.T, url string, rejected map[string]int) source.Source {
	t.Helper()
	src, err := New(source.Env{
		Config: &config.Source{Name: "help", Kind: "zendesk_help_center", URL: url},
		HTTP:   fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{}),
		Bounds: door.Bounds{NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), MaxSkew: time.Hour, Now: func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }},
		Reject: func(r string) { rejected[r]++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestSync(t *testing.T) {
	hc := &helpCenter{t: t}
	page1 := readJSON(t, "zenpy-categories-cursor-page1-2023-09-18.json")
	after := page1["meta"].(map[string]any)["after_cursor"].(string)
	hc.afters = []string{"", after}
	hc.pages = []map[string]any{
		articlePage(t, "zenpy-categories-cursor-page1-2023-09-18.json",
			variant(t, "1-Start", map[string]any{"edited_at": "2026-03-01T09:00:00Z", "updated_at": "2026-03-09T09:00:00Z", "outdated_locales": []string{"de", "fr"}}),
			variant(t, "2-Draft", map[string]any{"draft": true}),
		),
		// The last page still carries an after_cursor: has_more false ends
		// the walk.
		articlePage(t, "zenpy-categories-cursor-page2-2023-09-18.json",
			variant(t, "3-Old", map[string]any{"edited_at": nil}),
			variant(t, "4-Past", map[string]any{"edited_at": "1999-01-01T00:00:00Z"}),
		),
	}
	srv := httptest.NewServer(hc)
	defer srv.Close()
	rejected := map[string]int{}
	var got []item.Page
	batches := 0
	err := newSource(t, srv.URL, rejected).Sync(fetch.StartSync(context.Background(), 100), nil, func(b item.Batch) error {
		batches++
		got = b.Pages
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantQueries := "/api/v2/help_center/en-us/articles?page%5Bsize%5D=100 /api/v2/help_center/en-us/articles?page%5Bafter%5D=aQAAAAAAAAAAZIYhB2UAAAAAaZqM%2FBSaBQAA&page%5Bsize%5D=100"
	if q := strings.Join(hc.queries, " "); q != wantQueries {
		t.Errorf("requests:\n%s\nwant\n%s", q, wantQueries)
	}
	base := "https://d3v-zenpydev.zendesk.com/hc/en-us/articles/"
	want := []item.Page{
		{URL: base + "1-Start", Updated: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), OutdatedTranslations: 2},
		{URL: base + "3-Old", Updated: time.Date(2024, 9, 6, 23, 9, 58, 0, time.UTC)}, // no edited_at: updated_at
		// Edited in 1999: handed over, for the exporter's door to hold
		// and count (exporter admitPages).
		{URL: base + "4-Past", Updated: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	if batches != 1 || !slices.Equal(got, want) {
		t.Errorf("%d batches, pages %+v\nwant %+v", batches, got, want)
	}
	if len(rejected) != 0 {
		t.Errorf("rejected %v, want none here: the exporter's door counts", rejected)
	}
	// An article edited in 2027: the list is handed over with it, for the
	// exporter's door to hold that page alone (exporter admitPages), which
	// counts it.
	hc.pages[1]["articles"] = append(hc.pages[1]["articles"].([]any), variant(t, "5-Future", map[string]any{"edited_at": "2027-01-01T00:00:00Z"}))
	hc.queries = nil
	batches = 0
	got = nil
	if err := newSource(t, srv.URL, rejected).Sync(fetch.StartSync(context.Background(), 100), nil, func(b item.Batch) error {
		batches++
		got = b.Pages
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if batches != 1 || len(got) != 4 || rejected[door.ReasonFuture] != 0 {
		t.Errorf("an article edited in 2027: %d batches, pages %+v, rejected %v; want the four pages handed over, none rejected here", batches, got, rejected)
	}
}

func TestSyncFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		handle http.HandlerFunc
		reason string
	}{
		{"locale unknown", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"RecordNotFound","description":"Not found"}`))
		}, fetch.ReasonHTTP},
		{"restricted", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"Couldn't authenticate you"}`))
		}, fetch.ReasonAuth},
		{"not a list", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"categories":[]}`)) }, fetch.ReasonDecode},
		{"more of nothing", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"articles":[],"meta":{"has_more":true,"after_cursor":"x` + r.URL.Query().Get("page[after]") + `"}}`))
		}, fetch.ReasonLoop},
		{"the same page again", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"articles":[{"html_url":"https://h/a"}],"meta":{"has_more":true,"after_cursor":"same"}}`))
		}, fetch.ReasonLoop},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handle)
			defer srv.Close()
			batches := 0
			err := newSource(t, srv.URL, map[string]int{}).Sync(fetch.StartSync(context.Background(), 100), nil, func(item.Batch) error { batches++; return nil })
			if fetch.Reason(err) != tc.reason || batches != 0 {
				t.Errorf("%v (reason %s), %d batches; want reason %s and nothing stored", err, fetch.Reason(err), batches, tc.reason)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	var problems []string
	o := NewOptions().(*Options)
	o.Locale = "pt-BR"
	o.Check(func(key, format string, args ...any) { problems = append(problems, key) })
	if strings.Join(problems, ",") != "locale" {
		t.Errorf("problems %v, want locale", problems)
	}
	for _, l := range []string{"en-us", "de", "zh-tw", "pt-br"} {
		if !localePattern.MatchString(l) {
			t.Errorf("%s refused", l)
		}
	}
}
