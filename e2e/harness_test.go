// Package e2e drives the built support_exporter binary against the vendor
// simulator, the way a user runs it: real processes, real signals, real HTTP.
package e2e

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// binary is the support_exporter built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	// Every test here builds and runs real processes (the exporter,
	// Prometheus, Alertmanager, promtool): none of it belongs in the quick
	// `go test -short` run of `make unit`. `make test` runs them.
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped under -short: these tests drive the built binary, Prometheus and promtool; run `make test` or `go test ./e2e/`")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "support_exporter-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "support_exporter")
	if out, err := exec.Command("go", "build", "-o", binary, "../cmd/support_exporter").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building support_exporter: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer collects a process's output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is one running exporter.
type proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan struct{}
}

// freeAddr is a loopback address free now for a process the test starts.
// Its port lies below the kernel's ephemeral range: a port from there (what
// listening on :0 gives) could be handed again, between this check and the
// child's bind, to any socket bound to :0, such as the demo's simulated
// vendors starting in that very child.
func freeAddr(t testing.TB) string {
	t.Helper()
	lowest := ephemeralLow()
	for range 200 {
		port := freePortFloor + int(nextPort.Add(1)+int64(os.Getpid()))%(lowest-freePortFloor)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // taken: try the next
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	t.Fatalf("no free port in [%d, %d)", freePortFloor, lowest)
	return ""
}

// freePortFloor is the lowest port freeAddr hands out, above the
// well-known and most registered service ports.
const freePortFloor = 20000

// nextPort spreads freeAddr's ports over its range.
var nextPort atomic.Int64

// ephemeralLow is the lowest port of the kernel's ephemeral range (Linux's
// net.ipv4.ip_local_port_range; its default 32768 elsewhere).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	var lo, hi int
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil || lo <= freePortFloor+1000 {
		return 32768
	}
	return lo
}

// start runs the binary and waits until it answers /-/ready.
func start(t testing.TB, logs *syncBuffer, args ...string) *proc {
	t.Helper()
	return ready(t, launch(t, logs, freeAddr(t), args...))
}

// startAt is start on a given address, as a restart on the same host and
// port: what Prometheus scrapes keeps its instance label.
func startAt(t testing.TB, addr string, args ...string) *proc {
	t.Helper()
	return ready(t, launch(t, nil, addr, args...))
}

// ready waits until p answers /-/ready.
func ready(t testing.TB, p *proc) *proc {
	t.Helper()
	waitFor(t, 60*time.Second, "exporter ready", func() bool {
		code, _ := p.get("/-/ready")
		return code == http.StatusOK
	})
	return p
}

func startNoWait(t testing.TB, logs *syncBuffer, args ...string) *proc {
	t.Helper()
	return launch(t, logs, freeAddr(t), args...)
}

// launch runs the binary on addr.
func launch(t testing.TB, logs *syncBuffer, addr string, args ...string) *proc {
	t.Helper()
	if logs == nil {
		logs = &syncBuffer{}
	}
	cmd := exec.Command(binary, append([]string{"--web.listen-address=" + addr}, args...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, addr: addr, logs: logs, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill9()
		if t.Failed() {
			t.Logf("exporter log:\n%s", tail(logs.String(), 40))
		}
	})
	return p
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func (p *proc) kill9() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// term sends SIGTERM and returns how long the process took to exit.
func (p *proc) term() time.Duration {
	p.t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Fatal("exporter did not exit within 10 s of SIGTERM")
	}
	return time.Since(start)
}

func (p *proc) get(path string) (int, string) {
	return httpGet("http://" + p.addr + path)
}

func httpGet(url string) (int, string) {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// series is a scrape flattened to "name{label="value",...}" -> value, with
// histograms expanded into their _bucket, _sum and _count series.
type series map[string]float64

func (p *proc) scrape() (series, string) {
	p.t.Helper()
	code, body := p.get("/metrics")
	if code != http.StatusOK {
		p.t.Fatalf("GET /metrics: %d %s", code, body)
	}
	return parseMetrics(p.t, body), body
}

func parseMetrics(t testing.TB, text string) series {
	t.Helper()
	return parseSeries(t, text, func(string, dto.MetricType) bool { return true })
}

// parseSeries flattens the families of an exposition that keep accepts.
func parseSeries(t testing.TB, text string, keep func(name string, typ dto.MetricType) bool) series {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	out := series{}
	for name, f := range fams {
		if !keep(name, f.GetType()) {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := labelString(m.GetLabel(), "", "")
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[name+labels] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[name+labels] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				for _, b := range h.GetBucket() {
					out[name+"_bucket"+labelString(m.GetLabel(), "le", fmt.Sprint(b.GetUpperBound()))] = float64(b.GetCumulativeCount())
				}
				out[name+"_sum"+labels] = h.GetSampleSum()
				out[name+"_count"+labels] = float64(h.GetSampleCount())
			default:
				out[name+labels] = m.GetUntyped().GetValue()
			}
		}
	}
	return out
}

func labelString(ls []*dto.LabelPair, extraName, extraValue string) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	if extraName != "" {
		parts = append(parts, fmt.Sprintf("%s=%q", extraName, extraValue))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// get returns the value of the series with exactly these labels.
func (s series) get(name string, labels ...string) (float64, bool) {
	var parts []string
	for i := 0; i+1 < len(labels); i += 2 {
		parts = append(parts, fmt.Sprintf("%s=%q", labels[i], labels[i+1]))
	}
	sort.Strings(parts)
	v, ok := s[name+"{"+strings.Join(parts, ",")+"}"]
	return v, ok
}

// sum adds every series of a family (histograms: pass name_count etc.)
// whose labels contain all the given label pairs.
func (s series) sum(name string, labels ...string) float64 {
	var total float64
	for k, v := range s {
		if !strings.HasPrefix(k, name+"{") {
			continue
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			if !strings.Contains(k, fmt.Sprintf("%s=%q", labels[i], labels[i+1])) {
				match = false
			}
		}
		if match {
			total += v
		}
	}
	return total
}

// has reports whether a family has any series.
func (s series) has(name string) bool {
	for k := range s {
		if strings.HasPrefix(k, name+"{") {
			return true
		}
	}
	return false
}

// max is the largest value among a family's series (0 when it has none).
func (s series) max(name string) float64 {
	var m float64
	for k, v := range s {
		if strings.HasPrefix(k, name+"{") && v > m {
			m = v
		}
	}
	return m
}

// quality keeps only the derived support metrics: what must be identical
// between two runs over the same vendor data (self-metrics about requests,
// timings and the process differ by nature).
func (s series) quality() series {
	out := series{}
	for k, v := range s {
		if strings.HasPrefix(k, "support_") && !strings.HasPrefix(k, "support_source_") && !strings.HasPrefix(k, "support_exporter_") {
			out[k] = v
		}
	}
	return out
}

// diff lists the series that differ between two scrapes.
func diff(a, b series) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			out = append(out, fmt.Sprintf("%s: %v vs missing", k, v))
		} else if v != w {
			out = append(out, fmt.Sprintf("%s: %v vs %v", k, v, w))
		}
	}
	for k, w := range b {
		if _, ok := a[k]; !ok {
			out = append(out, fmt.Sprintf("%s: missing vs %v", k, w))
		}
	}
	slices.Sort(out)
	return out
}

func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	waitEvery(t, timeout, 100*time.Millisecond, what, cond)
}

// waitEvery is waitFor polling every interval: a benchmark polls less
// often, since each scrape takes CPU from the work it waits for.
func waitEvery(t testing.TB, timeout, interval time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(interval)
	}
}

// promtoolLint runs `promtool check metrics` on an exposition and returns
// what it printed. promtool comes from Debian's `prometheus` package, which
// .ci/run installs; without it the test fails rather than skipping.
func promtoolLint(t testing.TB, exposition string) string {
	t.Helper()
	path, err := toolPath("promtool")
	if err != nil {
		t.Fatalf("promtool not found (%v): install Debian's `prometheus` package (bash .ci/run does)", err)
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(exposition)
	out, err := cmd.CombinedOutput()
	if err != nil && len(out) == 0 {
		t.Fatalf("promtool: %v", err)
	}
	return strings.TrimSpace(string(out))
}
