package simulator

import (
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"time"
)

// Every status-page kind serves the same generated world, as of the clock,
// but shows only what the real format shows, so each has its own truth. As
// of an instant, with Truth's incidents and maintenances:
//
//   - statuspage: every incident and maintenance (lists capped at 50).
//   - incidentio: incidents from /api/v2/incidents.json (the 50 newest,
//     maintenances excluded) and the unresolved ones in
//     /api/v2/summary.json; maintenances only from the widget while
//     announced and not completed; no started_at, postmortem nor
//     announcement time.
//   - instatus: only unresolved incidents and maintenances announced and
//     not completed; no history, no first-post time.
//   - statusio: as instatus (incidents only while active, maintenances
//     until completed), with first-post and announcement times.
//   - cachet: every incident and maintenance (paged), times to the second
//     in the vendor's Timezone; no impact, one component per incident, no
//     maintenance end.
//   - feed: the 25 newest items of history.atom (by their newest update,
//     maintenances by their announcement), incidents and maintenances
//     alike, times to the minute; no impact, components nor started_at.

// statusFormats builds each status-page kind's API over a vendor's world;
// base is the API's own URL once listening.
var statusFormats = map[string]func(w *world, clock func() time.Time, base func() string) http.Handler{
	KindStatuspage: func(w *world, clock func() time.Time, base func() string) http.Handler {
		return newStatuspageAPI(w, clock, base)
	},
	KindIncidentio: func(w *world, clock func() time.Time, base func() string) http.Handler {
		return &incidentioAPI{statusAPI{w, clock, base}}
	},
	KindInstatus: func(w *world, clock func() time.Time, base func() string) http.Handler {
		return &instatusAPI{statusAPI{w, clock, base}}
	},
	KindStatusio: func(w *world, clock func() time.Time, base func() string) http.Handler {
		return &statusioAPI{statusAPI{w, clock, base}}
	},
	KindCachet: func(w *world, clock func() time.Time, base func() string) http.Handler {
		return &cachetAPI{statusAPI{w, clock, base}}
	},
	KindFeed: func(w *world, clock func() time.Time, base func() string) http.Handler {
		return &feedAPI{statusAPI{w, clock, base}}
	},
}

// statusAPI is what every status format's API holds.
type statusAPI struct {
	w     *world
	clock func() time.Time
	base  func() string
}

// pageNow is the vendor's page as of the clock.
func (a statusAPI) pageNow() *pageState { return a.w.pageAt(a.clock().UnixMilli()) }

// getOnly answers anything but GET with 405, as the public pages do, and
// reports whether the request may go on.
func getOnly(rw http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet {
		return true
	}
	rw.Header().Set("Allow", http.MethodGet)
	http.Error(rw, "Method Not Allowed", http.StatusMethodNotAllowed)
	return false
}

// posted is the part of updates posted by now.
func posted(updates []update, now int64) []update {
	n := 0
	for n < len(updates) && updates[n].at <= now {
		n++
	}
	return updates[:n]
}

func maintenanceStarted(m *maintenance, now int64) bool { return m.updates[1].at <= now }
func maintenanceDone(m *maintenance, now int64) bool    { return m.completed() <= now }

// leaves are the indexes of the components that are no group container:
// the formats without groups list only these.
func (w *world) leaves() []int {
	var out []int
	for i, c := range w.id.components {
		if !c.group {
			out = append(out, i)
		}
	}
	return out
}

// derivedID turns one of the world's ids into another vendor's id style:
// n characters of alphabet, the same for the same id, so one item keeps its
// identity across polls.
func derivedID(id, alphabet string, n int) string {
	h := fnv.New64a()
	h.Write([]byte(id))
	r := rand.New(rand.NewPCG(h.Sum64(), uint64(len(alphabet))))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}
