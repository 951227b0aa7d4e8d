package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDashboardsAndAlertsAgainstPrometheus runs the demo exporter, a real
// Prometheus (Debian's `prometheus`) loading the rule files, and a real
// Alertmanager (`prometheus-alertmanager`) delivering to a webhook owned by
// the test. It proves that every dashboard query parses and returns data,
// that every recording rule produces series, and that an alert fired by a
// demo persona travels through Alertmanager to the receiver. The only change
// to the rules is a shorter `for:`.
func TestDashboardsAndAlertsAgainstPrometheus(t *testing.T) {
	promBin, amBin := lookPath(t, "prometheus", "prometheus"), lookPath(t, "prometheus-alertmanager", "prometheus-alertmanager")
	dir := t.TempDir()

	exp := start(t, nil, "--demo")

	var (
		mu       sync.Mutex
		received []string
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
			} `json:"alerts"`
		}
		if err := json.NewDecoder(r.Body).Decode(&msg); err == nil {
			mu.Lock()
			for _, a := range msg.Alerts {
				received = append(received, a.Labels["alertname"])
			}
			mu.Unlock()
		}
	}))
	defer hook.Close()

	amAddr := freeAddr(t)
	writeFile(t, filepath.Join(dir, "alertmanager.yml"), fmt.Sprintf(`route:
  receiver: test
  group_by: [alertname, vendor]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: %s
        send_resolved: false
`, hook.URL))
	runDaemon(t, amBin, "--config.file="+filepath.Join(dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(dir, "am"), "--web.listen-address="+amAddr, "--cluster.listen-address=")

	var ruleFiles []string
	for _, f := range []string{"support_exporter.rules.yml", "support_exporter.alerts.yml"} {
		b, err := readRepoFile("alerts/" + f)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, f)
		writeFile(t, path, shortenFor(string(b)))
		ruleFiles = append(ruleFiles, path)
	}
	promAddr := freeAddr(t)
	writeFile(t, filepath.Join(dir, "prometheus.yml"), fmt.Sprintf(`global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files: [%s, %s]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['%s']
scrape_configs:
  - job_name: support_exporter
    static_configs:
      - targets: ['%s']
`, ruleFiles[0], ruleFiles[1], amAddr, exp.addr))
	runDaemon(t, promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "tsdb"), "--web.listen-address="+promAddr)
	prom := "http://" + promAddr

	// Every recording rule produces series.
	records := regexp.MustCompile(`(?m)^\s+- record: (\S+)`).FindAllStringSubmatch(mustRead(t, ruleFiles[0]), -1)
	if len(records) < 20 {
		t.Fatalf("only %d recording rules found", len(records))
	}
	waitFor(t, 4*time.Minute, "every recording rule to produce series", func() bool {
		for _, r := range records {
			if n, err := promQuery(prom, r[1]); err != nil || n == 0 {
				return false
			}
		}
		return true
	})

	// Every dashboard panel query parses and returns data.
	var empty []string
	for _, q := range dashboardQueries(t) {
		n, err := promQuery(prom, grafanaVariables(q.expr))
		if err != nil {
			t.Errorf("%s / %s: %v\n%s", q.uid, q.panel, err, q.expr)
		} else if n == 0 {
			empty = append(empty, q.uid+" / "+q.panel+": "+q.expr)
		}
	}
	if len(empty) > 0 {
		t.Errorf("%d dashboard queries return no data:\n%s", len(empty), strings.Join(empty, "\n"))
	}

	// An alert fired by a demo persona reaches Alertmanager and the receiver.
	waitFor(t, 3*time.Minute, "an alert delivered to the webhook", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(received) > 0
	})
	_, body := httpGet("http://" + amAddr + "/api/v2/alerts")
	mu.Lock()
	first := received[0]
	mu.Unlock()
	if !strings.Contains(body, first) {
		t.Fatalf("alert %s reached the webhook but Alertmanager does not list it: %s", first, body)
	}
	t.Logf("alerts delivered: %v", received)
}

// shortenFor sets every `for:` to 0s, the one change the issue allows in
// the test copy of the rules.
func shortenFor(rules string) string {
	return regexp.MustCompile(`(?m)^(\s+for:) .*$`).ReplaceAllString(rules, "${1} 0s")
}

// dashboardQuery is one panel query of the committed dashboards.
type dashboardQuery struct{ uid, panel, expr string }

// dashboardQueries reads every panel query of the committed dashboard
// files, the JSON Grafana loads (the dashboards package's tests keep them
// what the code generates), in file and panel order.
func dashboardQueries(t *testing.T) []dashboardQuery {
	t.Helper()
	return dashboardQueriesIn(t, filepath.Join("..", "dashboards"))
}

// dashboardQueriesIn is dashboardQueries of the dashboards in dir.
func dashboardQueriesIn(t *testing.T, dir string) []dashboardQuery {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	type panel struct {
		Title   string
		Targets []struct{ Expr string }
		Panels  []panel // a collapsed row's
	}
	var out []dashboardQuery
	var walk func(uid string, panels []panel)
	walk = func(uid string, panels []panel) {
		for _, p := range panels {
			for _, q := range p.Targets {
				out = append(out, dashboardQuery{uid: uid, panel: p.Title, expr: q.Expr})
			}
			walk(uid, p.Panels)
		}
	}
	for _, f := range files {
		var d struct {
			UID    string
			Panels []panel
		}
		if err := json.Unmarshal([]byte(mustRead(t, f)), &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walk(d.UID, d.Panels)
	}
	if len(out) == 0 {
		t.Fatalf("no panel query in %s/*.json", dir)
	}
	return out
}

// grafanaVariables substitutes what Grafana would: all vendors, the 7d
// window, and typical interval and range values.
func grafanaVariables(expr string) string {
	return strings.NewReplacer(
		"${vendor:regex}", ".*", "$vendor", ".*", "${vendor}", ".*",
		"$window", "7d", "${window}", "7d",
		"$job", ".*", "$instance", ".*", "$cluster", ".*",
		"$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h",
	).Replace(expr)
}

// promQuery runs an instant query and returns the number of series (or 1
// for a scalar), or the error Prometheus gave.
func promQuery(base, expr string) (int, error) {
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string            `json:"resultType"`
			Result     []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return 0, fmt.Errorf("decoding %s: %w", b, err)
	}
	switch {
	case r.Status != "success":
		return 0, fmt.Errorf("%s", r.Error)
	case r.Data.ResultType == "scalar":
		return 1, nil
	}
	return len(r.Data.Result), nil
}

// runDaemon starts a server binary and stops it when the test ends.
func runDaemon(t *testing.T, bin string, args ...string) {
	t.Helper()
	logs := &syncBuffer{}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s log:\n%s", filepath.Base(bin), tail(logs.String(), 30))
		}
	})
}

func lookPath(t *testing.T, bin, pkg string) string {
	t.Helper()
	p, err := toolPath(bin)
	if err != nil {
		t.Fatalf("%s not found: install Debian's `%s` package (bash .ci/run does)", bin, pkg)
	}
	return p
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
