package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/support-exporter/support_exporter/exporter/report"
	"github.com/support-exporter/support_exporter/simulator"
)

// updateReportPNG rewrites docs/report.png, the README's picture of the
// demo's report, with the Chromium the test drives:
// `go test ./e2e -run TestReportDemo -update-report-png`.
var updateReportPNG = flag.Bool("update-report-png", false, "rewrite docs/report.png from the demo's report")

// reportClock is the demo's fixed instant in the report tests: its history
// starts 31 days before (global.history_start 2026-11-06).
var reportClock = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// demoReportQuery is the period the demo's report covers: two weeks,
// closed before the clock, compared with the two before, which the demo's
// history (from 2026-11-06) covers. demoFourWeeks reaches further back:
// its previous period starts before history_start, and the report says
// there is no comparison, and why (previous_unavailable).
const (
	demoReportQuery = "from=2026-11-23&to=2026-12-07&compare=1"
	demoFourWeeks   = "from=2026-11-09&to=2026-12-07&compare=1"
)

// runCLI runs the binary to its end and returns its exit code and outputs.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return exitCode(err), out.String(), errb.String()
}

// fetchURL GETs a URL and returns the response with its body read.
func fetchURL(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	c := http.Client{Timeout: time.Minute}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// waitAllSynced waits until every source of p has synced once.
func waitAllSynced(t *testing.T, p *proc, timeout time.Duration) {
	t.Helper()
	waitEvery(t, timeout, time.Second, "every source synced", func() bool {
		s, _ := p.scrape()
		n := 0
		for k, v := range s {
			if strings.HasPrefix(k, "support_source_last_success_timestamp_seconds{") {
				if v == 0 {
					return false
				}
				n++
			}
		}
		return n > 0
	})
}

func decodeReport(t *testing.T, what string, b []byte) report.Report {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: not a JSON report: %v\n%.300s", what, err, b)
	}
	return r
}

// TestReportDemo: the demo, at a fixed clock, serves the review of four
// weeks at /report as one self-contained HTML page, and the command asks it
// the same through --exporter.url. Headless Chromium renders the page, from
// a file and over HTTP, without a console message or a request of its
// own, into a screenshot and an A4 printout.
func TestReportDemo(t *testing.T) {
	dataDir := t.TempDir()
	p := start(t, nil, "--demo", "--debug.clock="+reportClock.Format(time.RFC3339), "--storage.path="+dataDir)
	waitAllSynced(t, p, 90*time.Second)
	vendors := simulator.Demo(reportClock)
	base := "http://" + p.addr

	started := time.Now()
	resp, page := fetchURL(t, base+"/report?"+demoReportQuery)
	took := time.Since(started)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /report: %s %s\n%.300s", resp.Status, resp.Header.Get("Content-Type"), page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q: the page may fetch", csp)
	}
	for _, v := range vendors {
		if !bytes.Contains(page, []byte(v.Name)) {
			t.Errorf("the report does not name vendor %s", v.Name)
		}
	}
	t.Logf("demo report over HTTP: %d vendors, two weeks compared, %d bytes of HTML in %v", len(vendors)+1, len(page), took.Round(time.Millisecond))

	// The landing page links the report: a form and an example that works.
	_, landing := p.get("/")
	example := regexp.MustCompile(`<a href="(report\?from=[0-9-]+&amp;to=[0-9-]+)">`).FindStringSubmatch(landing)
	if !strings.Contains(landing, `<form action="report" method="get">`) || example == nil {
		t.Errorf("the landing page has no report form or example link")
	} else if resp, b := fetchURL(t, base+"/"+html.UnescapeString(example[1])); resp.StatusCode != http.StatusOK {
		t.Errorf("the landing page's example %s: %s %.200s", example[1], resp.Status, b)
	}

	resp, body := fetchURL(t, base+"/report?"+demoReportQuery+"&format=json")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /report?format=json: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	live := decodeReport(t, "/report?format=json", body)
	wantFrom, wantTo := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	wantPrevious := time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)
	if !live.Period.From.Equal(wantFrom) || !live.Period.To.Equal(wantTo) || live.Previous == nil ||
		!live.Previous.From.Equal(wantPrevious) || !live.Previous.To.Equal(wantFrom) || live.PreviousUnavailable != "" ||
		len(live.Vendors) != len(vendors)+1 {
		t.Fatalf("JSON report: period %+v, previous %+v (%q), %d vendors; want [%s, %s) compared with [%s, %s) and %d vendors",
			live.Period, live.Previous, live.PreviousUnavailable, len(live.Vendors), wantFrom, wantTo, wantPrevious, wantFrom, len(vendors)+1)
	}
	// The simulated status pages name every incident and maintenance: the
	// report shows the names.
	titles := 0
	for _, v := range live.Vendors {
		for _, in := range v.Incidents {
			titles += checkDemoTitle(t, page, v.Name, in.ID, in.Title)
		}
		for _, m := range v.Maintenances {
			titles += checkDemoTitle(t, page, v.Name, m.ID, m.Title)
		}
	}
	if titles == 0 {
		t.Error("the demo's report lists no titled incident or maintenance: the check proves nothing")
	}
	compared := 0
	for _, v := range live.Vendors {
		for _, ind := range v.Indicators {
			if ind.Previous != nil {
				compared++
			}
		}
	}
	if compared == 0 {
		t.Error("the demo's report compared with the two weeks before has no previous value")
	}
	if !bytes.Contains(page, []byte("compared with the previous period 2026-11-09")) {
		t.Errorf("the HTML report does not name the previous period it compares with")
	}
	// Four weeks: the two weeks before the demo's history are not compared.
	resp, body = fetchURL(t, base+"/report?"+demoFourWeeks+"&format=json")
	if four := decodeReport(t, "four weeks", body); resp.StatusCode != http.StatusOK || four.Previous != nil ||
		!strings.Contains(four.PreviousUnavailable, "history_start") {
		t.Errorf("four weeks compared: %s, previous %+v (%q); want no previous period (before history_start)", resp.Status, four.Previous, four.PreviousUnavailable)
	}
	if resp, page4 := fetchURL(t, base+"/report?"+demoFourWeeks); resp.StatusCode != http.StatusOK ||
		!bytes.Contains(page4, []byte("no comparison with the previous period")) {
		t.Errorf("the HTML report of four weeks does not say why it is not compared")
	}
	tickets := uint64(0)
	for _, v := range live.Vendors {
		tickets += v.Volume.TicketsOpened
	}
	if tickets == 0 {
		t.Error("the demo's report counts no ticket opened in four weeks")
	}

	// The command asks the running exporter with the same words.
	out := filepath.Join(t.TempDir(), "review.json")
	code, stdout, stderr := runCLI(t, "report", "--exporter.url", base, "--from", "2026-11-23", "--to", "2026-12-07", "--compare-previous", "--output", out)
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "wrote "+out+" (json, ") {
		t.Fatalf("report --exporter.url: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// A closed period's figures do not move while the demo keeps syncing;
	// only the sources' last sync may have moved on between the two asks.
	got := decodeReport(t, out, b)
	if !reflect.DeepEqual(got.Period, live.Period) || len(got.Vendors) != len(live.Vendors) {
		t.Fatalf("report --exporter.url: period %+v and %d vendors, want %+v and %d", got.Period, len(got.Vendors), live.Period, len(live.Vendors))
	}
	for i := range got.Vendors {
		for j, s := range got.Vendors[i].Sources {
			if j < len(live.Vendors[i].Sources) && s.SyncedAt.Before(live.Vendors[i].Sources[j].SyncedAt) {
				t.Errorf("report --exporter.url: %s/%s synced at %v, before the %v /report gave a moment before", got.Vendors[i].Name, s.Name, s.SyncedAt, live.Vendors[i].Sources[j].SyncedAt)
			}
		}
		if a, b := withoutSyncInstants(got.Vendors[i]), withoutSyncInstants(live.Vendors[i]); !reflect.DeepEqual(a, b) {
			t.Errorf("report --exporter.url: vendor %s differs from /report asked the same a moment before", a.Name)
		}
	}

	// report --demo syncs the same simulated vendors at the same clock
	// into a store of its own: the same review of the closed period, but
	// for the links (the simulated vendors' ports) and who noticed
	// incidents first (the running demo also plays the customer's alerts).
	code, stdout, stderr = runCLI(t, "report", "--demo", "--debug.clock="+reportClock.Format(time.RFC3339), "--from=2026-11-23", "--to=2026-12-07", "--compare-previous", "--format=json")
	if code != 0 {
		t.Fatalf("report --demo: exit %d, stderr %s", code, tail(stderr, 5))
	}
	if stderr != "" {
		t.Errorf("report --demo printed on success (its sync's log belongs to --log.level): %s", tail(stderr, 5))
	}
	oneShot := decodeReport(t, "report --demo", []byte(stdout))
	if !reflect.DeepEqual(oneShot.Period, live.Period) || len(oneShot.Vendors) != len(live.Vendors) {
		t.Fatalf("report --demo: period %+v and %d vendors, want %+v and %d", oneShot.Period, len(oneShot.Vendors), live.Period, len(live.Vendors))
	}
	for i := range oneShot.Vendors {
		a, b := withoutDemoVariance(oneShot.Vendors[i]), withoutDemoVariance(live.Vendors[i])
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			t.Errorf("report --demo: vendor %s differs from the running demo's:\n%s\n%s", a.Name, ja, jb)
		}
	}

	// The store is the running demo's: the command says where to go.
	cfg := configFile(t, t.TempDir(), "global:\n  history_start: 2026-11-06\nvendors:\n  - name: "+vendors[0].Name+"\n    status_pages: [{name: status, kind: statuspage, url: \"http://127.0.0.1:1/\"}]\n")
	code, stdout, stderr = runCLI(t, "report", "--config.file="+cfg, "--storage.path="+dataDir, "--from=2026-11-09", "--to=2026-12-07",
		"--debug.clock="+reportClock.Format(time.RFC3339))
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "locked by another process") || !strings.Contains(stderr, "--exporter.url http://HOST:PORT") {
		t.Errorf("report on the running demo's store: exit %d, stdout %.100q, stderr %q; want 2 and one line pointing to --exporter.url", code, stdout, stderr)
	}

	t.Run("chromium", func(t *testing.T) {
		bin := chromiumPath(t)
		file := filepath.Join(t.TempDir(), "review.html")
		if err := os.WriteFile(file, page, 0o600); err != nil {
			t.Fatal(err)
		}
		const w, h = 1024, 1400
		for _, url := range []string{"file://" + file, base + "/report?" + demoReportQuery} {
			got := renderInChromium(t, bin, url, w, h)
			if len(got.Console) > 0 {
				t.Errorf("%s: console messages: %q", url, got.Console)
			}
			if len(got.Requests) > 0 {
				t.Errorf("%s: the page asked for %q", url, got.Requests)
			}
			pngSize := checkPNG(t, got.PNG, w, h)
			pdfSize, pages := checkPDF(t, got.PDF)
			if pages < len(vendors)+1 {
				t.Errorf("%s: %d A4 pages, want at least one per vendor (%d)", url, pages, len(vendors)+1)
			}
			t.Logf("%s: chromium took %v: PNG %dx%d %d bytes, PDF %d pages %d bytes", url[:min(len(url), 40)], got.Took.Round(time.Millisecond), w, h, pngSize, pages, pdfSize)
		}
		if *updateReportPNG {
			// Three vendors read better on a README than ten.
			q := "vendor=swiftedge&vendor=nightless&vendor=openpipe&" + demoReportQuery
			got := renderInChromium(t, bin, base+"/report?"+q, 1200, 1500)
			checkPNG(t, got.PNG, 1200, 1500)
			b, err := os.ReadFile(got.PNG)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("..", "docs", "report.png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// withoutDemoVariance leaves out of a demo vendor's review what differs
// between two runs of the demo at the same clock: the links, which carry
// the simulated vendors' ports, when each source's sync started, and what the customer's alerts decide
// (the running demo plays them, report --demo does not).
// withoutSyncInstants is v without its sources' last sync instants, which
// move on while a running exporter keeps syncing.
func withoutSyncInstants(v report.Vendor) report.Vendor {
	c := v
	c.Sources = slices.Clone(v.Sources)
	for i := range c.Sources {
		c.Sources[i].SyncedAt = time.Time{}
	}
	return c
}

func withoutDemoVariance(v report.Vendor) report.Vendor {
	b, _ := json.Marshal(v)
	var c report.Vendor
	_ = json.Unmarshal(b, &c) // a deep copy
	for i := range c.Escalations {
		c.Escalations[i].URL = ""
	}
	for i := range c.SLA {
		for j := range c.SLA[i].Worst {
			c.SLA[i].Worst[j].URL = ""
		}
	}
	for i := range c.Incidents {
		c.Incidents[i].URL, c.Incidents[i].CustomerFirst = "", nil
	}
	for i := range c.Maintenances {
		c.Maintenances[i].URL = ""
	}
	for i := range c.Sources {
		c.Sources[i].SyncedAt = time.Time{} // when each run's sync started
	}
	for i := range c.Docs {
		c.Docs[i].ListRead = nil // the same
	}
	for i := range c.Drills {
		c.Drills[i].Ticket.URL = ""
	}
	c.Indicators = slices.DeleteFunc(c.Indicators, func(in report.Indicator) bool {
		return in.ID == "vendor_first_ratio" || strings.HasPrefix(in.ID, "customer_lead")
	})
	return c
}

// TestReportStoppedStore: the command reads a stopped exporter's store and
// writes the report the exporter served for the same period.
func TestReportStoppedStore(t *testing.T) {
	w := newWorld(t, worldOptions{tickets: 300})
	dataDir := t.TempDir()
	p := start(t, nil, w.args(dataDir)...)
	waitFor(t, 60*time.Second, "synced", func() bool { s, _ := p.scrape(); return w.synced(s) })
	from := frozenNow.UTC().AddDate(0, 0, -21).Format(time.DateOnly)
	to := frozenNow.UTC().Format(time.DateOnly)
	resp, body := fetchURL(t, "http://"+p.addr+"/report?format=json&from="+from+"&to="+to)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /report: %s %s", resp.Status, body)
	}
	live := decodeReport(t, "/report", body)
	p.term()

	code, stdout, stderr := runCLI(t, "report", "--config.file="+w.cfgPath, "--storage.path="+dataDir, "--from="+from, "--to="+to, "--format=json")
	if code != 0 || stderr != "" {
		t.Fatalf("report: exit %d, stderr %q", code, stderr)
	}
	cli := decodeReport(t, "report", []byte(stdout))
	if !reflect.DeepEqual(cli.Vendors, live.Vendors) || !reflect.DeepEqual(cli.Period, live.Period) || !reflect.DeepEqual(cli.Footnotes, live.Footnotes) {
		t.Errorf("the command's report of the stopped store differs from the one the exporter served")
	}
	if len(cli.Vendors) != 1 || cli.Vendors[0].Volume.TicketsOpened == 0 {
		t.Errorf("vendors %d, tickets opened %v: want the world's vendor and its tickets", len(cli.Vendors), cli.Vendors)
	}

	// --output: the format from its extension, the file replaced whole.
	dir := t.TempDir()
	for _, name := range []string{"review.md", "review.html", "review.md"} {
		out := filepath.Join(dir, name)
		code, stdout, stderr = runCLI(t, "report", "--config.file="+w.cfgPath, "--storage.path="+dataDir, "--from="+from, "--to="+to, "-o", out)
		b, err := os.ReadFile(out)
		if code != 0 || stderr != "" || err != nil || !strings.Contains(stdout, "("+strings.TrimPrefix(filepath.Ext(name), ".")+", ") {
			t.Fatalf("report -o %s: exit %d, stdout %q, stderr %q, %v", name, code, stdout, stderr, err)
		}
		if isHTML := bytes.HasPrefix(bytes.ToLower(b), []byte("<!doctype html")); isHTML != (name == "review.html") {
			t.Errorf("%s starts %.40q", name, b)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left beside the reports: %v", entries)
	}
}

// TestReportBadInput: every mistake is one line on stderr and exit code 2,
// from the store and from a running exporter alike; the running
// exporter's store is one of them.
func TestReportBadInput(t *testing.T) {
	w := newWorld(t, worldOptions{tickets: 50})
	historyStart := frozenNow.UTC().AddDate(0, 0, -20).Format(time.DateOnly)
	raw, err := os.ReadFile(w.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg := configFile(t, t.TempDir(), strings.Replace(string(raw), "global:\n", "global:\n  history_start: "+historyStart+"\n", 1))
	dataDir := t.TempDir()
	p := start(t, nil, "--config.file="+cfg, "--storage.path="+dataDir)
	from := frozenNow.UTC().AddDate(0, 0, -10).Format(time.DateOnly)
	to := frozenNow.UTC().Format(time.DateOnly)
	early := frozenNow.UTC().AddDate(0, 0, -25).Format(time.DateOnly)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown vendor", []string{"--vendor=initech", "--from=" + from}, "initech: unknown vendor; configured: " + w.vendor},
		{"from after to", []string{"--from=" + to, "--to=" + from}, " is not before "},
		{"before history_start", []string{"--from=" + early, "--to=" + to}, "before global.history_start " + historyStart},
		{"bad quarter", []string{"--quarter=2026Q5"}, "want a quarter such as 2026Q3"},
		{"bad month", []string{"--month=2026-13"}, "want a month such as 2026-11"},
		{"two periods", []string{"--month=2026-11", "--from=" + from}, "give one period"},
		{"no period", nil, "no period"},
	} {
		for _, via := range []string{"store", "exporter"} {
			args := []string{"report", "--config.file=" + cfg, "--storage.path=" + dataDir}
			if via == "exporter" {
				args = []string{"report", "--exporter.url=http://" + p.addr}
			}
			code, stdout, stderr := runCLI(t, append(args, c.args...)...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "support_exporter report: ") || !strings.Contains(stderr, c.want) {
				t.Errorf("%s via the %s: exit %d, stdout %.80q, stderr %q; want 2 and one line with %q", c.name, via, code, stdout, stderr, c.want)
			}
		}
	}
	code, stdout, stderr := runCLI(t, "report", "--config.file="+cfg, "--storage.path="+dataDir, "--from="+from)
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "locked by another process") || !strings.Contains(stderr, "--exporter.url") {
		t.Errorf("locked store: exit %d, stdout %.80q, stderr %q", code, stdout, stderr)
	}
	resp, body := fetchURL(t, "http://"+p.addr+"/report?vendor=initech&from="+from)
	if resp.StatusCode != http.StatusBadRequest || strings.Count(string(body), "\n") != 1 {
		t.Errorf("GET /report with an unknown vendor: %s %q, want 400 and one line", resp.Status, body)
	}
}

// TestReportBasicAuth: /report sits behind --web.config.file like every
// endpoint; the command gives the credentials from --http.config.file (or
// the URL), and without them says so in one line, exit 2, never printing
// a password.
func TestReportBasicAuth(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("report-pass"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	webCfg := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webCfg, []byte("basic_auth_users:\n  sre: "+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	passFile := filepath.Join(dir, "pass")
	if err := os.WriteFile(passFile, []byte("report-pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clientCfg := filepath.Join(dir, "client.yml")
	if err := os.WriteFile(clientCfg, []byte("basic_auth:\n  username: sre\n  password_file: "+passFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, worldOptions{tickets: 20})
	p := startNoWait(t, nil, append(w.args(t.TempDir()), "--web.config.file="+webCfg)...)
	waitFor(t, 30*time.Second, "listener", func() bool { code, _ := p.get("/report"); return code != 0 })
	from := frozenNow.UTC().AddDate(0, 0, -7).Format(time.DateOnly)
	if code, _ := p.get("/report?from=" + from); code != http.StatusUnauthorized {
		t.Fatalf("/report without credentials: %d, want 401", code)
	}
	base := "http://" + p.addr
	code, stdout, stderr := runCLI(t, "report", "--exporter.url="+base, "--from="+from)
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "401 Unauthorized: give its credentials") {
		t.Errorf("no credentials: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, "report", "--exporter.url=http://sre:wrong-pass@"+p.addr, "--from="+from)
	if code != 2 || strings.Contains(stderr, "wrong-pass") {
		t.Errorf("wrong password in the URL: exit %d, stderr %q (the password must not show)", code, stderr)
	}
	waitFor(t, 60*time.Second, "ready", func() bool {
		code, _, _ := runCLI(t, "report", "--exporter.url="+base, "--http.config.file="+clientCfg, "--from="+from, "--format=json")
		return code == 0
	})
	code, stdout, stderr = runCLI(t, "report", "--exporter.url=http://sre:report-pass@"+p.addr, "--from="+from, "--format=json")
	if code != 0 || stderr != "" || decodeReport(t, "report", []byte(stdout)).Vendors[0].Name != w.vendor {
		t.Errorf("credentials in the URL: exit %d, stderr %q", code, stderr)
	}
}

// checkDemoTitle checks that a listed incident or maintenance of the demo
// has a title, shown in the HTML page; 1 when it has.
func checkDemoTitle(t *testing.T, page []byte, vendor, id, title string) int {
	t.Helper()
	if title == "" {
		t.Errorf("%s: %s has no title", vendor, id)
		return 0
	}
	if !bytes.Contains(page, []byte(">"+html.EscapeString(title)+"<")) {
		t.Errorf("%s: the HTML report does not show %s's title %q", vendor, id, title)
	}
	return 1
}
