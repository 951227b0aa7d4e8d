package exporter

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// fakeGitHubIssues answers every issue list request with the same open,
// never commented issue of a customer, without a next page, and its
// timeline (read for who labeled it) with no event.
func fakeGitHubIssues(t *testing.T, labels ...string) *httptest.Server {
	t.Helper()
	created := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	issue := map[string]any{
		"number": 7, "state": "open", "state_reason": nil, "comments": 0,
		"created_at": created.Format(time.RFC3339), "updated_at": created.Add(time.Hour).Format(time.RFC3339),
		"user": map[string]any{"login": "customer", "type": "User"}, "author_association": "NONE",
		"labels": labelObjects(labels),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/repos/acme/sdk/issues/7/timeline" {
			writeJSON(w, http.StatusOK, []any{})
			return
		}
		if r.Method != http.MethodGet || r.URL.Path != "/repos/acme/sdk/issues" {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, []any{issue})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// labelObjects are labels as the issue list writes them.
func labelObjects(names []string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, map[string]any{"name": n})
	}
	return out
}

// A GitHub issue carries its priority as a label: its collector leaves the
// ticket's priority empty, and the exporter sets it, before the merge, to
// the label naming the most urgent priority (docs/configuration.md,
// "Priorities"): stored as written, served as its priority.
func TestGitHubPriorityFromLabels(t *testing.T) {
	t.Parallel()
	gh := fakeGitHubIssues(t, "bug", "P1", "high")
	e, st := newTestExporter(t)
	cfg := parseConfig(t, fmt.Sprintf(`global:
  poll_interval: 200ms
  request_timeout: 5s
vendors:
  - name: acme
    tickets:
      - name: issues
        kind: github
        url: %s
        repositories: [acme/sdk]
`, gh.URL))
	if err := e.Apply(cfg); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	key := store.SourceKey{Vendor: "acme", Source: "issues"}
	waitFor(t, "the source to sync", statusCond(e, key, func(s exposition.SourceStatus) bool { return s.Up }))
	waitFor(t, "the issue in the snapshot", func() (bool, string) {
		got := ticketsCreated(e, "acme")
		return got[quality.Urgent] == 1, fmt.Sprint(got)
	})
	if got, want := ticketsCreated(e, "acme"), [quality.NumPriorities]uint64{quality.Urgent: 1}; got != want {
		t.Errorf("TicketsCreated = %v, want %v", got, want)
	}
	stored, err := st.Ticket(key, "acme/sdk#7")
	if err != nil || stored == nil {
		t.Fatalf("stored ticket %+v (err %v)", stored, err)
	}
	if stored.Priority != "P1" {
		t.Errorf("stored priority %q, want the label P1 as written", stored.Priority)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(exposition.New(e))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "support_tickets_created_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "priority" {
					served[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	if served["urgent"] != 1 || served["high"] != 0 || served["normal"] != 0 {
		t.Errorf("support_tickets_created_total by priority = %v, want urgent 1", served)
	}
}
