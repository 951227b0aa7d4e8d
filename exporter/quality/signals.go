package quality

import (
	"slices"
	"time"
)

// signals are a vendor's customer signals: those known from their instant
// on (nearly all: tickets fetched in time, alerts), and the few that became
// known later (see signal), each with the instant it became known.
type signals struct {
	timely signalSet
	late   []lateSignal
}

// lateSignal is a late signal, in Unix milliseconds.
type lateSignal struct{ at, known int64 }

func (s *signals) add(sg signal) {
	if !sg.late() {
		s.timely.add(sg.at)
		return
	}
	s.late = append(s.late, lateSignal{sg.at.UnixMilli(), sg.known.UnixMilli()})
}

// remove takes one signal equal to sg out, if there is one.
func (s *signals) remove(sg signal) {
	if !sg.late() {
		s.timely.remove(sg.at)
		return
	}
	if i := slices.Index(s.late, lateSignal{sg.at.UnixMilli(), sg.known.UnixMilli()}); i >= 0 {
		s.late = slices.Delete(s.late, i, i+1)
	}
}

// signalSet is a vendor's customer signals (the creation instants of its
// tickets, and the starts of its customer alerts), a multiset kept compactly
// because a vendor may hold millions of tickets: per hour since the Unix
// epoch, the sorted millisecond offsets into that hour, 4 bytes a signal.
// Finding the earliest signal in a window costs at most the hours the
// window spans (a binary search in each), whatever the number of signals.
type signalSet map[int64][]int32

const hourMillis = int64(time.Hour / time.Millisecond)

// hourOf splits an instant, to the millisecond, into its hour and the
// offset into it (floor division: instants before 1970 too).
func hourOf(t time.Time) (hour int64, offset int32) {
	ms := t.UnixMilli()
	hour = ms / hourMillis
	if ms%hourMillis < 0 {
		hour--
	}
	return hour, int32(ms - hour*hourMillis)
}

func (s signalSet) add(t time.Time) {
	h, off := hourOf(t)
	b := s[h]
	i, _ := slices.BinarySearch(b, off)
	s[h] = slices.Insert(b, i, off)
}

// remove takes one signal at t out, if there is one.
func (s signalSet) remove(t time.Time) {
	h, off := hourOf(t)
	b := s[h]
	i, found := slices.BinarySearch(b, off)
	switch {
	case !found:
	case len(b) == 1:
		delete(s, h)
	default:
		s[h] = slices.Delete(b, i, i+1)
	}
}

// earliest is the first signal in [from, to], to the millisecond. It
// looks at each hour of the window in turn, or, for a window longer than
// the hours holding signals (a bogus started_at decades back), at each of
// those hours.
func (s signalSet) earliest(from, to time.Time) (time.Time, bool) {
	w := hourWindow{}
	w.fromHour, w.fromOff = hourOf(from)
	w.toHour, w.toOff = hourOf(to)
	best, found := int64(0), false
	if w.toHour-w.fromHour < int64(len(s)) {
		for h := w.fromHour; h <= w.toHour && !found; h++ {
			best, found = w.first(h, s[h])
		}
	} else {
		for h, b := range s {
			if ms, ok := w.first(h, b); ok && (!found || ms < best) {
				best, found = ms, true
			}
		}
	}
	if !found {
		return time.Time{}, false
	}
	return time.UnixMilli(best).UTC(), true
}

// hourWindow is a window split into hours and offsets (hourOf).
type hourWindow struct {
	fromHour, toHour int64
	fromOff, toOff   int32
}

// first is the first signal inside the window among hour h's sorted
// offsets b, in Unix milliseconds.
func (w hourWindow) first(h int64, b []int32) (int64, bool) {
	if h < w.fromHour || h > w.toHour {
		return 0, false
	}
	i := 0
	if h == w.fromHour {
		i, _ = slices.BinarySearch(b, w.fromOff)
	}
	if i == len(b) || (h == w.toHour && b[i] > w.toOff) {
		return 0, false
	}
	return h*hourMillis + int64(b[i]), true
}
