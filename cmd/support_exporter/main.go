// Command support_exporter measures how good a vendor's technical support
// really is: it polls ticket APIs and status pages in the background and
// serves Prometheus metrics about response, resolution, professionalism,
// communication and proactivity.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // calendars must work where the host has no zoneinfo (distroless)

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	promcollectors "github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/exporter/webhook"
)

const name = "support_exporter"

// buildVersion is the version stamped by `make build` or, for a plain `go
// build`, by stampVersion (buildinfo.go); "dev" where neither ran (tests
// calling run).
func buildVersion() string { return cmp.Or(version.Version, "dev") }

// defaultAddress: the 9100-9999 range of Prometheus' default port
// allocations is full; see README "Port".
const defaultAddress = ":10043"

// shutdownGrace bounds a clean stop after SIGTERM (the issue asks for < 5 s).
const shutdownGrace = 4 * time.Second

func main() {
	stampVersion()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type flags struct {
	configFile    string
	configFileSet bool // --config.file given: the mixin command reads it
	configCheck   bool
	storageCheck  bool
	demo          bool
	demoClock     time.Time
	debugClock    time.Time
	drillDryRun   bool
	drillEnabled  bool
	drillTick     time.Duration
	storagePath   string
	telemetryPath string
	noRuntime     bool // --web.disable-exporter-metrics
	readTimeout   time.Duration
	logStyle      string
	web           *web.FlagConfig
	log           promslog.Config

	nativeHistograms bool // --metrics.native-histograms
}

func run(args []string, stdout, stderr io.Writer) int {
	app := kingpin.New(name, "Prometheus exporter of vendor technical-support quality: ticket response and resolution, SLA compliance, status-page proactivity.")
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	var f flags
	app.Flag("config.file", "Configuration file (YAML; see docs/configuration.md).").Default("support_exporter.yml").IsSetByUser(&f.configFileSet).StringVar(&f.configFile)
	app.Flag("config.check", "Validate the configuration file, print what is wrong, and exit (non-zero when invalid).").BoolVar(&f.configCheck)
	app.Flag("demo", "Run against built-in simulated vendors on loopback: no vendor account and no config needed.").BoolVar(&f.demo)
	app.Flag("demo.clock", "Run the demo as if the clock read this RFC 3339 instant at start (tests of the demo at fixed hours).").Hidden().SetValue(&rfc3339{&f.demoClock})
	// --debug.clock is for tests only (e2e/contract_test.go): the exporter
	// acts as if now were this instant at start, its clock advancing with
	// real time (periods, asOf, sync times, the plausibility of vendor
	// times all read it; timers still run on the wall clock). A restart
	// that should continue the same clock passes the instant it reached.
	app.Flag("debug.clock", "Act as if the clock read this RFC 3339 instant at start, advancing with real time (tests only).").Hidden().SetValue(&rfc3339{&f.debugClock})
	app.Flag("drill.dry-run", "Off-hours drills (a vendor's drill:) log the ticket they would file and send nothing; each ends as skipped (docs/configuration.md).").BoolVar(&f.drillDryRun)
	app.Flag("drill.enabled", "This instance runs the vendors' off-hours drills (a vendor's drill:), which file real tickets; off by default, so that of two exporters sharing a config (an HA pair) only the one started with it files. Without it the drill metrics show what the store holds; --demo drills against its simulator only (docs/configuration.md).").BoolVar(&f.drillEnabled)
	app.Flag("drill.tick", "How often each off-hours drill takes its next step (default 1m; tests and the demo).").Hidden().DurationVar(&f.drillTick)
	app.Flag("storage.path", "Directory of the embedded store; overrides global.storage_path.").StringVar(&f.storagePath)
	app.Flag("storage.check", "Verify the store read-only (stop the exporter first): print what it holds and what is wrong; exit 0 when sound, 1 when damaged, 2 when it could not run.").BoolVar(&f.storageCheck)
	app.Flag("metrics.native-histograms", "Serve every histogram as a native histogram too (schema 3), besides its classic buckets; only the protobuf exposition carries them (docs/metrics.md, \"Native histograms\").").BoolVar(&f.nativeHistograms)
	app.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&f.telemetryPath)
	app.Flag("web.disable-exporter-metrics", "Exclude the exporter's Go runtime and process metrics (go_*, process_*) from the metrics path, as node_exporter's flag of that name: reading /proc at every scrape is most of a scrape's cost.").BoolVar(&f.noRuntime)
	app.Flag("web.read-timeout", "Maximum duration to read a whole request, headers and body, and to keep an idle connection open.").Default("30s").DurationVar(&f.readTimeout)
	app.Flag("log.style", "Log line style: slog, or go-kit for pipelines that parse go-kit/log output.").Default("slog").EnumVar(&f.logStyle, "slog", "go-kit")
	f.web = kingpinflag.AddFlags(app, defaultAddress)
	promslogflag.AddFlags(app, &f.log)
	app.Version(version.Print(name))
	app.HelpFlag.Short('h')
	app.Command("serve", "Run the exporter (the default command).").Default()
	var b backfillFlags
	backfillCmd := addBackfillCommand(app, &b)
	var rf reportFlags
	reportCmd := addReportCommand(app, &rf)
	var mf mixinFlags
	mixinCmd := addMixinCommand(app, &mf)
	command, err := app.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	f.log.Style = promslog.LogStyle(f.logStyle)
	f.log.Writer = stderr
	logger := promslog.New(&f.log)

	if command == mixinCmd.FullCommand() {
		return mixinCommand(f, mf, stdout, stderr)
	}
	if f.configCheck {
		return checkConfig(f.configFile, stdout, stderr)
	}
	if f.storageCheck {
		return checkStorage(f, stdout, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if command == backfillCmd.FullCommand() {
		return backfillCommand(ctx, f, b, logger, stdout, stderr)
	}
	if command == reportCmd.FullCommand() {
		return reportCommand(ctx, f, rf, logger, stdout, stderr)
	}
	if err := serve(ctx, stop, f, logger); err != nil {
		logger.Error("exiting", "err", err)
		if errors.Is(err, store.ErrDamaged) {
			return exitDamaged
		}
		return 1
	}
	return 0
}

// exitDamaged is the exit code of a damaged store, distinct so that a
// supervisor does not restart into the same error.
const exitDamaged = 3

// checkStorage verifies the store offline (store.Check): exit 0 when
// sound, 1 when damaged, 2 when the check could not run.
func checkStorage(f flags, stdout, stderr io.Writer) int {
	dir := f.storagePath
	if dir == "" {
		cfg, err := config.Load(f.configFile, collectors.Kinds.Config())
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		dir = cfg.Global.StoragePath
	}
	r, err := store.Check(dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := r.Write(stdout); err != nil {
		return 2
	}
	if !r.Sound() {
		return 1
	}
	return 0
}

// writeTimeout bounds the writing of a response: a client that stops
// reading cannot hold a connection and its goroutine for ever.
const writeTimeout = 2 * time.Minute

// newServer is the HTTP server of every endpoint. A client sending its
// request slowly (a slowloris) is cut off after readTimeout, and an idle
// keep-alive connection closed after it.
func newServer(h http.Handler, readTimeout time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(10*time.Second, readTimeout),
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       readTimeout,
	}
}

// rfc3339 is a kingpin flag value holding an RFC 3339 instant.
type rfc3339 struct{ t *time.Time }

func (v *rfc3339) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 instant such as 2026-03-07T23:30:00Z: %w", err)
	}
	*v.t = t
	return nil
}

func (v *rfc3339) String() string {
	if v.t == nil || v.t.IsZero() {
		return ""
	}
	return v.t.Format(time.RFC3339)
}

func checkConfig(path string, stdout, stderr io.Writer) int {
	cfg, err := config.Load(path, collectors.Kinds.Config())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	sources := 0
	for _, v := range cfg.Vendors {
		sources += len(v.Tickets) + len(v.StatusPages) + len(v.Docs)
	}
	fmt.Fprintf(stdout, "%s: OK (%d vendors, %d sources)\n", path, len(cfg.Vendors), sources)
	return 0
}

// newRegistry holds every collector that /metrics serves, gathered whole
// at each call: the reference newMetricsHandler's cached exposition is
// tested against (metrics_test.go), and the golden exposition's source.
func newRegistry(exp *exporter.Exporter, alerts *webhook.Handler) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		exposition.New(exp),
		alerts,
		versioncollector.NewCollector(name),
		promcollectors.NewGoCollector(),
		promcollectors.NewProcessCollector(promcollectors.ProcessCollectorOpts{}),
	)
	return reg
}

// serve runs the exporter until ctx ends; stopSignals restores the default
// handling of the signals that end ctx.
func serve(ctx context.Context, stopSignals context.CancelFunc, f flags, logger *slog.Logger) error {
	logger.Info("starting "+name, "version", version.Info(), "build_context", version.BuildContext())

	load := func() (*config.Config, error) { return config.Load(f.configFile, collectors.Kinds.Config()) }
	now := time.Now
	if !f.demoClock.IsZero() {
		if !f.demo {
			return errors.New("--demo.clock is only valid with --demo")
		}
		offset := time.Until(f.demoClock)
		now = func() time.Time { return time.Now().Add(offset) }
	}
	if !f.debugClock.IsZero() {
		if !f.demoClock.IsZero() {
			return errors.New("--debug.clock and --demo.clock: give one")
		}
		offset := time.Until(f.debugClock)
		now = func() time.Time { return time.Now().Add(offset) }
		logger.Warn("--debug.clock: the exporter's clock is not the wall clock", "now", now().Format(time.RFC3339))
	}
	var d *demo
	if f.demo {
		var err error
		if d, err = startDemo(logger, now); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer d.close()
		load = d.config
		if f.storagePath == "" {
			f.storagePath = d.storageDir
		}
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	path := cmp.Or(f.storagePath, cfg.Global.StoragePath)
	st, err := store.Open(path)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			logger.Error("closing store", "err", err)
		}
	}()
	logger.Info("store open", "path", st.Path())
	if d != nil {
		if err := d.planDrill(st); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if f.drillTick == 0 {
			f.drillTick = demoDrillTick
		}
	}
	// Damage found while running stops the exporter: every sync would fail
	// and every number stand still, which looks healthy on a dashboard.
	damaged := make(chan error, 1)
	st.OnDamaged(func(err error) {
		select {
		case damaged <- err:
		default:
		}
	})

	runCtx, cancelRun := context.WithCancel(context.Background())
	defer cancelRun()
	exp := exporter.New(runCtx, exporter.Options{Logger: logger, Store: st, UserAgent: name + "/" + buildVersion(), Now: now,
		DrillDryRun: f.drillDryRun, DrillDisabled: !f.drillEnabled && !f.demo, DrillTick: f.drillTick})
	defer exp.Stop()
	alerts := webhook.New(exp, logger)
	reload := func() error {
		err := exp.Reload(load)
		if err != nil {
			logger.Error("reload failed; the previous configuration stays in force", "err", err)
		} else {
			logger.Info("configuration reloaded")
		}
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(f.telemetryPath, newMetricsHandler(exp, alerts, logger, !f.noRuntime, exposition.Options{NativeHistograms: f.nativeHistograms}))
	mux.Handle("/", landingPage(exp, f.telemetryPath, logger))
	mux.Handle(webhook.Path, alerts)
	mux.Handle(reportPath, newReportHandler(ctx, exp, st, logger))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Healthy.") })
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if err := exp.Ready(); err != nil {
			http.Error(w, "Not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready.")
	})
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "Only POST requests allowed.", http.StatusMethodNotAllowed)
			return
		}
		if err := reload(); err != nil {
			http.Error(w, "Reload failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Reloaded.")
	})

	srv := newServer(mux, f.readTimeout)
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.ListenAndServe(srv, f.web, logger) }()

	// SIGHUP's default action ends the process: catch it before the load, so
	// that a reload sent meanwhile waits for it instead.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	// The listener is up while aggregates load from the store (seconds at
	// millions of tickets): /-/healthy answers, /-/ready says not yet.
	start := time.Now()
	if err := exp.Apply(cfg); err != nil {
		return err
	}
	logger.Info("ready", "took", time.Since(start).Round(time.Millisecond))
	if d != nil {
		if err := d.deliverAlerts(alerts); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	for {
		select {
		case <-hup:
			_ = reload()
		case err := <-serveErr:
			if !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		case err := <-damaged:
			return err
		case <-ctx.Done():
			stopSignals() // a second SIGTERM or Ctrl-C ends the process at once
			logger.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				logger.Warn("closing HTTP server", "err", err)
			}
			return nil
		}
	}
}
