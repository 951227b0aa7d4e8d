package simulator

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/support-exporter/support_exporter/exporter/calendar"
)

// world is everything one vendor generates. Items are never stored: each is
// regenerated from its index whenever it is needed (with the edits made to
// it), so a world of a million tickets costs only its export index (see
// exportIndex).
type world struct {
	v     Vendor
	p     Persona // with defaults filled
	seed  uint64
	cal   *calendar.Calendar
	start int64 // Options.Start, Unix seconds
	t0    int64 // start of history, Unix seconds

	// Ticket creation slots, in seconds: ticket i of the history is created
	// in its own slot, so creation times grow with the index.
	histSlot, liveSlot float64
	// scripted are the timelines of Vendor.Script, when set: the world's
	// only tickets.
	scripted []*timeline

	id identity

	indexMu sync.Mutex // serializes changes of index
	index   atomic.Pointer[exportIndex]

	edits edits // what agents changed in served items (edit.go)

	drills drillDesk // the off-hours drill's tickets (drill.go)
}

func newWorld(v Vendor, seed int64, start time.Time) (*world, error) {
	cal, err := calendar.New(v.Timezone, []string{"mon", "tue", "wed", "thu", "fri"}, "09:00-18:00", nil)
	if err != nil {
		return nil, fmt.Errorf("vendor %s: %w", v.Name, err)
	}
	w := &world{
		v:     v,
		p:     v.Persona.withDefaults(),
		seed:  vendorSeed(seed, v.Name),
		cal:   cal,
		start: start.Unix(),
		t0:    start.Add(-v.History).Unix(),
	}
	if v.Tickets > 0 {
		w.histSlot = float64(w.start-w.t0) / float64(v.Tickets)
	}
	if v.LiveTicketsPerHour > 0 {
		w.liveSlot = 3600 / v.LiveTicketsPerHour
	}
	w.id = newIdentity(w.seed)
	if v.Script != nil {
		if w.scripted, err = w.scriptedTimelines(); err != nil {
			return nil, err
		}
	}
	w.index.Store(buildIndex(w, w.start+indexAhead))
	return w, nil
}

// ticketCreated returns when ticket i is created: the first draw of its
// random source places it inside its slot.
func (w *world) ticketCreated(i int) int64 {
	if w.scripted != nil {
		return w.scripted[i].created
	}
	return w.createdFromJitter(i, itemRand(w.seed, streamTicket, uint64(i)).Float64())
}

func (w *world) createdFromJitter(i int, jitter float64) int64 {
	if i < w.v.Tickets {
		return w.t0 + int64(math.Floor((float64(i)+jitter)*w.histSlot))
	}
	return w.start + int64(math.Floor((float64(i-w.v.Tickets)+jitter)*w.liveSlot))
}

// ticketsBy returns how many tickets exist at t (created at or before it).
func (w *world) ticketsBy(t int64) int {
	n := w.ticketsBound(t)
	return sort.Search(n, func(i int) bool { return w.ticketCreated(i) > t })
}

// ticketsBound bounds ticketsBy from above without generating anything:
// all of history, plus every live ticket whose slot starts at or before t.
func (w *world) ticketsBound(t int64) int {
	n := w.v.Tickets + len(w.scripted)
	if t < w.t0 {
		return 0
	}
	if w.liveSlot == 0 || t < w.start {
		return n
	}
	return n + int(float64(t-w.start)/w.liveSlot) + 1
}
