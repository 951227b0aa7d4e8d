// Package backfill writes the history a live exporter would have served,
// had it run since the vendor's history began, as OpenMetrics files with
// timestamps for `promtool tsdb create-blocks-from openmetrics`.
//
// The store holds each item's latest version; quality.Replay rebuilds the
// versions before it from their dated facts and moves them through the
// same Aggregator the exporter uses, so the values at each instant follow
// the exporter's rules exactly, and the last sample equals what the
// exporter serves from the same store: the live series continue the
// backfilled ones without a reset.
//
// The output is one file per block range of promtool (486h unless the
// series are too many for the step), each written whole to a temporary
// name and renamed: an interrupted run leaves complete files only, and the
// same command resumes after the last of them. Memory holds one file's
// values, the items in flight and a key per stored item, whatever the
// length of the history.
package backfill

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/replay"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// Options configure a run.
type Options struct {
	Store  *store.Store
	Config *config.Config
	// ConfigDigest identifies the configuration file's content: a resumed
	// run must use the same.
	ConfigDigest string
	Vendors      []string // to write; empty: every configured vendor
	// From and To bound the samples; zero: global.history_start (or the
	// interrupted run's), and Now (or the interrupted run's).
	From, To time.Time
	Now      time.Time
	Step     time.Duration
	Labels   map[string]string // added to every series: the job and instance Prometheus attaches
	Dir      string
	// Progress, when set, is called as samples are written.
	Progress func(Progress)
}

// Progress is how far a run is.
type Progress struct {
	Samples, Total   int64 // samples written, resumed files included, of all
	Resumed          int64 // samples of files kept from an interrupted run
	FilesDone, Files int
}

// Result describes a finished run.
type Result struct {
	Dir      string
	From, To time.Time
	Span     time.Duration // each file's block range: promtool's --max-block-duration
	Files    []string      // every file of the run, resumed ones included, in time order
	Series   int
	Samples  int64 // written by this run
	Resumed  int   // files kept from an interrupted run
}

// labelName is a valid label name that is not reserved.
var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// Run writes the files, or resumes an interrupted run in the same
// directory. Canceling ctx stops it between samples; the files already
// complete stay, for the resume.
func Run(ctx context.Context, o Options) (*Result, error) {
	vendorCfgs, err := SelectVendors(o.Config, o.Vendors)
	if err != nil {
		return nil, err
	}
	if err := checkLabels(o.Labels); err != nil {
		return nil, err
	}
	previous, err := readManifest(o.Dir)
	if err != nil {
		return nil, err
	}
	from, to := o.From, o.To
	if previous != nil {
		from, to = cmp.Or(from, previous.From), cmp.Or(to, previous.To)
	}
	from, to = cmp.Or(from, o.Config.Global.HistoryStart.Time), cmp.Or(to, o.Now)
	if from.IsZero() {
		return nil, errors.New("no start: set global.history_start in the configuration, or give --from")
	}

	vendors := make([]*replay.Vendor, len(vendorCfgs))
	layouts := make([]layout, len(vendorCfgs))
	extra := renderLabels(o.Labels)
	synced := map[string]time.Time{}
	for i, vc := range vendorCfgs {
		v, err := replay.NewVendor(o.Store, vc, &o.Config.Global, replay.Options{})
		if err != nil {
			return nil, err
		}
		if v.LastSync.IsZero() {
			// Nothing to replay: the history would be all zeros, and the
			// live counters would jump to the whole history at the seam.
			return nil, fmt.Errorf("vendor %s: no source has completed a sync in this store (wrong --storage.path? let the exporter sync first, or use --sync)", v.Name)
		}
		rec := &recorder{extra: extra}
		exposition.WalkVendor(rec, v.Agg.Snapshot(func(string) time.Time { return time.Time{} }))
		vendors[i], layouts[i] = v, rec.series
		for source, at := range v.Synced {
			synced[v.Name+"/"+source] = at
		}
	}
	var prefixes [][]byte
	for _, l := range layouts {
		for _, s := range l {
			prefixes = append(prefixes, s.prefix)
		}
	}
	g, err := newGrid(from, to, o.Step, len(prefixes))
	if err != nil {
		return nil, err
	}
	m := &manifest{
		Version: 1, From: g.from, To: g.to, Step: o.Step.String(), Span: g.span.String(),
		Vendors: names(vendorCfgs), Labels: o.Labels, Config: o.ConfigDigest, Synced: synced,
	}
	if m.Labels == nil {
		m.Labels = map[string]string{}
	}
	if previous != nil {
		if d := previous.differences(m); len(d) > 0 {
			return nil, fmt.Errorf("%s holds a backfill made with other inputs: %s; rerun with the same flags and store to resume it, or choose another output directory",
				o.Dir, strings.Join(d, ", "))
		}
		if err := removeTemporaries(o.Dir); err != nil {
			return nil, err
		}
	} else if err := startOutput(o.Dir, m); err != nil {
		return nil, err
	}

	r := &run{opts: o, grid: g, vendors: vendors, layouts: layouts, prefixes: prefixes, families: groupByFamily(layouts)}
	return r.files(ctx)
}

// Interrupted reports whether dir holds a run to resume.
func Interrupted(dir string) (bool, error) {
	m, err := readManifest(dir)
	return m != nil, err
}

// run is one pass over the files.
type run struct {
	opts     Options
	grid     grid
	vendors  []*replay.Vendor
	layouts  []layout
	prefixes [][]byte
	families []familyColumns
}

func (r *run) files(ctx context.Context) (*Result, error) {
	g := r.grid
	res := &Result{Dir: r.opts.Dir, From: g.from, To: g.to, Span: g.span, Series: len(r.prefixes)}
	starts := g.files()
	p := Progress{Total: g.total() * int64(len(r.prefixes)), Files: len(starts)}
	m := &matrix{cols: len(r.prefixes)}
	for _, start := range starts {
		times := g.times(start)
		if len(times) == 0 {
			p.Files--
			continue
		}
		path := filepath.Join(r.opts.Dir, fileName(start))
		res.Files = append(res.Files, path)
		fileSamples := int64(len(times)) * int64(m.cols)
		if _, err := os.Stat(path); err == nil {
			// Complete in an interrupted run: the replay only moves past it.
			if err := r.skip(times); err != nil {
				return nil, err
			}
			res.Resumed++
			p.Samples += fileSamples
			p.Resumed += fileSamples
			p.FilesDone++
			r.report(p)
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		m.times = times
		m.values = slices.Grow(m.values[:0], len(times)*m.cols)[:len(times)*m.cols]
		if err := r.compute(ctx, m); err != nil {
			return nil, err
		}
		base := p.Samples
		n, err := writeOpenMetrics(path, m, r.prefixes, r.families, func(done int64) {
			p.Samples = base + done
			r.report(p)
		})
		if err != nil {
			return nil, err
		}
		p.Samples = base + n
		p.FilesDone++
		res.Samples += n
		r.report(p)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (r *run) report(p Progress) {
	if r.opts.Progress != nil {
		r.opts.Progress(p)
	}
}

// skip moves every vendor's replay past a file written earlier.
func (r *run) skip(times []time.Time) error {
	last := times[len(times)-1]
	for _, v := range r.vendors {
		if err := r.moveTo(v, last); err != nil {
			return err
		}
		v.Snapshot(last) // decides what a snapshot at the file's end decides
	}
	return nil
}

// moveTo advances a vendor's replay to at; at the run's last sample, once
// the store is complete up to it, every change left is applied, so that the
// last sample is what the exporter serves.
func (r *run) moveTo(v *replay.Vendor, at time.Time) error {
	if at.Equal(r.grid.to) && !at.Before(v.LastSync.Truncate(time.Millisecond)) {
		return v.Finish()
	}
	return v.Advance(at)
}

// compute fills a file's matrix, each vendor in its own goroutine (their
// replays are independent; each writes its own columns).
func (r *run) compute(ctx context.Context, m *matrix) error {
	errs := make([]error, len(r.vendors))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	col := 0
	for i, v := range r.vendors {
		first, width := col, len(r.layouts[i])
		col += width
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = r.computeVendor(ctx, m, v, first, width)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (r *run) computeVendor(ctx context.Context, m *matrix, v *replay.Vendor, first, width int) error {
	for i, t := range m.times {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.moveTo(v, t); err != nil {
			return err
		}
		w := row{values: m.row(i)[first : first+width]}
		exposition.WalkVendor(&w, v.Snapshot(t))
		if w.n != width {
			return fmt.Errorf("vendor %s: %d values at %s, its layout has %d series", v.Name, w.n, t.Format(time.RFC3339), width)
		}
	}
	return nil
}

// SelectVendors returns the named vendors of cfg, or every one when none
// is named.
func SelectVendors(cfg *config.Config, want []string) ([]*config.Vendor, error) {
	if len(want) == 0 {
		return cfg.Vendors, nil
	}
	var out []*config.Vendor
	for _, name := range want {
		i := slices.IndexFunc(cfg.Vendors, func(v *config.Vendor) bool { return v.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("vendor %q is not in the configuration (%s)", name, strings.Join(names(cfg.Vendors), ", "))
		}
		if !slices.Contains(out, cfg.Vendors[i]) {
			out = append(out, cfg.Vendors[i])
		}
	}
	return out, nil
}

func names(vs []*config.Vendor) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

// checkLabels refuses extra labels that are invalid, reserved, or the
// name of a label the metrics have: the series would not be the exporter's.
func checkLabels(labels map[string]string) error {
	own := map[string]bool{"le": true}
	for _, f := range exposition.VendorFamilies() {
		for _, l := range f.Labels {
			own[l] = true
		}
	}
	for name := range labels {
		switch {
		case !labelName.MatchString(name) || strings.HasPrefix(name, "__"):
			return fmt.Errorf("label %q: not a valid label name", name)
		case own[name]:
			return fmt.Errorf("label %q: the metrics have a label of that name", name)
		}
	}
	return nil
}

// renderLabels renders extra labels, sorted, each with a leading comma.
func renderLabels(labels map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		b.WriteByte(',')
		writeLabel(&b, k, labels[k])
	}
	return b.String()
}
