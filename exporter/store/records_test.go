package store

import (
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestRecordsCoverEveryField round-trips fully set values through the codec.
func TestRecordsCoverEveryField(t *testing.T) {
	ticket := fullTicket(t, "1")
	var gotTicket item.Ticket
	if err := ticketRecord.unmarshal(ticketRecord.marshal(ticket), &gotTicket); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "ticket", &gotTicket, ticket)

	incident := fullIncident(t, "1")
	var gotIncident item.Incident
	if err := incidentRecord.unmarshal(incidentRecord.marshal(incident), &gotIncident); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "incident", &gotIncident, incident)

	maintenance := fullMaintenance(t, "1")
	var gotMaintenance item.Maintenance
	if err := maintenanceRecord.unmarshal(maintenanceRecord.marshal(maintenance), &gotMaintenance); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "maintenance", &gotMaintenance, maintenance)

	components := fullComponents()
	var gotComponents []item.Component
	if err := componentsRecord.unmarshal(componentsRecord.marshal(&components), &gotComponents); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "components", gotComponents, components)

	pages := fullPages(t)
	var gotPages []item.Page
	if err := pagesRecord.unmarshal(pagesRecord.marshal(&pages), &gotPages); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "pages", gotPages, pages)
}

// TestRecordsKeepZeroValues checks that absent values come back exactly
// absent: zero times stay zero, nil slices and pointers stay nil.
func TestRecordsKeepZeroValues(t *testing.T) {
	ticket := &item.Ticket{ID: "7"}
	var gotTicket item.Ticket
	if err := ticketRecord.unmarshal(ticketRecord.marshal(ticket), &gotTicket); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&gotTicket, ticket) {
		t.Errorf("ticket: got %+v, want %+v", gotTicket, *ticket)
	}
	incident := &item.Incident{ID: "7"}
	var gotIncident item.Incident
	if err := incidentRecord.unmarshal(incidentRecord.marshal(incident), &gotIncident); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&gotIncident, incident) {
		t.Errorf("incident: got %+v, want %+v", gotIncident, *incident)
	}
	if !gotIncident.ResolvedAt.IsZero() {
		t.Errorf("zero ResolvedAt came back as %v", gotIncident.ResolvedAt)
	}
}

func TestRecordsKeepInstantsAcrossZones(t *testing.T) {
	times := []time.Time{
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), // before the epoch
		time.Date(2026, 10, 1, 0, 0, 0, 1, time.FixedZone("", 8*3600)),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	for _, want := range times {
		m := &item.Maintenance{ID: "m", ScheduledFor: want}
		var got item.Maintenance
		if err := maintenanceRecord.unmarshal(maintenanceRecord.marshal(m), &got); err != nil {
			t.Fatal(err)
		}
		if !got.ScheduledFor.Equal(want) {
			t.Errorf("got %v, want %v", got.ScheduledFor, want)
		}
	}
}

// TestRecordsReadOldFormats: records written by earlier formats still
// read, with what those formats lacked left zero. Each testdata record was
// written by that format's build from the fixtures of this file as they were
// then (format 1 at its last commit, format 2 at 6c9751b, format 3 at
// b7d7670, format 4 at 79492e5, format 5 at 5d0a374, the last commit of
// main before format 6, format 6 at 6c3c628, the last commit of main
// before format 7): the fixture of today with the later fields zeroed.
// A format-5 ticket reads unmarked (Drill false, DrillSeen zero) with every
// other field as written; a format-6 incident or maintenance reads
// without a title.
func TestRecordsReadOldFormats(t *testing.T) {
	format1Ticket := format3Ticket(t)
	format1Ticket.Figures.FirstResponseSLA, format1Ticket.Figures.ResolutionSLA = nil, nil
	format1Ticket.History = format2TicketHistory(format1Ticket.History)
	format2Ticket := format3Ticket(t)
	format2Ticket.History = format2TicketHistory(format2Ticket.History)
	format4Incident := format6Incident(t)
	format4Incident.History.Final.Impact, format4Incident.History.Final.Components = "", nil
	format2Incident := format6Incident(t)
	format2Incident.History = &item.IncidentHistory{FirstImpact: format2Incident.History.FirstImpact}
	format2Maintenance := format6Maintenance(t)
	format2Maintenance.History = nil
	cases := []struct {
		file string
		read func([]byte) (any, error)
		want any
	}{
		{"ticket_format1.hex", readRecord(ticketRecord), format1Ticket},
		{"ticket_format2.hex", readRecord(ticketRecord), format2Ticket},
		{"ticket_format3.hex", readRecord(ticketRecord), format3Ticket(t)},
		{"ticket_format4.hex", readRecord(ticketRecord), format4Ticket(t)},
		{"ticket_format5.hex", readRecord(ticketRecord), format5Ticket(t)},
		{"ticket_format6.hex", readRecord(ticketRecord), fullTicket(t, "1")},
		{"incident_format6.hex", readRecord(incidentRecord), format6Incident(t)},
		{"maintenance_format6.hex", readRecord(maintenanceRecord), format6Maintenance(t)},
		{"pages_format6.hex", readRecord(pagesRecord), ptr(fullPages(t))},
		{"incident_format5.hex", readRecord(incidentRecord), format6Incident(t)},
		{"pages_format5.hex", readRecord(pagesRecord), ptr(fullPages(t))},
		{"incident_format4.hex", readRecord(incidentRecord), format4Incident},
		{"incident_format2.hex", readRecord(incidentRecord), format2Incident},
		{"maintenance_format2.hex", readRecord(maintenanceRecord), format2Maintenance},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			data, err := hex.DecodeString(strings.TrimSpace(string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.read(data)
			if err != nil {
				t.Fatalf("%s: %v", tc.file, err)
			}
			assertSame(t, tc.file, got, tc.want)
		})
	}
}

// format6Incident is the incident fixture with only what formats 1 to 6
// hold: no title.
func format6Incident(tb testing.TB) *item.Incident {
	i := fullIncident(tb, "1")
	i.Title = ""
	return i
}

// format6Maintenance is the maintenance fixture with only what formats 1
// to 6 hold: no title.
func format6Maintenance(tb testing.TB) *item.Maintenance {
	m := fullMaintenance(tb, "1")
	m.Title = ""
	return m
}

// format5Ticket is the ticket fixture with only what formats 1 to 5 hold:
// no drill mark.
func format5Ticket(tb testing.TB) *item.Ticket {
	t := fullTicket(tb, "1")
	t.Drill = false
	t.History.DrillSeen = time.Time{}
	return t
}

// format4Ticket is the ticket fixture with only what formats 1 to 4 hold.
func format4Ticket(tb testing.TB) *item.Ticket {
	t := format5Ticket(tb)
	t.CloseReason, t.ClosedBy, t.ClosedAt, t.Type, t.TriagedAt = "", "", time.Time{}, "", time.Time{}
	t.Author, t.Closes = "", nil
	t.History.VendorReplies, t.History.Closes, t.History.Types, t.History.Acknowledged = nil, nil, nil, time.Time{}
	return t
}

func ptr[T any](v T) *T { return &v }

// format3Ticket is the ticket fixture with only what formats 1 to 3 hold
// of the ticket and its events.
func format3Ticket(tb testing.TB) *item.Ticket {
	t := format4Ticket(tb)
	t.Seen = ""
	for i := range t.Events {
		t.Events[i].Ref = ""
	}
	return t
}

// format2TicketHistory is a ticket history with only what formats 1 and 2
// hold.
func format2TicketHistory(h *item.TicketHistory) *item.TicketHistory {
	return &item.TicketHistory{FirstPriority: h.FirstPriority, RepliesAtFirstSolve: h.RepliesAtFirstSolve,
		EverEscalated: h.EverEscalated, Ratings: h.Ratings}
}

// readRecord decodes one value of r.
func readRecord[T any](r record[T]) func([]byte) (any, error) {
	return func(data []byte) (any, error) {
		v := new(T)
		return v, r.unmarshal(data, v)
	}
}

// TestRecordsRefuseDamage: a damaged value is an error, never a panic or a
// silently wrong item.
func TestRecordsRefuseDamage(t *testing.T) {
	full := ticketRecord.marshal(fullTicket(t, "1"))
	for name, whole := range map[string][]byte{
		"ticket":      full,
		"incident":    incidentRecord.marshal(fullIncident(t, "1")),
		"maintenance": maintenanceRecord.marshal(fullMaintenance(t, "1")),
	} {
		read := map[string]func([]byte) error{
			"ticket":      func(b []byte) error { return ticketRecord.unmarshal(b, new(item.Ticket)) },
			"incident":    func(b []byte) error { return incidentRecord.unmarshal(b, new(item.Incident)) },
			"maintenance": func(b []byte) error { return maintenanceRecord.unmarshal(b, new(item.Maintenance)) },
		}[name]
		for cut := range len(whole) {
			if err := read(whole[:cut]); err == nil {
				t.Fatalf("%s cut to %d of %d bytes decoded without error", name, cut, len(whole))
			}
		}
	}
	decodeTicket := func(data []byte) error { return ticketRecord.unmarshal(data, new(item.Ticket)) }
	decodeIncident := func(data []byte) error { return incidentRecord.unmarshal(data, new(item.Incident)) }
	cases := []struct {
		name    string
		decode  func([]byte) error
		data    []byte
		wantErr string
	}{
		{"trailing bytes", decodeTicket, append(append([]byte(nil), full...), 0), "corrupt"},
		{"future format", decodeTicket, append([]byte{recordFormat + 1}, full[1:]...), fmt.Sprintf("record format %d, this build reads 1 to %d", recordFormat+1, recordFormat)},
		{"format zero", decodeTicket, append([]byte{0}, full[1:]...), fmt.Sprintf("record format 0, this build reads 1 to %d", recordFormat)},
		{"huge length", decodeTicket, []byte{recordFormat, 0xff, 0xff, 0xff, 0xff, 0x0f}, "corrupt"},
		{"bad bool", decodeIncident, incidentWithBadHistoryFlag(), "corrupt"},
		{"unknown one-touch verdict", decodeTicket, ticketWithOneTouch(t, 3), "corrupt"},
		{"unknown judge of a clock", decodeTicket, ticketWithJudge(t, 3), "corrupt"},
		{"empty", decodeIncident, nil, "corrupt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertErrorContains(t, tc.decode(tc.data), tc.wantErr)
		})
	}
}

// incidentWithBadHistoryFlag is an incident record whose last field, the
// presence flag of History, holds 2.
func incidentWithBadHistoryFlag() []byte {
	data := incidentRecord.marshal(&item.Incident{ID: "i"})
	data[len(data)-1] = 2
	return data
}

// ticketWithOneTouch is a ticket record whose one-touch verdict holds v;
// the verdicts known decode, others are corrupt.
func ticketWithOneTouch(t *testing.T, v item.OneTouch) []byte {
	tk := &item.Ticket{ID: "t", History: &item.TicketHistory{OneTouch: v}}
	data := ticketRecord.marshal(tk)
	tk.History.OneTouch = item.OneTouchRuledOut
	if err := ticketRecord.unmarshal(ticketRecord.marshal(tk), new(item.Ticket)); err != nil {
		t.Fatalf("a known verdict does not decode: %v", err)
	}
	return data
}

// ticketWithJudge is a ticket record whose resolution clock's judge holds
// v; the judges known decode, others are corrupt.
func ticketWithJudge(t *testing.T, v item.Judge) []byte {
	tk := &item.Ticket{ID: "t", History: &item.TicketHistory{Resolution: item.ClockHistory{Judge: v}}}
	data := ticketRecord.marshal(tk)
	tk.History.Resolution.Judge = item.JudgeVendor
	if err := ticketRecord.unmarshal(ticketRecord.marshal(tk), new(item.Ticket)); err != nil {
		t.Fatalf("a known judge does not decode: %v", err)
	}
	return data
}

func assertErrorContains(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one containing %q", err, want)
	}
}
