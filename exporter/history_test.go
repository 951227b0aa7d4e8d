package exporter

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

var historyStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func TestHistoryStartThroughSync(t *testing.T) {
	t.Parallel()
	e, st := newTestExporter(t)
	zd := newFakeZendesk(t,
		// Created before the history start but updated since: the export,
		// which selects by update time, still lists it.
		zendeskTicket(1, "urgent", "open", historyStart.Add(-time.Hour), historyStart.Add(24*time.Hour)),
		// Untouched since long before: the export does not list it.
		zendeskTicket(2, "urgent", "solved", historyStart.AddDate(0, -6, 0), historyStart.AddDate(0, -6, 0)),
		zendeskTicket(3, "high", "open", historyStart.Add(time.Hour), historyStart.Add(time.Hour)),
	)
	sp := newFakeStatuspage(t)
	yaml := strings.Replace(acmeConfig(zd.URL(), sp.URL(), slaOneHour), "global:\n", "global:\n  history_start: 2025-01-01\n", 1)
	if err := e.Apply(parseConfig(t, yaml)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ticket source to sync", func() (bool, string) {
		s, _ := sourceStatusOf(e, supportKey)
		return s.Up, fmt.Sprintf("%+v", s)
	})

	if q := zd.requests()[0]; q.Get("start_time") != strconv.FormatInt(historyStart.Unix(), 10) {
		t.Errorf("first export request start_time = %q, want the history start %d", q.Get("start_time"), historyStart.Unix())
	}
	if n := storedTickets(t, st, supportKey); n != 1 {
		t.Errorf("stored tickets = %d, want 1: only ticket 3 is inside the history", n)
	}
	if got, want := ticketsCreated(e, "acme"), [quality.NumPriorities]uint64{quality.High: 1}; got != want {
		t.Errorf("TicketsCreated = %v, want %v", got, want)
	}
}

// The exporter drops early items itself, whatever the collector sends.
func TestIngestSkipsItemsBeforeHistoryStart(t *testing.T) {
	t.Parallel()
	e, st := newTestExporter(t)
	vs := newVendorState(t, historyStart)
	before, at, after := historyStart.Add(-time.Second), historyStart, historyStart.Add(time.Hour)
	ticket := func(id string, created time.Time) item.Ticket {
		return item.Ticket{ID: id, CreatedAt: created, UpdatedAt: after, Priority: "urgent", Status: item.StatusOpen}
	}
	incident := func(id string, created time.Time) item.Incident {
		return item.Incident{ID: id, Impact: item.ImpactMajor, CreatedAt: created, UpdatedAt: after, ResolvedAt: after}
	}
	maintenance := func(id string, created time.Time) item.Maintenance {
		return item.Maintenance{ID: id, CreatedAt: created, UpdatedAt: created, ScheduledFor: after.Add(time.Hour), ScheduledUntil: after.Add(2 * time.Hour)}
	}
	batch := item.Batch{
		Tickets:      []item.Ticket{ticket("early", before), ticket("at", at), ticket("late", after)},
		Incidents:    []item.Incident{incident("early", before), incident("late", after)},
		Maintenances: []item.Maintenance{maintenance("early", before), maintenance("late", after)},
	}
	if err := e.ingest(vs, supportKey, historyStart, batch); err != nil {
		t.Fatal(err)
	}

	tickets, incidents, maintenances := storedCounts(t, st, supportKey)
	if tickets != 2 || incidents != 1 || maintenances != 1 {
		t.Errorf("stored %d tickets, %d incidents, %d maintenances; want 2, 1, 1: items created before the history start are not stored",
			tickets, incidents, maintenances)
	}
	v := vs.agg.Snapshot(func(string) time.Time { return after })
	if got := v.TicketsCreated[quality.Urgent]; got != 2 {
		t.Errorf("urgent tickets created = %d, want 2 (the one created at the history start counts)", got)
	}
	if got := v.Incidents[quality.ImpactMajor]; got != 1 {
		t.Errorf("major incidents = %d, want 1", got)
	}
	if v.Maintenances != 1 {
		t.Errorf("maintenances = %d, want 1", v.Maintenances)
	}
}
