package store

import (
	"fmt"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// recordFormat leads every stored value. A model change that adds a field
// writes a new format and keeps reading the old ones, so the store needs no
// rewrite; TestRecordsCoverEveryField fails until the codec follows the item.
//
//   - 1: the first.
//   - 2: tickets' Figures gain the vendor's SLA clocks.
//   - 3: the histories pin what counters were derived from (item.TicketHistory,
//     IncidentHistory and the new MaintenanceHistory): facts once seen and
//     the judged instants of time-driven verdicts. Extended in place before
//     its first release (reopens seen, whose clock judged each target): no
//     store holds the earlier layout.
//   - 4: tickets gain the collector's own note (item.Ticket.Seen) and each
//     event the message behind it (item.Event.Ref), which the collectors
//     that read a thread again rely on to tell what they have read.
//   - 5: tickets gain the vendor's close reason and closer
//     (item.Ticket.CloseReason, ClosedBy), their history every vendor reply
//     seen and the first close (VendorReplies, Closure); an incident's
//     final times gain its impact and components at resolution. Extended
//     in place before its release: a ticket's close time, type and first
//     vendor label (ClosedAt, Type, TriagedAt), its history every type seen
//     and the first acknowledgement pinned (Types, Acknowledged); its
//     author and every close the API dates (Author, Closes), its history
//     every close seen (Closes, replacing the first close); a
//     documentation site's page list (item.Page, the pages record).
//     Released as extended: no layout change in place since.
//   - 6: tickets gain the drill mark (item.Ticket.Drill) and their history
//     when it was first seen (TicketHistory.DrillSeen).
//   - 7: incidents and maintenances gain the vendor's title
//     (item.Incident.Title, item.Maintenance.Title).
const recordFormat = 7

// oldestFormat is the oldest record format this build still reads.
const oldestFormat = 1

// record is how one stored type is written and read.
type record[T any] struct {
	name   string // for error messages
	encode func(*encoder, *T)
	decode func(*decoder, *T)
}

func (r record[T]) marshal(v *T) []byte {
	e := encoder{buf: make([]byte, 0, 256)}
	e.uint(recordFormat)
	r.encode(&e, v)
	return e.buf
}

func (r record[T]) unmarshal(data []byte, v *T) error {
	d := decoder{buf: data}
	if d.format = d.uint(); d.err == nil && (d.format < oldestFormat || d.format > recordFormat) {
		return fmt.Errorf("record format %d, this build reads %d to %d", d.format, oldestFormat, recordFormat)
	}
	r.decode(&d, v)
	return d.finish()
}

var ticketRecord = record[item.Ticket]{"ticket", encodeTicket, decodeTicket}

func encodeTicket(e *encoder, t *item.Ticket) {
	e.string(t.ID)
	e.time(t.CreatedAt)
	e.time(t.UpdatedAt)
	e.string(t.Priority)
	e.string(string(t.Status))
	e.strings(t.Tags)
	e.bool(t.Escalated)
	e.string(string(t.Satisfaction))
	e.uint(uint64(len(t.Events)))
	for _, ev := range t.Events {
		e.string(string(ev.Kind))
		e.time(ev.At)
		e.string(ev.Ref)
	}
	e.string(t.Seen)
	e.string(t.CloseReason)
	e.string(t.ClosedBy)
	e.time(t.ClosedAt)
	e.string(t.Type)
	e.time(t.TriagedAt)
	e.string(t.Author)
	encodeCloses(e, t.Closes)
	e.bool(t.Drill)
	e.bool(t.Figures != nil)
	if f := t.Figures; f != nil {
		e.time(f.FirstReplyAt)
		e.time(f.FirstSolvedAt)
		e.int(int64(f.Replies))
		e.int(int64(f.Reopens))
		encodeSLAClock(e, f.FirstResponseSLA)
		encodeSLAClock(e, f.ResolutionSLA)
	}
	e.bool(t.History != nil)
	if h := t.History; h != nil {
		e.string(h.FirstPriority)
		e.int(int64(h.RepliesAtFirstSolve))
		e.bool(h.EverEscalated)
		e.uint(uint64(len(h.Ratings)))
		for _, r := range h.Ratings {
			e.string(string(r))
		}
		e.time(h.Created)
		e.time(h.FirstReply)
		e.time(h.FirstSolve)
		e.int(int64(h.Reopens))
		e.int(int64(h.Followups))
		e.int(int64(h.ReopensSeen))
		encodeClockHistory(e, &h.FirstResponse)
		encodeClockHistory(e, &h.Resolution)
		e.uint(uint64(h.OneTouch))
		e.time(h.StoredAsOf)
		e.uint(uint64(len(h.SeenTags)))
		for _, tag := range h.SeenTags {
			e.string(tag.Tag)
			e.time(tag.AsOf)
		}
		e.times(repliesNotShown(h.VendorReplies, t.Events))
		encodeCloses(e, h.Closes)
		e.strings(h.Types)
		e.time(h.Acknowledged)
		e.time(h.DrillSeen)
	}
}

func decodeTicket(d *decoder, t *item.Ticket) {
	t.ID = d.string()
	t.CreatedAt = d.time()
	t.UpdatedAt = d.time()
	t.Priority = d.string()
	t.Status = item.Status(d.symbol(statuses...))
	t.Tags = d.strings()
	t.Escalated = d.bool()
	t.Satisfaction = decodeRating(d)
	if n := d.length(); n > 0 {
		t.Events = make([]item.Event, n)
		for i := range t.Events {
			t.Events[i].Kind = item.EventKind(d.symbol(eventKinds...))
			t.Events[i].At = d.time()
			if d.format >= 4 {
				t.Events[i].Ref = d.string()
			}
		}
	}
	if d.format >= 4 {
		t.Seen = d.string()
	}
	if d.format >= 5 {
		t.CloseReason = d.string()
		t.ClosedBy = d.string()
		t.ClosedAt = d.time()
		t.Type = d.string()
		t.TriagedAt = d.time()
		t.Author = d.string()
		t.Closes = decodeCloses(d)
	}
	if d.format >= 6 {
		t.Drill = d.bool()
	}
	if d.bool() {
		t.Figures = &item.Figures{
			FirstReplyAt:  d.time(),
			FirstSolvedAt: d.time(),
			Replies:       int(d.int()),
			Reopens:       int(d.int()),
		}
		if d.format >= 2 {
			t.Figures.FirstResponseSLA = decodeSLAClock(d)
			t.Figures.ResolutionSLA = decodeSLAClock(d)
		}
	}
	if d.bool() {
		h := &item.TicketHistory{
			FirstPriority:       d.string(),
			RepliesAtFirstSolve: int(d.int()),
			EverEscalated:       d.bool(),
		}
		if n := d.length(); n > 0 {
			h.Ratings = make([]item.Rating, n)
			for i := range h.Ratings {
				h.Ratings[i] = decodeRating(d)
			}
		}
		if d.format >= 3 {
			decodeTicketHistory3(d, h)
		}
		if d.format >= 5 {
			h.VendorReplies = withRepliesShown(d.times(), t.Events)
			h.Closes = decodeCloses(d)
			h.Types = d.strings()
			h.Acknowledged = d.time()
		}
		if d.format >= 6 {
			h.DrillSeen = d.time()
		}
		t.History = h
	}
}

// encodeCloses writes a ticket's closes (item.Ticket.Closes,
// TicketHistory.Closes), in their order.
func encodeCloses(e *encoder, closes []item.Closure) {
	e.uint(uint64(len(closes)))
	for _, c := range closes {
		e.time(c.At)
		e.string(c.Reason)
		e.string(c.By)
		e.bool(c.ByAuthor)
	}
}

func decodeCloses(d *decoder) []item.Closure {
	n := d.length()
	if n == 0 {
		return nil
	}
	closes := make([]item.Closure, n)
	for i := range closes {
		closes[i] = item.Closure{At: d.time(), Reason: d.string(), By: d.string(), ByAuthor: d.bool()}
	}
	return closes
}

// decodeTicketHistory3 reads what format 3 added to a ticket's history.
func decodeTicketHistory3(d *decoder, h *item.TicketHistory) {
	h.Created = d.time()
	h.FirstReply = d.time()
	h.FirstSolve = d.time()
	h.Reopens = int(d.int())
	h.Followups = int(d.int())
	h.ReopensSeen = int(d.int())
	h.FirstResponse = decodeClockHistory(d)
	h.Resolution = decodeClockHistory(d)
	h.OneTouch = item.OneTouch(d.uint())
	if h.OneTouch > item.OneTouchRuledOut {
		d.fail()
	}
	h.StoredAsOf = d.time()
	if n := d.length(); n > 0 {
		h.SeenTags = make([]item.SeenTag, n)
		for i := range h.SeenTags {
			h.SeenTags[i] = item.SeenTag{Tag: d.string(), AsOf: d.time()}
		}
	}
}

// A ticket's pinned vendor replies (item.TicketHistory.VendorReplies) are
// almost always the vendor replies its timeline shows: only those it no
// longer shows (deleted, moved) are written, and the timeline's are added
// back when read, so that the pins cost a byte, not a copy of every
// reply's time. What is read back is the pins with the timeline's replies
// added, which is what package quality completes a history with anyway
// (every reply a version shows is pinned), so a stored ticket derives the
// same whether its pins held them all or not.

// repliesNotShown are the pinned replies that no vendor reply event shows.
func repliesNotShown(pinned []time.Time, events []item.Event) []time.Time {
	shown := vendorReplyTimes(nil, events)
	var out []time.Time
	for _, p := range pinned {
		if _, found := slices.BinarySearchFunc(shown, p, time.Time.Compare); !found {
			out = append(out, p)
		}
	}
	return out
}

// vendorReplyTimes appends the instants of the vendor reply events to ts
// and returns them sorted and distinct.
func vendorReplyTimes(ts []time.Time, events []item.Event) []time.Time {
	for _, e := range events {
		if e.Kind == item.EventVendorReply {
			ts = append(ts, e.At)
		}
	}
	slices.SortStableFunc(ts, time.Time.Compare)
	return slices.CompactFunc(ts, time.Time.Equal)
}

// withRepliesShown is the pinned replies read back: those written, and the
// timeline's vendor replies, sorted and distinct; nil when none.
func withRepliesShown(written []time.Time, events []item.Event) []time.Time {
	all := vendorReplyTimes(written, events)
	if len(all) == 0 {
		return nil
	}
	return all
}

func encodeClockHistory(e *encoder, c *item.ClockHistory) {
	e.time(c.Ended)
	e.time(c.RunningAsOf)
	encodeSLAClock(e, c.Vendor)
	e.bool(c.VendorBreached)
	e.uint(uint64(c.Judge))
}

func decodeClockHistory(d *decoder) item.ClockHistory {
	c := item.ClockHistory{Ended: d.time(), RunningAsOf: d.time(), Vendor: decodeSLAClock(d), VendorBreached: d.bool(),
		Judge: item.Judge(d.uint())}
	if c.Judge > item.JudgeVendor {
		d.fail()
	}
	return c
}

func encodeSLAClock(e *encoder, c *item.SLAClock) {
	e.bool(c != nil)
	if c != nil {
		e.time(c.Deadline)
		e.time(c.Stopped)
		e.bool(c.Breached)
	}
}

func decodeSLAClock(d *decoder) *item.SLAClock {
	if !d.bool() {
		return nil
	}
	return &item.SLAClock{Deadline: d.time(), Stopped: d.time(), Breached: d.bool()}
}

func decodeRating(d *decoder) item.Rating {
	return item.Rating(d.symbol(string(item.RatingGood), string(item.RatingBad)))
}

var incidentRecord = record[item.Incident]{"incident", encodeIncident, decodeIncident}

func encodeIncident(e *encoder, i *item.Incident) {
	e.string(i.ID)
	e.string(string(i.Impact))
	e.time(i.CreatedAt)
	e.time(i.StartedAt)
	e.time(i.ResolvedAt)
	e.time(i.UpdatedAt)
	e.times(i.Updates)
	e.strings(i.Components)
	e.time(i.PostmortemPublishedAt)
	e.bool(i.ResolutionUnknown)
	e.string(i.Title)
	e.bool(i.History != nil)
	if h := i.History; h != nil {
		e.string(string(h.FirstImpact))
		e.time(h.Created)
		e.bool(h.Final != nil)
		if f := h.Final; f != nil {
			e.time(f.Started)
			e.time(f.FirstPost)
			e.time(f.Resolved)
			e.times(f.Updates)
			e.string(string(f.Impact))
			e.strings(f.Components)
		}
		e.time(h.Postmortem)
		e.time(h.NoticeStarted)
		e.time(h.NoticePost)
	}
}

func decodeIncident(d *decoder, i *item.Incident) {
	i.ID = d.string()
	i.Impact = item.Impact(d.symbol(impacts...))
	i.CreatedAt = d.time()
	i.StartedAt = d.time()
	i.ResolvedAt = d.time()
	i.UpdatedAt = d.time()
	i.Updates = d.times()
	i.Components = d.strings()
	i.PostmortemPublishedAt = d.time()
	i.ResolutionUnknown = d.bool()
	if d.format >= 7 {
		i.Title = d.string()
	}
	if d.bool() {
		h := &item.IncidentHistory{FirstImpact: item.Impact(d.symbol(impacts...))}
		if d.format >= 3 {
			h.Created = d.time()
			if d.bool() {
				h.Final = &item.IncidentFinal{Started: d.time(), FirstPost: d.time(), Resolved: d.time(), Updates: d.times()}
				if d.format >= 5 {
					h.Final.Impact = item.Impact(d.symbol(impacts...))
					h.Final.Components = d.strings()
				}
			}
			h.Postmortem = d.time()
			h.NoticeStarted = d.time()
			h.NoticePost = d.time()
		}
		i.History = h
	}
}

var maintenanceRecord = record[item.Maintenance]{"maintenance", encodeMaintenance, decodeMaintenance}

func encodeMaintenance(e *encoder, m *item.Maintenance) {
	e.string(m.ID)
	e.time(m.CreatedAt)
	e.time(m.UpdatedAt)
	e.time(m.ScheduledFor)
	e.time(m.ScheduledUntil)
	e.time(m.CompletedAt)
	e.string(m.Title)
	e.bool(m.History != nil)
	if h := m.History; h != nil {
		e.time(h.Created)
		e.bool(h.Notice != nil)
		if n := h.Notice; n != nil {
			e.time(n.Announced)
			e.time(n.Start)
		}
	}
}

func decodeMaintenance(d *decoder, m *item.Maintenance) {
	m.ID = d.string()
	m.CreatedAt = d.time()
	m.UpdatedAt = d.time()
	m.ScheduledFor = d.time()
	m.ScheduledUntil = d.time()
	m.CompletedAt = d.time()
	if d.format >= 7 {
		m.Title = d.string()
	}
	if d.format >= 3 && d.bool() {
		h := &item.MaintenanceHistory{Created: d.time()}
		if d.bool() {
			h.Notice = &item.MaintenanceNotice{Announced: d.time(), Start: d.time()}
		}
		m.History = h
	}
}

var componentsRecord = record[[]item.Component]{"components", encodeComponents, decodeComponents}

func encodeComponents(e *encoder, cs *[]item.Component) {
	e.uint(uint64(len(*cs)))
	for _, c := range *cs {
		e.string(c.Name)
		e.string(c.Status)
	}
}

func decodeComponents(d *decoder, cs *[]item.Component) {
	list := make([]item.Component, d.length())
	for i := range list {
		list[i].Name = d.string()
		list[i].Status = d.string()
	}
	*cs = list
}

var pagesRecord = record[[]item.Page]{"pages", encodePages, decodePages}

func encodePages(e *encoder, ps *[]item.Page) {
	e.uint(uint64(len(*ps)))
	for _, p := range *ps {
		e.string(p.URL)
		e.time(p.Updated)
		e.int(int64(p.OutdatedTranslations))
	}
}

func decodePages(d *decoder, ps *[]item.Page) {
	list := make([]item.Page, d.length())
	for i := range list {
		list[i].URL = d.string()
		list[i].Updated = d.time()
		list[i].OutdatedTranslations = int(d.int())
	}
	*ps = list
}

// The values most fields hold, recognised when decoding to save allocations.
var (
	statuses = []string{
		string(item.StatusNew), string(item.StatusOpen), string(item.StatusPending),
		string(item.StatusOnHold), string(item.StatusSolved), string(item.StatusClosed),
	}
	eventKinds = []string{
		string(item.EventVendorReply), string(item.EventCustomerReply), string(item.EventSolved),
		string(item.EventReopened), string(item.EventEscalated),
	}
	impacts = []string{
		string(item.ImpactNone), string(item.ImpactMinor), string(item.ImpactMajor), string(item.ImpactCritical),
	}
)
