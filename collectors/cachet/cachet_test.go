package cachet

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// newSource builds a source of the Cachet page at rawURL, in zone ("" for
// UTC), that sends with hc.
func newSource(t *testing.T, hc *http.Client, rawURL, zone string, historyStart time.Time) source.Source {
	t.Helper()
	env := collectortest.Env("cachet", rawURL, hc)
	env.Config.Options = &Options{Timezone: zone}
	env.HistoryStart = historyStart
	return collectortest.NewSource(t, New, env)
}

func TestNew(t *testing.T) {
	client := fetch.New(http.DefaultClient, fetch.NewLimits(), fetch.Options{})
	collectortest.CheckNew(t, New, []collectortest.NewCase{
		{Name: "root URL", Env: source.Env{Config: &config.Source{URL: "https://status.example.com"}, HTTP: client}},
		{Name: "zone", Env: source.Env{Config: &config.Source{URL: "https://status.example.com", Options: &Options{Timezone: "America/New_York"}}, HTTP: client}},
		{Name: "unknown zone", Env: source.Env{Config: &config.Source{URL: "https://status.example.com", Options: &Options{Timezone: "Mars/Olympus"}}, HTTP: client}, WantErr: `timezone "Mars/Olympus"`},
		{Name: "no scheme", Env: source.Env{Config: &config.Source{URL: "status.example.com"}, HTTP: client}, WantErr: "cachet: url"},
		{Name: "credentials in url", Env: source.Env{Config: &config.Source{URL: "https://u:p@status.example.com"}, HTTP: client}, WantErr: "http_client"},
		{Name: "no config", Env: source.Env{HTTP: client}, WantErr: "incomplete environment"},
		{Name: "no client", Env: source.Env{Config: &config.Source{URL: "https://status.example.com"}}, WantErr: "incomplete environment"},
	})
}

// endlessComponents answers every page of the component list with a full
// page of components: pages(n) gives the current_page it claims, the
// total_pages it announces and the component ids it lists for page n.
func endlessComponents(t *testing.T, pages func(n int) (current, total int, ids []int)) http.HandlerFunc {
	comp := template(t, "cachet_components_list.json")
	return func(w http.ResponseWriter, r *http.Request) {
		current, total, ids := pages(intParam(r.URL.Query(), "page", 1))
		data := []map[string]any{}
		for _, id := range ids {
			data = append(data, withFields(comp, map[string]any{"id": id, "name": "Component " + strconv.Itoa(id)}))
		}
		collectortest.WriteJSON(w, http.StatusOK, map[string]any{
			"meta": map[string]any{"pagination": map[string]any{
				"total": total * perPage, "count": len(data), "per_page": perPage,
				"current_page": current, "total_pages": total,
				"links": map[string]any{"next_page": "http://localhost/api/v1/components?page=" + strconv.Itoa(current+1)},
			}},
			"data": data,
		})
	}
}

// ids are perPage component ids starting at from.
func ids(from int) []int {
	out := make([]int, perPage)
	for i := range out {
		out[i] = from + i
	}
	return out
}

// A vendor that always names a next page cannot keep a sync requesting:
// the walk ends, with a loop error, at the first page that repeats one
// already read, that lists nothing new, or that goes beyond the first
// page's total_pages and the one page that items published during the walk
// may add.
func TestSyncEndlessPaging(t *testing.T) {
	tests := []struct {
		name      string
		pages     func(n int) (current, total int, ids []int)
		wantHits  int
		wantError string // "" when the walk ends well
	}{
		{"the same page again", func(n int) (int, int, []int) { return 1, n + 1, ids(1) },
			2, "cachet: components: page 2: "},
		{"nothing new", func(n int) (int, int, []int) { return n, n + 1, ids(1) },
			2, "cachet: components: page 2: "},
		{"more pages than announced", func(n int) (int, int, []int) { return n, n + 1, ids(n * perPage) },
			3, "cachet: components: page 3: "},
		{"one page more, for items published during the walk", func(n int) (int, int, []int) { return n, min(n+1, 3), ids(n * perPage) },
			3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, srv := collectortest.StartSite(t, map[string]http.HandlerFunc{
				componentsPath: endlessComponents(t, tt.pages),
				incidentsPath:  collectortest.ServeJSON(`{"meta": {"pagination": {"current_page": 1, "total_pages": 1}}, "data": []}`),
				schedulesPath:  collectortest.ServeJSON(`{"meta": {"pagination": {"current_page": "1", "total_pages": "1"}}, "data": []}`),
			})
			batches, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL, "", time.Time{}), nil)
			hits := 0
			for _, h := range site.Hits() {
				if strings.HasPrefix(h, componentsPath) {
					hits++
				}
			}
			if hits != tt.wantHits {
				t.Errorf("requested %d component pages, want %d", hits, tt.wantHits)
			}
			if tt.wantError == "" {
				if err != nil || len(batches) != 1 || len(batches[0].Components) != 3*perPage {
					t.Errorf("Sync = %d batches, %v; want one with %d components", len(batches), err, 3*perPage)
				}
				return
			}
			collectortest.WantSyncError(t, err, fetch.ReasonLoop, tt.wantError)
			if len(batches) != 0 {
				t.Errorf("emitted %d batches, want none", len(batches))
			}
		})
	}
}

// Each page's body is capped at maxBodyBytes: a list padded to the cap
// reads, one byte more fails the sync (fetch counts it too_large; decode
// before issue 10's fetch change).
func TestSyncBodyCap(t *testing.T) {
	page := `{"meta": {"pagination": {"current_page": 1, "total_pages": 1}}, "data": []}`
	for _, tt := range []struct {
		size    int
		wantErr bool
	}{{maxBodyBytes, false}, {maxBodyBytes + 1, true}} {
		body := page + strings.Repeat(" ", tt.size-len(page))
		_, srv := collectortest.StartSite(t, map[string]http.HandlerFunc{
			componentsPath: collectortest.ServeJSON(body),
			incidentsPath:  collectortest.ServeJSON(page),
			schedulesPath:  collectortest.ServeJSON(page),
		})
		_, err := collectortest.Sync(newSource(t, srv.Client(), srv.URL, "", time.Time{}), nil)
		switch {
		case !tt.wantErr && err != nil:
			t.Errorf("%d bytes: %v, want the page read", tt.size, err)
		case tt.wantErr && (err == nil || !slices.Contains([]string{fetch.ReasonTooLarge, fetch.ReasonDecode}, fetch.Reason(err))):
			t.Errorf("%d bytes: error %v, want the body refused as too large", tt.size, err)
		}
	}
}
