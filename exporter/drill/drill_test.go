package drill

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/calendar"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// berlin is the vendor's calendar: Monday to Friday, 09:00-17:00 in
// Europe/Berlin.
func berlin(t *testing.T) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.New("Europe/Berlin", []string{"mon", "tue", "wed", "thu", "fri"}, "09:00-17:00", nil)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func vendor(t *testing.T) *config.Vendor {
	t.Helper()
	return &config.Vendor{Name: "acme", CalendarParsed: berlin(t), Drill: &config.Drill{
		Enabled: true, Source: "helpdesk", Interval: model.Duration(30 * 24 * time.Hour), Priority: "urgent",
		SubjectTemplate: template.Must(template.New("s").Parse("[drill {{.Marker}}] API returns 503")),
		BodyTemplate:    template.Must(template.New("b").Parse("Test ticket {{.Marker}} for {{.Vendor}}.")),
		Closing:         "Thank you: this was a scheduled drill.", Timeout: model.Duration(72 * time.Hour),
	}}
}

// vendorAPI is a fake vendor: it files tickets, finds them by marker and
// takes comments, and counts every call.
type vendorAPI struct {
	tickets  map[string]source.Filed // by marker
	creates  int
	comments []string
	finds    int
	// prefixFinds counts the looks for any drill's ticket (markerPrefix).
	prefixFinds int
	findErr     error // every look for a marker fails with it
	// createErr, when set, is returned by the next create; filed says
	// whether the vendor filed the ticket all the same (a timeout after
	// the vendor committed it).
	createErr   error
	filedAnyway bool
	commentErr  error
	now         func() time.Time
	target      string // Target; empty: https://acme.zendesk.com
}

func (v *vendorAPI) Create(_ context.Context, d source.Draft) (source.Filed, error) {
	v.creates++
	if !strings.Contains(d.Subject, d.Marker) || !strings.Contains(d.Body, d.Marker) {
		panic("draft without its marker")
	}
	f := source.Filed{ID: "t" + string(rune('0'+v.creates)), CreatedAt: v.now()}
	if err := v.createErr; err != nil {
		v.createErr = nil
		if v.filedAnyway {
			v.tickets[d.Marker] = f
		}
		return source.Filed{}, err
	}
	v.tickets[d.Marker] = f
	return f, nil
}

// Find returns the tickets holding marker in the order of their markers
// (a vendor's list order need not be by creation).
func (v *vendorAPI) Find(_ context.Context, marker string, since time.Time) ([]source.Filed, error) {
	if marker == markerPrefix {
		v.prefixFinds++
		var markers []string
		for m, f := range v.tickets {
			if strings.HasPrefix(m, marker) && !f.CreatedAt.Before(since) {
				markers = append(markers, m)
			}
		}
		slices.Sort(markers)
		var all []source.Filed
		for _, m := range markers {
			all = append(all, v.tickets[m])
		}
		return all, nil
	}
	v.finds++
	if v.findErr != nil {
		return nil, v.findErr
	}
	if f, ok := v.tickets[marker]; ok {
		return []source.Filed{f}, nil
	}
	return nil, nil
}

func (v *vendorAPI) Target() string {
	if v.target == "" {
		return "https://acme.zendesk.com"
	}
	return v.target
}

func (v *vendorAPI) Comment(_ context.Context, id, body string) error {
	v.comments = append(v.comments, id+": "+body)
	return v.commentErr
}

// world is a Driller over a real store, a fake vendor and a clock the
// test moves.
type world struct {
	t         *testing.T
	now       time.Time
	st        *store.Store
	api       *vendorAPI
	dr        *Driller
	incidents uint64
	syncedAt  time.Time
	replies   map[string]time.Time // ticket id -> first human reply stored
	solved    map[string]bool      // ticket id -> stored as solved
	unknown   bool                 // the status pages never completed a sync
}

func newWorld(t *testing.T, now time.Time, dryRun bool) *world {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	w := &world{t: t, now: now, st: st, replies: map[string]time.Time{}, solved: map[string]bool{}}
	w.api = &vendorAPI{tickets: map[string]source.Filed{}, now: func() time.Time { return w.now }}
	w.dr = w.driller(st, dryRun)
	return w
}

// driller builds a Driller as the exporter does at start-up: a restart
// builds a new one over the same store.
func (w *world) driller(st Store, dryRun bool) *Driller {
	dr, err := New(vendor(w.t), Deps{
		Store: st, Creator: w.api, Now: func() time.Time { return w.now },
		Ticket: func(_, id string) (*item.Ticket, error) {
			tk := &item.Ticket{ID: id, Status: item.StatusOpen}
			if w.solved[id] {
				tk.Status = item.StatusSolved
			}
			if at, ok := w.replies[id]; ok {
				tk.History = &item.TicketHistory{FirstReply: at}
			}
			return tk, nil
		},
		SyncedAt:      func() time.Time { return w.syncedAt },
		IncidentsOpen: func() (uint64, bool) { return w.incidents, !w.unknown },
		Rand:          rand.New(rand.NewPCG(1, 2)),
		DryRun:        dryRun,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return dr
}

func (w *world) step() {
	w.t.Helper()
	if err := w.dr.Step(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) drills() []store.Drill {
	w.t.Helper()
	ds, err := w.st.Drills("acme")
	if err != nil {
		w.t.Fatal(err)
	}
	return ds
}

func (w *world) last() store.Drill {
	w.t.Helper()
	ds := w.drills()
	if len(ds) == 0 {
		w.t.Fatal("no drill stored")
	}
	return ds[len(ds)-1]
}

// start is Monday 2 March 2026, 10:00 in Berlin (09:00 UTC): business
// hours.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// TestPlanPicksAnOffHoursMomentInTheInterval: the plan is a moment after
// now, in the epoch-aligned interval of now or, when that one's moment
// passed, the next one.
func TestPlanPicksAnOffHoursMomentInTheInterval(t *testing.T) {
	cal := berlin(t)
	for seed := range uint64(60) {
		now := start.Add(time.Duration(seed) * (30*24 + 7) * time.Hour) // one plan per interval
		w := newWorld(t, now, false)
		w.step()
		d := w.last()
		if k := w.dr.interval(now); d.State != StatePlanned || d.Moment.Before(now) ||
			!d.Moment.Before(w.dr.intervalStart(k+2)) || w.dr.interval(d.Moment) == k+1 && w.dr.plannedMoment(k).After(now) {
			t.Fatalf("seed %d: plan %+v, want planned after %s in its interval or the next", seed, d, now)
		}
		if cal.Contains(d.Moment) {
			t.Fatalf("seed %d: moment %s is inside business hours", seed, d.Moment.In(cal.Location()))
		}
		if d.Marker != "support-drill-"+d.ID || d.Moment != d.Moment.Truncate(time.Second) {
			t.Fatalf("seed %d: marker %q of id %q, moment %s", seed, d.Marker, d.ID, d.Moment)
		}
		if w.api.creates != 0 {
			t.Fatal("planning sent a create")
		}
	}
}

// fireAt moves the clock to the planned moment and steps.
func (w *world) fireAt() store.Drill {
	w.t.Helper()
	w.step() // plan
	d := w.last()
	w.now = d.Moment.Add(-time.Second)
	w.step()
	if w.api.creates != 0 {
		w.t.Fatal("a create before the moment")
	}
	w.now = d.Moment
	w.step()
	return w.last()
}

func TestDrillRespondedThenClosedOnce(t *testing.T) {
	w := newWorld(t, start, false)
	d := w.fireAt()
	if d.State != StateFiled || w.api.creates != 1 || d.Attempts != 1 || !d.FiledAt.Equal(d.Moment) || d.Hours != "off" {
		t.Fatalf("after the moment: %+v, %d creates; want filed once at the moment, hours off", d, w.api.creates)
	}
	// No reply stored yet: still watching, even long after (the sync is behind).
	w.now = d.Moment.Add(100 * time.Hour)
	w.syncedAt = d.Moment.Add(time.Hour)
	w.step()
	if got := w.last().State; got != StateFiled {
		t.Fatalf("without a reply, as of a sync before the timeout: %s, want filed", got)
	}
	reply := d.FiledAt.Add(95 * time.Minute)
	w.replies[d.TicketID] = reply
	w.step()
	got := w.last()
	if got.State != "responded" || !got.RepliedAt.Equal(reply) || got.Closing != closingPosted {
		t.Fatalf("after the reply: %+v, want responded at %s, closing posted", got, reply)
	}
	if len(w.api.comments) != 1 || w.api.comments[0] != d.TicketID+": Thank you: this was a scheduled drill." {
		t.Fatalf("comments %q, want the closing once", w.api.comments)
	}
	// The next step plans the next drill, an interval after this one's moment.
	w.step()
	next := w.last()
	if next.ID == d.ID || next.State != StatePlanned || w.dr.interval(next.Moment) != w.dr.interval(d.Moment)+1 {
		t.Fatalf("next plan %+v, want one in the interval after %s's", next, d.Moment)
	}
	if len(w.api.comments) != 1 || w.api.creates != 1 {
		t.Fatalf("%d comments, %d creates after the next plan; want 1 and 1", len(w.api.comments), w.api.creates)
	}
	s := Summary(w.drills())
	if s.Runs[quality.DrillResponded] != 1 || s.FirstResponse[quality.Off].Count != 1 ||
		s.FirstResponse[quality.Off].Sum != 5700 || !s.LastRun.Equal(d.FiledAt) {
		t.Errorf("summary %+v; want 1 responded, 5700 s off hours, last run %s", s, d.FiledAt)
	}
	// 5700 s: above 3600, at most 7200: the fifth bucket.
	if c := s.FirstResponse[quality.Off].Counts; c[4] != 1 {
		t.Errorf("buckets %v, want the observation in le=7200", c)
	}
}

func TestCrashBetweenPlanAndCreateNeverCreatesTwice(t *testing.T) {
	w := newWorld(t, start, false)
	w.step()
	d := w.last()
	w.now = d.Moment
	// The process dies after storing the attempt and sending the create,
	// before the answer is stored: the record says creating, the vendor
	// holds the ticket.
	d.State, d.Attempts, d.AttemptAt = StateCreating, 1, w.now
	if err := w.st.PutDrill("acme", d); err != nil {
		t.Fatal(err)
	}
	w.api.tickets[d.Marker] = source.Filed{ID: "t9", CreatedAt: w.now}
	w.dr = w.driller(w.st, false) // restart
	w.now = w.now.Add(time.Minute)
	w.step()
	got := w.last()
	if got.State != StateFiled || got.TicketID != "t9" || w.api.creates != 0 || w.api.finds != 1 {
		t.Fatalf("after the restart: %+v, %d creates, %d finds; want filed as t9 by the search, no create", got, w.api.creates, w.api.finds)
	}
}

func TestCrashBeforeTheCreateWasSentCreatesOnceAfterTheSearchSettles(t *testing.T) {
	w := newWorld(t, start, false)
	w.step()
	d := w.last()
	w.now = d.Moment
	d.State, d.Attempts, d.AttemptAt = StateCreating, 1, w.now // stored, never sent
	if err := w.st.PutDrill("acme", d); err != nil {
		t.Fatal(err)
	}
	w.dr = w.driller(w.st, false)
	w.now = d.Moment.Add(time.Minute)
	w.step()
	if w.api.creates != 0 || w.last().State != StateCreating {
		t.Fatalf("a search that finds nothing within %v is not trusted: %d creates", findSettle, w.api.creates)
	}
	w.now = d.Moment.Add(findSettle)
	w.step()
	got := w.last()
	if got.State != StateFiled || w.api.creates != 1 || got.Attempts != 2 {
		t.Fatalf("after the search settled: %+v, %d creates; want filed by one create, attempt 2", got, w.api.creates)
	}
}

func TestCreateTimedOutButFiledIsFoundNotDuplicated(t *testing.T) {
	w := newWorld(t, start, false)
	w.api.createErr = &fetch.Error{Reason: fetch.ReasonTimeout, URL: "https://acme.zendesk.com/api/v2/requests.json"}
	w.api.filedAnyway = true
	d := w.fireAt()
	if d.State != StateCreating || w.api.creates != 1 {
		t.Fatalf("after a create that timed out: %+v, %d creates; want creating, 1", d, w.api.creates)
	}
	w.now = w.now.Add(time.Minute)
	w.step()
	got := w.last()
	if got.State != StateFiled || w.api.creates != 1 || got.TicketID != "t1" {
		t.Fatalf("after the search: %+v, %d creates; want filed as t1, still 1 create", got, w.api.creates)
	}
}

func TestCreateRefusedFails(t *testing.T) {
	w := newWorld(t, start, false)
	w.api.createErr = &fetch.Error{Reason: fetch.ReasonHTTP, Status: 422, URL: "https://acme.zendesk.com/api/v2/requests.json"}
	d := w.fireAt()
	if d.State != "create_failed" || w.api.creates != 1 || !strings.Contains(d.Reason, "422") {
		t.Fatalf("after a refused create: %+v, %d creates; want create_failed with the status", d, w.api.creates)
	}
	w.step()
	if s := Summary(w.drills()); s.Runs[quality.DrillCreateFailed] != 1 || !s.LastRun.Equal(d.EndedAt) {
		t.Errorf("summary %+v, want 1 create_failed run at %s", s, d.EndedAt)
	}
}

func TestUnknownCreatesStopAfterMaxAttempts(t *testing.T) {
	w := newWorld(t, start, false)
	w.api.createErr = &fetch.Error{Reason: fetch.ReasonHTTP, Status: 502}
	w.fireAt()
	for range maxAttempts {
		w.now = w.now.Add(findSettle)
		w.api.createErr = &fetch.Error{Reason: fetch.ReasonHTTP, Status: 502}
		w.step()
	}
	got := w.last()
	if got.State != "create_failed" || w.api.creates != maxAttempts || w.api.finds != maxAttempts {
		t.Fatalf("%+v after %d creates and %d finds; want create_failed after %d of each", got, w.api.creates, w.api.finds, maxAttempts)
	}
}

func TestOpenIncidentSkips(t *testing.T) {
	w := newWorld(t, start, false)
	w.incidents = 1
	d := w.fireAt()
	if d.State != "skipped" || w.api.creates != 0 || !strings.Contains(d.Reason, "incident") {
		t.Fatalf("with an open incident: %+v, %d creates; want skipped, none", d, w.api.creates)
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	w := newWorld(t, start, true)
	d := w.fireAt()
	if d.State != "skipped" || w.api.creates != 0 || w.api.finds != 0 || len(w.api.comments) != 0 {
		t.Fatalf("dry run: %+v, %d creates, %d finds, %d comments; want skipped and no call", d, w.api.creates, w.api.finds, len(w.api.comments))
	}
}

func TestTimeoutAsOfTheSync(t *testing.T) {
	w := newWorld(t, start, false)
	d := w.fireAt()
	deadline := d.FiledAt.Add(72 * time.Hour)
	w.now = deadline.Add(time.Hour)
	w.syncedAt = deadline.Add(-time.Second)
	w.step()
	if w.last().State != StateFiled {
		t.Fatal("timed out before a sync reached the deadline")
	}
	w.syncedAt = deadline
	w.step()
	got := w.last()
	if got.State != "timed_out" || got.Closing != closingPosted || len(w.api.comments) != 1 {
		t.Fatalf("after the deadline: %+v, %d comments; want timed_out and the closing once", got, len(w.api.comments))
	}
	if s := Summary(w.drills()); s.Runs[quality.DrillTimedOut] != 1 || s.FirstResponse[quality.Off].Count != 0 {
		t.Errorf("summary %+v, want 1 timed_out and no observation", s)
	}
}

func TestClosingOfUnknownOutcomeIsNeverSentAgain(t *testing.T) {
	w := newWorld(t, start, false)
	d := w.fireAt()
	w.replies[d.TicketID] = d.FiledAt.Add(time.Hour)
	w.api.commentErr = &fetch.Error{Reason: fetch.ReasonTimeout}
	w.step()
	if got := w.last(); got.State != "responded" || got.Closing != closingPosting {
		t.Fatalf("%+v, want responded with the closing marked posting", got)
	}
	w.api.commentErr = nil
	w.dr = w.driller(w.st, false) // a restart too
	for range 3 {
		w.step()
	}
	if len(w.api.comments) != 1 {
		t.Fatalf("closing sent %d times, want once", len(w.api.comments))
	}
}

func TestMissedMomentMovesToTheNextOffHours(t *testing.T) {
	w := newWorld(t, start, false)
	w.step()
	d := w.last()
	// The exporter was down from the moment into business hours: Tuesday
	// after the moment at 10:00 Berlin.
	day := d.Moment.In(berlin(t).Location())
	w.now = time.Date(day.Year(), day.Month(), day.Day()+1, 10, 0, 0, 0, day.Location())
	for berlin(t).Contains(w.now) == false {
		w.now = w.now.Add(24 * time.Hour)
	}
	w.step()
	got := w.last()
	if got.ID != d.ID || got.State != StatePlanned || !got.Moment.After(w.now) || berlin(t).Contains(got.Moment) || w.api.creates != 0 {
		t.Fatalf("after a missed moment: %+v, %d creates; want the same drill re-planned in the next off-hours", got, w.api.creates)
	}
}

func TestNextPlanFollowsTheLatestMomentNotTheID(t *testing.T) {
	w := newWorld(t, start, false)
	// An ended drill whose id sorts after any planned id ("demo-1" after
	// "2026..."), as the demo stores its first one.
	ended := store.Drill{ID: "demo-1", Marker: "support-drill-demo-1", Moment: start.Add(-time.Hour), State: "responded",
		TicketID: "t0", FiledAt: start.Add(-time.Hour), RepliedAt: start.Add(-time.Minute), Closing: closingPosted}
	if err := w.st.PutDrill("acme", ended); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		w.step()
	}
	ds := w.drills()
	if len(ds) != 2 {
		t.Fatalf("%d drills after 5 steps, want the ended one and one plan: %+v", len(ds), ds)
	}
	if next := current(ds); next.State != StatePlanned || next.Moment.Before(ended.Moment) ||
		w.dr.interval(next.Moment) <= w.dr.interval(ended.Moment) {
		t.Errorf("next %+v, want planned in an interval after %s's", next, ended.Moment)
	}
}

// TestDryRunNeverWrites: a drill left creating or filed by a run that
// sends, continued under --drill.dry-run, creates and comments nothing.
func TestDryRunNeverWrites(t *testing.T) {
	w := newWorld(t, start, false)
	d := w.fireAt() // filed by a run that sends
	w.dr = w.driller(w.st, true)
	w.replies[d.TicketID] = d.FiledAt.Add(time.Hour)
	for range 3 {
		w.step()
	}
	if got := w.last(); got.State != "responded" || got.Closing != "" || len(w.api.comments) != 0 {
		t.Fatalf("dry run after the reply: %+v, %d comments; want responded, the closing left for a run that sends", got, len(w.api.comments))
	}
	w.dr = w.driller(w.st, false)
	w.step()
	if len(w.api.comments) != 1 {
		t.Errorf("the run that sends posted %d closings, want 1", len(w.api.comments))
	}

	w = newWorld(t, start, false)
	w.step()
	p := w.last()
	w.now = p.Moment.Add(time.Hour)
	p.State, p.Attempts, p.AttemptAt = StateCreating, 1, p.Moment // sent, outcome unknown, not at the vendor
	if err := w.st.PutDrill("acme", p); err != nil {
		t.Fatal(err)
	}
	w.dr = w.driller(w.st, true)
	w.step()
	if w.api.creates != 0 || w.last().State != StateCreating {
		t.Errorf("dry run with a create of unknown outcome: %d creates, state %s; want none, still creating", w.api.creates, w.last().State)
	}
}

// TestSourceChangedByAReload: a planned drill files through the new
// source; one whose create's outcome is unknown at the old source is not
// created again.
func TestSourceChangedByAReload(t *testing.T) {
	w := newWorld(t, start, false)
	w.step()
	p := w.last()
	p.Source = "old"
	if err := w.st.PutDrill("acme", p); err != nil {
		t.Fatal(err)
	}
	w.now = p.Moment
	w.step()
	if got := w.last(); got.Source != "helpdesk" || got.State != StateFiled {
		t.Fatalf("planned drill of a removed source: %+v, want filed through helpdesk", got)
	}

	w = newWorld(t, start, false)
	w.step()
	p = w.last()
	p.Source, p.State, p.Attempts, p.AttemptAt = "old", StateCreating, 1, p.Moment
	if err := w.st.PutDrill("acme", p); err != nil {
		t.Fatal(err)
	}
	w.now = p.Moment.Add(time.Hour)
	w.step()
	if got := w.last(); got.State != "create_failed" || w.api.creates != 0 {
		t.Fatalf("creating at a removed source: %+v, %d creates; want create_failed, none", got, w.api.creates)
	}
}

// TestRepeatCreateOnlyOffHoursAndWithinTheBound: a create of unknown
// outcome that the settled search does not find is sent again only while
// the calendar is off-hours and within repeatWithin of the moment.
func TestRepeatCreateOnlyOffHoursAndWithinTheBound(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after func(moment time.Time, cal *calendar.Calendar) time.Time
	}{
		{"business hours", func(m time.Time, cal *calendar.Calendar) time.Time {
			t := m.Add(findSettle)
			for !cal.Contains(t) {
				t = t.Add(time.Minute)
			}
			return t
		}},
		{"past the bound", func(m time.Time, cal *calendar.Calendar) time.Time {
			t := m.Add(repeatWithin + time.Minute)
			for cal.Contains(t) { // the next off-hours, past the bound
				t = t.Add(time.Minute)
			}
			return t
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, start, false)
			w.api.createErr = &fetch.Error{Reason: fetch.ReasonHTTP, Status: 502}
			d := w.fireAt()
			if d.State != StateCreating || w.api.creates != 1 {
				t.Fatalf("after a 502: %+v, %d creates", d, w.api.creates)
			}
			w.now = tc.after(d.Moment, berlin(t))
			w.step()
			got := w.last()
			if w.api.creates != 1 || got.State != quality.DrillCreateFailed.String() {
				t.Fatalf("%s: %+v, %d creates; want create_failed without a second create", tc.name, got, w.api.creates)
			}
		})
	}
}

// TestTargetChangedByAReload: the drill stores its target (base URL,
// repository or service desk); a create of unknown outcome is never
// looked for nor sent again at another target, and no closing comment
// goes there.
func TestTargetChangedByAReload(t *testing.T) {
	w := newWorld(t, start, false)
	w.step()
	p := w.last()
	if p.Target != "https://acme.zendesk.com" {
		t.Fatalf("plan's target %q, want the creator's", p.Target)
	}
	w.api.createErr = &fetch.Error{Reason: fetch.ReasonHTTP, Status: 502}
	w.now = p.Moment
	w.step()
	w.api.target = "https://other.zendesk.com" // a reload pointed the source elsewhere
	w.now = p.Moment.Add(findSettle)
	w.step()
	if got := w.last(); got.State != quality.DrillCreateFailed.String() || w.api.creates != 1 || w.api.finds != 0 {
		t.Fatalf("creating at a changed target: %+v, %d creates, %d finds; want create_failed, no search, no second create",
			got, w.api.creates, w.api.finds)
	}

	w = newWorld(t, start, false)
	d := w.fireAt()
	w.replies[d.TicketID] = w.now.Add(time.Hour)
	w.api.target = "https://other.zendesk.com"
	w.now = w.now.Add(2 * time.Hour)
	w.step()
	if got := w.last(); got.Closing != closingFailed || len(w.api.comments) != 0 {
		t.Fatalf("closing at a changed target: %+v, comments %q; want none", got, w.api.comments)
	}
}

// TestHAPairFilesOneTicket: two exporters (an HA pair), each with its own
// store, drill the same vendor: the second to fire finds the first's
// drill ticket before any create and watches it; exactly one create, and
// one closing comment.
func TestHAPairFilesOneTicket(t *testing.T) {
	a := newWorld(t, start, false)
	b := newWorld(t, start, false)
	b.api = a.api                 // one vendor
	b.dr = b.driller(b.st, false) // the same plan: the worst case
	a.step()
	b.step()
	ma, mb := a.last().Moment, b.last().Moment
	first, second := a, b
	if mb.Before(ma) {
		first, second = b, a
	}
	first.now = first.last().Moment
	first.step()
	second.now = second.last().Moment
	second.step()
	if a.api.creates != 1 {
		t.Fatalf("%d creates by the pair, want 1", a.api.creates)
	}
	got := second.last()
	if got.State != StateFiled || got.TicketID != first.last().TicketID || got.Closing != closingOther {
		t.Fatalf("the second instance's drill: %+v, want it watching %s", got, first.last().TicketID)
	}
	// The reply comes; both end, one closing comment.
	first.replies[got.TicketID] = second.now
	second.replies[got.TicketID] = second.now
	first.now, second.now = second.now.Add(time.Hour), second.now.Add(time.Hour)
	first.step()
	second.step()
	second.step()
	if len(a.api.comments) != 1 || first.drills()[0].State != "responded" || second.drills()[0].State != "responded" {
		t.Fatalf("comments %q, results %s and %s; want one closing, both responded", a.api.comments, first.drills()[0].State, second.drills()[0].State)
	}
}

// TestAnOlderDrillTicketSkips: another instance's drill ticket filed
// within the timeout before the moment, but past the timeout by now,
// ends the drill as skipped without a create.
func TestAnOlderDrillTicketSkips(t *testing.T) {
	w := newWorld(t, start, false)
	w.step()
	d := w.last()
	w.api.tickets[markerPrefix+"other"] = source.Filed{ID: "x1", CreatedAt: d.Moment.Add(-72*time.Hour + time.Minute)}
	w.now = d.Moment.Add(2 * time.Minute)
	if berlin(t).Contains(w.now) {
		t.Fatal("the test's moment is not off-hours")
	}
	w.step()
	if got := w.last(); got.State != "skipped" || w.api.creates != 0 {
		t.Fatalf("%+v, %d creates; want skipped, none", got, w.api.creates)
	}
}

// TestCreateNotSentRetriesAfterRetryAfter: a create refused unsent (a
// 429, GitHub's 403 secondary limit, a wait for the limiter cut short)
// puts the drill back as it was, and it is sent after the Retry-After,
// in the same off-hours stretch, instead of ending as create_failed.
func TestCreateNotSentRetriesAfterRetryAfter(t *testing.T) {
	for _, err := range []*fetch.Error{
		{Reason: fetch.ReasonRateLimited, Status: 429, RetryAfter: 5 * time.Minute},
		{Reason: fetch.ReasonRateLimited, Status: 403, RetryAfter: 5 * time.Minute},
		{Reason: fetch.ReasonRateLimited, Err: context.Canceled},
	} {
		w := newWorld(t, start, false)
		w.api.createErr = err
		d := w.fireAt()
		if d.State != StatePlanned || d.Attempts != 0 || !d.NotBefore.After(w.now) {
			t.Fatalf("%v: after a create not sent: %+v; want planned, no attempt, a retry time", err, d)
		}
		w.now = d.NotBefore.Add(-time.Second)
		w.step()
		if w.api.creates != 1 {
			t.Fatalf("%v: %d creates before the retry time, want 1", err, w.api.creates)
		}
		w.now = d.NotBefore
		w.step()
		if got := w.last(); got.State != StateFiled || got.Attempts != 1 || w.api.creates != 2 {
			t.Fatalf("%v: after the retry: %+v, %d creates; want filed by attempt 1", err, got, w.api.creates)
		}
	}
}

// TestMomentLeavesTwoTicksOfOffHours: with off-hours of ten minutes a
// day, every moment is at least two ticks before its stretch ends, so
// the step that fires it still runs off-hours.
func TestMomentLeavesTwoTicksOfOffHours(t *testing.T) {
	cal, err := calendar.New("Europe/Berlin", []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "00:00-23:50", nil)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(100) {
		w := newWorld(t, start.Add(time.Duration(seed)*(30*24+7)*time.Hour), false) // one plan per interval
		w.dr.cal = cal
		w.step()
		m := w.last().Moment
		if cal.Contains(m) || cal.Between(m, m.Add(2*time.Minute)) != 0 {
			t.Fatalf("seed %d: moment %s within two ticks of business hours", seed, m.In(cal.Location()))
		}
	}
}

// TestNoClosingCommentOnASolvedTicket: the vendor answered and solved the
// drill ticket; a comment by the buyer would reopen it, so none is sent.
func TestNoClosingCommentOnASolvedTicket(t *testing.T) {
	w := newWorld(t, start, false)
	d := w.fireAt()
	w.replies[d.TicketID] = w.now.Add(time.Hour)
	w.solved[d.TicketID] = true
	w.now = w.now.Add(2 * time.Hour)
	w.step()
	w.step()
	if got := w.drills()[0]; got.State != "responded" || got.Closing != closingSolved || len(w.api.comments) != 0 {
		t.Fatalf("%+v, comments %q; want responded, no comment", got, w.api.comments)
	}
}

// TestStallsAreBounded: a drill never waits forever. Status pages that
// never complete a sync end it as skipped 2h after its moment, with
// nothing sent; a look for the marker that keeps failing after a create
// of unknown outcome ends it as create_failed after the timeout, with no
// second create.
func TestStallsAreBounded(t *testing.T) {
	w := newWorld(t, start, false)
	w.unknown = true
	d := w.fireAt()
	if d.State != StatePlanned {
		t.Fatalf("status pages not synced yet: %+v, want still planned", d)
	}
	w.now = d.Moment.Add(repeatWithin + time.Minute)
	w.step()
	if got := w.drills()[0]; got.State != "skipped" || w.api.creates != 0 {
		t.Fatalf("status pages never synced: %+v, %d creates; want skipped, none", got, w.api.creates)
	}

	w = newWorld(t, start, false)
	w.api.createErr = &fetch.Error{Reason: fetch.ReasonHTTP, Status: 502}
	d = w.fireAt()
	w.api.findErr = &fetch.Error{Reason: fetch.ReasonHTTP, Status: 503}
	w.now = d.AttemptAt.Add(time.Hour)
	if err := w.dr.Step(context.Background()); err == nil || w.last().State != StateCreating {
		t.Fatalf("a failing look: %v, %+v; want an error, still creating", err, w.last())
	}
	w.now = d.AttemptAt.Add(72*time.Hour + time.Minute)
	w.step()
	if got := w.drills()[0]; got.State != "create_failed" || w.api.creates != 1 {
		t.Fatalf("a look failing past the timeout: %+v, %d creates; want create_failed after 1", got, w.api.creates)
	}
}

// TestTheNewestOtherDrillTicketIsTakenOver: the look for another
// instance's drill ticket meets first (in the vendor's list order) an
// older ticket this store's own drill filed, then the other instance's,
// newer: it takes over the other's instead of stopping at its own and
// filing a second ticket.
func TestTheNewestOtherDrillTicketIsTakenOver(t *testing.T) {
	w := newWorld(t, start, false)
	w.step()
	d := w.last()
	mine := store.Drill{ID: "a-mine", Source: "helpdesk", Marker: markerPrefix + "a-mine", Moment: d.Moment.Add(-24 * time.Hour),
		State: "responded", TicketID: "x0", FiledAt: d.Moment.Add(-24 * time.Hour), Closing: closingPosted, Target: w.api.Target()}
	if err := w.st.PutDrill("acme", mine); err != nil {
		t.Fatal(err)
	}
	w.api.tickets[mine.Marker] = source.Filed{ID: "x0", CreatedAt: mine.FiledAt}
	w.api.tickets[markerPrefix+"b-other"] = source.Filed{ID: "x1", CreatedAt: d.Moment.Add(-time.Minute)}
	w.now = d.Moment
	if berlin(t).Contains(w.now) {
		t.Fatal("the test's moment is not off-hours")
	}
	w.step()
	got, _ := w.st.Drills("acme")
	var run store.Drill
	for _, g := range got {
		if g.ID == d.ID {
			run = g
		}
	}
	if w.api.creates != 0 || run.State != StateFiled || run.TicketID != "x1" || run.Closing != closingOther {
		t.Fatalf("%d creates, drill %+v; want the other instance's x1 taken over", w.api.creates, run)
	}
}

// plannedMoment is the moment plan picks in interval k.
func (dr *Driller) plannedMoment(k int64) time.Time {
	m, _ := dr.offHoursMoment(dr.intervalRand(k), dr.intervalStart(k), dr.intervalStart(k+1))
	return m
}

// TestHAPairPlansOneDrill: two exporters of an HA pair whose clocks
// differ by minutes and which started days apart plan the same moment
// and marker; moments are never further apart than the clocks, so the
// one that fires second finds the first's ticket: exactly one create.
func TestHAPairPlansOneDrill(t *testing.T) {
	for _, tc := range []struct{ startB, skew time.Duration }{
		{startB: 5 * 24 * time.Hour, skew: 3 * time.Minute},
		{startB: 9 * time.Hour, skew: -90 * time.Second},
		{startB: 0, skew: 40 * time.Second},
	} {
		a := newWorld(t, start, false)
		b := newWorld(t, start.Add(tc.startB), false)
		b.api = a.api
		b.dr = b.driller(b.st, false)
		b.dr.d.Rand = rand.New(rand.NewPCG(99, 7)) // its own seed, as each process has
		a.step()
		b.step()
		da, db := a.last(), b.last()
		if da.Moment.Before(b.now) {
			// b started after a's moment: a drills this interval, b the next;
			// a's next is then b's.
			t.Fatalf("%+v: a's moment %s before b's start %s: the test's starts are too far apart", tc, da.Moment, b.now)
		}
		if da.Marker != db.Marker || !da.Moment.Equal(db.Moment) {
			t.Fatalf("%+v: a plans %s at %s, b %s at %s; want the same drill", tc, da.Marker, da.Moment, db.Marker, db.Moment)
		}
		// Each fires when its own clock reaches the moment; b's clock runs
		// tc.skew ahead of a's.
		first, second := a, b
		if tc.skew > 0 {
			first, second = b, a
		}
		a.api.now = func() time.Time { return first.now } // the vendor's clock: the first's
		first.now = da.Moment
		first.step()
		second.now = da.Moment.Add(tc.skew.Abs())
		second.step()
		if a.api.creates != 1 {
			t.Fatalf("%+v: %d creates by the pair, want 1", tc, a.api.creates)
		}
		if got := second.last(); got.State != StateFiled || got.TicketID != first.last().TicketID || got.Closing != closingOther {
			t.Fatalf("%+v: the second to fire: %+v, want it watching %s", tc, got, first.last().TicketID)
		}
	}
}

// TestARecordWithoutTargetTakesTheCurrentOnce: a drill left creating by
// an older build, whose record has no target, is looked for and found
// at the current target instead of ending create_failed as if the target
// had changed; the target is then stored, and a later change is seen.
func TestARecordWithoutTargetTakesTheCurrentOnce(t *testing.T) {
	w := newWorld(t, start, false)
	w.step()
	d := w.last()
	w.now = d.Moment.Add(time.Minute)
	d.State, d.Attempts, d.AttemptAt, d.Target = StateCreating, 1, d.Moment, ""
	if err := w.st.PutDrill("acme", d); err != nil {
		t.Fatal(err)
	}
	w.api.tickets[d.Marker] = source.Filed{ID: "t7", CreatedAt: d.Moment}
	w.step()
	got := w.last()
	if got.State != StateFiled || got.TicketID != "t7" || got.Target != w.api.Target() || w.api.creates != 0 {
		t.Fatalf("%+v, %d creates; want filed as t7 with the current target stored", got, w.api.creates)
	}
	w.api.target = "https://other.zendesk.com"
	w.replies["t7"] = w.now
	w.now = w.now.Add(time.Hour)
	w.step()
	w.step()
	if got := w.drills()[0]; got.ID != d.ID || got.Closing != closingFailed || len(w.api.comments) != 0 {
		t.Fatalf("after the target changed: %+v, comments %q; want no closing comment at the other target", got, w.api.comments)
	}
}
