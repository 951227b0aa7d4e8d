package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter"
	"github.com/support-exporter/support_exporter/exporter/backfill"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// syncAttempts bounds the tries of each source's sync under --sync.
const syncAttempts = 5

type backfillFlags struct {
	output   string
	vendors  []string
	from, to string
	step     time.Duration
	labels   map[string]string
	sync     bool
}

func addBackfillCommand(app *kingpin.Application, b *backfillFlags) *kingpin.CmdClause {
	cmd := app.Command("backfill", "Write the vendors' history, as the exporter would have served it, as OpenMetrics files for `promtool tsdb create-blocks-from openmetrics` (docs/backfill.md). Reads the store: stop the exporter first, or use --sync with another --storage.path. With --demo: the demo's vendors, synced first.")
	cmd.Flag("output", "Directory for the OpenMetrics files (created; must be empty, or hold an interrupted run of the same command, which is then resumed).").Required().StringVar(&b.output)
	cmd.Flag("vendor", "Vendor to write; repeat for several (default: every configured vendor).").StringsVar(&b.vendors)
	cmd.Flag("from", "First instant, RFC 3339 or YYYY-MM-DD in UTC (default: global.history_start).").StringVar(&b.from)
	cmd.Flag("to", "Last instant, RFC 3339 or YYYY-MM-DD in UTC (default: now). Its sample equals what the exporter serves from the same store.").StringVar(&b.to)
	cmd.Flag("step", "Interval between samples; samples fall on multiples of it since the Unix epoch.").Default("1h").DurationVar(&b.step)
	b.labels = map[string]string{} // kingpin fills the map: it must exist
	cmd.Flag("label", "NAME=VALUE added to every series; repeat for several. Give the job and instance labels Prometheus attaches when it scrapes the exporter, or the history and the live series will not join.").PlaceHolder("NAME=VALUE").StringMapVar(&b.labels)
	cmd.Flag("sync", "Sync every selected source once before writing (needs the vendors' APIs).").BoolVar(&b.sync)
	return cmd
}

// backfillCommand runs the backfill command; it returns the exit code: 130 when
// interrupted (the same command resumes), 1 on failure.
func backfillCommand(ctx context.Context, f flags, b backfillFlags, logger *slog.Logger, stdout, stderr io.Writer) int {
	started := time.Now()
	res, err := runBackfill(ctx, f, b, logger, stderr)
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stderr, "\ninterrupted: the complete files stay in %s; run the same command again to resume\n", b.output)
		return 130
	case err != nil:
		logger.Error("backfill failed", "err", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d samples of %d series from %s to %s in %s, %d files in %s (%d kept from an interrupted run)\n",
		res.Samples, res.Series, res.From.Format(time.RFC3339), res.To.Format(time.RFC3339),
		time.Since(started).Round(time.Millisecond), len(res.Files), res.Dir, res.Resumed)
	fmt.Fprintf(stdout, "turn each into a block (docs/backfill.md):\n  for f in %s; do promtool tsdb create-blocks-from openmetrics --max-block-duration=%s \"$f\" <prometheus data dir>; done\n",
		filepath.Join(res.Dir, "*.om"), promDuration(res.Span))
	return 0
}

func runBackfill(ctx context.Context, f flags, b backfillFlags, logger *slog.Logger, stderr io.Writer) (*backfill.Result, error) {
	var raw []byte
	var cfg *config.Config
	if f.demo {
		// The demo's vendors, synced into its temporary store: the
		// backfill, tried without an account.
		d, err := startDemo(logger, time.Now)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		defer d.close()
		if cfg, err = d.config(); err != nil {
			return nil, err
		}
		raw, b.sync = d.yaml, true
		f.storagePath = cmp.Or(f.storagePath, d.storageDir)
	} else {
		// Read once: the digest that guards a resume is of what was parsed.
		var err error
		if raw, err = os.ReadFile(f.configFile); err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		if cfg, err = config.Parse(raw, f.configFile, collectors.Kinds.Config()); err != nil {
			return nil, err
		}
	}
	from, err := parseInstant("--from", b.from)
	if err != nil {
		return nil, err
	}
	to, err := parseInstant("--to", b.to)
	if err != nil {
		return nil, err
	}
	vendors, err := backfill.SelectVendors(cfg, b.vendors)
	if err != nil {
		return nil, err
	}
	resuming, err := backfill.Interrupted(b.output)
	if err != nil {
		return nil, err
	}
	if resuming && f.demo {
		return nil, fmt.Errorf("%s holds an interrupted backfill: a --demo run cannot resume (its store is new each time); choose another --output", b.output)
	}
	path := cmp.Or(f.storagePath, cfg.Global.StoragePath)
	if _, err := os.Stat(filepath.Join(path, store.FileName)); err != nil && !b.sync {
		// Opening would create an empty store, and the backfill would
		// write zeros.
		return nil, fmt.Errorf("no store at %s (%w): give the exporter's --storage.path, or use --sync", path, err)
	}
	st, err := store.Open(path)
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w: the exporter holds its store while it runs; stop it, or use --sync with another --storage.path", err)
	}
	if err != nil {
		return nil, err
	}
	defer st.Close()
	switch {
	case b.sync && resuming:
		// A sync would move the store past what the written files show,
		// and the resume would (rightly) refuse to mix them.
		logger.Info("resuming an interrupted backfill: not syncing again", "output", b.output)
	case b.sync:
		logger.Info("syncing every source of the selected vendors once", "vendors", len(vendors))
		selected := *cfg
		selected.Vendors = vendors
		exp := exporter.New(ctx, exporter.Options{Logger: logger, Store: st, UserAgent: name + "/" + buildVersion()})
		err := exp.SyncAll(ctx, &selected, syncAttempts)
		exp.Stop()
		if err != nil {
			return nil, fmt.Errorf("sync: %w", err)
		}
	}
	for _, l := range []string{"job", "instance"} {
		if _, ok := b.labels[l]; !ok {
			logger.Warn("no --label "+l+"=...: Prometheus attaches "+l+" to every series it scrapes, so the history will not join the live series (docs/backfill.md)", "label", l)
		}
	}
	digest := sha256.Sum256(raw)
	progress := newProgress(stderr, logger)
	defer progress.done()
	return backfill.Run(ctx, backfill.Options{
		Store: st, Config: cfg, ConfigDigest: hex.EncodeToString(digest[:]),
		Vendors: b.vendors, From: from, To: to, Now: time.Now(), Step: b.step, Labels: b.labels,
		Dir: b.output, Progress: progress.update,
	})
}

// parseInstant reads RFC 3339 or a date (midnight UTC); empty is zero.
func parseInstant(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New(flag + " " + s + ": want RFC 3339 (2024-05-01T00:00:00Z) or a date (2024-05-01)")
}

// promDuration writes a duration as Prometheus flags read it (486h, not
// 486h0m0s).
func promDuration(d time.Duration) string {
	return fmt.Sprintf("%dh", int64(d/time.Hour))
}
