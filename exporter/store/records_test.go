package store

import (
	"encoding/hex"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/model"
)

// TestRecordsCoverEveryField round-trips fully set values through the codec.
func TestRecordsCoverEveryField(t *testing.T) {
	ticket := fullTicket(t, "1")
	var gotTicket model.Ticket
	if err := ticketRecord.unmarshal(ticketRecord.marshal(ticket), &gotTicket); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "ticket", &gotTicket, ticket)

	incident := fullIncident(t, "1")
	var gotIncident model.Incident
	if err := incidentRecord.unmarshal(incidentRecord.marshal(incident), &gotIncident); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "incident", &gotIncident, incident)

	maintenance := fullMaintenance(t, "1")
	var gotMaintenance model.Maintenance
	if err := maintenanceRecord.unmarshal(maintenanceRecord.marshal(maintenance), &gotMaintenance); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "maintenance", &gotMaintenance, maintenance)

	components := fullComponents()
	var gotComponents []model.Component
	if err := componentsRecord.unmarshal(componentsRecord.marshal(&components), &gotComponents); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "components", gotComponents, components)
}

// TestRecordsKeepZeroValues checks that absent values come back exactly
// absent: zero times stay zero, nil slices and pointers stay nil.
func TestRecordsKeepZeroValues(t *testing.T) {
	ticket := &model.Ticket{ID: "7"}
	var gotTicket model.Ticket
	if err := ticketRecord.unmarshal(ticketRecord.marshal(ticket), &gotTicket); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&gotTicket, ticket) {
		t.Errorf("ticket: got %+v, want %+v", gotTicket, *ticket)
	}
	incident := &model.Incident{ID: "7"}
	var gotIncident model.Incident
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
		m := &model.Maintenance{ID: "m", ScheduledFor: want}
		var got model.Maintenance
		if err := maintenanceRecord.unmarshal(maintenanceRecord.marshal(m), &got); err != nil {
			t.Fatal(err)
		}
		if !got.ScheduledFor.Equal(want) {
			t.Errorf("got %v, want %v", got.ScheduledFor, want)
		}
	}
}

// TestRecordsReadFormat1: a ticket written by the first format (before the
// vendor's SLA clocks) still reads, with no clocks. The record was written
// by that build's codec from fullTicket.
func TestRecordsReadFormat1(t *testing.T) {
	raw, err := os.ReadFile("testdata/ticket_format1.hex")
	if err != nil {
		t.Fatal(err)
	}
	data, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var got model.Ticket
	if err := ticketRecord.unmarshal(data, &got); err != nil {
		t.Fatalf("format 1 ticket: %v", err)
	}
	want := fullTicket(t, "1")
	want.Figures.FirstResponseSLA, want.Figures.ResolutionSLA = nil, nil
	assertSame(t, "format 1 ticket", &got, want)
}

// TestRecordsRefuseDamage: a damaged value is an error, never a panic or a
// silently wrong item.
func TestRecordsRefuseDamage(t *testing.T) {
	full := ticketRecord.marshal(fullTicket(t, "1"))
	for cut := range len(full) {
		var got model.Ticket
		if err := ticketRecord.unmarshal(full[:cut], &got); err == nil {
			t.Fatalf("ticket cut to %d of %d bytes decoded without error", cut, len(full))
		}
	}
	decodeTicket := func(data []byte) error { return ticketRecord.unmarshal(data, new(model.Ticket)) }
	decodeIncident := func(data []byte) error { return incidentRecord.unmarshal(data, new(model.Incident)) }
	cases := []struct {
		name    string
		decode  func([]byte) error
		data    []byte
		wantErr string
	}{
		{"trailing bytes", decodeTicket, append(append([]byte(nil), full...), 0), "corrupt"},
		{"future format", decodeTicket, append([]byte{recordFormat + 1}, full[1:]...), "record format 3, this build reads 1 to 2"},
		{"format zero", decodeTicket, append([]byte{0}, full[1:]...), "record format 0, this build reads 1 to 2"},
		{"huge length", decodeTicket, []byte{recordFormat, 0xff, 0xff, 0xff, 0xff, 0x0f}, "corrupt"},
		{"bad bool", decodeIncident, incidentWithBadHistoryFlag(), "corrupt"},
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
	data := incidentRecord.marshal(&model.Incident{ID: "i"})
	data[len(data)-1] = 2
	return data
}

func assertErrorContains(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one containing %q", err, want)
	}
}
