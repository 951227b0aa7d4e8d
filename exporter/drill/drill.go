// Package drill schedules and runs a vendor's off-hours drill
// (docs/configuration.md, "The off-hours drill"): at most once per
// interval, at a random moment outside the vendor's business calendar, a
// clearly marked test ticket is filed as the buyer through one of the
// vendor's ticket sources, and the first human vendor reply is timed.
//
// It is the only part of the exporter that writes to a vendor, so every
// step is stored before it is taken (store.Drill), and a step whose
// outcome is unknown is looked up before it is taken again:
//
//	planned   the plan (id, marker, moment) is stored; nothing was sent
//	creating  a create was sent, or is about to be: its outcome is unknown
//	          until the vendor answers or Find looks for the marker;
//	          never a second create before Find found nothing
//	filed     the vendor holds the ticket; the source's sync stores it
//	          like any other ticket, and its first human reply ends the drill
//	responded, timed_out, create_failed, skipped: the result
//
// The closing comment is marked "posting" before it is sent and is never
// sent again, so it is posted at most once.
package drill

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// States of a running drill; an ended one holds its result
// (quality.DrillResult's names).
const (
	StatePlanned  = "planned"
	StateCreating = "creating"
	StateFiled    = "filed"
)

// Closing states.
const (
	closingPosting = "posting"
	closingPosted  = "posted"
	closingFailed  = "failed"
	// closingOther: the ticket was filed by another instance's drill
	// (an HA pair), which posts the closing comment; this one never does.
	closingOther = "other"
	// closingSolved: the vendor had solved or closed the ticket: a
	// comment by the buyer would reopen it, so none is posted.
	closingSolved = "solved"
)

// markerPrefix starts every drill's marker.
const markerPrefix = item.DrillMarkerPrefix

const (
	// findSettle is how long after a create of unknown outcome a search
	// that finds nothing is trusted: search indexes lag new tickets by a
	// few minutes (Zendesk says "up to a few minutes").
	findSettle = 10 * time.Minute
	// findMargin is how long before the drill's moment (never after its
	// first create) Find looks: the vendor's clock may differ from ours.
	findMargin = 15 * time.Minute
	// maxAttempts bounds the creates of one drill.
	maxAttempts = 3
	// repeatWithin bounds when a create is sent again after one of
	// unknown outcome: only within this long after the drill's moment,
	// and only while the vendor's calendar is off-hours; otherwise the
	// drill ends without writing.
	repeatWithin = 2 * time.Hour
)

// Store is what a Driller keeps its drills in (exporter/store).
type Store interface {
	PutDrill(vendor string, d store.Drill) error
	Drills(vendor string) ([]store.Drill, error)
}

// Deps are what a Driller reads and writes besides its vendor's settings.
type Deps struct {
	Store   Store
	Creator source.Creator
	// Ticket reads a stored ticket of the vendor's ticket source named
	// source (nil when none yet).
	Ticket func(source, id string) (*item.Ticket, error)
	// SyncedAt is the start of the drill source's last complete sync: the
	// timeout is judged as of it, never the wall clock, so a reply the
	// next sync brings is never taken for none.
	SyncedAt func() time.Time
	// IncidentsOpen is the vendor's open status-page incidents in the
	// latest snapshot; known is false until every status page of the
	// vendor completed a sync (the drill then waits).
	IncidentsOpen func() (n uint64, known bool)
	Now           func() time.Time
	Rand          *rand.Rand
	// DryRun logs what would be sent and sends nothing: each drill ends
	// as skipped at its moment.
	DryRun bool
	Logger *slog.Logger
	// Tick is how often Step runs (default a minute): a moment is picked
	// at least two ticks before its off-hours stretch ends, so that the
	// step that fires it still runs off-hours.
	Tick time.Duration
}

// Driller runs one vendor's drills.
type Driller struct {
	vendor string
	cfg    *config.Drill
	cal    interface {
		Contains(time.Time) bool
		Between(from, to time.Time) time.Duration
	}
	loc *time.Location
	d   Deps
}

// New returns the Driller of vendor v, whose drill is on and whose
// calendar is set (config checks both).
func New(v *config.Vendor, d Deps) (*Driller, error) {
	if !v.Drill.On() || v.CalendarParsed == nil {
		return nil, fmt.Errorf("vendor %q: no drill enabled with a calendar", v.Name)
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Tick <= 0 {
		d.Tick = time.Minute
	}
	return &Driller{vendor: v.Name, cfg: v.Drill, cal: v.CalendarParsed, loc: v.CalendarParsed.Location(), d: d}, nil
}

// Step takes the next step of the vendor's drills, if one is due, and
// returns what it did, for the log and tests. A Driller calls it every
// minute; each step is stored before it writes to the vendor.
func (dr *Driller) Step(ctx context.Context) error {
	drills, err := dr.d.Store.Drills(dr.vendor)
	if err != nil {
		return err
	}
	if len(drills) == 0 {
		return dr.plan(nil)
	}
	last := current(drills)
	if last.Target == "" && last.Source == dr.cfg.Source {
		// A record written before drills stored their target (store's
		// drillFields version 0): taken for the current target, once,
		// and stored so; a later change of target is then seen.
		last.Target = dr.d.Creator.Target()
		if err := dr.d.Store.PutDrill(dr.vendor, last); err != nil {
			return err
		}
		dr.d.Logger.Info("drill record without a target (written by an older build): taken for the current target",
			"drill", last.ID, "target", last.Target)
	}
	switch last.State {
	case StatePlanned:
		return dr.fire(ctx, last)
	case StateCreating:
		return dr.resolveCreate(ctx, last)
	case StateFiled:
		return dr.watch(ctx, last)
	}
	if last.Closing == "" && last.TicketID != "" {
		// Under a dry run the closing waits for a run that sends, and so
		// does the next plan.
		return dr.close(ctx, last)
	}
	return dr.plan(&last)
}

// current is the drill to take the next step of: the one still running,
// else the latest by moment (ids need not sort by time).
func current(drills []store.Drill) store.Drill {
	last := drills[0]
	for _, d := range drills[1:] {
		if d.Moment.After(last.Moment) {
			last = d
		}
	}
	for _, d := range drills {
		if d.State == StatePlanned || d.State == StateCreating || d.State == StateFiled {
			return d
		}
	}
	return last
}

// plan stores the next drill. Intervals are aligned on the Unix epoch
// (interval k is [k*interval, (k+1)*interval)), and a drill's moment and
// marker depend only on the vendor's name and its interval: the two
// exporters of an HA pair, whatever their clocks and start times, plan
// the same drill, and the one that fires second finds the first's ticket
// before any create (takeOver). The drill is that of the interval of now,
// or of the interval after the previous drill's, whichever is later; an
// interval whose moment already passed gives way to the next.
func (dr *Driller) plan(prev *store.Drill) error {
	now := dr.d.Now()
	k := dr.interval(now)
	if prev != nil {
		k = max(k, dr.interval(prev.Moment)+1)
	}
	var moment time.Time
	var r *rand.Rand
	for {
		from, to := dr.intervalStart(k), dr.intervalStart(k+1)
		r = dr.intervalRand(k)
		m, ok := dr.offHoursMoment(r, from, to)
		if !ok {
			return fmt.Errorf("drill: vendor %q: the calendar leaves no off-hours in %s..%s", dr.vendor,
				from.Format(time.RFC3339), to.Format(time.RFC3339))
		}
		if !m.Before(now) {
			moment = m
			break
		}
		k++
	}
	id := fmt.Sprintf("%s-%04x", moment.UTC().Format("20060102T150405Z"), r.IntN(1<<16))
	d := store.Drill{ID: id, Source: dr.cfg.Source, Marker: markerPrefix + id, Moment: moment, State: StatePlanned,
		Target: dr.d.Creator.Target()}
	if err := dr.d.Store.PutDrill(dr.vendor, d); err != nil {
		return err
	}
	dr.d.Logger.Info("drill planned", "drill", d.ID, "moment", moment.In(dr.loc).Format(time.RFC3339))
	return nil
}

// interval is the number of the epoch-aligned interval holding t.
func (dr *Driller) interval(t time.Time) int64 {
	n := dr.intervalSeconds()
	k := t.Unix() / n
	if t.Unix() < 0 && t.Unix()%n != 0 {
		k--
	}
	return k
}

// intervalStart is the start of interval k.
func (dr *Driller) intervalStart(k int64) time.Time {
	return time.Unix(k*dr.intervalSeconds(), 0)
}

// intervalSeconds is the interval in whole seconds (at least one).
func (dr *Driller) intervalSeconds() int64 {
	return max(1, int64(time.Duration(dr.cfg.Interval)/time.Second))
}

// intervalRand is the random source of the vendor's drill of interval k:
// the same in every exporter with the same vendor and interval.
func (dr *Driller) intervalRand(k int64) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(dr.vendor))
	return rand.New(rand.NewPCG(h.Sum64(), uint64(k)))
}

// offHoursMoment picks a uniformly random instant, to the second, among
// the off-hours of [from, to) that stay off-hours for two ticks after
// (a moment the step after it still finds off-hours): a pick too close to
// the stretch's end is drawn again, at most momentDraws times.
func (dr *Driller) offHoursMoment(r *rand.Rand, from, to time.Time) (time.Time, bool) {
	margin := 2 * dr.d.Tick
	for range momentDraws {
		t, ok := dr.anyOffHoursMoment(r, from, to)
		if !ok {
			return time.Time{}, false
		}
		if dr.cal.Between(t, t.Add(margin)) == 0 && !dr.cal.Contains(t.Add(margin)) {
			return t, true
		}
	}
	return time.Time{}, false
}

// momentDraws bounds the draws of offHoursMoment.
const momentDraws = 1000

// anyOffHoursMoment picks a uniformly random instant, to the second,
// among the off-hours of [from, to).
func (dr *Driller) anyOffHoursMoment(rnd *rand.Rand, from, to time.Time) (time.Time, bool) {
	from = from.Truncate(time.Second)
	off := func(t time.Time) time.Duration { return t.Sub(from) - dr.cal.Between(from, t) }
	total := off(to)
	if total < time.Second {
		return time.Time{}, false
	}
	r := time.Duration(rnd.Int64N(int64(total/time.Second))) * time.Second
	// The first instant t whose off-hours since from exceed r lies in
	// off-hours: the smallest t with off(t+1s) > r, found by bisection.
	lo, hi := int64(0), int64(to.Sub(from)/time.Second) // off(lo) <= r < off(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if off(from.Add(time.Duration(mid)*time.Second)) <= r {
			lo = mid
		} else {
			hi = mid
		}
	}
	return from.Add(time.Duration(lo) * time.Second), true
}

// fire runs a planned drill once its moment came.
func (dr *Driller) fire(ctx context.Context, d store.Drill) error {
	now := dr.d.Now()
	if now.Before(d.Moment) || now.Before(d.NotBefore) {
		return nil
	}
	if dr.moved(d) != "" { // a reload changed it; nothing was sent
		d.Source, d.Target = dr.cfg.Source, dr.d.Creator.Target()
		if err := dr.d.Store.PutDrill(dr.vendor, d); err != nil {
			return err
		}
	}
	if dr.cal.Contains(now) {
		// The moment passed while the exporter was down, and business hours
		// began: nothing was sent, so the drill moves to the next off-hours.
		moment, ok := dr.offHoursMoment(dr.d.Rand, now, now.Add(time.Duration(dr.cfg.Interval)))
		if !ok {
			return fmt.Errorf("drill: vendor %q: the calendar leaves no off-hours", dr.vendor)
		}
		dr.d.Logger.Info("drill moment missed; moved to the next off-hours", "drill", d.ID,
			"missed", d.Moment.In(dr.loc).Format(time.RFC3339), "moment", moment.In(dr.loc).Format(time.RFC3339))
		d.Moment = moment
		return dr.d.Store.PutDrill(dr.vendor, d)
	}
	// A drill that cannot go on (status pages that never complete a sync,
	// a look that keeps failing) ends as skipped once repeatWithin passed
	// since its moment: nothing was sent.
	stalled := now.Sub(later(d.Moment, d.NotBefore)) > repeatWithin
	skip, why, known := dr.skip()
	switch {
	case !known && stalled:
		return dr.end(d, quality.DrillSkipped.String(),
			fmt.Sprintf("the vendor's status pages did not complete a sync within %v of the moment", repeatWithin))
	case !known:
		return nil // the status pages have not told yet
	case skip:
		return dr.end(d, quality.DrillSkipped.String(), why)
	}
	draft, err := dr.draft(d)
	if err != nil {
		return dr.end(d, quality.DrillCreateFailed.String(), err.Error())
	}
	if done, err := dr.takeOver(ctx, d); err != nil && stalled {
		return dr.end(d, quality.DrillSkipped.String(), fmt.Sprintf("%v; nothing sent within %v of the moment", err, repeatWithin))
	} else if done || err != nil {
		return err
	}
	if dr.d.DryRun {
		dr.d.Logger.Info("drill dry run: would file this ticket", "drill", d.ID,
			"subject", draft.Subject, "body", draft.Body, "priority", draft.Priority, "closing", dr.cfg.Closing)
		return dr.end(d, quality.DrillSkipped.String(), "dry run (--drill.dry-run): nothing sent")
	}
	return dr.create(ctx, d, draft)
}

// skip says whether the vendor is in no state to be drilled now; known
// is false while its status pages have not told.
func (dr *Driller) skip() (skip bool, why string, known bool) {
	n, known := dr.d.IncidentsOpen()
	if n > 0 {
		return true, fmt.Sprintf("the vendor has %d open status-page incident(s)", n), known
	}
	return false, "", known
}

// draft renders the ticket of drill d.
func (dr *Driller) draft(d store.Drill) (source.Draft, error) {
	fields := config.DrillFields{Vendor: dr.vendor, Marker: d.Marker, Moment: d.Moment.In(dr.loc)}
	var subject, body bytes.Buffer
	if err := dr.cfg.SubjectTemplate.Execute(&subject, fields); err != nil {
		return source.Draft{}, fmt.Errorf("subject: %w", err)
	}
	if err := dr.cfg.BodyTemplate.Execute(&body, fields); err != nil {
		return source.Draft{}, fmt.Errorf("body: %w", err)
	}
	return source.Draft{Subject: subject.String(), Body: body.String(), Priority: dr.cfg.Priority, Marker: d.Marker}, nil
}

// create stores the attempt, then sends the create; under a dry run it
// sends nothing.
func (dr *Driller) create(ctx context.Context, d store.Drill, draft source.Draft) error {
	if dr.d.DryRun {
		dr.d.Logger.Debug("drill dry run: would file this ticket again", "drill", d.ID, "subject", draft.Subject)
		return nil
	}
	before := d
	d.State, d.Attempts, d.AttemptAt = StateCreating, d.Attempts+1, dr.d.Now()
	if err := dr.d.Store.PutDrill(dr.vendor, d); err != nil {
		return err // nothing sent
	}
	dr.d.Logger.Info("drill: filing the ticket", "drill", d.ID, "attempt", d.Attempts)
	filed, err := dr.d.Creator.Create(ctx, draft)
	switch {
	case err == nil:
		return dr.filed(d, filed)
	case source.Unknown(err):
		// The vendor may hold it: the next step looks for the marker first.
		dr.d.Logger.Warn("drill: the create's outcome is unknown; looking for the marker before any new create",
			"drill", d.ID, "err", err)
		return nil
	}
	if after, ok := source.NotSent(err); ok {
		return dr.notSent(before, after, err)
	}
	return dr.end(d, quality.DrillCreateFailed.String(), err.Error())
}

// notSent puts back drill d as it was before a create that was never
// sent (rate limited), to be sent after the vendor's Retry-After (at
// least a minute), while the calendar is still off-hours and within
// repeatWithin of the moment; otherwise the drill ends as create_failed.
// A drill with earlier creates of unknown outcome stays creating: its
// marker is looked for again before the create.
func (dr *Driller) notSent(d store.Drill, after time.Duration, err error) error {
	retry := dr.d.Now().Add(max(after, time.Minute))
	if dr.cal.Contains(retry) || retry.Sub(d.Moment) > repeatWithin {
		return dr.end(d, quality.DrillCreateFailed.String(),
			fmt.Sprintf("%v; no retry before the off-hours end or %v after the moment", err, repeatWithin))
	}
	d.NotBefore = retry
	dr.d.Logger.Warn("drill: the create was not sent (rate limited); retried later", "drill", d.ID,
		"retry_at", retry.In(dr.loc).Format(time.RFC3339), "err", err)
	return dr.d.Store.PutDrill(dr.vendor, d)
}

// moved says how the drill's stored source or target differs from the
// configuration's; empty when they are the same.
func (dr *Driller) moved(d store.Drill) string {
	switch {
	case d.Source != dr.cfg.Source:
		return fmt.Sprintf("the drill's source changed from %q", d.Source)
	case d.Target != dr.d.Creator.Target():
		return fmt.Sprintf("the drill's target changed from %q", d.Target)
	}
	return ""
}

// resolveCreate settles a create whose outcome is unknown: the marker
// found means the vendor holds the ticket; not found, once the search
// index had time to catch up, means it does not, and the create is sent
// again (at most maxAttempts in all).
func (dr *Driller) resolveCreate(ctx context.Context, d store.Drill) error {
	if why := dr.moved(d); why != "" {
		// The create went to another source or target, which this
		// configuration no longer drills through: its marker is never
		// looked for, nor the ticket created, elsewhere.
		return dr.end(d, quality.DrillCreateFailed.String(), why+" while its create's outcome was unknown; not created again")
	}
	all, err := dr.d.Creator.Find(ctx, d.Marker, d.Moment.Add(-findMargin))
	if err != nil {
		if dr.d.Now().Sub(d.AttemptAt) > time.Duration(dr.cfg.Timeout) {
			// Nothing more is sent: a ticket the create may have filed is
			// never known, so the drill ends.
			return dr.end(d, quality.DrillCreateFailed.String(),
				fmt.Sprintf("the marker could not be looked for within the timeout: %v", err))
		}
		return fmt.Errorf("drill %s: looking for the marker: %w", d.ID, err)
	}
	if len(all) > 0 {
		// Several (creates of unknown outcome that all filed one): the
		// first filed is the drill's.
		filed := all[0]
		for _, f := range all[1:] {
			if f.CreatedAt.Before(filed.CreatedAt) {
				filed = f
			}
		}
		dr.d.Logger.Info("drill: the marker search found the ticket filed earlier", "drill", d.ID, "ticket_id", filed.ID)
		return dr.filed(d, filed)
	}
	now := dr.d.Now()
	switch {
	case now.Sub(d.AttemptAt) < findSettle || now.Before(d.NotBefore):
		return nil // the search index may not have it yet, or the vendor asked to wait
	case d.Attempts >= maxAttempts:
		return dr.end(d, quality.DrillCreateFailed.String(), fmt.Sprintf("no ticket found after %d creates of unknown outcome", d.Attempts))
	case dr.cal.Contains(now):
		return dr.end(d, quality.DrillCreateFailed.String(), "no ticket found, and business hours began: not created again")
	case now.Sub(d.Moment) > repeatWithin:
		return dr.end(d, quality.DrillCreateFailed.String(),
			fmt.Sprintf("no ticket found, and more than %v passed since the drill's moment: not created again", repeatWithin))
	}
	skip, why, known := dr.skip()
	switch {
	case !known:
		return nil
	case skip:
		return dr.end(d, quality.DrillSkipped.String(), why)
	}
	if done, err := dr.takeOver(ctx, d); done || err != nil {
		return err
	}
	draft, err := dr.draft(d)
	if err != nil {
		return dr.end(d, quality.DrillCreateFailed.String(), err.Error())
	}
	return dr.create(ctx, d, draft)
}

// takeOver looks, before any create, for a drill ticket (any marker of
// markerPrefix) the buyer filed since the start of the drill's interval
// (less findMargin) that is none of this store's drills: another exporter
// of an HA pair, which planned the same drill (plan), filed it. A ticket
// of it still
// within the timeout is taken over (watched like this drill's own, its
// closing comment left to the instance that filed it); an older one ends
// this drill as skipped. done is true when the drill was settled so.
func (dr *Driller) takeOver(ctx context.Context, d store.Drill) (done bool, err error) {
	since := dr.intervalStart(dr.interval(d.Moment)).Add(-findMargin)
	all, err := dr.d.Creator.Find(ctx, markerPrefix, since)
	if err != nil {
		return false, fmt.Errorf("drill %s: looking for another instance's drill ticket: %w", d.ID, err)
	}
	ours, err := dr.d.Store.Drills(dr.vendor)
	if err != nil {
		return false, err
	}
	// Every drill ticket of the window counts, whatever the order of the
	// vendor's lists (an older one bumped by an auto-close may come
	// first): the newest created that none of this store's drills filed.
	var f source.Filed
	found := false
	for _, g := range all {
		if g.CreatedAt.Before(since) || filedBy(ours, g.ID) || found && !g.CreatedAt.After(f.CreatedAt) {
			continue
		}
		f, found = g, true
	}
	if !found {
		return false, nil
	}
	now := dr.d.Now()
	if f.CreatedAt.IsZero() || now.Sub(f.CreatedAt) >= time.Duration(dr.cfg.Timeout) {
		return true, dr.end(d, quality.DrillSkipped.String(),
			fmt.Sprintf("another instance filed drill ticket %s at %s, within the interval", f.ID, f.CreatedAt.Format(time.RFC3339)))
	}
	dr.d.Logger.Info("drill: another instance filed a drill ticket in this interval; watching it instead of filing one",
		"drill", d.ID, "ticket_id", f.ID)
	d.AttemptAt, d.Closing = f.CreatedAt, closingOther
	return true, dr.filed(d, f)
}

// filedBy says whether one of drills filed the ticket id.
func filedBy(drills []store.Drill, id string) bool {
	for _, o := range drills {
		if o.TicketID == id {
			return true
		}
	}
	return false
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// filed stores the ticket the vendor holds.
func (dr *Driller) filed(d store.Drill, f source.Filed) error {
	at := f.CreatedAt
	if at.IsZero() {
		at = d.AttemptAt
	}
	d.State, d.TicketID, d.FiledAt = StateFiled, f.ID, at
	d.Hours = quality.Off.String()
	if dr.cal.Contains(at) {
		d.Hours = quality.Business.String()
	}
	dr.d.Logger.Info("drill: ticket filed", "drill", d.ID, "ticket_id", d.TicketID, "filed_at", at.In(dr.loc).Format(time.RFC3339))
	return dr.d.Store.PutDrill(dr.vendor, d)
}

// watch ends a filed drill at its first human vendor reply, or at its
// timeout as of the source's last complete sync.
func (dr *Driller) watch(ctx context.Context, d store.Drill) error {
	t, err := dr.d.Ticket(d.Source, d.TicketID)
	if err != nil {
		return err
	}
	deadline := d.FiledAt.Add(time.Duration(dr.cfg.Timeout))
	if t != nil && t.History != nil && !t.History.FirstReply.IsZero() {
		d.RepliedAt = t.History.FirstReply
		if d.RepliedAt.After(deadline) {
			return dr.endThenClose(ctx, d, quality.DrillTimedOut.String(), "the first reply came after the timeout")
		}
		return dr.endThenClose(ctx, d, quality.DrillResponded.String(), "")
	}
	// Only a sync that started after the create can show the ticket.
	if synced := dr.d.SyncedAt(); synced.After(d.AttemptAt) && !synced.Before(deadline) {
		return dr.endThenClose(ctx, d, quality.DrillTimedOut.String(), "no human reply by the timeout")
	}
	return nil
}

// end stores the drill's result.
func (dr *Driller) end(d store.Drill, result, reason string) error {
	d.State, d.EndedAt, d.Reason = result, dr.d.Now(), reason
	dr.d.Logger.Info("drill ended", "drill", d.ID, "result", result, "reason", reason, "ticket_id", d.TicketID,
		"first_response", firstResponse(d))
	return dr.d.Store.PutDrill(dr.vendor, d)
}

func firstResponse(d store.Drill) string {
	if d.RepliedAt.IsZero() {
		return ""
	}
	return d.RepliedAt.Sub(d.FiledAt).String()
}

func (dr *Driller) endThenClose(ctx context.Context, d store.Drill, result, reason string) error {
	if err := dr.end(d, result, reason); err != nil {
		return err
	}
	d.State, d.EndedAt, d.Reason = result, dr.d.Now(), reason
	return dr.close(ctx, d)
}

// close posts the closing comment at most once: marked as posting
// before the call, it is never sent again, whatever the call's outcome.
func (dr *Driller) close(ctx context.Context, d store.Drill) error {
	switch {
	case d.Closing == closingOther:
		return nil // the instance that filed it posts it
	case dr.d.DryRun:
		dr.d.Logger.Debug("drill dry run: would post the closing comment", "drill", d.ID, "ticket_id", d.TicketID, "closing", dr.cfg.Closing)
		return nil // left to a run that sends
	case dr.moved(d) != "":
		d.Closing = closingFailed
		dr.d.Logger.Warn("drill: the closing comment is not posted", "drill", d.ID, "ticket_id", d.TicketID, "why", dr.moved(d))
		return dr.d.Store.PutDrill(dr.vendor, d)
	}
	if t, err := dr.d.Ticket(d.Source, d.TicketID); err != nil {
		return err
	} else if t != nil && (t.Status == item.StatusSolved || t.Status == item.StatusClosed) {
		d.Closing = closingSolved
		dr.d.Logger.Info("drill: the vendor solved the ticket; no closing comment (it would reopen it)", "drill", d.ID, "ticket_id", d.TicketID)
		return dr.d.Store.PutDrill(dr.vendor, d)
	}
	d.Closing = closingPosting
	if err := dr.d.Store.PutDrill(dr.vendor, d); err != nil {
		return err
	}
	err := dr.d.Creator.Comment(ctx, d.TicketID, dr.cfg.Closing)
	switch {
	case err == nil:
		d.Closing = closingPosted
		dr.d.Logger.Info("drill: closing comment posted", "drill", d.ID, "ticket_id", d.TicketID)
	case source.Unknown(err):
		dr.d.Logger.Warn("drill: the closing comment's outcome is unknown; it is not sent again", "drill", d.ID,
			"ticket_id", d.TicketID, "err", err)
		return nil
	default:
		d.Closing = closingFailed
		dr.d.Logger.Warn("drill: the vendor refused the closing comment; it is not sent again", "drill", d.ID,
			"ticket_id", d.TicketID, "err", err)
	}
	return dr.d.Store.PutDrill(dr.vendor, d)
}

// Summary derives the vendor's drill metrics from its stored drills
// (quality.SummarizeDrills).
func Summary(drills []store.Drill) *quality.DrillSummary {
	outcomes := make([]quality.DrillOutcome, 0, len(drills))
	for _, d := range drills {
		o := quality.DrillOutcome{RanAt: d.FiledAt}
		if r, ok := quality.ParseDrillResult(d.State); ok {
			o.Ended, o.Result = true, r
			if o.RanAt.IsZero() {
				o.RanAt = d.EndedAt
			}
		}
		if d.Hours == quality.Business.String() {
			o.Hours = quality.Business
		} else {
			o.Hours = quality.Off
		}
		if o.Result == quality.DrillResponded {
			o.FirstResponse = d.RepliedAt.Sub(d.FiledAt)
		}
		outcomes = append(outcomes, o)
	}
	return quality.SummarizeDrills(outcomes)
}

// Run steps the drills every tick until ctx ends, calling after once
// each step is done; a failed step is logged and taken again at the next
// tick.
func (dr *Driller) Run(ctx context.Context, tick time.Duration, after func()) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if err := dr.Step(ctx); err != nil && ctx.Err() == nil {
			dr.d.Logger.Warn("drill step failed; retried at the next tick", "err", err)
		}
		after()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
