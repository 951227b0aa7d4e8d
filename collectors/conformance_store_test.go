package collectors_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// memStore is the exporter's store as a source sees it: batches applied
// whole and in order, each item replacing the stored one of its id, a
// batch's components replacing the list when given, its cursor the one
// to resume from when given. It also counts the items a batch brought
// again unchanged.
type memStore struct {
	mu           sync.Mutex
	tickets      map[string]item.Ticket
	incidents    map[string]item.Incident
	maintenances map[string]item.Maintenance
	components   []item.Component // nil until a batch gives them
	pages        []item.Page      // nil until a batch gives them
	cursor       []byte
	batches      int      // batches committed
	unchanged    []string // items committed again as they were stored ("ticket 12")
}

func newMemStore() *memStore {
	return &memStore{tickets: map[string]item.Ticket{}, incidents: map[string]item.Incident{}, maintenances: map[string]item.Maintenance{}}
}

// apply commits b, as the exporter's ingest does once its checks passed.
func (s *memStore) apply(b item.Batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches++
	for _, t := range b.Tickets {
		s.note("ticket "+t.ID, encode(s.tickets[t.ID]), encode(t), s.tickets[t.ID].ID != "")
		s.tickets[t.ID] = t
	}
	for _, in := range b.Incidents {
		s.note("incident "+in.ID, encode(s.incidents[in.ID]), encode(in), s.incidents[in.ID].ID != "")
		s.incidents[in.ID] = in
	}
	for _, m := range b.Maintenances {
		s.note("maintenance "+m.ID, encode(s.maintenances[m.ID]), encode(m), s.maintenances[m.ID].ID != "")
		s.maintenances[m.ID] = m
	}
	if b.Components != nil {
		s.components = slices.Clone(b.Components)
	}
	if b.Pages != nil {
		s.note("pages", encode(s.pages), encode(b.Pages), s.pages != nil)
		s.pages = slices.Clone(b.Pages)
	}
	if b.Cursor != nil {
		s.cursor = slices.Clone(b.Cursor)
	}
}

// note records an item committed again unchanged.
func (s *memStore) note(name, old, new string, stored bool) {
	if stored && old == new {
		s.unchanged = append(s.unchanged, name)
	}
}

// ticket is the stored version of a ticket, for source.Env.Stored.
func (s *memStore) ticket(id string) (*item.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return nil, nil
	}
	return &t, nil
}

// clone is a copy of s whose unchanged count starts at zero.
func (s *memStore) clone() *memStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &memStore{
		tickets: maps.Clone(s.tickets), incidents: maps.Clone(s.incidents), maintenances: maps.Clone(s.maintenances),
		components: slices.Clone(s.components), pages: slices.Clone(s.pages), cursor: slices.Clone(s.cursor), batches: s.batches,
	}
}

// counts says how many items of each sort s holds.
func (s *memStore) counts() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("%d tickets, %d incidents, %d maintenances, %d components, %d pages",
		len(s.tickets), len(s.incidents), len(s.maintenances), len(s.components), len(s.pages))
}

// unchangedCount is how many items were committed again unchanged.
func (s *memStore) unchangedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.unchanged)
}

// diff lists how s differs from want, items compared by their JSON (a
// time's location aside, as the store keeps them), at most max lines; the
// cursor only when withCursor (cursors may name the simulator's port).
func (s *memStore) diff(want *memStore, withCursor bool, max int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	want.mu.Lock()
	defer want.mu.Unlock()
	var out []string
	out = append(out, diffItems("ticket", s.tickets, want.tickets)...)
	out = append(out, diffItems("incident", s.incidents, want.incidents)...)
	out = append(out, diffItems("maintenance", s.maintenances, want.maintenances)...)
	if encode(s.components) != encode(want.components) {
		out = append(out, fmt.Sprintf("components %s, want %s", encode(s.components), encode(want.components)))
	}
	if encode(s.pages) != encode(want.pages) {
		out = append(out, fmt.Sprintf("pages (%d) differ from the reference's (%d)", len(s.pages), len(want.pages)))
	}
	if withCursor && string(s.cursor) != string(want.cursor) {
		out = append(out, fmt.Sprintf("cursor %q, want %q", s.cursor, want.cursor))
	}
	if len(out) > max {
		out = append(out[:max], fmt.Sprintf("... %d more", len(out)-max))
	}
	return out
}

func diffItems[T any](sort string, got, want map[string]T) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[id]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s %s missing", sort, id))
		case encode(g) != encode(want[id]):
			out = append(out, fmt.Sprintf("%s %s is %s, want %s", sort, id, encode(g), encode(want[id])))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[id]; !ok {
			out = append(out, fmt.Sprintf("%s %s not in the reference: %s", sort, id, encode(got[id])))
		}
	}
	return out
}

// encode is v's JSON: items compare by what the store would keep.
func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "unencodable: " + err.Error()
	}
	return string(b)
}

// wrongVersions lists the items of s whose version is not want's: after a
// failed sync of a world that did not move, every item stored must be the
// reference's, or one stored before the sync (before).
func (s *memStore) wrongVersions(want, before *memStore, max int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	check := func(name, got, want, before string) {
		if got != want && got != before {
			out = append(out, fmt.Sprintf("%s is %s, want %s", name, got, want))
		}
	}
	for id, t := range s.tickets {
		check("ticket "+id, encode(t), encode(want.tickets[id]), encode(before.tickets[id]))
	}
	for id, in := range s.incidents {
		check("incident "+id, encode(in), encode(want.incidents[id]), encode(before.incidents[id]))
	}
	for id, m := range s.maintenances {
		check("maintenance "+id, encode(m), encode(want.maintenances[id]), encode(before.maintenances[id]))
	}
	if s.components != nil {
		check("components", encode(s.components), encode(want.components), encode(before.components))
	}
	if s.pages != nil {
		check("pages", encode(s.pages), encode(want.pages), encode(before.pages))
	}
	slices.Sort(out)
	if len(out) > max {
		out = append(out[:max], fmt.Sprintf("... %d more", len(out)-max))
	}
	return out
}

// toldFromStored are the kinds whose API shows a ticket's current state
// only (docs/sources.md): their collector tells solves and reopens from the
// version it stored, so a source that saw a ticket before knows more of
// its timeline than a first sync can (the solve when it happened, not
// when the ticket was first seen solved; a reopen at all); and Jira's SLA
// cycle turns breached at its deadline without the update time
// moving, so a source caught up keeps the flag as of the last
// update (the exporter judges a running clock by its deadline).
var toldFromStored = map[string]bool{"zendesk_requests": true, "jira_service_management": true, "slack": true, "gcp_support": true, "azure_support": true, "aws_support": true}

// figuresFromTimeline are the toldFromStored kinds whose figures hold
// their own timeline's first solve and reopens (azure_support, whose
// figures carry the vendor's first-response deadline): those differ as
// its solve and reopen events do.
var figuresFromTimeline = map[string]bool{"azure_support": true}

// asFirstSync lists how the items a first sync stores (first) differ from
// those of s, a store synced before and caught up since: s may hold more
// (what the vendor no longer shows), never another version, but for what
// toldFromStored says its kind learns only from stored versions.
func (s *memStore) asFirstSync(first *memStore, kind string, max int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	first.mu.Lock()
	defer first.mu.Unlock()
	comparable := func(t item.Ticket) string {
		if !toldFromStored[kind] {
			return encode(t)
		}
		t.Events = slices.DeleteFunc(slices.Clone(t.Events), func(e item.Event) bool {
			return e.Kind == item.EventSolved || e.Kind == item.EventReopened
		})
		if f := t.Figures; f != nil {
			c := *f
			if figuresFromTimeline[kind] {
				c.FirstSolvedAt, c.Reopens = time.Time{}, 0
			}
			for _, clock := range []**item.SLAClock{&c.FirstResponseSLA, &c.ResolutionSLA} {
				if *clock != nil && (*clock).Stopped.IsZero() {
					running := **clock
					running.Breached = false
					*clock = &running
				}
			}
			t.Figures = &c
		}
		return encode(t)
	}
	var out []string
	for _, id := range slices.Sorted(maps.Keys(first.tickets)) {
		g, ok := s.tickets[id]
		switch {
		case !ok:
			out = append(out, "ticket "+id+" missing")
		case comparable(g) != comparable(first.tickets[id]):
			out = append(out, fmt.Sprintf("ticket %s is %s, want %s", id, encode(g), encode(first.tickets[id])))
		}
	}
	common := func(sort string, got, want map[string]string) {
		for _, id := range slices.Sorted(maps.Keys(want)) {
			if g, ok := got[id]; !ok || g != want[id] {
				out = append(out, fmt.Sprintf("%s %s is %s, want %s", sort, id, g, want[id]))
			}
		}
	}
	common("incident", encodeAll(s.incidents), encodeAll(first.incidents))
	common("maintenance", encodeAll(s.maintenances), encodeAll(first.maintenances))
	if encode(s.components) != encode(first.components) {
		out = append(out, fmt.Sprintf("components %s, want %s", encode(s.components), encode(first.components)))
	}
	if encode(s.pages) != encode(first.pages) {
		out = append(out, fmt.Sprintf("pages (%d) differ from a first sync's (%d)", len(s.pages), len(first.pages)))
	}
	if len(out) > max {
		out = append(out[:max], fmt.Sprintf("... %d more", len(out)-max))
	}
	return out
}

func encodeAll[T any](items map[string]T) map[string]string {
	out := make(map[string]string, len(items))
	for id, v := range items {
		out[id] = encode(v)
	}
	return out
}

// earlierVersions lists the tickets of s that are no version the ticket
// truly had: for a kind that reads a stream of messages (imap), a sync
// stopped mid-way stores each thread as of the last message it read, so
// a ticket's version must be want's (or before's) or one of its earlier
// ones: the same creation, its timeline a beginning of want's, its tags
// among want's. A thread missing a message in its middle, or created at
// another message, was never the vendor's.
func (s *memStore) earlierVersions(want, before *memStore, max int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, t := range s.tickets {
		w, ok := want.tickets[id]
		if encode(t) == encode(before.tickets[id]) || (ok && encode(t) == encode(w)) {
			continue
		}
		earlier := ok && t.CreatedAt.Equal(w.CreatedAt) && len(t.Events) <= len(w.Events) && !t.UpdatedAt.After(w.UpdatedAt)
		for k := 0; earlier && k < len(t.Events); k++ {
			earlier = encode(t.Events[k]) == encode(w.Events[k])
		}
		for _, tag := range t.Tags {
			earlier = earlier && slices.Contains(w.Tags, tag)
		}
		if !earlier {
			out = append(out, fmt.Sprintf("ticket %s is %s, want %s or an earlier version of it", id, encode(t), encode(w)))
		}
	}
	if len(s.incidents)+len(s.maintenances) > 0 || s.components != nil || s.pages != nil {
		out = append(out, "a stream of messages stored status items")
	}
	slices.Sort(out)
	if len(out) > max {
		out = append(out[:max], fmt.Sprintf("... %d more", len(out)-max))
	}
	return out
}
