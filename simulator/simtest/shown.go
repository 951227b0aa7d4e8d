// Package simtest holds what tests must know of the simulated APIs beyond
// the answers themselves, as net/http/httptest does for HTTP: which of a
// vendor's incidents and maintenances each status format shows, and how a
// session kind (imap) fails under each fault (SessionFaults). A status
// kind the simulator plays must have its rule here; a test asking for a
// kind without one fails, rather than expecting nothing of it.
package simtest

import (
	"fmt"
	"slices"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// Shown is what a status API shows of a vendor's world at an instant: the
// ids of the incidents and maintenances it lists (simulator.Truth's ids).
type Shown struct{ Incidents, Maintenances map[string]bool }

// Union is what a source that polled at both instants has seen.
func (s Shown) Union(o Shown) Shown {
	out := Shown{Incidents: map[string]bool{}, Maintenances: map[string]bool{}}
	for _, m := range []Shown{s, o} {
		for id := range m.Incidents {
			out.Incidents[id] = true
		}
		for id := range m.Maintenances {
			out.Maintenances[id] = true
		}
	}
	return out
}

// rule is what one status format shows of tr.
type rule func(tr simulator.Truth, s Shown)

// rules are the status formats' visibility, as the simulator serves them
// (simulator/formats.go says why each shows what it shows).
var rules = map[string]rule{
	// The newest 50 incidents and maintenances: all of a test's world.
	simulator.KindStatuspage: all(true, true),
	// Every page of the lists.
	simulator.KindCachet: all(true, true),
	// Incidents in full; maintenances only while announced or under way
	// (the widget's).
	simulator.KindIncidentio: func(tr simulator.Truth, s Shown) {
		all(true, false)(tr, s)
		current(false, true)(tr, s)
	},
	// What is under way or announced only.
	simulator.KindInstatus: current(true, true),
	simulator.KindStatusio: current(true, true),
	// The 25 entries dated last: incidents by their newest post,
	// maintenances by their announcement.
	simulator.KindFeed: newest(25),
}

// ShownBy is what the status API of kind shows of tr; an error for a kind
// without a rule.
func ShownBy(kind string, tr simulator.Truth) (Shown, error) {
	r, ok := rules[kind]
	if !ok {
		return Shown{}, fmt.Errorf("simtest: status kind %q has no visibility rule: add it to simulator/simtest", kind)
	}
	s := Shown{Incidents: map[string]bool{}, Maintenances: map[string]bool{}}
	r(tr, s)
	return s, nil
}

// ShowsHistory reports whether kind's API shows every incident and every
// maintenance of a test's world, past ones included (a page showing only
// what is under way does not); false for a kind without a rule.
func ShowsHistory(kind string) (incidents, maintenances bool) {
	r, ok := rules[kind]
	if !ok {
		return false, false
	}
	// A world of one resolved incident and one completed maintenance.
	past := time.Unix(0, 0).UTC()
	tr := simulator.Truth{
		Incidents:    []simulator.IncidentTruth{{ID: "i", Created: past, Resolved: past, Updates: []time.Time{past}}},
		Maintenances: []simulator.MaintenanceTruth{{ID: "m", Created: past, Completed: past}},
	}
	s := Shown{Incidents: map[string]bool{}, Maintenances: map[string]bool{}}
	r(tr, s)
	return s.Incidents["i"], s.Maintenances["m"]
}

func all(incidents, maintenances bool) rule {
	return func(tr simulator.Truth, s Shown) {
		for _, in := range tr.Incidents {
			if incidents {
				s.Incidents[in.ID] = true
			}
		}
		for _, m := range tr.Maintenances {
			if maintenances {
				s.Maintenances[m.ID] = true
			}
		}
	}
}

func current(incidents, maintenances bool) rule {
	return func(tr simulator.Truth, s Shown) {
		for _, in := range tr.Incidents {
			if incidents && in.Resolved.IsZero() {
				s.Incidents[in.ID] = true
			}
		}
		for _, m := range tr.Maintenances {
			if maintenances && m.Completed.IsZero() {
				s.Maintenances[m.ID] = true
			}
		}
	}
}

func newest(n int) rule {
	return func(tr simulator.Truth, s Shown) {
		type entry struct {
			at       time.Time
			id       string
			incident bool
		}
		var entries []entry
		for _, in := range tr.Incidents {
			last := in.Updates[len(in.Updates)-1]
			if in.Postmortem.After(last) {
				last = in.Postmortem
			}
			entries = append(entries, entry{last, in.ID, true})
		}
		for _, m := range tr.Maintenances {
			entries = append(entries, entry{m.Created, m.ID, false})
		}
		slices.SortStableFunc(entries, func(a, b entry) int { return b.at.Compare(a.at) })
		for _, e := range entries[:min(n, len(entries))] {
			if e.incident {
				s.Incidents[e.id] = true
			} else {
				s.Maintenances[e.id] = true
			}
		}
	}
}
