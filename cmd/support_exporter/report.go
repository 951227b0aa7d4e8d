package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/kingpin/v2"
	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/report"
	"github.com/support-exporter/support_exporter/exporter/report/render"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// The report command's exit codes: 0 written, 1 failed, 2 bad input
// (the one line on stderr says what to change).
const (
	exitReportFailed = 1
	exitReportInput  = 2
)

type reportFlags struct {
	req         reportRequest
	output      string
	exporterURL string
	httpConfig  string
	timeout     time.Duration
	// logLevelSet: --log.level was given; else report --demo's sync logs
	// errors only (the command's stderr is one line on success: none).
	logLevelSet bool
}

func addReportCommand(app *kingpin.Application, r *reportFlags) *kingpin.CmdClause {
	cmd := app.Command("report", "Write the service review of a period (docs/report.md, docs/report-cli.md): the five dimensions, the contract and the money, one or several vendors side by side, as HTML, Markdown or JSON. Reads the store (read-only: it writes nothing, a read-only copy will do; stop the exporter first, which holds it), or asks a running exporter's /report endpoint with --exporter.url. With --demo: the demo's vendors, synced first into a temporary store.")
	if fl := app.GetFlag("log.level"); fl != nil {
		fl.IsSetByUser(&r.logLevelSet)
	}
	cmd.Flag("vendor", "Vendor to review; repeat for several, shown side by side in that order (default: every configured vendor).").StringsVar(&r.req.Vendors)
	cmd.Flag("from", "Start of the period: a date YYYY-MM-DD (midnight UTC) or an RFC 3339 instant.").StringVar(&r.req.From)
	cmd.Flag("to", "End of the period, exclusive: a date YYYY-MM-DD (midnight UTC) or an RFC 3339 instant (default: now). --to 2026-12-01 ends with November 30.").StringVar(&r.req.To)
	cmd.Flag("quarter", "The period is this calendar quarter in UTC, e.g. 2026Q3 (July 1 to October 1); instead of --from/--to.").PlaceHolder("2026Q3").StringVar(&r.req.Quarter)
	cmd.Flag("month", "The period is this calendar month in UTC, e.g. 2026-11; instead of --from/--to.").PlaceHolder("2026-11").StringVar(&r.req.Month)
	cmd.Flag("compare-previous", "Also compute the period of the same length just before, and show each indicator's change.").BoolVar(&r.req.Compare)
	cmd.Flag("format", "html (one self-contained file, printable), md (Markdown for a wiki) or json (every number). Default: from --output's extension (.html, .md, .json), else html.").EnumVar(&r.req.Format, render.Formats...)
	cmd.Flag("output", "File to write (its mode: an existing file's, else 0666 less the umask), replaced atomically (a temporary file beside it, then renamed) when it is a regular file or missing; a symbolic link is written through, and a device such as /dev/stdout written directly. Default: standard output.").Short('o').StringVar(&r.output)
	cmd.Flag("exporter.url", "Ask the running exporter at this URL (e.g. http://localhost:10043; a path prefix is kept) for the report from its /report endpoint, instead of opening its store, which it holds while it runs. user:password@ in the URL gives basic auth (visible in ps: prefer --http.config.file).").PlaceHolder("http://host:10043").StringVar(&r.exporterURL)
	cmd.Flag("http.config.file", "With --exporter.url: HTTP client configuration file (Prometheus' http_config: basic_auth with password_file, authorization, tls_config), for an exporter behind --web.config.file.").PlaceHolder("FILE").StringVar(&r.httpConfig)
	cmd.Flag("exporter.timeout", "With --exporter.url: how long to wait for the report.").Default("2m").DurationVar(&r.timeout)
	return cmd
}

// reportCommand runs the report command and returns its exit code (0,
// exitReportFailed, exitReportInput, or 128 + the signal's number when
// interrupted: 130 for Ctrl-C, 143 for SIGTERM). Every error is one line on
// stderr.
func reportCommand(ctx context.Context, f flags, r reportFlags, logger *slog.Logger, stdout, stderr io.Writer) int {
	started := time.Now()
	if r.req.Format == "" {
		r.req.Format = formatOf(r.output)
	}
	if !r.logLevelSet {
		logger = slog.New(minLevel{logger.Handler(), slog.LevelError})
	}
	var body []byte
	var err error
	if r.output != "" {
		err = checkOutput(r.output) // before a build of minutes
	}
	switch {
	case err != nil:
	case r.exporterURL != "" && f.demo:
		err = badInput("--demo and --exporter.url: give one (a running demo is asked with --exporter.url alone)")
	case r.exporterURL != "":
		// The checks that need no configuration are made here, in flag
		// terms, before the network.
		if _, err = r.req.period(time.Now()); err == nil {
			body, err = fetchReport(ctx, r)
		}
	default:
		body, err = buildReportFromStore(ctx, f, r.req, logger)
	}
	if err == nil && r.output == "" {
		_, err = stdout.Write(body)
	} else if err == nil {
		err = writeOutput(r.output, body)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stderr, "%s report: interrupted; nothing written\n", name)
		return interruptedCode(ctx)
	case err != nil && isInputError(err):
		fmt.Fprintf(stderr, "%s report: %s\n", name, reportMessage(err))
		return exitReportInput
	case err != nil:
		fmt.Fprintf(stderr, "%s report: %s\n", name, reportMessage(err))
		return exitReportFailed
	}
	// Not after the report itself (-o /dev/stdout), nor into a pipe.
	if _, direct, _ := outputTarget(r.output); r.output != "" && !direct {
		fmt.Fprintf(stdout, "wrote %s (%s, %d bytes) in %s\n", r.output, r.req.Format, len(body), time.Since(started).Round(time.Millisecond))
	}
	return 0
}

// interruptedCode is the shell's exit code of a command ended by the
// signal that ended ctx (signal.NotifyContext's cause names it).
func interruptedCode(ctx context.Context) int {
	if cause := context.Cause(ctx); cause != nil && strings.HasPrefix(cause.Error(), syscall.SIGTERM.String()) {
		return 128 + int(syscall.SIGTERM)
	}
	return 128 + int(syscall.SIGINT)
}

// minLevel drops the records below its level.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.level}
}

func (h minLevel) WithGroup(g string) slog.Handler { return minLevel{h.Handler.WithGroup(g), h.level} }

// reportMessage is an error as the one line told after "report: " (the
// builder's errors carry that prefix already).
func reportMessage(err error) string {
	return strings.TrimPrefix(oneLine(err.Error()), "report: ")
}

// oneLine keeps an error to one line: a config file's list of problems
// is joined with "; ".
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ; ")), " ")
}

// formatOf infers the format from the output file's extension.
func formatOf(output string) string {
	switch strings.ToLower(filepath.Ext(output)) {
	case ".md", ".markdown":
		return "md"
	case ".json":
		return "json"
	}
	return "html"
}

// buildReportFromStore builds and renders the report from the store the
// configuration (or --storage.path) names, opened read-only. With --demo:
// the demo's vendors at the clock, synced first into a temporary store of
// their own (never --storage.path: a real exporter's store is no place for
// them).
func buildReportFromStore(ctx context.Context, f flags, q reportRequest, logger *slog.Logger) ([]byte, error) {
	// --debug.clock (tests), or --demo.clock with --demo: the report is
	// generated as of that instant, as the server takes them.
	now := time.Now()
	switch {
	case !f.demoClock.IsZero() && !f.demo:
		return nil, badInput("--demo.clock is only valid with --demo")
	case !f.demoClock.IsZero() && !f.debugClock.IsZero():
		return nil, badInput("--debug.clock and --demo.clock: give one")
	case !f.demoClock.IsZero():
		now = f.demoClock
	case !f.debugClock.IsZero():
		now = f.debugClock
	}
	var cfg *config.Config
	var err error
	if f.demo {
		if f.storagePath != "" {
			return nil, badInput("--demo reports from a temporary store of its own: --storage.path is not used with it (a real exporter's store is reviewed with --config.file)")
		}
		offset := time.Until(now)
		clock := func() time.Time { return time.Now().Add(offset) }
		d, err := startDemo(slog.New(slog.DiscardHandler), clock) // its vendors' URLs are of no use here
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		defer d.close()
		if cfg, err = d.config(); err != nil {
			return nil, err
		}
		f.storagePath = d.storageDir
		if _, err := q.options(cfg, now); err != nil {
			return nil, err // told before the sync
		}
		if err := syncDemo(ctx, f.storagePath, cfg, clock, logger); err != nil {
			return nil, err
		}
	} else if cfg, err = config.Load(f.configFile, collectors.Kinds.Config()); err != nil {
		return nil, &inputError{msg: err.Error()}
	}
	opts, err := q.options(cfg, now)
	if err != nil {
		return nil, err
	}
	dir := cmp.Or(f.storagePath, cfg.Global.StoragePath)
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); errors.Is(err, fs.ErrNotExist) {
		return nil, badInput("no store at %s: give the exporter's --storage.path (or global.storage_path in --config.file)", dir)
	}
	// Read-only: the report writes nothing, and a backup or a read-only
	// mount will do. A running exporter holds the lock (ErrLocked).
	st, err := store.OpenReadOnly(dir)
	if errors.Is(err, store.ErrLocked) {
		return nil, badInput("%v (a running exporter, or another command): ask that exporter with --exporter.url http://HOST:PORT, which serves the same report at /report, or stop it", err)
	}
	if err != nil {
		return nil, err
	}
	defer st.Close()
	opts.Store = st
	rep, err := report.Build(ctx, opts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := render.Write(&buf, rep, cmp.Or(q.Format, "html")); err != nil {
		return nil, fmt.Errorf("rendering: %w", err)
	}
	return buf.Bytes(), nil
}

// syncDemo syncs every source of the demo once into the store in dir.
func syncDemo(ctx context.Context, dir string, cfg *config.Config, clock func() time.Time, logger *slog.Logger) error {
	st, err := store.Open(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	exp := exporter.New(ctx, exporter.Options{Logger: logger, Store: st, UserAgent: name + "/" + buildVersion(), Now: clock, DrillDisabled: true})
	defer exp.Stop()
	if err := exp.SyncAll(ctx, cfg, syncAttempts); err != nil {
		return fmt.Errorf("demo sync: %w", err)
	}
	return nil
}

// maxReportBytes bounds a report fetched from an exporter.
const maxReportBytes = 256 << 20

// fetchReport asks a running exporter's /report endpoint.
func fetchReport(ctx context.Context, r reportFlags) ([]byte, error) {
	base, err := url.Parse(r.exporterURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, badInput("--exporter.url %s: want http://host:port or https://host:port", redactedURL(r.exporterURL))
	}
	client := &http.Client{}
	if r.httpConfig != "" {
		hc, _, err := commoncfg.LoadHTTPConfigFile(r.httpConfig)
		if err != nil {
			return nil, badInput("--http.config.file %s: %v", r.httpConfig, err)
		}
		if client, err = commoncfg.NewClientFromConfig(*hc, name+"_report"); err != nil {
			return nil, badInput("--http.config.file %s: %v", r.httpConfig, err)
		}
	}
	// The endpoint's own URL, pasted from a browser, is taken as the base.
	base.Path = strings.TrimSuffix(strings.TrimSuffix(base.Path, "/"), reportPath)
	base.RawQuery = ""
	u := base.JoinPath("report")
	u.RawQuery = r.req.query().Encode()
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", name+"/"+buildVersion())
	resp, err := client.Do(req) // a url.Error carries the URL without its password
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("the exporter at %s did not answer within %s (--exporter.timeout)", redactedURL(base.String()), r.timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("asking the exporter: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReportBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading the exporter's report: %w", err)
	case len(body) > maxReportBytes:
		return nil, fmt.Errorf("the exporter's report is over %d MiB", maxReportBytes>>20)
	case resp.StatusCode == http.StatusOK:
		// A login page of an auth proxy is a 200 too.
		got, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		want, _, _ := mime.ParseMediaType(render.ContentType(r.req.Format))
		if got != want {
			return nil, fmt.Errorf("the exporter at %s answered %s, not the report's %s; is --exporter.url an auth proxy?",
				redactedURL(base.String()), cmp.Or(sanitize(got, 80), "no Content-Type"), want)
		}
		return body, nil
	}
	msg := strings.TrimPrefix(strings.TrimSpace(string(body)), "report: ")
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = sanitize(msg, 300)
	at := redactedURL(base.String())
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, badInput("exporter at %s: %s: give its credentials (user:password@ in --exporter.url, or --http.config.file)", at, resp.Status)
	case resp.StatusCode == http.StatusNotFound:
		return nil, badInput("exporter at %s has no /report endpoint (%s): is it older than this command?", at, resp.Status)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return nil, badInput("%s (exporter at %s, %s)", flagTerms(msg), at, resp.Status)
	}
	return nil, fmt.Errorf("exporter at %s: %s: %s", at, resp.Status, msg)
}

// sanitize makes a server's text safe for a terminal line: control
// characters (ANSI escapes included) and invalid UTF-8 are dropped, and at
// most limit runes are kept.
func sanitize(s string, limit int) string {
	s = ansiEscape.ReplaceAllString(s, "")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			continue
		}
		if n == limit {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// ansiEscape is a terminal's control sequence (CSI, OSC): sanitize drops
// it whole, not only its ESC.
var ansiEscape = regexp.MustCompile(`\x1b(\[[0-9:;<=>?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?)`)

// urlTerm is a parameter as /report's errors write it (name=value, at the
// start of the message or after a space).
var urlTerm = regexp.MustCompile(`(^|[ (])(vendor|from|to|quarter|month|format|compare)=`)

// flagTerms writes an error relayed from /report in the command's words:
// --vendor x rather than vendor=x.
func flagTerms(msg string) string {
	return urlTerm.ReplaceAllStringFunc(msg, func(m string) string {
		sub := urlTerm.FindStringSubmatch(m)
		flag := sub[2]
		if flag == "compare" {
			flag = "compare-previous"
		}
		return sub[1] + "--" + flag + "="
	})
}

// redactedURL hides a URL's password.
func redactedURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// outputTarget is where --output's bytes go: the file a symbolic link
// names (a dangling one included), and whether it is written directly
// (a device, a pipe, /dev/stdout: no temporary file beside it, no rename)
// rather than replaced.
func outputTarget(path string) (target string, direct bool, err error) {
	if abs, aerr := filepath.Abs(path); aerr == nil && (strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/")) {
		return path, true, nil
	}
	target = path
	if info, lerr := os.Lstat(path); lerr == nil && info.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			// A dangling link: the file it names is made.
			link, rerr := os.Readlink(path)
			if rerr != nil {
				return "", false, badInput("--output %s: %v", path, pathless(rerr))
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(path), link)
			}
			target = link
		}
	}
	info, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return target, false, nil
	case err != nil:
		return "", false, badInput("--output %s: %v", path, pathless(err))
	case info.IsDir():
		return "", false, badInput("--output %s is a directory: give a file name", path)
	}
	return target, !info.Mode().IsRegular(), nil
}

// checkOutput tells, before the report is built, that --output cannot be
// written: its directory missing or not writable.
func checkOutput(path string) error {
	target, direct, err := outputTarget(path)
	if err != nil || direct {
		return err
	}
	dir := filepath.Dir(target)
	info, err := os.Stat(dir)
	switch {
	case err != nil:
		return badInput("--output %s: directory %s: %v", path, dir, pathless(err))
	case !info.IsDir():
		return badInput("--output %s: %s is not a directory", path, dir)
	}
	if err := dirWritable(dir); err != nil {
		return badInput("--output %s: directory %s is not writable: %v", path, dir, err)
	}
	return nil
}

// writeOutput writes the report to --output: replaced atomically
// (writeFileAtomically) unless it is a device or the like, written
// directly then. Errors name the path asked for.
func writeOutput(path string, data []byte) error {
	target, direct, err := outputTarget(path)
	if err != nil {
		return err
	}
	if direct {
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0)
		if err == nil {
			_, err = f.Write(data)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return fmt.Errorf("--output %s: %v", path, pathless(err))
		}
		return nil
	}
	if err := writeFileAtomically(target, data); err != nil {
		return fmt.Errorf("--output %s: %v", path, pathless(err))
	}
	return nil
}

// pathless is an error without the path it names (a temporary file's, or
// the one the message names already).
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}

// writeFileAtomically replaces path with data: written to a temporary
// file in the same directory, synced, then renamed over path, so that a
// reader sees the old file or the new one, never part of one. The file
// keeps an existing file's permissions; a new one has 0666 less the umask,
// as any tool makes a file.
func writeFileAtomically(path string, data []byte) (err error) {
	perm := fs.FileMode(0o666) // the kernel takes the umask off
	keep := false
	if info, err := os.Stat(path); err == nil {
		perm, keep = info.Mode().Perm(), true
	}
	var tmp *os.File
	for range 100 {
		name := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		tmp, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if keep {
		// Exactly the old file's mode, whatever the umask.
		if err = tmp.Chmod(perm); err != nil {
			return err
		}
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is durable once the directory is.
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
