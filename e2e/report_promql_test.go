package e2e

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/report"
	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/simulator"
)

// reportStep is the backfill's step. Every period boundary is a UTC
// midnight and 6 h divides a day, so each period's From and To, its
// previous period's From, each week's and each calendar month's start and
// end are all sample instants of the backfill.
const reportStep = 6 * time.Hour

// TestReportMatchesPromQL is issue 15's "numbers" acceptance: the report of
// a 30-day period (compared with the 30 days before) equals, figure by
// figure, what a real Prometheus holding the backfill of the same store
// gives for the same window: each indicator by its footnote's PromQL (the
// series its ID names, the quantile it names), the volume, every SLA row,
// the monthly compliance and weekly first-response points, the replies by
// hour of the week, the incidents and maintenances listed against the
// counters and histograms that count them. Quantiles are also checked
// against bucket precision: inside the bucket of their rank, and, for
// first response, the simulator's true quantile in that same bucket.
// Counts must be equal, everything else equal to 1e-9 (the same
// interpolation); nil is PromQL's no data or NaN. Mismatches fail the test
// as one table.
//
// Range semantics. Every figure is PromQL evaluated at the window's end
// (the period's To, or a week's or month's end) over the window's length.
// Prometheus 2.42 (Debian's, in CI) selects the closed range [end-d, end];
// the backfill writes a sample at both ends (both are multiples of the
// step since the epoch), so increase() takes the first and last samples
// exactly at the window's edges, extrapolates nothing (its factor is
// exactly 1) and is the exact difference of the counter at end and at
// end-d: the events of (end-d, end], since the sample at t holds every
// change at t (exporter/report's TestPeriodEdgesAsPromQL pins the report
// to the same edges).
//
// Prometheus 3 selects the left-open range (end-d, end]: the sample at
// end-d is no longer in it, increase() starts from the sample one step
// later and extrapolates back to end-d, which is not the report's number
// (off by what happened in the first step, scaled). On Prometheus 3 the
// same figures are `x - x offset d` (exact on both versions, for counters
// that did not reset, as the exporter's never do), or, from 3.7 with
// --enable-feature=promql-extended-range-selectors, `increase(x[d]
// anchored)`. checkOffsetForm asserts the first form equals increase()
// here, and every indicator is also compared with its footnote so
// rewritten (offsetForm), so the footnotes' numbers hold on Prometheus 3
// when written so.
func TestReportMatchesPromQL(t *testing.T) {
	promBin, promtool := lookPath(t, "prometheus", "prometheus"), lookPath(t, "promtool", "prometheus")
	began := time.Now()
	// The backfill test's world: two vendors of two years, through
	// zendesk and statuspage, freshdesk (a reply timeline) and cachet;
	// and a third through GitHub issues, some of them feature requests.
	dir := t.TempDir()
	sim, cfgPath, _ := startBackfillWorld(t, dir)
	addFeatureVendor(t, cfgPath)
	storePath := filepath.Join(dir, "store")

	// Two periods: 30 days to a UTC midnight a few days before the
	// simulated vendors' frozen now (so that no SLA clock of the period is
	// still running when they are read), compared with the 30 days before,
	// and the last calendar quarter before it (--quarter), compared with
	// the quarter before; both inside the history.
	to := backfillNow.UTC().Truncate(day).Add(-3 * day)
	thirty := report.Period{From: to.Add(-30 * day), To: to}
	quarter := lastQuarter(to)
	previous := quarter.From.AddDate(0, -3, 0)

	// One sync into a store of the test's own (a backfill --sync of one
	// step), customer alerts added to it as the Alertmanager webhook
	// stores them, and the backfill from it.
	backfill := func(out string, from time.Time, extra ...string) {
		t.Helper()
		msg, err := exec.Command(binary, append([]string{"backfill", "--config.file=" + cfgPath, "--storage.path=" + storePath,
			"--output=" + out, "--step=" + model.Duration(reportStep).String(),
			"--from=" + from.Format(time.RFC3339), "--to=" + to.Format(time.RFC3339),
			"--label=job=" + backfillJob, "--label=instance=report"}, extra...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("backfill %v: %v\n%s", extra, err, tail(string(msg), 30))
		}
	}
	backfill(filepath.Join(dir, "sync"), to.Add(-reportStep), "--sync")
	addCustomerAlerts(t, sim, storePath, previous, to)
	outDir := filepath.Join(dir, "backfill")
	backfill(outDir, previous.Add(-day))
	t.Logf("sync and backfill: %s", time.Since(began).Round(100*time.Millisecond))

	reports := []struct {
		period report.Period
		args   []string
	}{
		{thirty, []string{"--from=" + thirty.From.Format(time.DateOnly), "--to=" + thirty.To.Format(time.DateOnly)}},
		{quarter, []string{"--quarter=" + quarter.Name}},
	}
	built := make([]*report.Report, len(reports))
	for i, r := range reports {
		built[i] = buildReport(t, cfgPath, storePath, r.args...)
	}

	mark := time.Now()
	promData := filepath.Join(dir, "prometheus")
	files, _ := backfillFiles(t, outDir)
	for _, f := range files {
		if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet",
			"--max-block-duration=486h", f, promData).CombinedOutput(); err != nil {
			t.Fatalf("promtool on %s: %v\n%s", filepath.Base(f), err, tail(string(out), 20))
		}
	}
	// Prometheus scrapes nothing that answers: it serves the blocks.
	prom := startPrometheus(t, promBin, dir, promData, freeAddr(t))
	t.Logf("promtool and prometheus: %s", time.Since(mark).Round(100*time.Millisecond))

	for i, r := range reports {
		t.Run(r.period.From.Format(time.DateOnly)+"_to_"+r.period.To.Format(time.DateOnly), func(t *testing.T) {
			mark := time.Now()
			rep := built[i]
			c := &reportChecker{t: t, prom: prom.url, prom3: promMajor(t, prom.url) >= 3}
			c.checkShape(rep, r.period)
			for _, v := range rep.Vendors {
				c.checkVendor(rep, v)
			}
			for _, v := range backfillVendors {
				if !c.prom3 { // on 3.x increase() extrapolates: c.query
					c.checkOffsetForm(v.sim.Name, r.period)
				}
			}
			c.checkQuantileBuckets(sim, rep)
			// Statuspage lists its 50 newest incidents: slowco's (two a
			// week) reach back about six months, into the quarter's
			// previous period but not through it.
			c.checkCoverage(rep, i == 0)
			c.report()
			t.Logf("%d figures compared with PromQL in %s", c.compared, time.Since(mark).Round(100*time.Millisecond))
		})
	}
	t.Logf("whole test %s", time.Since(began).Round(100*time.Millisecond))
}

// lastQuarter is the last calendar quarter (UTC) that ends by to, named
// as --quarter takes it.
func lastQuarter(to time.Time) report.Period {
	q := (int(to.Month()) - 1) / 3 // this quarter, 0-based
	end := time.Date(to.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(0, -3, 0)
	return report.Period{From: start, To: end, Name: fmt.Sprintf("%dQ%d", start.Year(), (int(start.Month())-1)/3+1)}
}

// addCustomerAlerts stores a customer alert a minute before the first
// post of every other incident of the first backfill vendor between from
// and to, so that the vendor did not notice those first: the proactivity
// figures then have data.
func addCustomerAlerts(t *testing.T, sim *simulator.Sim, storePath string, from, to time.Time) {
	t.Helper()
	vendor := backfillVendors[0].sim.Name
	var signals []store.AlertSignal
	for i, in := range sim.Truth(vendor, backfillNow).Incidents {
		if i%2 == 0 && in.Created.After(from) && in.Created.Before(to) {
			signals = append(signals, store.AlertSignal{Vendor: vendor, Fingerprint: fmt.Sprintf("alert-%d", i), StartsAt: in.Created.Add(-time.Minute)})
		}
	}
	if len(signals) < 4 {
		t.Fatalf("only %d incidents of %s to alert on: the world proves nothing there", len(signals), vendor)
	}
	st, err := store.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.PutAlertSignals(signals); err != nil {
		t.Fatal(err)
	}
}

// featureVendor is the report test's third vendor: GitHub issues, a fifth
// of them feature requests, with the same frozen clock as the backfill
// test's world.
const featureVendor = "featco"

// addFeatureVendor starts featureVendor's simulator and adds the vendor to
// the config at cfgPath.
func addFeatureVendor(t *testing.T, cfgPath string) {
	t.Helper()
	sim := startedSim(t, simulator.Options{
		Seed: 15, Start: backfillNow, Clock: func() time.Time { return backfillNow }, ExportRequestsPerMinute: -1,
		Vendors: []simulator.Vendor{{Name: featureVendor, Persona: simulator.FastShallow, Timezone: "Asia/Tokyo",
			History: 200 * day, Tickets: 1500, FeatureRequests: 0.2}},
	})
	cfg := mustRead(t, cfgPath) + fmt.Sprintf(`  - name: %s
    sla:
      clock: calendar
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
    feature_requests:
      tags: [enhancement]
    tickets:
      - name: issues
`, featureVendor) + sourceYAML(t, sim, featureVendor, simulator.KindGitHub, false)
	writeFile(t, cfgPath, cfg)
}

// buildReport runs `support_exporter report` for the period the flags
// give, compared with the previous one, every vendor, as JSON (the report
// as is, every number), from the store at storePath.
func buildReport(t *testing.T, cfgPath, storePath string, period ...string) *report.Report {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(binary, append([]string{"report", "--config.file=" + cfgPath, "--storage.path=" + storePath,
		"--compare-previous", "--format=json", "--output=" + out}, period...)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("report: %v\n%s", err, tail(string(msg), 20))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("the report's JSON: %v", err)
	}
	return &rep
}

// reportChecker evaluates PromQL for the report's figures and keeps the
// mismatches for one table at the end.
type reportChecker struct {
	t          *testing.T
	prom       string
	prom3      bool // Prometheus 3: c.query writes increase() as differences
	compared   int
	mismatches [][5]string // vendor, figure, report, promql, expression
	problems   []string    // figures the test could not compare, and why
}

// promValue is the value of expr at at: ok false when it gives no series
// or NaN; an error when it gives more than one series (a footnote's
// expression must be one number).
func (c *reportChecker) promValue(expr string, at time.Time) (v float64, ok bool, err error) {
	return c.promPick(expr, at, nil)
}

// query is expr as sent to Prometheus: on Prometheus 3 with every
// increase() written as the difference of its ends (asDifferences), the
// form docs/report.md gives for Prometheus 3.
func (c *reportChecker) query(expr string) string {
	if c.prom3 {
		return asDifferences(expr)
	}
	return expr
}

// promPick is promValue of the one series of expr's result that pick
// picks (a footnote may give every vendor's and priority's series).
func (c *reportChecker) promPick(expr string, at time.Time, pick map[string]string) (v float64, ok bool, err error) {
	res, err := promInstant(c.prom, c.query(expr), at)
	if err != nil {
		return 0, false, err
	}
	res = slices.DeleteFunc(res, func(s promSeries) bool { return !picked(s.Labels, pick) })
	switch len(res) {
	case 0:
		return 0, false, nil
	case 1:
		v := res[0].Samples[0].Value
		return v, !math.IsNaN(v), nil
	}
	var keys []string
	for _, s := range res {
		keys = append(keys, s.key())
	}
	return 0, false, fmt.Errorf("%d series, want one: %s", len(res), strings.Join(keys, " "))
}

// picked: the labels agree with pick on every label they have (a
// footnote that selects the outcome and sums it away has no outcome label
// left to agree on).
func picked(labels, pick map[string]string) bool {
	for k, v := range pick {
		if have, ok := labels[k]; ok && have != v {
			return false
		}
	}
	return true
}

// exact compares a count with PromQL's value: an absent series is 0 (a
// counter nobody incremented is not written).
func (c *reportChecker) exact(vendor, figure string, got uint64, expr string, at time.Time) {
	c.compared++
	v, ok, err := c.promValue(expr, at)
	switch {
	case err != nil:
		c.mismatches = append(c.mismatches, [5]string{vendor, figure, fmt.Sprint(got), "error: " + err.Error(), expr})
	case !ok && got != 0:
		c.mismatches = append(c.mismatches, [5]string{vendor, figure, fmt.Sprint(got), "no data", expr})
	case ok && float64(got) != v:
		c.mismatches = append(c.mismatches, [5]string{vendor, figure, fmt.Sprint(got), fmtFloat(v), expr})
	}
}

// close compares a ratio, duration or quantile with PromQL's value to 1e-9
// (relative above 1): nil must be no data or NaN. count says an absent
// series is 0, for a count-valued indicator.
func (c *reportChecker) close(vendor, figure string, got *float64, expr string, at time.Time, count bool) {
	c.closePick(vendor, figure, got, expr, nil, at, count)
}

// closePick is close of the series of expr that pick picks.
func (c *reportChecker) closePick(vendor, figure string, got *float64, expr string, pick map[string]string, at time.Time, count bool) {
	c.compared++
	v, ok, err := c.promPick(expr, at, pick)
	if !ok && err == nil && count {
		v, ok = 0, true
	}
	row := func(prom string) {
		shown := expr
		if len(pick) > 0 {
			shown += " → series " + promSeries{Labels: pick}.key()
		}
		c.mismatches = append(c.mismatches, [5]string{vendor, figure, fmtPtr(got), prom, shown})
	}
	switch {
	case err != nil:
		row("error: " + err.Error())
	case !ok && got != nil:
		row("no data or NaN")
	case ok && got == nil:
		row(fmtFloat(v))
	case ok && math.Abs(*got-v) > 1e-9*max(1, math.Abs(v)):
		row(fmtFloat(v))
	}
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', 12, 64) }

func fmtPtr(v *float64) string {
	if v == nil {
		return "nil"
	}
	return fmtFloat(*v)
}

// promRangeString is d as a PromQL duration.
func promRangeString(d time.Duration) string { return model.Duration(d).String() }

// errNoPromQL: the footnote says in words only how its figure is computed.
var errNoPromQL = errors.New("no PromQL")

// indicatorQuery is one indicator's PromQL: the expression and the labels
// that pick its series out of the result.
type indicatorQuery struct {
	expr string
	pick map[string]string
}

var (
	quantileID    = regexp.MustCompile(`_p(\d\d)(_|$)`)
	priorityID    = regexp.MustCompile(`^(?:first_response|resolution)_p\d\d_(urgent|high|normal|low)$`)
	hoursID       = regexp.MustCompile(`^first_response_p\d\d_(business|off)_hours$`)
	targetID      = regexp.MustCompile(`^(first_response|resolution)_compliance$`)
	outcomeID     = regexp.MustCompile(`^feature_requests_(shipped|declined)$`)
	atModifier    = regexp.MustCompile(`@ ?(\d+(?:\.\d+)?)`)
	rangeSelector = regexp.MustCompile(`\[([0-9a-z]+)\]`)
	quantileArg   = regexp.MustCompile(`histogram_quantile\(\s*[0-9.]+\s*,`)
)

// indicatorPromQL makes an indicator's footnote, written for the period
// p, concrete for one vendor and the window e (p, or the previous period). A footnote covers a family of indicators
// (every priority, p50 and p90, every vendor asked for): the indicator's
// ID says which series (vendor, priority, hours, target, outcome) and
// which quantile. The footnote's ranges become e's length and its `@ <To>`
// e's end; Grafana
// variables ($vendor, $__range, $job) are substituted; anything else left
// is an error, as is a footnote of several expressions the ID does not
// choose between, or one that is no quantile for a pNN indicator.
func indicatorPromQL(f report.Footnote, id, vendor string, p, e report.Period) (indicatorQuery, error) {
	q := indicatorQuery{pick: map[string]string{"vendor": vendor}}
	expr := strings.NewReplacer(
		"${vendor}", vendor, "$vendor", vendor,
		"${__range}", promRangeString(p.To.Sub(p.From)), "$__range", promRangeString(p.To.Sub(p.From)),
		"${job}", backfillJob, "$job", backfillJob,
	).Replace(f.PromQL)
	if i := strings.Index(expr, "$"); i >= 0 {
		return q, fmt.Errorf("a variable the test does not know: %.40s", expr[i:])
	}
	if parts := strings.Split(expr, ";"); len(parts) > 1 {
		switch {
		case len(parts) == 2 && id == "feature_requests_opened":
			expr = parts[0]
		case len(parts) == 2 && outcomeID.MatchString(id):
			expr = parts[1]
		default:
			return q, fmt.Errorf("%d expressions, which is %s's?", len(parts), id)
		}
	}
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return q, errNoPromQL
	}
	for _, m := range []struct {
		re    *regexp.Regexp
		label string
	}{{priorityID, "priority"}, {hoursID, "hours"}, {targetID, "target"}, {outcomeID, "outcome"}} {
		if sub := m.re.FindStringSubmatch(id); sub != nil {
			q.pick[m.label] = sub[1]
		}
	}
	if sub := quantileID.FindStringSubmatch(id); sub != nil {
		if !quantileArg.MatchString(expr) {
			return q, fmt.Errorf("no histogram_quantile for the %s quantile", "p"+sub[1])
		}
		expr = quantileArg.ReplaceAllString(expr, "histogram_quantile(0."+sub[1]+",")
	}
	// As printed, the footnote must give the period's number: its ranges
	// the period's length, its instant the period's end.
	for _, m := range rangeSelector.FindAllStringSubmatch(expr, -1) {
		if d, err := model.ParseDuration(m[1]); err != nil || time.Duration(d) != p.To.Sub(p.From) {
			return q, fmt.Errorf("range [%s] is not the period's length %s", m[1], promRangeString(p.To.Sub(p.From)))
		}
	}
	for _, m := range atModifier.FindAllStringSubmatch(expr, -1) {
		if at, err := strconv.ParseFloat(m[1], 64); err != nil || at != float64(p.To.Unix()) {
			return q, fmt.Errorf("@ %s is not the period's end %d", m[1], p.To.Unix())
		}
	}
	expr = rangeSelector.ReplaceAllString(expr, "["+promRangeString(e.To.Sub(e.From))+"]")
	q.expr = atModifier.ReplaceAllString(expr, fmt.Sprintf("@ %d", e.To.Unix()))
	return q, nil
}

// sel is a vendor's selector with extra matchers.
func sel(vendor string, extra ...string) string {
	return "{" + strings.Join(append([]string{fmt.Sprintf("job=%q", backfillJob), fmt.Sprintf("vendor=%q", vendor)}, extra...), ",") + "}"
}

func sumIncrease(metric, selector string, window time.Duration) string {
	return fmt.Sprintf("sum(increase(%s%s[%s]))", metric, selector, promRangeString(window))
}

// checkShape checks what the report must hold before any number: the
// period asked for, the previous one, every vendor, indicators with
// footnotes that exist.
func (c *reportChecker) checkShape(rep *report.Report, period report.Period) {
	t := c.t
	if !rep.Period.From.Equal(period.From) || !rep.Period.To.Equal(period.To) || rep.Period.Name != period.Name {
		t.Errorf("report period %s..%s %q, asked %s..%s %q", rep.Period.From, rep.Period.To, rep.Period.Name, period.From, period.To, period.Name)
	}
	// Before a named quarter, the quarter before (named); else the same
	// length before.
	want := report.Period{From: period.From.Add(-period.To.Sub(period.From)), To: period.From}
	if period.Name != "" {
		want = lastQuarter(period.From)
	}
	if rep.Previous == nil {
		c.problems = append(c.problems, "no previous period though --compare-previous was asked")
	} else if !rep.Previous.From.Equal(want.From) || !rep.Previous.To.Equal(want.To) || rep.Previous.Name != want.Name {
		t.Errorf("previous period %s..%s %q, want %s..%s %q", rep.Previous.From, rep.Previous.To, rep.Previous.Name, want.From, want.To, want.Name)
	}
	if len(rep.Vendors) == 0 {
		t.Fatal("the report has no vendor")
	}
	for _, v := range rep.Vendors {
		if len(v.Indicators) == 0 {
			c.problems = append(c.problems, v.Name+": no indicator at all")
		}
		if len(v.SLA) == 0 {
			c.problems = append(c.problems, v.Name+": no SLA row at all")
		}
	}
}

// checkVendor compares every figure of one vendor with PromQL.
func (c *reportChecker) checkVendor(rep *report.Report, v report.Vendor) {
	footnotes := map[string]report.Footnote{}
	for _, f := range rep.Footnotes {
		footnotes[f.ID] = f
	}
	p := rep.Period
	length := p.To.Sub(p.From)
	name := v.Name
	s := sel(name)

	// Volume.
	c.exact(name, "volume.tickets_opened", v.Volume.TicketsOpened, sumIncrease("support_tickets_created_total", s, length), p.To)
	c.exact(name, "volume.sla_checks", v.Volume.SLAChecks, sumIncrease("support_ticket_sla_checks_total", s, length), p.To)
	c.exact(name, "volume.incidents", v.Volume.Incidents, sumIncrease("support_status_incidents_total", s, length), p.To)
	c.exact(name, "volume.maintenances", v.Volume.Maintenances, sumIncrease("support_status_maintenances_total", s, length), p.To)

	// The five dimensions: each indicator by its footnote's PromQL, now
	// and, when compared, at the previous period's end.
	seen := map[string]bool{}
	for _, ind := range v.Indicators {
		figure := "indicator " + ind.ID
		if seen[ind.ID] {
			c.problems = append(c.problems, fmt.Sprintf("%s: indicator %s twice", name, ind.ID))
		}
		seen[ind.ID] = true
		if !slices.Contains(report.Dimensions, ind.Dimension) {
			c.problems = append(c.problems, fmt.Sprintf("%s: %s: unknown dimension %q", name, figure, ind.Dimension))
		}
		f, ok := footnotes[ind.Footnote]
		if !ok {
			c.problems = append(c.problems, fmt.Sprintf("%s: %s: footnote %q is not in the report's footnotes", name, figure, ind.Footnote))
			continue
		}
		// A count of a counter's increase is 0 when no series was ever
		// incremented; a gauge read at the end has no such reading.
		count := ind.Unit == report.UnitCount && strings.Contains(f.PromQL, "increase(")
		q, err := indicatorPromQL(f, ind.ID, name, p, p)
		if errors.Is(err, errNoPromQL) {
			// A figure Prometheus cannot show (its footnote says why in
			// words): nothing to compare.
			c.t.Logf("%s: %s: footnote %s gives no PromQL: not compared (%s)", name, figure, f.ID, f.Text)
			c.checkMet(name, ind)
			continue
		}
		if err != nil {
			c.compared++
			c.mismatches = append(c.mismatches, [5]string{name, figure, fmtPtr(ind.Value), "footnote: " + err.Error(), f.PromQL})
		} else {
			c.closePick(name, figure, ind.Value, q.expr, q.pick, p.To, count)
			// The same with every increase() written as the difference of
			// two instants, which Prometheus 3 computes alike.
			if diff, ok := offsetForm(q.expr, length); ok {
				c.closePick(name, figure+" [x@to - x@from]", ind.Value, diff, q.pick, p.To, count)
			}
		}
		if rep.Previous != nil {
			if q, err := indicatorPromQL(f, ind.ID, name, p, *rep.Previous); err == nil {
				c.closePick(name, figure+" (previous)", ind.Previous, q.expr, q.pick, rep.Previous.To, count)
			}
		}
		c.checkMet(name, ind)
	}

	// SLA compliance by priority and target; and no priority and target
	// with clocks in PromQL is missing from the rows.
	rows := map[[2]string]bool{}
	for _, row := range v.SLA {
		key := [2]string{row.Priority, row.Target}
		rows[key] = true
		rs := sel(name, fmt.Sprintf("priority=%q", row.Priority), fmt.Sprintf("target=%q", row.Target))
		figure := fmt.Sprintf("sla %s/%s", row.Priority, row.Target)
		checks := sumIncrease("support_ticket_sla_checks_total", rs, length)
		breaches := sumIncrease("support_ticket_sla_breaches_total", rs, length)
		c.exact(name, figure+" checks", row.Checks, checks, p.To)
		c.exact(name, figure+" breaches", row.Breaches, breaches, p.To)
		c.close(name, figure+" compliance", row.Compliance, "1 - ("+breaches+") / ("+checks+")", p.To, false)
		c.checkWorst(name, figure, row)
	}
	c.checkNoMissingRows(name, rows, length, p.To)

	c.checkLists(name, v, p)
	c.checkCharts(name, v.Charts, p)
}

// checkLists compares the lists of the period with the counters that
// count the same things: incidents first posted in the period, and
// maintenances that started in it (the notice is observed at the start)
// with their short notices.
func (c *reportChecker) checkLists(vendor string, v report.Vendor, p report.Period) {
	length := p.To.Sub(p.From)
	inPeriod := func(at time.Time) bool { return !at.Before(p.From) && at.Before(p.To) }
	var announced uint64
	for _, in := range v.Incidents {
		if inPeriod(in.Announced) {
			announced++
		}
		if in.Resolved != nil && in.Resolved.Before(in.Started) {
			c.problems = append(c.problems, fmt.Sprintf("%s: incident %s resolved before it started", vendor, in.ID))
		}
	}
	c.exact(vendor, "incidents listed, first posted in the period", announced, sumIncrease("support_status_incidents_total", sel(vendor), length), p.To)
	var started, short uint64
	for _, m := range v.Maintenances {
		if inPeriod(m.Scheduled) {
			started++
			if m.ShortNotice {
				short++
			}
		}
	}
	c.exact(vendor, "maintenances listed, started in the period", started, sumIncrease("support_status_maintenance_notice_seconds_count", sel(vendor), length), p.To)
	c.exact(vendor, "maintenances listed with short notice", short, sumIncrease("support_status_maintenance_short_notice_total", sel(vendor), length), p.To)

	// The incidents resolved in the period are those whose notice delay
	// the histogram observed in it (at the resolution), and the
	// maintenances started in it those whose notice it observed: their
	// sums are the histograms' _sum increases. Prometheus' window is
	// (From, To].
	inWindow := func(at time.Time) bool { return at.After(p.From) && !at.After(p.To) }
	var resolved uint64
	var delays, notices float64
	for _, in := range v.Incidents {
		if in.Resolved != nil && inWindow(*in.Resolved) {
			resolved++
			delays += in.NoticeDelaySeconds
		}
	}
	var noticed uint64
	for _, m := range v.Maintenances {
		if inWindow(m.Scheduled) && m.NoticeSeconds != nil {
			notices += *m.NoticeSeconds
			noticed++
		}
	}
	c.exact(vendor, "incidents listed, resolved in the period", resolved, sumIncrease("support_status_incident_notice_delay_seconds_count", sel(vendor), length), p.To)
	c.close(vendor, "incidents listed: notice delays of those resolved, summed", &delays, sumIncrease("support_status_incident_notice_delay_seconds_sum", sel(vendor), length), p.To, true)
	c.exact(vendor, "maintenances listed with a known notice", noticed, sumIncrease("support_status_maintenance_notice_seconds_count", sel(vendor), length), p.To)
	c.close(vendor, "maintenances listed: notice of those started, summed", &notices, sumIncrease("support_status_maintenance_notice_seconds_sum", sel(vendor), length), p.To, true)
	// Escalations open at the period's end, when the backfill writes the
	// gauge.
	if _, ok, err := c.promValue(fmt.Sprintf("sum(support_escalations_open%s)", sel(vendor)), p.To); err == nil && ok {
		c.exact(vendor, "escalations open at the end", uint64(len(v.Escalations)), fmt.Sprintf("sum(support_escalations_open%s)", sel(vendor)), p.To)
	} else {
		c.t.Logf("%s: support_escalations_open is not backfilled: the escalations list is not compared", vendor)
	}
	for _, d := range report.Dimensions {
		if v.Sections.Tickets && !slices.ContainsFunc(v.Indicators, func(i report.Indicator) bool { return i.Dimension == d }) {
			c.problems = append(c.problems, fmt.Sprintf("%s: no indicator of the dimension %s", vendor, d))
		}
	}
}

// checkMet: Met agrees with Value and Target.
func (c *reportChecker) checkMet(vendor string, ind report.Indicator) {
	if ind.Target == nil || ind.Value == nil {
		if ind.Met != nil {
			c.problems = append(c.problems, fmt.Sprintf("%s: indicator %s: met=%v without a target or a value", vendor, ind.ID, *ind.Met))
		}
		return
	}
	want := *ind.Value <= *ind.Target
	if ind.HigherIsBetter {
		want = *ind.Value >= *ind.Target
	}
	if ind.Met == nil || *ind.Met != want {
		c.problems = append(c.problems, fmt.Sprintf("%s: indicator %s: value %v, target %v (higher is better: %v): met %v, want %v",
			vendor, ind.ID, *ind.Value, *ind.Target, ind.HigherIsBetter, ind.Met, want))
	}
}

// checkWorst: at most WorstTickets, breaches first, then the longest.
func (c *reportChecker) checkWorst(vendor, figure string, row report.SLARow) {
	if len(row.Worst) > report.WorstTickets {
		c.problems = append(c.problems, fmt.Sprintf("%s: %s: %d worst tickets, at most %d", vendor, figure, len(row.Worst), report.WorstTickets))
	}
	if uint64(len(row.Worst)) > row.Checks {
		c.problems = append(c.problems, fmt.Sprintf("%s: %s: %d worst tickets of %d checks", vendor, figure, len(row.Worst), row.Checks))
	}
	breached := 0
	for i, w := range row.Worst {
		if w.Breached {
			breached++
		}
		if i > 0 {
			prev := row.Worst[i-1]
			if !prev.Breached && w.Breached || prev.Breached == w.Breached && prev.Seconds < w.Seconds {
				c.problems = append(c.problems, fmt.Sprintf("%s: %s: worst tickets not breaches first then longest: %s (%v, %vs) before %s (%v, %vs)",
					vendor, figure, prev.ID, prev.Breached, prev.Seconds, w.ID, w.Breached, w.Seconds))
			}
		}
	}
	if want := min(row.Breaches, uint64(len(row.Worst))); uint64(breached) != want && len(row.Worst) == min(int(row.Checks), report.WorstTickets) {
		c.problems = append(c.problems, fmt.Sprintf("%s: %s: %d of the worst tickets breached, the row has %d breaches", vendor, figure, breached, row.Breaches))
	}
}

// checkNoMissingRows: every priority and target whose clocks ended in the
// period (PromQL) has its row.
func (c *reportChecker) checkNoMissingRows(vendor string, rows map[[2]string]bool, length time.Duration, at time.Time) {
	res, err := promInstant(c.prom, c.query(fmt.Sprintf("sum by (priority, target) (increase(support_ticket_sla_checks_total%s[%s])) > 0",
		sel(vendor), promRangeString(length))), at)
	if err != nil {
		c.t.Fatalf("SLA rows: %v", err)
	}
	for _, s := range res {
		key := [2]string{s.Labels["priority"], s.Labels["target"]}
		if !rows[key] {
			c.mismatches = append(c.mismatches, [5]string{vendor, fmt.Sprintf("sla %s/%s", key[0], key[1]), "no row", fmtFloat(s.Samples[0].Value) + " checks", "support_ticket_sla_checks_total"})
		}
	}
}

// checkCharts compares the charts' series: monthly compliance, weekly first
// response, replies by hour of the week.
func (c *reportChecker) checkCharts(vendor string, ch report.Charts, p report.Period) {
	months := 0
	for _, m := range ch.MonthlyCompliance {
		figure := fmt.Sprintf("chart month %s %s", m.Start.Format("2006-01-02"), m.Target)
		if m.Start.Before(p.From) || m.End.After(p.To) || !m.Start.Before(m.End) {
			c.problems = append(c.problems, fmt.Sprintf("%s: %s: [%s, %s) is not inside the period", vendor, figure, m.Start, m.End))
			continue
		}
		months++
		s := sel(vendor, fmt.Sprintf("target=%q", m.Target))
		checks := sumIncrease("support_ticket_sla_checks_total", s, m.End.Sub(m.Start))
		breaches := sumIncrease("support_ticket_sla_breaches_total", s, m.End.Sub(m.Start))
		c.exact(vendor, figure+" checks", m.Checks, checks, m.End)
		c.close(vendor, figure+" compliance", m.Compliance, "1 - ("+breaches+") / ("+checks+")", m.End, false)
	}
	// Each calendar month the period touches, both targets.
	if wantMonths := 2 * monthsIn(p); months != wantMonths {
		c.problems = append(c.problems, fmt.Sprintf("%s: %d monthly compliance points, want %d (each calendar month of the period, both targets)", vendor, months, wantMonths))
	}

	weeks := map[string]int{}
	for _, wp := range ch.WeeklyFirstResponse {
		figure := fmt.Sprintf("chart week %s %s", wp.Start.Format("2006-01-02"), wp.Priority)
		if wp.Start.Before(p.From) || wp.End.After(p.To) || !wp.Start.Before(wp.End) {
			c.problems = append(c.problems, fmt.Sprintf("%s: %s: [%s, %s) is not inside the period", vendor, figure, wp.Start, wp.End))
			continue
		}
		weeks[wp.Priority]++
		window := wp.End.Sub(wp.Start)
		s := sel(vendor, fmt.Sprintf("priority=%q", wp.Priority))
		buckets := fmt.Sprintf("sum by (le) (increase(support_ticket_first_response_seconds_bucket%s[%s]))", s, promRangeString(window))
		c.exact(vendor, figure+" samples", wp.Samples, sumIncrease("support_ticket_first_response_seconds_count", s, window), wp.End)
		c.close(vendor, figure+" p50", wp.P50, "histogram_quantile(0.5, "+buckets+")", wp.End, false)
		c.close(vendor, figure+" p90", wp.P90, "histogram_quantile(0.9, "+buckets+")", wp.End, false)
	}
	wantWeeks := int((p.To.Sub(p.From) + 7*day - 1) / (7 * day))
	for priority, n := range weeks {
		if n != wantWeeks {
			c.problems = append(c.problems, fmt.Sprintf("%s: priority %s has %d weekly points, want %d", vendor, priority, n, wantWeeks))
		}
	}
	if len(weeks) == 0 {
		c.problems = append(c.problems, vendor+": no weekly first-response point")
	}

	// Replies by hour: the report's day 0 is Monday, the metric's weekday
	// 0 is Sunday (PromQL's day_of_week()).
	res, err := promInstant(c.prom, c.query(fmt.Sprintf("sum by (weekday, hour) (increase(support_vendor_replies_total%s[%s]))",
		sel(vendor), promRangeString(p.To.Sub(p.From)))), p.To)
	if err != nil {
		c.t.Fatalf("replies by hour: %v", err)
	}
	var want [7][24]float64
	for _, s := range res {
		d, err1 := strconv.Atoi(s.Labels["weekday"])
		h, err2 := strconv.Atoi(s.Labels["hour"])
		if err1 != nil || err2 != nil || d < 0 || d > 6 || h < 0 || h > 23 {
			c.t.Fatalf("support_vendor_replies_total%s", s.key())
		}
		want[(d+6)%7][h] = s.Samples[0].Value
	}
	for d := range 7 {
		for h := range 24 {
			c.compared++
			if got := ch.RepliesByHour[d][h]; float64(got) != want[d][h] {
				c.mismatches = append(c.mismatches, [5]string{vendor, fmt.Sprintf("chart replies %s %02d:00", time.Weekday((d+1)%7), h),
					fmt.Sprint(got), fmtFloat(want[d][h]), fmt.Sprintf(`increase(support_vendor_replies_total{weekday="%d",hour="%d"})`, (d+1)%7, h)})
			}
		}
	}
}

// monthsIn counts the calendar months (UTC) the period touches.
func monthsIn(p report.Period) int {
	n := 0
	for m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(p.To); m = m.AddDate(0, 1, 0) {
		n++
	}
	return n
}

// increaseAt is an increase() over a range at an instant, as the footnotes
// write it.
var increaseAt = regexp.MustCompile(`increase\(([a-z_:]+)(\{[^}]*\})?\[([0-9a-z]+)\] @ (\d+)\)`)

// offsetForm writes every `increase(x[d] @ t)` of expr as `(x @ t - x @ t-d)`:
// the exact growth on any Prometheus (3 selects ranges left-open, so its
// increase() extrapolates from the sample after t-d), provided every
// series has a sample at t-d, as the backfill writes them from its start.
func offsetForm(expr string, window time.Duration) (string, bool) {
	ok := true
	out := increaseAt.ReplaceAllStringFunc(expr, func(m string) string {
		sub := increaseAt.FindStringSubmatch(m)
		d, err := model.ParseDuration(sub[3])
		at, err2 := strconv.ParseInt(sub[4], 10, 64)
		if err != nil || err2 != nil || time.Duration(d) != window {
			ok = false
			return m
		}
		return fmt.Sprintf("(%[1]s%[2]s @ %[3]d - %[1]s%[2]s @ %[4]d)", sub[1], sub[2], at, at-int64(window.Seconds()))
	})
	return out, ok && out != expr
}

// checkOffsetForm: on this grid increase() over the period equals the
// difference of instant values, the form that holds on Prometheus 3 too.
func (c *reportChecker) checkOffsetForm(vendor string, p report.Period) {
	d := promRangeString(p.To.Sub(p.From))
	for _, metric := range []string{"support_tickets_created_total", "support_ticket_sla_checks_total", "support_ticket_first_response_seconds_bucket"} {
		inc, okInc, err1 := c.promValue(fmt.Sprintf("sum(increase(%s%s[%s]))", metric, sel(vendor), d), p.To)
		diff, okDiff, err2 := c.promValue(fmt.Sprintf("sum(%[1]s%[2]s - %[1]s%[2]s offset %[3]s)", metric, sel(vendor), d), p.To)
		if err1 != nil || err2 != nil || !okInc || !okDiff || inc != diff {
			c.t.Errorf("%s: increase over the period %v (%v), the offset difference %v (%v): the edges are not samples?", metric, inc, err1, diff, err2)
		}
	}
}

// report fails the test with the table of mismatches and the problems.
func (c *reportChecker) report() {
	t := c.t
	if len(c.problems) > 0 {
		t.Errorf("%d problems:\n%s", len(c.problems), strings.Join(c.problems, "\n"))
	}
	if len(c.mismatches) == 0 {
		return
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VENDOR\tFIGURE\tREPORT\tPROMQL\tEXPRESSION")
	replies := map[string]int{} // the 168 cells of a vendor's replies chart: the first few
	for _, m := range c.mismatches {
		if strings.HasPrefix(m[1], "chart replies") {
			if replies[m[0]]++; replies[m[0]] > 5 {
				continue
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m[0], m[1], m[2], m[3], m[4])
	}
	for vendor, n := range replies {
		if n > 5 {
			fmt.Fprintf(tw, "%s\tchart replies\t(%d more cells differ)\t\t\n", vendor, n-5)
		}
	}
	tw.Flush()
	t.Errorf("%d of %d figures differ from PromQL:\n%s", len(c.mismatches), c.compared, b.String())
}

// checkQuantileBuckets checks the quantile indicators against bucket
// precision: the value lies inside the bucket holding the quantile's rank
// (what histogram_quantile interpolates in), and, for first response and
// (through zendesk) resolution, where the simulator's truth gives every
// observation, the
// true quantile (the ceil(q·n)-th smallest of the period's tickets of the
// priority) lies in that same bucket.
func (c *reportChecker) checkQuantileBuckets(sim *simulator.Sim, rep *report.Report) {
	footnotes := map[string]report.Footnote{}
	for _, f := range rep.Footnotes {
		footnotes[f.ID] = f
	}
	p := rep.Period
	quantiles, truths := 0, 0
	for _, v := range rep.Vendors {
		for _, ind := range v.Indicators {
			f, ok := footnotes[ind.Footnote]
			if !ok || ind.Value == nil {
				continue
			}
			iq, err := indicatorPromQL(f, ind.ID, v.Name, p, p)
			if err != nil {
				continue // told by checkVendor
			}
			q, inner, ok := splitQuantile(iq.expr)
			if !ok {
				continue
			}
			quantiles++
			buckets, err := c.buckets(inner, p.To, iq.pick)
			if err != nil {
				c.problems = append(c.problems, fmt.Sprintf("%s: indicator %s: buckets of %s: %v", v.Name, ind.ID, inner, err))
				continue
			}
			lower, upper, ok := buckets.holding(q)
			if !ok {
				c.problems = append(c.problems, fmt.Sprintf("%s: indicator %s: value %v but no observation in the buckets", v.Name, ind.ID, *ind.Value))
				continue
			}
			c.compared++
			if float64(ind.Samples) != buckets.total() {
				c.mismatches = append(c.mismatches, [5]string{v.Name, "indicator " + ind.ID + " samples", fmt.Sprint(ind.Samples), fmtFloat(buckets.total()), inner + " (le=+Inf)"})
			}
			if *ind.Value < lower || *ind.Value > upper {
				c.problems = append(c.problems, fmt.Sprintf("%s: indicator %s: value %v outside the bucket (%v, %v] of rank %v·%v",
					v.Name, ind.ID, *ind.Value, lower, upper, q, buckets.total()))
			}
			i := slices.IndexFunc(backfillVendors, func(b backfillVendor) bool { return b.sim.Name == v.Name })
			priority := iq.pick["priority"]
			var obs []float64
			switch {
			case i < 0 || priority == "":
				continue
			case strings.Contains(inner, "support_ticket_first_response_seconds_bucket"):
				obs = truthDurations(sim.Truth(v.Name, backfillNow), backfillVendors[i], priority, p, false)
			case strings.Contains(inner, "support_ticket_resolution_seconds_bucket") && backfillVendors[i].ticketKind == simulator.KindZendesk:
				// Zendesk dates the first solve; Freshdesk shows the
				// latest resolution only, which the truth's first solve
				// is not after a reopen.
				obs = truthDurations(sim.Truth(v.Name, backfillNow), backfillVendors[i], priority, p, true)
			default:
				continue
			}
			truths++
			if float64(len(obs)) != buckets.total() {
				c.problems = append(c.problems, fmt.Sprintf("%s: indicator %s: %d observations of %s tickets in the period by the simulator's truth, the histogram holds %v",
					v.Name, ind.ID, len(obs), priority, buckets.total()))
				continue
			}
			rank := max(1, int(math.Ceil(q*float64(len(obs)))))
			if trueQ := obs[rank-1]; trueQ <= lower || trueQ > upper {
				c.problems = append(c.problems, fmt.Sprintf("%s: indicator %s: the true quantile %vs is outside the bucket (%v, %v] the report's %v lies in",
					v.Name, ind.ID, trueQ, lower, upper, *ind.Value))
			}
		}
	}
	c.t.Logf("%d quantile indicators checked against their buckets, %d of them against the simulator's truth too", quantiles, truths)
	if quantiles == 0 && len(rep.Footnotes) > 0 {
		c.problems = append(c.problems, "no indicator's footnote is a histogram_quantile: the bucket precision was not checked")
	}
}

// splitQuantile reads "histogram_quantile(q, inner)".
func splitQuantile(expr string) (q float64, inner string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(expr), "histogram_quantile(")
	if !found || !strings.HasSuffix(rest, ")") {
		return 0, "", false
	}
	qs, inner, found := strings.Cut(strings.TrimSuffix(rest, ")"), ",")
	if !found {
		return 0, "", false
	}
	q, err := strconv.ParseFloat(strings.TrimSpace(qs), 64)
	return q, strings.TrimSpace(inner), err == nil
}

// cumulative is a histogram's cumulative counts by upper bound, sorted.
type cumulative []struct{ le, count float64 }

func (c *reportChecker) buckets(inner string, at time.Time, pick map[string]string) (cumulative, error) {
	res, err := promInstant(c.prom, c.query(inner), at)
	if err != nil {
		return nil, err
	}
	var b cumulative
	for _, s := range res {
		if !picked(s.Labels, pick) {
			continue
		}
		le, err := strconv.ParseFloat(s.Labels["le"], 64)
		if err != nil {
			return nil, fmt.Errorf("series %s: no le", s.key())
		}
		b = append(b, struct{ le, count float64 }{le, s.Samples[0].Value})
	}
	slices.SortFunc(b, func(x, y struct{ le, count float64 }) int { return cmpFloat(x.le, y.le) })
	return b, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (b cumulative) total() float64 {
	if len(b) == 0 {
		return 0
	}
	return b[len(b)-1].count
}

// holding is the bucket (lower, upper] where rank q·total falls, as
// histogram_quantile finds it.
func (b cumulative) holding(q float64) (lower, upper float64, ok bool) {
	if b.total() == 0 {
		return 0, 0, false
	}
	rank := q * b.total()
	for i, x := range b {
		if x.count >= rank {
			if i > 0 {
				lower = b[i-1].le
			}
			return lower, x.le, true
		}
	}
	return 0, 0, false
}

// truthDurations are the first responses (or, resolved, the first
// solves) of the priority's tickets observed in the window (From, To], in
// seconds, sorted, by the simulator's truth: the priority as synced (a
// ticket without one is the kind's unset priority), calendar seconds (the
// backfill world's SLA clock), and a solve in whole minutes where the API
// gives no more.
func truthDurations(truth simulator.Truth, v backfillVendor, priority string, p report.Period, resolved bool) []float64 {
	var out []float64
	for _, tk := range truth.Tickets {
		at := tk.FirstReply
		if resolved {
			at = tk.FirstSolve
		}
		if cmp.Or(tk.Priority, v.unsetPriority) != priority || at.IsZero() || !at.After(p.From) || at.After(p.To) {
			continue
		}
		d := at.Sub(tk.Created)
		if resolved && v.solveMinutesOnly {
			d = d.Truncate(time.Minute)
		}
		out = append(out, d.Seconds())
	}
	slices.Sort(out)
	return out
}

// checkCoverage: an indicator no vendor has a value for, in the period
// (and, with previous, in the previous one too), proves nothing here; the
// world feeds every one.
func (c *reportChecker) checkCoverage(rep *report.Report, previous bool) {
	valued := map[string]bool{}
	var ids []string
	for _, v := range rep.Vendors {
		for _, ind := range v.Indicators {
			if !slices.Contains(ids, ind.ID) {
				ids = append(ids, ind.ID)
			}
			if ind.Value != nil && (ind.Previous != nil || !previous) {
				valued[ind.ID] = true
			}
		}
	}
	var none []string
	for _, id := range ids {
		if !valued[id] {
			none = append(none, id)
		}
	}
	c.t.Logf("%d indicators, %d with a value for some vendor (and before: %v)", len(ids), len(ids)-len(none), previous)
	if len(none) > 0 {
		for _, v := range rep.Vendors {
			for _, ind := range v.Indicators {
				if slices.Contains(none, ind.ID) {
					c.t.Logf("%s %s: value %s (%d samples), previous %s", v.Name, ind.ID, fmtPtr(ind.Value), ind.Samples, fmtPtr(ind.Previous))
				}
			}
		}
		c.problems = append(c.problems, fmt.Sprintf("no vendor has a value (and before: %v) for %v: the world proves nothing there", previous, none))
	}
}
