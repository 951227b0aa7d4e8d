package exporter

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

func TestContractsAndReadiness(t *testing.T) {
	t.Parallel()
	e, _ := newTestExporter(t)
	if got := e.Contracts(); got != nil {
		t.Errorf("Contracts() before Apply = %v, want nil", got)
	}
	if e.Snapshot() != nil {
		t.Error("Snapshot() before Apply is not nil")
	}
	if err := e.Ready(); !errors.Is(err, errNotReady) {
		t.Errorf("Ready() before Apply = %v, want errNotReady", err)
	}
	// The periodic refresh may fire while the first Apply still loads: it
	// must not make the exporter look ready.
	e.rebuildSnapshot()
	if e.Snapshot() != nil || e.Ready() == nil {
		t.Error("a refresh before the first Apply published a snapshot")
	}

	sp := newFakeStatuspage(t)
	cfg := parseConfig(t, fmt.Sprintf(`global:
  poll_interval: 1h
vendors:
  - name: zeta
    sla:
      objective: 0.9
      first_response: {urgent: 1h, high: 4h}
      resolution: {urgent: 8h, low: 5d}
      maintenance_notice: 72h
    status_pages:
      - {name: status, kind: statuspage, url: %[1]s}
  - name: alpha
    status_pages:
      - {name: status, kind: statuspage, url: %[1]s}
`, sp.URL()))
	if err := e.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if err := e.Ready(); err != nil {
		t.Errorf("Ready() after Apply = %v", err)
	}

	zeta := exposition.Contract{Vendor: "zeta", Objective: 0.9, MaintenanceNotice: 72 * time.Hour}
	zeta.Targets[quality.Urgent][quality.FirstResponse] = time.Hour
	zeta.Targets[quality.High][quality.FirstResponse] = 4 * time.Hour
	zeta.Targets[quality.Urgent][quality.Resolution] = 8 * time.Hour
	zeta.Targets[quality.Low][quality.Resolution] = 5 * 24 * time.Hour
	want := []exposition.Contract{{Vendor: "alpha", Objective: 0.95}, zeta}

	got := e.Contracts()
	slices.SortFunc(got, func(a, b exposition.Contract) int { return cmp.Compare(a.Vendor, b.Vendor) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Contracts() =\n%+v\nwant\n%+v", got, want)
	}

	snap := e.Snapshot()
	var vendors []string
	for _, v := range snap.Vendors {
		vendors = append(vendors, v.Vendor)
	}
	if !slices.Equal(vendors, []string{"alpha", "zeta"}) {
		t.Errorf("snapshot vendors = %v, want [alpha zeta], sorted", vendors)
	}
	if got := sourceNames(e.SourceStatuses()); !slices.Equal(got, []string{"alpha/status/statuspage", "zeta/status/statuspage"}) {
		t.Errorf("SourceStatuses = %v, want both sources, sorted by vendor", got)
	}
}
