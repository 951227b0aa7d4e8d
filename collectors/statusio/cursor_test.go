package statusio

import (
	"reflect"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestEndVanished(t *testing.T) {
	now := collectortest.UTC("2025-01-02T12:00:00Z")
	open := item.Incident{ID: "i1", Impact: item.ImpactMajor, CreatedAt: collectortest.UTC("2025-01-02T10:00:00Z"),
		UpdatedAt: collectortest.UTC("2025-01-02T10:30:00Z"), Components: []string{"API"}}
	upcoming := item.Maintenance{ID: "m1", CreatedAt: collectortest.UTC("2025-01-01T00:00:00Z"),
		UpdatedAt: collectortest.UTC("2025-01-01T00:00:00Z"), ScheduledFor: collectortest.UTC("2025-01-03T00:00:00Z")}
	tests := []struct {
		name  string
		prev  listed
		batch item.Batch
		want  item.Batch
	}{
		{
			name:  "first sync: nothing to end",
			batch: item.Batch{Incidents: []item.Incident{open}},
			want:  item.Batch{Incidents: []item.Incident{open}},
		},
		{
			name:  "still listed: emitted as fetched only",
			prev:  listed{Incidents: []item.Incident{open}, Maintenances: []item.Maintenance{upcoming}},
			batch: item.Batch{Incidents: []item.Incident{open}, Maintenances: []item.Maintenance{upcoming}},
			want:  item.Batch{Incidents: []item.Incident{open}, Maintenances: []item.Maintenance{upcoming}},
		},
		{
			name:  "gone: resolved and completed now, the rest kept",
			prev:  listed{Incidents: []item.Incident{open}, Maintenances: []item.Maintenance{upcoming}},
			batch: item.Batch{Components: []item.Component{}, Incidents: []item.Incident{{ID: "i2"}}},
			want: item.Batch{
				Components: []item.Component{},
				Incidents: []item.Incident{{ID: "i2"}, {
					ID: "i1", Impact: item.ImpactMajor, CreatedAt: collectortest.UTC("2025-01-02T10:00:00Z"),
					UpdatedAt: now, ResolvedAt: now, Components: []string{"API"},
				}},
				Maintenances: []item.Maintenance{{
					ID: "m1", CreatedAt: collectortest.UTC("2025-01-01T00:00:00Z"), UpdatedAt: now,
					ScheduledFor: collectortest.UTC("2025-01-03T00:00:00Z"), CompletedAt: now,
				}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endVanished(tt.prev, listedIn(tt.batch), &tt.batch, now)
			if !reflect.DeepEqual(tt.batch, tt.want) {
				t.Errorf("got  %+v\nwant %+v", tt.batch, tt.want)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	l := listed{
		Incidents: []item.Incident{{ID: "i1", Impact: item.ImpactMinor, CreatedAt: collectortest.UTC("2025-01-02T10:00:00Z"),
			UpdatedAt: collectortest.UTC("2025-01-02T10:00:00Z")}},
		Maintenances: []item.Maintenance{{ID: "m1", CreatedAt: collectortest.UTC("2025-01-01T00:00:00Z"),
			UpdatedAt: collectortest.UTC("2025-01-01T00:00:00Z"), ScheduledFor: collectortest.UTC("2025-01-03T00:00:00Z")}},
	}
	b, err := l.encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeCursor(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, l) {
		t.Errorf("decoded %+v, want %+v", got, l)
	}
	if empty, err := decodeCursor(nil); err != nil || len(empty.Incidents)+len(empty.Maintenances) != 0 {
		t.Errorf("nil cursor = %+v, %v; want nothing listed", empty, err)
	}
	if _, err := decodeCursor([]byte(`{"incidents": {}}`)); err == nil || !strings.Contains(err.Error(), "stored cursor") {
		t.Errorf("bad cursor error = %v, want a stored-cursor error", err)
	}
}
