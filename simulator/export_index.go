package simulator

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// The export index is the only per-ticket memory of the simulator: one
// entry per ticket update (about ten per ticket, 12 bytes each), sorted by
// time. Zendesk's incremental export lists each ticket once, at its latest
// update, ordered by that update; as the clock moves, a ticket's latest
// update moves. With the entries sorted by time and each entry knowing when
// its ticket changes next, a page "after position p, as of now" is a scan
// from p that keeps the entries whose next change is still in the future.

// indexAhead is how far past the current instant the index covers live
// tickets (seconds), so that it grows once a simulated day, not per request.
const indexAhead = 24 * 3600

// noNext marks a ticket's last update.
const noNext = math.MaxUint32

type entry struct {
	at     uint32 // seconds since world.t0
	next   uint32 // when the same ticket is updated next; noNext when never
	ticket uint32 // ticket index
}

func (e entry) compare(f entry) int {
	if c := cmp.Compare(e.at, f.at); c != 0 {
		return c
	}
	return cmp.Compare(e.ticket, f.ticket)
}

type exportIndex struct {
	entries []entry // sorted by (at, ticket)
	tickets int     // tickets 0..tickets-1 are in the index
	horizon int64   // every ticket created at or before horizon is in the index
}

// buildIndex indexes every ticket created by horizon (Unix seconds).
func buildIndex(w *world, horizon int64) *exportIndex {
	return extendIndex(w, &exportIndex{}, horizon)
}

// extendIndex returns ix plus the tickets created after it by horizon.
func extendIndex(w *world, ix *exportIndex, horizon int64) *exportIndex {
	if w.liveSlot == 0 {
		horizon = math.MaxInt64 // no live tickets: history is all there is
	}
	n := w.ticketsBound(horizon)
	fresh := w.indexEntries(ix.tickets, n)
	slices.SortFunc(fresh, entry.compare)
	return &exportIndex{entries: mergeEntries(ix.entries, fresh), tickets: n, horizon: horizon}
}

// indexEntries generates tickets [from, to) on every CPU and lists their
// updates, unsorted.
func (w *world) indexEntries(from, to int) []entry {
	workers := min(runtime.GOMAXPROCS(0), max(1, (to-from)/10000))
	parts := make([][]entry, workers)
	var wg sync.WaitGroup
	for k := range workers {
		lo, hi := from+(to-from)*k/workers, from+(to-from)*(k+1)/workers
		wg.Go(func() {
			out := make([]entry, 0, (hi-lo)*10)
			for i := lo; i < hi; i++ {
				out = w.appendEntries(out, i)
			}
			parts[k] = out
		})
	}
	wg.Wait()
	return slices.Concat(parts...)
}

// appendEntries appends ticket i's updates to out.
func (w *world) appendEntries(out []entry, i int) []entry {
	steps := w.timeline(i).steps
	for j, st := range steps {
		e := entry{at: uint32(st.at - w.t0), next: noNext, ticket: uint32(i)}
		if j+1 < len(steps) {
			e.next = uint32(steps[j+1].at - w.t0)
		}
		out = append(out, e)
	}
	return out
}

// reindexTicket replaces ticket i's entries with those of its timeline as
// edited: an edit is an update, and a deletion ends the ticket.
func (w *world) reindexTicket(i int) {
	w.indexMu.Lock()
	defer w.indexMu.Unlock()
	ix := w.index.Load()
	kept := slices.DeleteFunc(slices.Clone(ix.entries), func(e entry) bool { return int(e.ticket) == i })
	fresh := w.appendEntries(nil, i)
	slices.SortFunc(fresh, entry.compare)
	w.index.Store(&exportIndex{entries: mergeEntries(kept, fresh), tickets: ix.tickets, horizon: ix.horizon})
}

func mergeEntries(a, b []entry) []entry {
	if len(a) == 0 {
		return b
	}
	out := make([]entry, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].compare(b[0]) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// indexFor returns an index that covers every ticket created by now.
func (w *world) indexFor(now int64) *exportIndex {
	if ix := w.index.Load(); now <= ix.horizon {
		return ix
	}
	w.indexMu.Lock()
	defer w.indexMu.Unlock()
	ix := w.index.Load()
	if now > ix.horizon {
		ix = extendIndex(w, ix, now+indexAhead)
		w.index.Store(ix)
	}
	return ix
}

// position is where an export stands: after the update at `at` (Unix
// seconds) of ticket index `ticket`; ticket -1 is before every ticket
// updated in that second.
type position struct {
	at     int64
	ticket int64
}

// hit is one ticket of a page, at its latest update as of the page's now.
type hit struct {
	ticket int
	at     int64
}

// page returns up to limit tickets whose latest update as of now comes
// after pos, in (update, id) order, and whether nothing more is left as of
// now.
func (ix *exportIndex) page(t0 int64, pos position, now int64, limit int) (hits []hit, end bool) {
	nowOff := now - t0
	if nowOff < 0 {
		return nil, true
	}
	nowOff = min(nowOff, noNext-1)
	off := pos.at - t0
	i := sort.Search(len(ix.entries), func(i int) bool {
		e := ix.entries[i]
		return int64(e.at) > off || (int64(e.at) == off && int64(e.ticket) > pos.ticket)
	})
	for ; i < len(ix.entries); i++ {
		e := ix.entries[i]
		if int64(e.at) > nowOff {
			return hits, true
		}
		if int64(e.next) <= nowOff { // updated again since: listed at that later update
			continue
		}
		if len(hits) == limit {
			return hits, false
		}
		hits = append(hits, hit{ticket: int(e.ticket), at: t0 + int64(e.at)})
	}
	return hits, true
}
