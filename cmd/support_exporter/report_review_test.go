package main

// Tests of the review's findings (REVIEW_REPORT_CLI.md): each failed
// before its fix.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/report"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// H1: the period is bounded, in the parsing the command and /report share.
func TestReportPeriodBounded(t *testing.T) {
	for _, c := range []struct {
		q    reportRequest
		want string
	}{
		{reportRequest{From: "0001-01-01"}, "the period starts 0001-01-01, before 1970-01-01: start on or after it"},
		{reportRequest{From: "1000-01-01", To: "2026-01-01"}, "the period starts 1000-01-01, before 1970-01-01"},
		{reportRequest{From: "1969-12-31T23:59:59Z", To: "1970-02-01"}, "before 1970-01-01"},
		{reportRequest{Quarter: "0000Q1"}, "the period starts 0000-01-01, before 1970-01-01"},
		{reportRequest{Quarter: "9999Q4"}, "the period ends 10000-01-01, after 9999-12-31"},
		{reportRequest{From: "2023-01-01", To: "2026-01-02"}, "a report covers at most 3 years (1096 days); ask for a shorter period"},
		{reportRequest{From: "2020-01-01"}, "a report covers at most 3 years (1096 days)"},
	} {
		_, err := c.q.period(reportNow)
		if err == nil || !isInputError(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an input error with %q", c.q, err, c.want)
		}
	}
	// Three years and a leap day are allowed, and 1970 and 9999 too.
	for _, q := range []reportRequest{{From: "2023-01-01", To: "2026-01-01"}, {Month: "1970-01"}, {Quarter: "9999Q3"}} {
		p, err := q.period(reportNow)
		if err != nil {
			t.Errorf("%+v: %v", q, err)
			continue
		}
		// The period before (--compare-previous) is within a Duration.
		if d := p.To.Sub(p.From); d <= 0 || p.From.Add(-d).Sub(p.From) != -d {
			t.Errorf("%+v: the period's length %v overflows", q, d)
		}
	}
}

func TestReportCommandPeriodBounded(t *testing.T) {
	dir := t.TempDir()
	cfg := writeReportConfig(t, dir)
	clock := "--debug.clock=" + reportNow.Format(time.RFC3339)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--from=0001-01-01"}, "support_exporter report: the period starts 0001-01-01, before 1970-01-01: start on or after it\n"},
		{[]string{"--quarter", "0000Q1", "--compare-previous", "--format=json"}, "support_exporter report: the period starts 0000-01-01, before 1970-01-01: start on or after it\n"},
	} {
		code, stdout, stderr := runReport(t, append([]string{"--config.file=" + cfg, clock}, c.args...)...)
		if code != 2 || stderr != c.want || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	// Without history_start too, and on the endpoint: 400, nothing built.
	noStart := reportConfig(t)
	noStart.Global.HistoryStart = config.Date{}
	h := newReportHandler(context.Background(), fakeSource{noStart}, nil, slog.New(slog.DiscardHandler))
	h.build = func(context.Context, report.Options) (*report.Report, error) {
		t.Error("a report was built")
		return nil, errors.New("built")
	}
	for _, target := range []string{"/report?from=1000-01-01", "/report?from=2020-01-01&to=2026-01-01", "/report?quarter=0000Q1"} {
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			if rec := get(h, m, target); rec.Code != http.StatusBadRequest {
				t.Errorf("%s %s: %d %s", m, target, rec.Code, rec.Body)
			}
		}
	}
}

// L1: a query that cannot be read, or a repeated singular parameter, is
// refused rather than taken as "every vendor" or the first value.
func TestReportHandlerStrictQuery(t *testing.T) {
	h := newReportHandler(context.Background(), fakeSource{reportConfig(t)}, nil, slog.New(slog.DiscardHandler))
	h.build = func(_ context.Context, o report.Options) (*report.Report, error) {
		return &report.Report{Period: o.Period}, nil
	}
	for _, target := range []string{
		"/report?vendor=%zz&month=2026-11&format=json",
		"/report?vendor=nosuch;x&month=2026-11&format=json",
		"/report?month=2026-11&month=2025-01&format=json",
		"/report?vendor=acme&month=2026-11&format=json&format=md",
	} {
		rec := get(h, http.MethodGet, target)
		if rec.Code != http.StatusBadRequest || strings.Count(rec.Body.String(), "\n") != 1 {
			t.Errorf("%s: %d %q, want 400", target, rec.Code, rec.Body)
		}
	}
	if rec := get(h, http.MethodGet, "/report?vendor=acme&vendor=globex&month=2026-11&format=json"); rec.Code != http.StatusOK {
		t.Errorf("repeated vendor: %d %s", rec.Code, rec.Body)
	}
}

// M3: the server's shutdown ends a report being built: the asker gets a
// 503 and Shutdown returns at once, as serve does it (its context is
// cancelled, then srv.Shutdown).
func TestReportHandlerStopsAtShutdown(t *testing.T) {
	base, stop := context.WithCancel(context.Background())
	defer stop()
	h := newReportHandler(base, fakeSource{reportConfig(t)}, nil, slog.New(slog.DiscardHandler))
	building := make(chan struct{})
	h.build = func(ctx context.Context, _ report.Options) (*report.Report, error) {
		close(building)
		<-ctx.Done() // report.Build honours its context
		return nil, ctx.Err()
	}
	mux := http.NewServeMux()
	mux.Handle(reportPath, h)
	srv := newServer(mux, 10*time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	type answer struct {
		code int
		body string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/report?month=2026-11")
		if err != nil {
			got <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- answer{resp.StatusCode, string(b), nil}
	}()
	select {
	case <-building:
	case <-time.After(10 * time.Second):
		t.Fatal("the report was not asked")
	}
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	started := time.Now()
	if err := srv.Shutdown(sctx); err != nil {
		t.Errorf("Shutdown: %v after %v (the build held it)", err, time.Since(started))
	}
	a := <-got
	if a.err != nil || a.code != http.StatusServiceUnavailable || !strings.Contains(a.body, "shutting down") {
		t.Errorf("the asker got %d %q %v, want 503 shutting down", a.code, a.body, a.err)
	}
}

// L3 (the handler's part): a panic while serving /report is a 500 and a
// log line, not a cut connection.
func TestReportHandlerRecoversAPanic(t *testing.T) {
	var logged bytes.Buffer
	h := newReportHandler(context.Background(), fakeSource{reportConfig(t)}, nil, slog.New(slog.NewTextHandler(&logged, nil)))
	h.build = func(context.Context, report.Options) (*report.Report, error) { panic("bug reached by stored data") }
	rec := get(h, http.MethodGet, "/report?month=2026-11")
	if rec.Code != http.StatusInternalServerError || !strings.Contains(logged.String(), "bug reached by stored data") {
		t.Errorf("%d %q, log %q", rec.Code, rec.Body, logged.String())
	}
	// The one-at-a-time token was given back.
	h.build = func(_ context.Context, o report.Options) (*report.Report, error) {
		return &report.Report{Period: o.Period}, nil
	}
	if rec := get(h, http.MethodGet, "/report?month=2026-11&format=json"); rec.Code != http.StatusOK {
		t.Errorf("after the panic: %d %s", rec.Code, rec.Body)
	}
}

// L6: no example link that would be refused.
func TestReportFormExample(t *testing.T) {
	cfg := reportConfig(t)
	for _, c := range []struct {
		start      time.Time
		from, to   string
		wantAnchor bool
	}{
		{time.Time{}, "2026-11-09", "2026-12-07", true},
		{day(2026, 12, 1), "2026-12-01", "2026-12-07", true},
		{day(2026, 12, 7), "", "", false},
		{day(2027, 1, 1), "", "", false},
	} {
		cfg.Global.HistoryStart = config.Date{Time: c.start}
		f := newReportForm(fakeSource{cfg})
		var b bytes.Buffer
		if err := landingTmpl.ExecuteTemplate(&b, "report-form", f); err != nil {
			t.Fatal(err)
		}
		if f.From != c.from || f.To != c.to || strings.Contains(b.String(), "<a href") != c.wantAnchor {
			t.Errorf("history_start %v: from %q to %q, link %v; want %q %q %v", c.start, f.From, f.To, !c.wantAnchor, c.from, c.to, c.wantAnchor)
		}
	}
}

// M1: the command reads the store without writing it (bytes and mtime
// unchanged), and a read-only copy will do.
func TestReportCommandStoreReadOnly(t *testing.T) {
	dir := t.TempDir()
	cfg := writeReportConfig(t, dir)
	data := filepath.Join(dir, "data")
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(data, store.FileName)
	old := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	sum := func() [32]byte {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	args := []string{"--config.file=" + cfg, "--month", "2026-11", "--debug.clock=" + reportNow.Format(time.RFC3339), "--format=json"}
	if code, _, stderr := runReport(t, args...); code != 0 {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if sum() != before {
		t.Error("the report changed the store's bytes")
	}
	if info, err := os.Stat(file); err != nil || !info.ModTime().Equal(old) {
		t.Errorf("the report changed the store's mtime: %v %v", info.ModTime(), err)
	}
	if err := os.Chmod(file, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(data, 0o755) })
	if code, stdout, stderr := runReport(t, args...); code != 0 || !strings.Contains(stdout, `"name": "acme"`) {
		t.Errorf("read-only copy: exit %d, %q", code, stderr)
	}
}

// M2: --output makes files as any tool does (0666 less the umask), keeps
// an existing file's mode, writes through a symbolic link, writes a device
// directly, and a missing directory is told before the build, naming the
// path asked for.
func TestReportOutput(t *testing.T) {
	dir := t.TempDir()
	defer syscall.Umask(syscall.Umask(0o077))
	fresh := filepath.Join(dir, "fresh.html")
	if err := writeOutput(fresh, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(fresh); info.Mode().Perm() != 0o600 {
		t.Errorf("under umask 077: %v, want 0600", info.Mode())
	}
	syscall.Umask(0o022)
	fresh2 := filepath.Join(dir, "fresh2.html")
	if err := writeOutput(fresh2, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(fresh2); info.Mode().Perm() != 0o644 {
		t.Errorf("under umask 022: %v, want 0644", info.Mode())
	}
	// An existing 0600 file stays 0600.
	private := filepath.Join(dir, "private.html")
	if err := os.WriteFile(private, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeOutput(private, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(private); info.Mode().Perm() != 0o600 {
		t.Errorf("existing 0600 file: %v after", info.Mode())
	}
	// Through a symbolic link: the target is written, the link stays.
	link := filepath.Join(dir, "link.html")
	if err := os.Symlink("private.html", link); err != nil {
		t.Fatal(err)
	}
	if err := writeOutput(link, []byte("through")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(private); string(b) != "through" {
		t.Errorf("the link's target holds %q", b)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", info.Mode(), err)
	}
	// A dangling link makes its target.
	dangling := filepath.Join(dir, "dangling.html")
	if err := os.Symlink("made.html", dangling); err != nil {
		t.Fatal(err)
	}
	if err := writeOutput(dangling, []byte("made")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "made.html")); string(b) != "made" {
		t.Errorf("the dangling link's target holds %q", b)
	}
	// A device is written directly: nothing made beside it.
	if err := writeOutput("/dev/null", []byte("x")); err != nil {
		t.Errorf("/dev/null: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 6 {
		t.Errorf("files left: %v", entries)
	}
	// A directory, or a missing one: refused, naming the path asked for.
	for path, want := range map[string]string{
		dir:                                   "--output " + dir + " is a directory",
		filepath.Join(dir, "nodir", "r.html"): "--output " + filepath.Join(dir, "nodir", "r.html") + ": directory " + filepath.Join(dir, "nodir") + ": stat: no such file or directory",
		filepath.Join(dir, "fresh.html", "r.html"): "not a directory",
	} {
		if err := checkOutput(path); err == nil || !isInputError(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("checkOutput(%s) = %v, want %q", path, err, want)
		}
	}
}

// M2: -o /dev/stdout is the report alone on standard output: written
// directly, nothing made in /dev, no "wrote" line after it.
func TestReportCommandOutputDevice(t *testing.T) {
	if _, err := os.Stat("/dev/stdout"); err != nil {
		t.Skip("no /dev/stdout")
	}
	dir := t.TempDir()
	cfg := writeReportConfig(t, dir)
	st, err := store.Open(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	// The command runs in-process: its /dev/stdout is this file.
	outFile := filepath.Join(dir, "stdout")
	f, err := os.Create(outFile)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := syscall.Dup(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(int(f.Fd()), 1); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runReport(t, "--config.file="+cfg, "--month", "2026-11", "--debug.clock="+reportNow.Format(time.RFC3339), "--format=json", "-o", "/dev/stdout")
	_ = syscall.Dup2(saved, 1)
	_ = syscall.Close(saved)
	_ = f.Close()
	b, _ := os.ReadFile(outFile)
	if code != 0 || stdout != "" || stderr != "" || !strings.HasPrefix(string(b), "{") || !strings.HasSuffix(strings.TrimSpace(string(b)), "}") {
		t.Errorf("exit %d, stdout %q, stderr %q, /dev/stdout got %.200q", code, stdout, stderr, b)
	}
}

// M2: the command checks --output before it opens the store.
func TestReportCommandOutputCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	cfg := writeReportConfig(t, dir) // no store: that error would come second
	out := filepath.Join(dir, "nodir", "r.html")
	code, _, stderr := runReport(t, "--config.file="+cfg, "--month", "2026-11", "--debug.clock="+reportNow.Format(time.RFC3339), "-o", out)
	if code != 2 || !strings.HasPrefix(stderr, "support_exporter report: --output "+out+": directory ") || strings.Contains(stderr, ".tmp-") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// L2, L5, L7: --exporter.url accepts only the report it asked for,
// relays the exporter's errors in flag terms with their control
// characters dropped, and refuses a bad period before the network.
func TestReportCommandExporterAnswers(t *testing.T) {
	status, ctype, body := http.StatusOK, "text/html; charset=utf-8", "<html>login</html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "review.json")
	code, stdout, stderr := runReport(t, "--exporter.url", srv.URL, "--month", "2026-11", "-o", out)
	if code != 1 || stderr != "support_exporter report: the exporter at "+srv.URL+" answered text/html, not the report's application/json; is --exporter.url an auth proxy?\n" {
		t.Errorf("login page: exit %d, %q %q", code, stdout, stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the login page was written: %v", err)
	}
	ctype, body = "application/json", `{"period":{}}`
	if code, _, stderr := runReport(t, "--exporter.url", srv.URL, "--month", "2026-11", "-o", out); code != 0 {
		t.Errorf("json: exit %d, %q", code, stderr)
	}

	status, ctype, body = http.StatusBadRequest, "text/plain; charset=utf-8", "report: vendor=initech: unknown vendor; configured: acme\n"
	code, _, stderr = runReport(t, "--exporter.url", srv.URL, "--vendor", "initech", "--month", "2026-11")
	if code != 2 || !strings.HasPrefix(stderr, "support_exporter report: --vendor=initech: unknown vendor; configured: acme (exporter at ") {
		t.Errorf("relayed 400: exit %d, %q", code, stderr)
	}
	status, body = http.StatusInternalServerError, "report: \x1b[31mboom\x07\u202e here\r"
	code, _, stderr = runReport(t, "--exporter.url", srv.URL, "--month", "2026-11")
	if code != 1 || !strings.HasSuffix(stderr, ": 500 Internal Server Error: boom here\n") {
		t.Errorf("sanitized: exit %d, %q", code, stderr)
	}

	// Refused here, before the network: nothing listens there.
	code, _, stderr = runReport(t, "--exporter.url", "http://127.0.0.1:1", "--month", "2026-13")
	if code != 2 || stderr != "support_exporter report: --month 2026-13: want a month such as 2026-11\n" {
		t.Errorf("local check: exit %d, %q", code, stderr)
	}
	u, _ := url.Parse(srv.URL)
	if got := flagTerms("from=2026-12-01 is not before to=2026-11-01 (the end is exclusive); compare=x"); got != "--from=2026-12-01 is not before --to=2026-11-01 (the end is exclusive); --compare-previous=x" {
		t.Errorf("flagTerms: %q (%s)", got, u.Host)
	}
}

// L4: report --demo syncs into a temporary store of its own, never
// --storage.path, and --demo.clock follows the server's rules.
func TestReportCommandDemoFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo", "--storage.path=" + dir, "--month", "2026-11"}, "--storage.path is not used with it"},
		{[]string{"--demo.clock=2026-12-07T00:00:00Z", "--month", "2026-11"}, "--demo.clock is only valid with --demo"},
		{[]string{"--demo", "--demo.clock=2026-12-07T00:00:00Z", "--debug.clock=2026-12-07T00:00:00Z", "--month", "2026-11"}, "--debug.clock and --demo.clock: give one"},
	} {
		code, _, stderr := runReport(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--storage.path written: %v", entries)
	}
}

// L7: SIGTERM is exit 143, Ctrl-C 130.
func TestReportInterruptedCode(t *testing.T) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("no SIGTERM")
	}
	if got := interruptedCode(ctx); got != 143 {
		t.Errorf("SIGTERM: %d, want 143", got)
	}
	ctx2, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt signal received"))
	if got := interruptedCode(ctx2); got != 130 {
		t.Errorf("Ctrl-C: %d, want 130", got)
	}
}
