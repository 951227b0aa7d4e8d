package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/report"
	"github.com/support-exporter/support_exporter/exporter/report/render"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// reportPath is where the running exporter serves the service review.
const reportPath = "/report"

// reportTimeout bounds the building of one report, below the server's
// writeTimeout so that the asker gets an answer rather than a cut
// connection.
const reportTimeout = 90 * time.Second

// reportRetryAfter is what a busy /report tells the asker to wait, in
// seconds: a quarter of ten vendors builds in a few.
const reportRetryAfter = 10

// reportSource is what /report reads of the running exporter: the
// configuration in force and its clock (*exporter.Exporter).
type reportSource interface {
	Config() *config.Config
	Now() time.Time
}

// reportHandler serves /report from the exporter's open store (read
// transactions, while syncs write) with the configuration in force. It
// never calls a vendor. One report is built at a time: the others get
// 503 and Retry-After.
type reportHandler struct {
	// base is the server's life: shutdown cancels it, and with it the
	// report being built, so that a stop is not held up by it.
	base    context.Context
	src     reportSource
	st      *store.Store
	logger  *slog.Logger
	build   func(context.Context, report.Options) (*report.Report, error) // report.Build; tests stub it
	timeout time.Duration
	busy    chan struct{} // a token while a report is built
}

// errShuttingDown ends a report's build when the exporter stops.
var errShuttingDown = errors.New("the exporter is shutting down")

func newReportHandler(base context.Context, src reportSource, st *store.Store, logger *slog.Logger) *reportHandler {
	return &reportHandler{base: base, src: src, st: st, logger: logger, build: report.Build, timeout: reportTimeout, busy: make(chan struct{}, 1)}
}

func (h *reportHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A bug reached by some stored data must not end the exporter: net/http
	// would recover this goroutine's panic too, but silently and with a cut
	// connection. (Panics in the goroutines report.Build starts are its own
	// to recover.)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.logger.Error("report panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			http.Error(w, "report: internal error (logged by the exporter)", http.StatusInternalServerError)
		}
	}()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Only GET requests allowed.", http.StatusMethodNotAllowed)
		return
	}
	// url.Values.Query would drop the pairs it cannot read (vendor=%zz),
	// and so ask for every vendor.
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		http.Error(w, "report: the query cannot be read: "+oneLine(err.Error()), http.StatusBadRequest)
		return
	}
	q, err := parseReportQuery(v)
	if err != nil {
		http.Error(w, "report: "+err.Error(), http.StatusBadRequest)
		return
	}
	cfg := h.src.Config()
	if cfg == nil {
		w.Header().Set("Retry-After", strconv.Itoa(reportRetryAfter))
		http.Error(w, "report: the exporter is not ready yet", http.StatusServiceUnavailable)
		return
	}
	opts, err := q.options(cfg, h.src.Now())
	if err != nil {
		http.Error(w, "report: "+reportMessage(err), http.StatusBadRequest)
		return
	}
	select {
	case h.busy <- struct{}{}:
		defer func() { <-h.busy }()
	default:
		w.Header().Set("Retry-After", strconv.Itoa(reportRetryAfter))
		http.Error(w, "report: another report is being built; try again shortly", http.StatusServiceUnavailable)
		return
	}
	started := time.Now()
	ctx, stop := context.WithCancelCause(r.Context())
	defer stop(nil)
	defer context.AfterFunc(cmp.Or(h.base, context.Background()), func() { stop(errShuttingDown) })()
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	opts.Store = h.st
	rep, err := h.build(ctx, opts)
	format := cmp.Or(q.Format, "html")
	var buf bytes.Buffer
	if err == nil {
		err = render.Write(&buf, rep, format)
	}
	switch {
	case err != nil && isInputError(err):
		http.Error(w, "report: "+reportMessage(err), http.StatusBadRequest)
		return
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		h.logger.Error("report timed out", "vendors", len(opts.Vendors), "from", opts.Period.From, "to", opts.Period.To, "timeout", h.timeout)
		http.Error(w, fmt.Sprintf("report: not built within %s: ask for fewer vendors or a shorter period, or use the report command on a stopped exporter's store", h.timeout), http.StatusServiceUnavailable)
		return
	case err != nil && errors.Is(context.Cause(ctx), errShuttingDown):
		w.Header().Set("Retry-After", strconv.Itoa(reportRetryAfter))
		http.Error(w, "report: not built: "+errShuttingDown.Error(), http.StatusServiceUnavailable)
		return
	case err != nil && r.Context().Err() != nil:
		return // the asker left
	case err != nil:
		h.logger.Error("report failed", "err", err)
		http.Error(w, "report: "+reportMessage(err), http.StatusInternalServerError)
		return
	}
	h.logger.Info("report served", "vendors", len(opts.Vendors), "from", opts.Period.From.Format(time.RFC3339), "to", opts.Period.To.Format(time.RFC3339),
		"format", format, "bytes", buf.Len(), "took", time.Since(started).Round(time.Millisecond))
	hd := w.Header()
	hd.Set("Content-Type", render.ContentType(format))
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	hd.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", reportFileName(opts.Period, format)))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	// The page is self-contained: a browser is told to fetch nothing else.
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(buf.Bytes())
}

// reportFileName names a report's file for a browser that saves it.
func reportFileName(p report.Period, format string) string {
	span := p.Name
	if span == "" {
		span = p.From.Format("20060102") + "-" + p.To.Format("20060102")
	}
	return "support-report-" + span + "." + format
}

// reportForm is the landing page's form asking /report, and an example
// link for a period the store can answer: from history_start (or four
// weeks ago, whichever is later) to today.
type reportForm struct {
	Path     string
	Vendors  []string
	From, To string
	Formats  []string
}

func newReportForm(src reportSource) reportForm {
	f := reportForm{Path: reportPath[1:], Formats: render.Formats}
	now := src.Now().UTC()
	from := now.AddDate(0, 0, -28)
	if cfg := src.Config(); cfg != nil {
		for _, v := range cfg.Vendors {
			f.Vendors = append(f.Vendors, v.Name)
		}
		if hs := cfg.Global.HistoryStart.Time; hs.After(from) {
			from = hs
		}
	}
	// Without a day between history_start and today, no example.
	if from, to := from.Format(time.DateOnly), now.Format(time.DateOnly); from < to {
		f.From, f.To = from, to
	}
	return f
}

// The landing page shows the form through {{template "report-form" .Report}}.
var _ = template.Must(landingTmpl.New("report-form").Parse(`<h2>Service review report</h2>
<p>A period's review of the vendors side by side, from the store, as the report command writes it (docs/report-cli.md). {{if .From}}Example: <a href="{{.Path}}?from={{.From}}&amp;to={{.To}}">{{.Path}}?from={{.From}}&amp;to={{.To}}</a>{{end}}</p>
<form action="{{.Path}}" method="get">
<label>Vendors <select name="vendor" multiple size="{{len .Vendors}}">{{range .Vendors}}<option>{{.}}</option>{{end}}</select></label> (none: all)<br>
<label>From <input type="date" name="from"></label>
<label>to (exclusive) <input type="date" name="to"></label>
or <label>month <input type="month" name="month"></label>
or <label>quarter <input name="quarter" placeholder="2026Q3" size="7"></label><br>
<label><input type="checkbox" name="compare" value="1"> compare with the previous period</label>
<label>Format <select name="format">{{range .Formats}}<option>{{.}}</option>{{end}}</select></label>
<button>Report</button>
</form>
`))
