package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// promSeries is one series of a Prometheus query result: its labels
// (__name__ included when the expression keeps it) and its samples, oldest
// first (one for an instant vector).
type promSeries struct {
	Labels  map[string]string
	Samples []promSample
}

type promSample struct {
	At    time.Time
	Value float64
}

// key is the series' labels as "{a="1",b="2"}", sorted, for comparing sets.
func (s promSeries) key() string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(s.Labels)) {
		parts = append(parts, fmt.Sprintf("%s=%q", name, s.Labels[name]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// promInstant evaluates expr at an instant; a range selector gives every
// raw sample of the range, as stored.
func promInstant(base, expr string, at time.Time) ([]promSeries, error) {
	return promAPI(base + "/api/v1/query?" + url.Values{
		"query": {expr},
		"time":  {promTime(at)},
	}.Encode())
}

// promRange evaluates expr at start, start+step, ... up to end.
func promRange(base, expr string, start, end time.Time, step time.Duration) ([]promSeries, error) {
	return promAPI(base + "/api/v1/query_range?" + url.Values{
		"query": {expr},
		"start": {promTime(start)},
		"end":   {promTime(end)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}.Encode())
}

func promTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

// promAPI decodes a vector or matrix answer of Prometheus' HTTP API.
func promAPI(u string) ([]promSeries, error) {
	c := http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string    `json:"metric"`
				Value  [2]json.RawMessage   `json:"value"`
				Values [][2]json.RawMessage `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decoding %.200s: %w", b, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("prometheus: %s", r.Error)
	}
	if r.Data.ResultType != "vector" && r.Data.ResultType != "matrix" {
		return nil, fmt.Errorf("prometheus answered a %s, want a vector or matrix", r.Data.ResultType)
	}
	out := make([]promSeries, 0, len(r.Data.Result))
	for _, res := range r.Data.Result {
		raw := res.Values
		if r.Data.ResultType == "vector" {
			raw = [][2]json.RawMessage{res.Value}
		}
		s := promSeries{Labels: res.Metric}
		for _, pair := range raw {
			sample, err := decodeSample(pair)
			if err != nil {
				return nil, err
			}
			s.Samples = append(s.Samples, sample)
		}
		out = append(out, s)
	}
	return out, nil
}

// decodeSample reads [unix seconds, "value"].
func decodeSample(pair [2]json.RawMessage) (promSample, error) {
	var at float64
	var value string
	if err := json.Unmarshal(pair[0], &at); err != nil {
		return promSample{}, fmt.Errorf("sample time %s: %w", pair[0], err)
	}
	if err := json.Unmarshal(pair[1], &value); err != nil {
		return promSample{}, fmt.Errorf("sample value %s: %w", pair[1], err)
	}
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return promSample{}, fmt.Errorf("sample value %q: %w", value, err)
	}
	return promSample{At: time.UnixMilli(int64(math.Round(at * 1000))).UTC(), Value: v}, nil
}

// promServer is a Prometheus scraping the exporter as job
// support_exporter every second, on a data directory the test may have
// filled with blocks first.
type promServer struct {
	t       *testing.T
	dataDir string
	bin     string
	args    []string
	url     string
	cmd     *exec.Cmd
	logs    *syncBuffer
}

// startPrometheus starts Prometheus with a retention that keeps years of
// backfilled blocks: the default 15d deletes them at start.
func startPrometheus(t *testing.T, bin, dir, dataDir, target string) *promServer {
	t.Helper()
	cfg := filepath.Join(dir, "prometheus.yml")
	writeFile(t, cfg, fmt.Sprintf(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: support_exporter
    static_configs:
      - targets: ['%s']
`, target))
	return runPrometheus(t, bin, cfg, dataDir)
}

// runPrometheus starts Prometheus on a free loopback port with the config
// file cfg and the TSDB in dataDir, and stops it when the test ends
// (printing its log's tail when the test failed).
func runPrometheus(t *testing.T, bin, cfg, dataDir string) *promServer {
	t.Helper()
	addr := freeAddr(t)
	p := &promServer{t: t, dataDir: dataDir, bin: bin, url: "http://" + addr, args: []string{
		"--config.file=" + cfg, "--storage.tsdb.path=" + dataDir, "--storage.tsdb.retention.time=10y",
		"--web.listen-address=" + addr,
	}}
	p.start()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", tail(p.logs.String(), 30))
		}
	})
	return p
}

func (p *promServer) start() {
	p.t.Helper()
	p.logs = &syncBuffer{}
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	waitFor(p.t, time.Minute, "prometheus ready", func() bool {
		code, _ := httpGet(p.url + "/-/ready")
		return code == http.StatusOK
	})
}

// stop ends Prometheus cleanly, so that a restart finds its head intact.
func (p *promServer) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Wait()
}

// restart makes Prometheus load blocks added to its data directory.
func (p *promServer) restart() {
	p.t.Helper()
	p.stop()
	p.start()
}
