package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/support-exporter/support_exporter/exporter"
	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/exporter/webhook"
)

var update = flag.Bool("update", false, "rewrite "+goldenPath+" from the demo's exposition")

// goldenPath is the demo's /metrics, as node_exporter keeps its
// collector/fixtures/e2e-output.txt: a change to a metric name, HELP, TYPE,
// label name, label value, value or number of series shows as a diff of it.
const goldenPath = "testdata/demo.golden"

// goldenClock is the demo's clock, frozen: a Wednesday, when every demo
// office but Los Angeles (2 a.m.) and New York (5 a.m.) is in or near its
// business hours.
var goldenClock = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// leftOut are the families of the Go runtime, of the test process and of
// the HTTP handler: none is about the demo, and they differ at every run.
var leftOut = []string{"go_", "process_", "promhttp_"}

// maskedValues are the families whose values are timing, not the demo's
// data: their series stay, so that names, labels and the number of series
// are still checked, with maskedValue for the value. Every other value is
// the real one: with the clock frozen and the sync done once, the values
// are evidence of what the demo measures.
var maskedValues = map[string]string{
	"support_source_sync_duration_seconds": "a sync's duration is wall time; the frozen clock makes it 0, which would say nothing",
}

// maskedLabels are the families whose label values describe the build that
// ran the test, not the exporter: the label names stay.
var maskedLabels = map[string]string{
	"support_exporter_build_info": "the toolchain, platform and VCS stamp of the test binary",
}

const maskedValue = "<masked>"

// TestGoldenExposition syncs every source of the demo world once, with the
// demo's clock frozen at goldenClock, and compares the /metrics exposition
// with goldenPath. Only the simulator's rate limits and the retry after the
// demo's injected 429 wait in real time; what they count is the same at any
// speed. go test ./cmd/support_exporter -run TestGoldenExposition -update
// rewrites the file.
func TestGoldenExposition(t *testing.T) {
	got := demoExposition(t)
	if *update {
		if err := os.WriteFile(goldenPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d series", goldenPath, countSeries(got))
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v: run go test ./cmd/support_exporter -run TestGoldenExposition -update", err)
	}
	if string(want) == got {
		return
	}
	t.Errorf("the demo's exposition differs from %s (%d series there, %d now); "+
		"if the change is intended, run go test ./cmd/support_exporter -run TestGoldenExposition -update "+
		"and commit the file, whose git diff shows it whole.\n%s",
		goldenPath, countSeries(string(want)), countSeries(got),
		unifiedDiff(goldenPath, "exposition now", lines(string(want)), lines(got), 3, 60))
}

// demoExposition runs the demo as serve does, with the clock frozen, until
// every source completed one sync, and returns the exposition of goldenPath.
func demoExposition(t *testing.T) string {
	t.Helper()
	clock := func() time.Time { return goldenClock }
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("exporter log:\n%s", tail(logs.String(), 40))
		}
	})
	d, err := startDemo(logger, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	cfg, err := d.config()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(d.storageDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// serve delivers the demo's customer alerts right after the first
	// Apply, while the first syncs run: they are there when the incidents
	// are decided. Here they go first, through the real webhook handler,
	// to an exporter that only applies the configuration (SyncAll with a
	// done context: no request leaves); the measured exporter then loads
	// them from the store with the rest, as after a restart.
	first := exporter.New(ctx, exporter.Options{Logger: logger, Store: st, UserAgent: name + "/" + buildVersion(), Now: clock})
	done, stop := context.WithCancel(ctx)
	stop()
	_ = first.SyncAll(done, cfg, 1) // only the aborted syncs fail
	alerts := webhook.New(first, logger)
	if err := d.deliverAlerts(alerts); err != nil {
		t.Fatal(err)
	}
	first.Stop()

	exp := exporter.New(ctx, exporter.Options{Logger: logger, Store: st, UserAgent: name + "/" + buildVersion(), Now: clock})
	defer exp.Stop()
	// SyncAll returns once every source completed a sync: swiftedge's
	// Zendesk after the retry that the demo's injected 429 calls for.
	if err := exp.SyncAll(ctx, cfg, syncAttempts); err != nil {
		t.Fatalf("syncing the demo: %v", err)
	}
	mfs, err := newRegistry(exp, alerts).Gather()
	if err != nil {
		t.Fatal(err)
	}
	checkServed(t, exp, alerts, logger, mfs) // /metrics serves the same, cached
	return renderGolden(t, mfs)
}

// renderGolden writes the families in the text format that /metrics
// serves, sorted as the registry sorts them, with leftOut dropped and
// maskedValues and maskedLabels masked, under a header that says so.
func renderGolden(t *testing.T, mfs []*dto.MetricFamily) string {
	t.Helper()
	var body bytes.Buffer
	families := 0
	for _, mf := range mfs {
		name := mf.GetName()
		if slices.ContainsFunc(leftOut, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		if _, ok := maskedLabels[name]; ok {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					l.Value = new(maskedValue)
				}
			}
		}
		var fam bytes.Buffer
		if _, err := expfmt.MetricFamilyToText(&fam, mf); err != nil {
			t.Fatalf("family %s: %v", name, err)
		}
		text := fam.String()
		if _, ok := maskedValues[name]; ok {
			text = maskValues(text)
		}
		body.WriteString(text)
		families++
	}
	var out strings.Builder
	fmt.Fprintf(&out, "# The /metrics of support_exporter --demo (seed %d) with its clock frozen at %s,\n", demoSeed, goldenClock.Format(time.RFC3339))
	fmt.Fprintf(&out, "# once every source completed a sync: %d families, %d series.\n", families, countSeries(body.String()))
	out.WriteString("# Regenerate: go test ./cmd/support_exporter -run TestGoldenExposition -update\n")
	fmt.Fprintf(&out, "# Left out: %s* (the Go runtime, the test process, the HTTP handler).\n", strings.Join(leftOut, "*, "))
	for _, m := range sortedMasks(maskedValues) {
		fmt.Fprintf(&out, "# Value %s: %s: %s.\n", maskedValue, m, maskedValues[m])
	}
	for _, m := range sortedMasks(maskedLabels) {
		fmt.Fprintf(&out, "# Label values %s: %s: %s.\n", maskedValue, m, maskedLabels[m])
	}
	out.Write(body.Bytes())
	return out.String()
}

// sampleValue is the value at the end of a sample line: label values may
// hold spaces, but only inside the braces before it.
var sampleValue = regexp.MustCompile(` [^ ]+$`)

// maskValues replaces the value of every sample line of a family's text.
func maskValues(text string) string {
	ls := strings.SplitAfter(text, "\n")
	for i, l := range ls {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		ls[i] = sampleValue.ReplaceAllString(strings.TrimSuffix(l, "\n"), " "+maskedValue) + "\n"
	}
	return strings.Join(ls, "")
}

func sortedMasks(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// countSeries counts the sample lines of an exposition (a histogram's
// buckets, sum and count each count).
func countSeries(text string) int {
	n := 0
	for _, l := range lines(text) {
		if l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}

func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func tail(s string, n int) string {
	ls := lines(s)
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

// lockedBuffer collects the exporter's log while its goroutines write it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
