package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/report"
	"github.com/support-exporter/support_exporter/exporter/report/render"
	"github.com/support-exporter/support_exporter/exporter/store"
)

var reportNow = time.Date(2026, 12, 7, 12, 30, 15, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestReportPeriod(t *testing.T) {
	for _, c := range []struct {
		q        reportRequest
		from, to time.Time
		name     string
	}{
		{reportRequest{Quarter: "2026Q3"}, day(2026, 7, 1), day(2026, 10, 1), "2026Q3"},
		{reportRequest{Quarter: "2026-q4"}, day(2026, 10, 1), day(2027, 1, 1), "2026Q4"},
		{reportRequest{Quarter: "2026Q1"}, day(2026, 1, 1), day(2026, 4, 1), "2026Q1"},
		{reportRequest{Month: "2026-11"}, day(2026, 11, 1), day(2026, 12, 1), "2026-11"},
		{reportRequest{Month: "2026-12"}, day(2026, 12, 1), day(2027, 1, 1), "2026-12"},
		{reportRequest{From: "2026-11-01", To: "2026-11-15"}, day(2026, 11, 1), day(2026, 11, 15), ""},
		// An offset is kept as the instant it names, in UTC.
		{reportRequest{From: "2026-11-01T01:00:00+02:00", To: "2026-11-02T00:00:00Z"}, time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC), day(2026, 11, 2), ""},
		// No --to: now, to the second.
		{reportRequest{From: "2026-11-01"}, day(2026, 11, 1), reportNow, ""},
	} {
		p, err := c.q.period(reportNow.Add(300 * time.Millisecond))
		if err != nil {
			t.Errorf("%+v: %v", c.q, err)
			continue
		}
		if !p.From.Equal(c.from) || !p.To.Equal(c.to) || p.Name != c.name || p.From.Location() != time.UTC || p.To.Location() != time.UTC {
			t.Errorf("%+v: [%s, %s) %q, want [%s, %s) %q", c.q, p.From, p.To, p.Name, c.from, c.to, c.name)
		}
	}
}

func TestReportPeriodRefused(t *testing.T) {
	for _, c := range []struct {
		q    reportRequest
		want string
	}{
		{reportRequest{}, "no period: give --quarter (2026Q3), --month (2026-11), or --from (and --to)"},
		{reportRequest{http: true}, "no period: give quarter (2026Q3), month (2026-11), or from (and to)"},
		{reportRequest{Quarter: "2026Q3", Month: "2026-11"}, "give one period"},
		{reportRequest{Month: "2026-11", From: "2026-11-01"}, "give one period"},
		{reportRequest{Quarter: "2026Q5"}, "--quarter 2026Q5: want a quarter such as 2026Q3"},
		{reportRequest{Quarter: "Q3 2026", http: true}, "quarter=Q3 2026: want a quarter"},
		{reportRequest{Month: "2026-13"}, "--month 2026-13: want a month such as 2026-11"},
		{reportRequest{Month: "11/2026"}, "want a month"},
		{reportRequest{To: "2026-11-01"}, "--to 2026-11-01 without --from"},
		{reportRequest{From: "yesterday"}, "--from yesterday: want a date (2026-11-01, midnight UTC) or an RFC 3339 instant"},
		{reportRequest{From: "2026-11-01", To: "2026-11-31"}, "--to 2026-11-31: want a date"},
		{reportRequest{From: "2026-11-10", To: "2026-11-01"}, "--from 2026-11-10 is not before --to 2026-11-01 (the end is exclusive)"},
		{reportRequest{From: "2026-11-01", To: "2026-11-01"}, "is not before"},
		{reportRequest{From: "2026-11-01", To: "2026-11-01", http: true}, "from=2026-11-01 is not before to=2026-11-01"},
	} {
		_, err := c.q.period(reportNow)
		if err == nil || !strings.Contains(err.Error(), c.want) || !isInputError(err) {
			t.Errorf("%+v: %v, want an input error with %q", c.q, err, c.want)
		}
	}
}

func reportConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(`global:
  history_start: 2026-06-15
vendors:
  - name: acme
    status_pages: [{name: status, kind: statuspage, url: "http://127.0.0.1:1/"}]
  - name: globex
    status_pages: [{name: status, kind: statuspage, url: "http://127.0.0.1:1/"}]
`), "test.yml", collectors.Kinds.Config())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestReportOptions(t *testing.T) {
	cfg := reportConfig(t)
	o, err := reportRequest{Month: "2026-11", Compare: true}.options(cfg, reportNow)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.Vendors, ",") != "acme,globex" || !o.ComparePrevious || o.Config != cfg || !o.Now.Equal(reportNow) || o.Period.Name != "2026-11" {
		t.Errorf("every vendor by default: %+v", o)
	}
	o, err = reportRequest{Vendors: []string{"globex", "acme"}, From: "2026-06-15"}.options(cfg, reportNow)
	if err != nil || strings.Join(o.Vendors, ",") != "globex,acme" || o.ComparePrevious {
		t.Errorf("vendors in the order asked: %+v %v", o, err)
	}
	for _, c := range []struct {
		q    reportRequest
		want string
	}{
		{reportRequest{Vendors: []string{"initech"}, Month: "2026-11"}, "--vendor initech: unknown vendor; configured: acme, globex"},
		{reportRequest{Vendors: []string{"acme", "acme"}, Month: "2026-11"}, "--vendor acme: given twice"},
		{reportRequest{Quarter: "2026Q2"}, "the period starts 2026-04-01T00:00:00Z, before global.history_start 2026-06-15: the store holds nothing earlier"},
		{reportRequest{From: "2026-06-14T23:59:59Z", To: "2026-07-01"}, "before global.history_start"},
		{reportRequest{Month: "2027-01"}, "the period starts 2027-01-01T00:00:00Z, after now (2026-12-07T12:30:15Z)"},
		{reportRequest{Month: "2026-11", Format: "pdf"}, "--format pdf: want one of html, md, json"},
		{reportRequest{Month: "2026-11", Format: "pdf", http: true}, "format=pdf: want one of"},
		{reportRequest{Vendors: []string{"initech"}, Month: "2026-11", http: true}, "vendor=initech: unknown vendor"},
	} {
		_, err := c.q.options(cfg, reportNow)
		if err == nil || !strings.Contains(err.Error(), c.want) || !isInputError(err) {
			t.Errorf("%+v: %v, want an input error with %q", c.q, err, c.want)
		}
	}
}

func TestParseReportQuery(t *testing.T) {
	q, err := parseReportQuery(url.Values{"vendor": {"b", "", "a"}, "month": {"2026-11"}, "from": {""}, "compare": {"1"}, "format": {"md"}})
	if err != nil || strings.Join(q.Vendors, ",") != "b,a" || q.Month != "2026-11" || q.From != "" || !q.Compare || q.Format != "md" || !q.http {
		t.Errorf("%+v %v", q, err)
	}
	// The command asks an exporter with the same request.
	back, err := parseReportQuery(q.query())
	if err != nil || strings.Join(back.Vendors, ",") != "b,a" || back.Month != q.Month || back.Compare != q.Compare || back.Format != q.Format {
		t.Errorf("round trip: %+v %v", back, err)
	}
	for _, v := range []url.Values{{"vendors": {"a"}}, {"compare": {"maybe"}}} {
		if _, err := parseReportQuery(v); err == nil || !isInputError(err) {
			t.Errorf("%v: %v, want an input error", v, err)
		}
	}
}

// fakeSource is the exporter as /report reads it.
type fakeSource struct{ cfg *config.Config }

func (f fakeSource) Config() *config.Config { return f.cfg }
func (f fakeSource) Now() time.Time         { return reportNow }

func get(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestReportHandler(t *testing.T) {
	h := newReportHandler(context.Background(), fakeSource{reportConfig(t)}, nil, slog.New(slog.DiscardHandler))
	var asked report.Options
	h.build = func(_ context.Context, o report.Options) (*report.Report, error) {
		asked = o
		return &report.Report{Period: o.Period}, nil
	}
	rec := get(h, http.MethodGet, "/report?vendor=globex&quarter=2026Q4&compare=1&format=json")
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if strings.Join(asked.Vendors, ",") != "globex" || !asked.ComparePrevious || asked.Period.Name != "2026Q4" || !asked.Now.Equal(reportNow) {
		t.Errorf("asked %+v", asked)
	}
	hd := rec.Header()
	if hd.Get("Content-Type") != render.ContentType("json") || !strings.Contains(hd.Get("Content-Disposition"), `filename="support-report-2026Q4.json"`) ||
		!strings.Contains(hd.Get("Content-Security-Policy"), "default-src 'none'") || !strings.Contains(rec.Body.String(), `"2026Q4"`) {
		t.Errorf("headers %v body %.200s", hd, rec.Body)
	}
	if rec := get(h, http.MethodGet, "/report?from=2026-11-01&to=2026-11-15"); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), `support-report-20261101-20261115.html`) || rec.Header().Get("Content-Type") != render.ContentType("html") {
		t.Errorf("html by default: %d %v", rec.Code, rec.Header())
	}
	if rec := get(h, http.MethodHead, "/report?month=2026-11"); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := get(h, http.MethodPost, "/report?month=2026-11"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
	for target, want := range map[string]string{
		"/report?vendor=initech&month=2026-11":  "report: vendor=initech: unknown vendor; configured: acme, globex\n",
		"/report?month=2026-13":                 "report: month=2026-13: want a month such as 2026-11\n",
		"/report?from=2026-12-01&to=2026-11-01": "report: from=2026-12-01 is not before to=2026-11-01 (the end is exclusive)\n",
		"/report?quarter=2026Q1":                "report: the period starts 2026-01-01T00:00:00Z, before global.history_start 2026-06-15: the store holds nothing earlier; start on or after it\n",
		"/report?month=2026-11&vendors=acme":    "report: unknown parameter \"vendors\"; known: vendor, from, to, quarter, month, compare, format\n",
	} {
		rec := get(h, http.MethodGet, target)
		if rec.Code != http.StatusBadRequest || rec.Body.String() != want {
			t.Errorf("%s: %d %q, want 400 %q", target, rec.Code, rec.Body, want)
		}
	}
	// The builder's own input errors are 400 too; its failures 500.
	h.build = func(context.Context, report.Options) (*report.Report, error) { return nil, &report.InputError{} }
	if rec := get(h, http.MethodGet, "/report?month=2026-11"); rec.Code != http.StatusBadRequest {
		t.Errorf("report.InputError: %d", rec.Code)
	}
	h.build = func(context.Context, report.Options) (*report.Report, error) { return nil, errors.New("disk on fire") }
	if rec := get(h, http.MethodGet, "/report?month=2026-11"); rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "disk on fire") {
		t.Errorf("failure: %d %s", rec.Code, rec.Body)
	}
}

func TestReportHandlerOneAtATime(t *testing.T) {
	h := newReportHandler(context.Background(), fakeSource{reportConfig(t)}, nil, slog.New(slog.DiscardHandler))
	entered, release := make(chan struct{}), make(chan struct{})
	h.build = func(_ context.Context, o report.Options) (*report.Report, error) {
		entered <- struct{}{}
		<-release
		return &report.Report{Period: o.Period}, nil
	}
	first := make(chan int)
	go func() { first <- get(h, http.MethodGet, "/report?month=2026-11").Code }()
	<-entered
	rec := get(h, http.MethodGet, "/report?month=2026-10")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "10" {
		t.Errorf("second report while one is built: %d %v, want 503 with Retry-After", rec.Code, rec.Header())
	}
	// Bad input is told at once, busy or not.
	if rec := get(h, http.MethodGet, "/report?month=nope"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad input while busy: %d", rec.Code)
	}
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Errorf("first: %d", code)
	}
	go func() { <-entered }()
	if rec := get(h, http.MethodGet, "/report?month=2026-10"); rec.Code != http.StatusOK {
		t.Errorf("after the first ended: %d", rec.Code)
	}
}

func TestReportHandlerTimeout(t *testing.T) {
	h := newReportHandler(context.Background(), fakeSource{reportConfig(t)}, nil, slog.New(slog.DiscardHandler))
	h.timeout = 20 * time.Millisecond
	h.build = func(ctx context.Context, _ report.Options) (*report.Report, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	rec := get(h, http.MethodGet, "/report?month=2026-11")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "not built within 20ms") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	h = newReportHandler(context.Background(), fakeSource{}, nil, slog.New(slog.DiscardHandler))
	if rec := get(h, http.MethodGet, "/report?month=2026-11"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("before the first config: %d", rec.Code)
	}
}

func TestWriteFileAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.html")
	for _, content := range []string{"first", "second, longer"} {
		if err := writeFileAtomically(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != content {
			t.Fatalf("%q %v, want %q", b, err, content)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := writeFileAtomically(filepath.Join(dir, "missing", "r.html"), []byte("x")); err == nil {
		t.Error("no error for a missing directory")
	}
}

func TestFormatOf(t *testing.T) {
	for out, want := range map[string]string{"": "html", "r.html": "html", "r.MD": "md", "x/r.json": "json", "r.pdf": "html"} {
		if got := formatOf(out); got != want {
			t.Errorf("%q: %s, want %s", out, got, want)
		}
	}
}

// runReport runs the command line in-process.
func runReport(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"report"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func writeReportConfig(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "c.yml")
	if err := os.WriteFile(path, []byte("global:\n  history_start: 2026-06-15\n  storage_path: "+filepath.Join(dir, "data")+"\nvendors:\n  - name: acme\n    status_pages: [{name: status, kind: statuspage, url: \"http://127.0.0.1:1/\"}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportCommandBadInput: each mistake is one line on stderr and exit
// code 2, told before the store is opened.
func TestReportCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg := writeReportConfig(t, dir)
	clock := "--debug.clock=" + reportNow.Format(time.RFC3339)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--vendor", "initech", "--month", "2026-11"}, "support_exporter report: --vendor initech: unknown vendor; configured: acme\n"},
		{[]string{"--from", "2026-12-01", "--to", "2026-11-01"}, "support_exporter report: --from 2026-12-01 is not before --to 2026-11-01 (the end is exclusive)\n"},
		{[]string{"--quarter", "2026Q2"}, "support_exporter report: the period starts 2026-04-01T00:00:00Z, before global.history_start 2026-06-15: the store holds nothing earlier; start on or after it\n"},
		{[]string{"--quarter", "2026Q9"}, "support_exporter report: --quarter 2026Q9: want a quarter such as 2026Q3\n"},
		{[]string{"--month", "2026-11"}, "support_exporter report: no store at " + filepath.Join(dir, "data") + ": give the exporter's --storage.path (or global.storage_path in --config.file)\n"},
	} {
		code, stdout, stderr := runReport(t, append([]string{"--config.file=" + cfg, clock}, c.args...)...)
		if code != 2 || stderr != c.want || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %.100q; want 2 and %q", c.args, code, stderr, stdout, c.want)
		}
	}
	// A missing store is not created.
	if _, err := os.Stat(filepath.Join(dir, "data")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the command created the store's directory: %v", err)
	}
	code, _, stderr := runReport(t, "--config.file="+filepath.Join(dir, "none.yml"), "--month", "2026-11")
	if code != 2 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("missing config: exit %d, %q", code, stderr)
	}
	code, _, stderr = runReport(t, "--config.file="+cfg, "--month", "2026-11", "--format", "pdf")
	if code != 2 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("bad format: exit %d, %q", code, stderr)
	}
}

// TestReportCommandLockedStore: a store another process holds is one
// line pointing to --exporter.url, and exit 2.
func TestReportCommandLockedStore(t *testing.T) {
	dir := t.TempDir()
	cfg := writeReportConfig(t, dir)
	st, err := store.Open(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, stdout, stderr := runReport(t, "--config.file="+cfg, "--month", "2026-11", "--debug.clock="+reportNow.Format(time.RFC3339))
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "locked by another process") || !strings.Contains(stderr, "--exporter.url http://HOST:PORT") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestReportCommandStore: a stopped exporter's store gives the report, on
// stdout or in a file.
func TestReportCommandStore(t *testing.T) {
	dir := t.TempDir()
	cfg := writeReportConfig(t, dir)
	st, err := store.Open(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	args := []string{"--config.file=" + cfg, "--month", "2026-11", "--debug.clock=" + reportNow.Format(time.RFC3339)}
	code, stdout, stderr := runReport(t, append(args, "--format=json")...)
	if code != 0 || stderr != "" || !strings.Contains(stdout, `"name": "acme"`) || !strings.Contains(stdout, `"2026-11"`) {
		t.Fatalf("stdout: exit %d, stderr %q, stdout %.300s", code, stderr, stdout)
	}
	out := filepath.Join(dir, "r.json")
	code, stdout, stderr = runReport(t, append(args, "--output", out)...)
	b, err := os.ReadFile(out)
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "wrote "+out+" (json, ") || err != nil || !strings.Contains(string(b), `"name": "acme"`) {
		t.Fatalf("--output: exit %d, stderr %q, stdout %q, file %.100q %v", code, stderr, stdout, b, err)
	}
}

// TestReportCommandExporterURL: --exporter.url asks /report with the same
// request; the exporter's 400 is the asker's mistake (exit 2), with its
// line; credentials in the URL are sent and never printed.
func TestReportCommandExporterURL(t *testing.T) {
	var asked *http.Request
	status, body := http.StatusOK, "<html>report</html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r
		if status == http.StatusOK {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("sre", "s3cret")
	u.Path = "/prefix/"
	code, stdout, stderr := runReport(t, "--exporter.url", u.String(), "--vendor", "b", "--vendor", "a", "--quarter", "2026Q3", "--compare-previous")
	if code != 0 || stdout != body || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	user, pass, _ := asked.BasicAuth()
	if asked.URL.Path != "/prefix/report" || asked.URL.Query().Encode() != "compare=1&format=html&quarter=2026Q3&vendor=b&vendor=a" || user != "sre" || pass != "s3cret" {
		t.Errorf("asked %s %s as %s:%s", asked.URL.Path, asked.URL.RawQuery, user, pass)
	}
	for _, c := range []struct {
		status int
		body   string
		code   int
		want   string
	}{
		{http.StatusBadRequest, "report: month=2026-13: want a month such as 2026-11\n", 2, "support_exporter report: --month=2026-13: want a month such as 2026-11 (exporter at "},
		{http.StatusUnauthorized, "Unauthorized\n", 2, "401 Unauthorized: give its credentials"},
		{http.StatusServiceUnavailable, "report: another report is being built; try again shortly\n", 1, "503 Service Unavailable: another report is being built"},
	} {
		status, body = c.status, c.body
		code, stdout, stderr := runReport(t, "--exporter.url", u.String(), "--month", "2026-11")
		if code != c.code || stdout != "" || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "s3cret") {
			t.Errorf("%d: exit %d, stderr %q; want %d and %q without the password", c.status, code, stderr, c.code, c.want)
		}
	}
	// The endpoint's URL pasted whole is the same exporter.
	status = http.StatusOK
	pasted := *u
	pasted.Path, pasted.RawQuery = "/prefix/report", "month=2026-01"
	if code, _, stderr := runReport(t, "--exporter.url", pasted.String(), "--month", "2026-11"); code != 0 || asked.URL.Path != "/prefix/report" || asked.URL.Query().Get("month") != "2026-11" {
		t.Errorf("pasted endpoint URL: exit %d, %q, asked %s", code, stderr, asked.URL)
	}
	u.Host = "127.0.0.1:1"
	code, _, stderr = runReport(t, "--exporter.url", u.String(), "--month", "2026-11")
	if code != 1 || strings.Contains(stderr, "s3cret") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("unreachable: exit %d, %q", code, stderr)
	}
	code, _, stderr = runReport(t, "--exporter.url", "localhost:10043", "--month", "2026-11")
	if code != 2 || !strings.Contains(stderr, "want http://host:port") {
		t.Errorf("no scheme: exit %d, %q", code, stderr)
	}
}

// TestReportFlagsDocumented: every flag of the report command and every
// /report parameter has its row in docs/report-cli.md.
func TestReportFlagsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "report-cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	app := kingpin.New("x", "")
	var r reportFlags
	cmd := addReportCommand(app, &r)
	flags := cmd.Model().Flags
	if len(flags) < 10 {
		t.Fatalf("only %d flags", len(flags))
	}
	for _, f := range flags {
		if !bytes.Contains(doc, []byte("| `--"+f.Name+"`")) {
			t.Errorf("docs/report-cli.md has no row for --%s", f.Name)
		}
	}
	for _, p := range reportParams {
		if !bytes.Contains(doc, []byte("| `"+p+"`")) && !bytes.Contains(doc, []byte("`"+p+"`, ")) && !bytes.Contains(doc, []byte(", `"+p+"` |")) {
			t.Errorf("docs/report-cli.md has no row for the parameter %s", p)
		}
	}
}
