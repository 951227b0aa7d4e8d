package report

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/replay"
)

// Build computes the report o asks for: each vendor's stored history is
// replayed (exporter/replay, as the backfill does) and snapshots are taken
// at the instants the report needs (plan); every figure is a difference
// between two of them, or read from the one at the period's end.
//
// A To after Now is the period "so far": it is cut at Now and
// Period.RequestedTo keeps what was asked. Vendors are built in parallel.
func Build(ctx context.Context, o Options) (*Report, error) {
	vendors, period, err := validate(&o)
	if err != nil {
		return nil, err
	}
	r := &Report{Generated: o.Now, Version: o.Version, Period: period}
	var prev *Period
	if o.ComparePrevious {
		pp := previousPeriod(period)
		if hs := o.Config.Global.HistoryStart.Time; !hs.IsZero() && pp.From.Before(hs) {
			// Part of it was never measured: no comparison rather than
			// one against a partial period.
			r.PreviousUnavailable = fmt.Sprintf("no comparison with the previous period (%s – %s): it starts before global.history_start %s, when measurement began",
				stamp(pp.From), stamp(pp.To), stamp(hs))
			o.ComparePrevious = false
		} else {
			prev, r.Previous = &pp, &pp
		}
	}
	p := plan(period, prev)
	r.Vendors = make([]Vendor, len(vendors))
	errs := make([]error, len(vendors))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, vc := range vendors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			// A bug must cost the request, not the exporter serving it:
			// net/http recovers a handler's panic, not one in a goroutine
			// the handler started.
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("report: vendor %s: internal error: %v\n%s", vc.Name, p, debug.Stack())
				}
			}()
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return
			}
			v, err := buildVendor(ctx, &o, vc, p)
			if err != nil {
				errs[i] = fmt.Errorf("report: vendor %s: %w", vc.Name, err)
				return
			}
			r.Vendors[i] = *v
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	r.Footnotes = inReadingOrder(footnotes(o.Vendors, period), r.Vendors)
	return r, ctx.Err()
}

// testHook, when set (tests), sees each vendor's collector.
var testHook func(vendor string, c *collector)

// validate checks the request and returns the vendors' configurations in
// the order asked and the period to report (To cut at Now).
func validate(o *Options) ([]*config.Vendor, Period, error) {
	p := o.Period
	if o.Config == nil || o.Store == nil {
		return nil, p, fmt.Errorf("report: no configuration or store")
	}
	if len(o.Vendors) == 0 {
		return nil, p, inputErrorf("report: no vendor asked for (configured: %s)", vendorNames(o.Config))
	}
	var out []*config.Vendor
	for _, name := range o.Vendors {
		i := slices.IndexFunc(o.Config.Vendors, func(v *config.Vendor) bool { return v.Name == name })
		if i < 0 {
			return nil, p, inputErrorf("report: unknown vendor %q (configured: %s)", name, vendorNames(o.Config))
		}
		if slices.Contains(out, o.Config.Vendors[i]) {
			return nil, p, inputErrorf("report: vendor %q asked for twice", name)
		}
		out = append(out, o.Config.Vendors[i])
	}
	if p.From.IsZero() || p.To.IsZero() {
		return nil, p, inputErrorf("report: the period needs both a start and an end")
	}
	if !p.From.Before(p.To) {
		return nil, p, inputErrorf("report: the period's start %s is not before its end %s", stamp(p.From), stamp(p.To))
	}
	if err := CheckBounds(p); err != nil {
		return nil, p, fmt.Errorf("report: %w", err)
	}
	if hs := o.Config.Global.HistoryStart.Time; !hs.IsZero() && p.From.Before(hs) {
		return nil, p, inputErrorf("report: the period starts %s, before global.history_start %s: nothing earlier is measured", stamp(p.From), stamp(hs))
	}
	if !o.Now.IsZero() && !p.From.Before(o.Now) {
		return nil, p, inputErrorf("report: the period starts %s, not before now (%s)", stamp(p.From), stamp(o.Now))
	}
	if !o.Now.IsZero() && p.To.After(o.Now) {
		asked := p.To
		p.RequestedTo = &asked
		p.To = o.Now
	}
	p.From, p.To = p.From.UTC(), p.To.UTC()
	return out, p, nil
}

func vendorNames(c *config.Config) string {
	var names []string
	for _, v := range c.Vendors {
		names = append(names, v.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return fmt.Sprint(names)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// instants are the snapshot instants of a report, ascending and distinct,
// with the indexes of the ones each part reads.
type instants struct {
	at       []time.Time
	prev     int   // previous period's start (== from without comparison)
	from, to int   // the period's ends
	weeks    []int // week boundaries from From, with From and To
	months   []int // UTC month boundaries inside the period, with From and To
}

// previousPeriod is the period a report is compared with: for a named
// calendar period the calendar period before it (2026Q3: 2026Q2, 2026-11:
// 2026-10, whatever their lengths), and when p is "so far" the same
// elapsed part of it (ToDate); for any other the period of the same
// length just before.
func previousPeriod(p Period) Period {
	prev := previousWhole(p)
	if p.RequestedTo != nil && prev.Name != "" {
		// A named period so far: the same elapsed part of the previous
		// one (period-to-date), never past its end.
		if to := prev.From.Add(p.To.Sub(p.From)); to.Before(prev.To) {
			prev.To = to
		}
		prev.ToDate = true
	}
	return prev
}

// previousWhole is the whole period before p (previousPeriod).
func previousWhole(p Period) Period {
	if m := quarterName.FindStringSubmatch(p.Name); m != nil {
		year, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		if start := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC); start.Equal(p.From) {
			prev := start.AddDate(0, -3, 0)
			return Period{From: prev, To: start, Name: fmt.Sprintf("%dQ%d", prev.Year(), (int(prev.Month())+2)/3)}
		}
	}
	if m := monthName.FindStringSubmatch(p.Name); m != nil {
		year, _ := strconv.Atoi(m[1])
		month, _ := strconv.Atoi(m[2])
		if start := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC); start.Equal(p.From) {
			prev := start.AddDate(0, -1, 0)
			return Period{From: prev, To: start, Name: prev.Format("2006-01")}
		}
	}
	return Period{From: p.From.Add(-p.To.Sub(p.From)), To: p.From}
}

var (
	quarterName = regexp.MustCompile(`^(\d{4})Q([1-4])$`)
	monthName   = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
)

// plan lists the instants: the previous period's start (prev non-nil),
// From, every week boundary (weeks from From), every UTC month start
// inside the period, To.
func plan(p Period, prev *Period) instants {
	var at []time.Time
	if prev != nil {
		at = append(at, prev.From)
	}
	at = append(at, p.From, p.To)
	for t := p.From.AddDate(0, 0, 7); t.Before(p.To); t = t.AddDate(0, 0, 7) {
		at = append(at, t)
	}
	for t := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0); t.Before(p.To); t = t.AddDate(0, 1, 0) {
		at = append(at, t)
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	at = slices.CompactFunc(at, func(a, b time.Time) bool { return a.Equal(b) })
	idx := func(t time.Time) int {
		return slices.IndexFunc(at, func(u time.Time) bool { return u.Equal(t) })
	}
	in := instants{at: at, from: idx(p.From), to: idx(p.To)}
	in.prev = in.from
	if prev != nil {
		in.prev = 0
	}
	in.weeks = append(in.weeks, in.from)
	for t := p.From.AddDate(0, 0, 7); t.Before(p.To); t = t.AddDate(0, 0, 7) {
		in.weeks = append(in.weeks, idx(t))
	}
	in.weeks = append(in.weeks, in.to)
	in.months = append(in.months, in.from)
	for t := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0); t.Before(p.To); t = t.AddDate(0, 1, 0) {
		in.months = append(in.months, idx(t))
	}
	in.months = append(in.months, in.to)
	return in
}

// buildVendor replays one vendor and reads its review off the snapshots.
func buildVendor(ctx context.Context, o *Options, vc *config.Vendor, p instants) (*Vendor, error) {
	from, to := p.at[p.from], p.at[p.to]
	c := newCollector(ctx, o, vc, from, to)
	rv, err := replay.NewVendor(o.Store, vc, &o.Config.Global, replay.Options{
		Start:       p.at[0],
		End:         p.at[len(p.at)-1],
		Coalesce:    true,
		Ticket:      c.ticket,
		Incident:    c.incident,
		Maintenance: c.maintenance,
		Pages:       c.pages,
		Synced:      c.setSynced,
	})
	if err != nil {
		return nil, err
	}
	c.rv = rv
	c.setPages()
	snaps := make([]*quality.VendorSnapshot, len(p.at))
	// The contract periods ending inside the period are each read off a
	// snapshot at their own end (as "previous"), between the plan's.
	ends := contractEnds(vc, from, to)
	var endSnaps []*quality.VendorSnapshot
	for i, at := range p.at {
		for len(ends) > 0 && ends[0].Before(at) {
			if err := rv.Advance(ends[0]); err != nil {
				return nil, err
			}
			endSnaps = append(endSnaps, rv.Snapshot(ends[0]))
			ends = ends[1:]
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := rv.Advance(at); err != nil {
			return nil, err
		}
		snaps[i] = rv.Snapshot(at)
		if len(ends) > 0 && ends[0].Equal(at) {
			endSnaps = append(endSnaps, snaps[i])
			ends = ends[1:]
		}
	}
	v := &Vendor{Name: vc.Name, Sources: c.sources()}
	sn := snaps[p.to]
	v.Sections = Sections{
		Tickets:    sn.Tickets,
		Status:     sn.Status,
		Contracts:  len(vc.Agreements) > 0,
		Drill:      vc.Drill != nil && vc.Drill.Enabled,
		Docs:       len(vc.Docs) > 0,
		Features:   sn.Features.Enabled,
		ReplyHours: sn.Replies,
	}
	d := diff(snaps[p.from], sn)
	var prev *delta
	if o.ComparePrevious {
		pd := diff(snaps[p.prev], snaps[p.from])
		prev = &pd
	}
	terms := termsAt(vc, rv.Agg.Rules(), to)
	v.Volume = Volume{
		TicketsOpened: sumU(d.created[:]),
		SLAChecks:     sumChecks(&d.checks),
		Incidents:     sumU(d.incidents[:]),
		Maintenances:  d.maintenances,
	}
	v.Indicators = indicators(&d, prev, terms, sn, o)
	v.SLA = []SLARow{}
	if sn.Tickets {
		v.SLA = c.slaRows(&d, terms)
	}
	if testHook != nil {
		testHook(vc.Name, c)
	}
	v.Incidents = c.incidentList()
	v.Maintenances = c.maintenanceList()
	v.Contracts = contracts(append(endSnaps, sn), from, to)
	drills, err := c.drills()
	if err != nil {
		return nil, err
	}
	v.Drills = drills
	v.Docs = c.docs(sn)
	v.Escalations = c.escalationList()
	v.Charts = charts(snaps, p, terms, vc, &d)
	return v, nil
}

// inReadingOrder orders the footnotes as a reader meets them: by the first
// indicator that cites each, vendor by vendor; those no indicator cites
// keep their order at the end.
func inReadingOrder(notes []Footnote, vendors []Vendor) []Footnote {
	first := map[string]int{}
	for _, v := range vendors {
		for _, ind := range v.Indicators {
			if _, ok := first[ind.Footnote]; !ok {
				first[ind.Footnote] = len(first)
			}
		}
	}
	rank := func(f Footnote) int {
		if n, ok := first[f.ID]; ok {
			return n
		}
		return len(first)
	}
	slices.SortStableFunc(notes, func(a, b Footnote) int { return rank(a) - rank(b) })
	return notes
}
