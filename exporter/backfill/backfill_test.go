package backfill

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

const testConfig = `global:
  history_start: 2026-01-01
  alert_grace: 5m
vendors:
  - name: acme
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h}
      resolution: {urgent: 24h, high: 72h}
    tickets:
      - name: support
        kind: zendesk
        http_client: {basic_auth: {username: agent, password: token}}
        url: https://acme.zendesk.com
    status_pages:
      - name: status
        kind: statuspage
        url: https://status.acme.com
  - name: bolt.co
    tickets:
      - name: desk
        kind: freshdesk
        http_client: {basic_auth: {username: agent, password: token}}
        url: https://bolt.freshdesk.com
`

var (
	historyStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	synced       = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) // the last sync started then
	now          = synced.Add(90 * time.Minute)
)

// testStore fills a store with two months of history for both vendors,
// merged as the exporter merges what it fetches.
func testStore(t *testing.T) (*store.Store, *config.Config) {
	t.Helper()
	cfg, err := config.Parse([]byte(testConfig), "test.yml", collectors.Kinds.Config())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, v := range cfg.Vendors {
		rules, err := quality.NewRules(v, config.Global{HistoryStart: config.Date{Time: historyStart}})
		if err != nil {
			t.Fatal(err)
		}
		source := v.Tickets[0].Name
		put(t, st, v.Name, source, func(tx *store.Tx) error {
			tickets := []item.Ticket{
				// The vendor's clock runs ahead of ours: its last change
				// is dated after the backfill's end, yet the exporter
				// counts it, so the last sample must too.
				{ID: "skewed", Priority: "urgent", Status: item.StatusClosed, Satisfaction: item.RatingGood,
					CreatedAt: synced.Add(-time.Hour), UpdatedAt: now.Add(time.Hour),
					Events: []item.Event{{Kind: item.EventVendorReply, At: now.Add(time.Hour)}, {Kind: item.EventSolved, At: now.Add(time.Hour)}}},
			}
			for i := range 300 {
				tickets = append(tickets, randomTicket(rnd, i, historyStart, synced))
			}
			for _, tk := range tickets {
				merged := rules.MergeTicket(nil, tk, quality.Judged{})
				if _, err := tx.PutTicket(&merged); err != nil {
					return err
				}
			}
			return tx.SetSyncedAt(synced)
		})
		if len(v.StatusPages) == 0 {
			continue
		}
		put(t, st, v.Name, v.StatusPages[0].Name, func(tx *store.Tx) error {
			for i := range 20 {
				inc := randomIncident(rnd, i, historyStart, synced)
				merged := rules.MergeIncident(nil, inc, quality.Judged{})
				if _, err := tx.PutIncident(&merged); err != nil {
					return err
				}
				m := item.Maintenance{ID: fmt.Sprint("m", i), CreatedAt: inc.CreatedAt, UpdatedAt: inc.CreatedAt,
					ScheduledFor: inc.CreatedAt.Add(time.Duration(rnd.IntN(96)) * time.Hour)}
				if m.ScheduledFor.Before(synced) {
					m.CompletedAt = m.ScheduledFor.Add(time.Hour)
					m.UpdatedAt = m.CompletedAt
				}
				if _, err := tx.PutMaintenance(&m); err != nil {
					return err
				}
			}
			return tx.SetSyncedAt(synced)
		})
	}
	if _, err := st.PutAlertSignals([]store.AlertSignal{{Vendor: "acme", Fingerprint: "f1", StartsAt: historyStart.Add(200 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	return st, cfg
}

func put(t *testing.T, st *store.Store, vendor, source string, fn func(*store.Tx) error) {
	t.Helper()
	if err := st.Update(store.SourceKey{Vendor: vendor, Source: source}, fn); err != nil {
		t.Fatal(err)
	}
}

// randomTicket is a ticket created between from and synced, some answered late,
// some open at the end, some reopened, rated or escalated.
func randomTicket(rnd *rand.Rand, i int, from, synced time.Time) item.Ticket {
	created := from.Add(time.Duration(rnd.Int64N(int64(synced.Sub(from)))))
	t := item.Ticket{ID: fmt.Sprint(i), CreatedAt: created, UpdatedAt: created,
		Priority: []string{"urgent", "high", "normal", "low"}[rnd.IntN(4)], Status: item.StatusOpen}
	at := created
	event := func(k item.EventKind, after time.Duration) bool {
		at = at.Add(after)
		if at.After(synced) {
			return false
		}
		t.Events = append(t.Events, item.Event{Kind: k, At: at})
		t.UpdatedAt = at
		return true
	}
	if !event(item.EventVendorReply, time.Duration(rnd.IntN(600))*time.Minute) {
		return t
	}
	if rnd.IntN(3) == 0 && !event(item.EventCustomerReply, time.Duration(rnd.IntN(600))*time.Minute) {
		return t
	}
	if !event(item.EventSolved, time.Duration(rnd.IntN(4000))*time.Minute) {
		return t
	}
	t.Status = item.StatusSolved
	if rnd.IntN(5) == 0 {
		if !event(item.EventReopened, time.Duration(rnd.IntN(600))*time.Minute) {
			return t
		}
		t.Status = item.StatusOpen
		if !event(item.EventSolved, time.Duration(rnd.IntN(600))*time.Minute) {
			return t
		}
		t.Status = item.StatusSolved
	}
	if rnd.IntN(2) == 0 && t.UpdatedAt.Add(96*time.Hour).Before(synced) {
		t.Status, t.UpdatedAt = item.StatusClosed, t.UpdatedAt.Add(96*time.Hour)
		t.Satisfaction = []item.Rating{item.RatingGood, item.RatingBad}[rnd.IntN(2)]
		t.Escalated = rnd.IntN(4) == 0
	}
	return t
}

func randomIncident(rnd *rand.Rand, i int, from, synced time.Time) item.Incident {
	created := from.Add(time.Duration(rnd.Int64N(int64(synced.Sub(from)))))
	inc := item.Incident{ID: fmt.Sprint("i", i), Impact: []item.Impact{item.ImpactMinor, item.ImpactMajor}[rnd.IntN(2)],
		CreatedAt: created, StartedAt: created.Add(-time.Duration(rnd.IntN(60)) * time.Minute), UpdatedAt: created}
	for at := created.Add(time.Duration(1+rnd.IntN(90)) * time.Minute); at.Before(synced) && len(inc.Updates) < 4; at = at.Add(time.Duration(1+rnd.IntN(90)) * time.Minute) {
		inc.Updates = append(inc.Updates, at)
		inc.UpdatedAt = at
	}
	if n := len(inc.Updates); n > 1 {
		inc.ResolvedAt = inc.Updates[n-1]
	}
	return inc
}

func options(st *store.Store, cfg *config.Config, dir string) Options {
	return Options{
		Store: st, Config: cfg, ConfigDigest: "test", Now: now, Step: 6 * time.Hour, Dir: dir,
		Labels: map[string]string{"job": "support_exporter", "instance": "host:10043"},
	}
}

// sample is one line of the output.
type sample struct {
	series string // name{labels}
	value  float64
	at     string
}

// readOutput parses the files of a run in order, checking the OpenMetrics
// structure on the way: metadata before samples, each family's samples
// together, # EOF last.
func readOutput(t *testing.T, files []string) map[string][]sample {
	t.Helper()
	out := map[string][]sample{}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		seenFamilies := map[string]bool{}
		family, eof := "", false
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if eof {
				t.Fatalf("%s: line after # EOF: %q", path, line)
			}
			switch {
			case line == "# EOF":
				eof = true
			case strings.HasPrefix(line, "# TYPE "):
				family = strings.Fields(line)[2]
				if seenFamilies[family] {
					t.Fatalf("%s: family %s twice", path, family)
				}
				seenFamilies[family] = true
			case strings.HasPrefix(line, "# HELP "):
			default:
				end := strings.LastIndex(line, "} ")
				fields := strings.Fields(line[end+2:])
				if end < 0 || len(fields) != 2 || !strings.HasPrefix(line, family) {
					t.Fatalf("%s: bad sample line %q (family %s)", path, line, family)
				}
				v, err := strconv.ParseFloat(fields[0], 64)
				if err != nil {
					t.Fatalf("%s: %q: %v", path, line, err)
				}
				out[line[:end+1]] = append(out[line[:end+1]], sample{series: line[:end+1], value: v, at: fields[1]})
			}
		}
		f.Close()
		if !eof {
			t.Fatalf("%s: no # EOF", path)
		}
	}
	return out
}

// liveValues is what the exporter would serve from the same store at now:
// the aggregates loaded as at start-up, through the real exposition, with
// the labels Prometheus adds.
func liveValues(t *testing.T, st *store.Store, cfg *config.Config) map[string]float64 {
	t.Helper()
	snap := &quality.Snapshot{At: now}
	for _, v := range cfg.Vendors {
		rules, err := quality.NewRules(v, cfg.Global)
		if err != nil {
			t.Fatal(err)
		}
		sources, ticketSources := quality.VendorSources(v)
		agg := quality.NewAggregator(rules, sources, ticketSources)
		for name := range sources {
			err := st.Load(store.SourceKey{Vendor: v.Name, Source: name}, store.Handlers{
				Ticket:      func(tk *item.Ticket) error { agg.ReplaceTicket(name, nil, tk); return nil },
				Incident:    func(i *item.Incident) error { agg.ReplaceIncident(name, nil, i); return nil },
				Maintenance: func(m *item.Maintenance) error { agg.ReplaceMaintenance(name, nil, m); return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := st.LoadAlertSignals(v.Name, func(at time.Time) error { agg.AddAlertSignal(at); return nil }); err != nil {
			t.Fatal(err)
		}
		snap.Vendors = append(snap.Vendors, agg.Snapshot(func(source string) time.Time {
			if source == quality.AlertSource {
				return now.Add(-5 * time.Minute)
			}
			return synced
		}))
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(exposition.New(fixedState{snap}))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := append(slices.Clone(m.GetLabel()),
				&dto.LabelPair{Name: new("instance"), Value: new("host:10043")},
				&dto.LabelPair{Name: new("job"), Value: new("support_exporter")})
			switch {
			case m.Counter != nil:
				live[key(mf.GetName(), labels, "")] = m.Counter.GetValue()
			case m.Gauge != nil:
				live[key(mf.GetName(), labels, "")] = m.Gauge.GetValue()
			case m.Histogram != nil:
				for _, b := range m.Histogram.GetBucket() {
					live[key(mf.GetName()+"_bucket", labels, formatFloat(b.GetUpperBound()))] = float64(b.GetCumulativeCount())
				}
				live[key(mf.GetName()+"_bucket", labels, "+Inf")] = float64(m.Histogram.GetSampleCount())
				live[key(mf.GetName()+"_sum", labels, "")] = m.Histogram.GetSampleSum()
				live[key(mf.GetName()+"_count", labels, "")] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return live
}

// key renders a series with sorted labels, so that both sides compare.
func key(name string, labels []*dto.LabelPair, le string) string {
	var parts []string
	for _, l := range labels {
		parts = append(parts, l.GetName()+"="+strconv.Quote(l.GetValue()))
	}
	if le != "" {
		parts = append(parts, "le="+strconv.Quote(le))
	}
	slices.Sort(parts)
	return name + "{" + strings.Join(parts, ",") + "}"
}

// normalize turns an output series name{a="x",...} into key's form.
func normalize(t *testing.T, series string) string {
	t.Helper()
	open := strings.IndexByte(series, '{')
	var parts []string
	rest := series[open+1 : len(series)-1]
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		value, err := strconv.QuotedPrefix(rest[eq+1:])
		if err != nil {
			t.Fatalf("series %s: %v", series, err)
		}
		unquoted, _ := strconv.Unquote(value)
		parts = append(parts, rest[:eq]+"="+strconv.Quote(unquoted))
		rest = strings.TrimPrefix(rest[eq+1+len(value):], ",")
	}
	slices.Sort(parts)
	return series[:open] + "{" + strings.Join(parts, ",") + "}"
}

type fixedState struct{ snap *quality.Snapshot }

func (s fixedState) Snapshot() *quality.Snapshot             { return s.snap }
func (fixedState) SourceStatuses() []exposition.SourceStatus { return nil }
func (fixedState) Contracts() []exposition.Contract          { return nil }
func (fixedState) ReloadSuccessful() bool                    { return true }
func (fixedState) RebuiltAt() []exposition.Rebuild           { return nil }

// TestLastSampleIsWhatTheExporterServes: the history ends on the live
// values, series for series, so that Prometheus sees no reset at the seam;
// on the way no counter goes down, and the values moved.
func TestLastSampleIsWhatTheExporterServes(t *testing.T) {
	st, cfg := testStore(t)
	res, err := Run(t.Context(), options(st, cfg, filepath.Join(t.TempDir(), "out")))
	if err != nil {
		t.Fatal(err)
	}
	got := readOutput(t, res.Files)
	live := liveValues(t, st, cfg)
	if len(got) != res.Series {
		t.Errorf("%d series in the files, the run reports %d", len(got), res.Series)
	}
	wantStamp := string(appendTimestamp(nil, now))
	compared := 0
	for series, samples := range got {
		k := normalize(t, series)
		last := samples[len(samples)-1]
		if last.at != wantStamp {
			t.Fatalf("%s: last sample at %s, want %s", series, last.at, wantStamp)
		}
		want, ok := live[k]
		if !ok {
			t.Errorf("%s: not served by the exporter", k)
			continue
		}
		if last.value != want {
			t.Errorf("%s: last sample %v, the exporter serves %v", k, last.value, want)
		}
		compared++
		if strings.HasSuffix(series[:strings.IndexByte(series, '{')], "_total") || strings.Contains(series, "_bucket{") || strings.Contains(series, "_count{") {
			for i := 1; i < len(samples); i++ {
				if samples[i].value < samples[i-1].value {
					t.Fatalf("%s went down from %v to %v at %s", series, samples[i-1].value, samples[i].value, samples[i].at)
				}
			}
		}
	}
	for k := range live {
		if strings.Contains(k, "tickets_open{") || strings.Contains(k, "escalations_open{") || strings.Contains(k, "component_status{") ||
			strings.HasPrefix(k, "support_store_items{") || strings.HasPrefix(k, "support_exporter_") {
			continue // not reconstructed, or about the exporter itself
		}
		if !slices.ContainsFunc(mapKeys(got), func(s string) bool { return normalize(t, s) == k }) {
			t.Errorf("the exporter serves %s; the backfill lacks it", k)
		}
	}
	created := `support_tickets_created_total{vendor="acme",priority="high",instance="host:10043",job="support_exporter"}`
	if s := got[created]; len(s) < 200 || s[0].value >= s[len(s)-1].value || s[len(s)-1].value == 0 {
		t.Errorf("%s: %d samples from %v to %v: want the count to grow over the history", created, len(s), s[0].value, s[len(s)-1].value)
	}
	if compared < 400 {
		t.Errorf("compared %d series, want the full catalog of both vendors", compared)
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestInterruptedRunResumes: a run stopped after its first file, run again,
// writes exactly the files of an uninterrupted run.
func TestInterruptedRunResumes(t *testing.T) {
	st, cfg := testStore(t)
	whole, err := Run(t.Context(), options(st, cfg, filepath.Join(t.TempDir(), "whole")))
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Files) < 3 {
		t.Fatalf("%d files: want several to interrupt between", len(whole.Files))
	}
	dir := filepath.Join(t.TempDir(), "resumed")
	ctx, cancel := context.WithCancel(t.Context())
	o := options(st, cfg, dir)
	o.Progress = func(p Progress) {
		if p.FilesDone == 1 {
			cancel()
		}
	}
	if _, err := Run(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	o.Progress = nil
	o.Now = now.Add(time.Hour) // the resumed run keeps the first run's end
	resumed, err := Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Resumed < 1 || resumed.Samples == 0 {
		t.Errorf("resumed %d files and wrote %d samples: want the first kept, the rest written", resumed.Resumed, resumed.Samples)
	}
	for i, path := range whole.Files {
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(resumed.Files[i])
		if err != nil || string(got) != string(want) {
			t.Errorf("file %s of the resumed run differs from the uninterrupted run's (err %v)", filepath.Base(path), err)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestRefusesWhatWouldNotJoin: a resume with other inputs, an output
// directory holding other files, bad labels, unknown vendors and an empty
// span are refused with a message that says why.
func TestRefusesWhatWouldNotJoin(t *testing.T) {
	st, cfg := testStore(t)
	dir := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(t.Context())
	o := options(st, cfg, dir)
	o.Progress = func(Progress) { cancel() }
	_, _ = Run(ctx, o)

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	empty, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	cases := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"another step", func(o *Options) { o.Step = time.Hour }, "step 6h0m0s (now 1h0m0s)"},
		{"another config", func(o *Options) { o.ConfigDigest = "changed" }, "the configuration file changed"},
		{"another vendor set", func(o *Options) { o.Vendors = []string{"acme"} }, "vendors"},
		{"a directory with other files", func(o *Options) { o.Dir = other }, "is not empty"},
		{"a reserved label", func(o *Options) { o.Labels = map[string]string{"__name__": "x"} }, "not a valid label name"},
		{"a metric's own label", func(o *Options) { o.Labels = map[string]string{"vendor": "x"} }, "the metrics have a label of that name"},
		{"an unknown vendor", func(o *Options) { o.Vendors = []string{"nobody"} }, `vendor "nobody" is not in the configuration`},
		{"an empty span", func(o *Options) { o.Dir, o.From, o.To = t.TempDir(), now, now }, "is not before"},
		{"a sub-second step", func(o *Options) { o.Dir, o.Step = t.TempDir(), 1500*time.Millisecond }, "whole number of seconds"},
		{"a store that never synced", func(o *Options) { o.Dir, o.Store = t.TempDir(), empty }, "vendor acme: no source has completed a sync"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := options(st, cfg, dir)
			tc.change(&o)
			_, err := Run(t.Context(), o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestGrid(t *testing.T) {
	from := time.Date(2025, 1, 1, 0, 30, 0, 0, time.UTC)
	to := from.Add(30 * 24 * time.Hour).Add(17 * time.Minute)
	g, err := newGrid(from, to, time.Hour, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if g.span != 486*time.Hour {
		t.Errorf("span %v, want 486h", g.span)
	}
	var all []time.Time
	for _, start := range g.files() {
		if start.Unix()%int64(g.span/time.Second) != 0 {
			t.Errorf("file start %v not aligned on the epoch", start)
		}
		times := g.times(start)
		for _, at := range times {
			if at.Before(start) || !at.Before(start.Add(g.span)) {
				t.Errorf("%v outside its file [%v, +%v)", at, start, g.span)
			}
		}
		all = append(all, times...)
	}
	if int64(len(all)) != g.total() {
		t.Errorf("%d instants, total says %d", len(all), g.total())
	}
	if !all[0].Equal(from.Add(30*time.Minute)) || !all[len(all)-1].Equal(to) || !all[len(all)-2].Equal(to.Add(-47*time.Minute)) {
		t.Errorf("instants from %v to %v (then %v): want the first whole hour, every hour, then to", all[0], all[len(all)-2], all[len(all)-1])
	}
	// An end within a millisecond of a step: one sample per timestamp,
	// timestamps carrying milliseconds.
	onStep := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	g, err = newGrid(from, onStep.Add(400*time.Microsecond), time.Hour, 1000)
	if err != nil {
		t.Fatal(err)
	}
	stamps := map[string]bool{}
	for _, start := range g.files() {
		for _, at := range g.times(start) {
			s := string(appendTimestamp(nil, at))
			if stamps[s] {
				t.Errorf("two samples at %s", s)
			}
			stamps[s] = true
		}
	}
	// Many series shrink the files to a span whose values fit in memory.
	if g, err := newGrid(from, to, time.Minute, 5000); err != nil || g.span != 18*time.Hour {
		t.Errorf("span %v (%v) for 5000 series at 1m, want 18h", g.span, err)
	}
}
