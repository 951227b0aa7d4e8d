package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// formatVendors gives every status format its own vendor (metric series are
// per vendor), all generated alike; the format is the vendor's name.
var formatVendors = []string{
	simulator.KindIncidentio, simulator.KindInstatus, simulator.KindStatusio, simulator.KindCachet, simulator.KindFeed,
}

// formatExpect is what one format can show of the vendor's truth as of the
// frozen clock (the simulator package documents each format's visibility).
type formatExpect struct {
	incidents, maintenances int
	components              int
}

func expectFor(kind string, tr simulator.Truth) formatExpect {
	var open, pending int
	for _, in := range tr.Incidents {
		if in.Resolved.IsZero() {
			open++
		}
	}
	for _, m := range tr.Maintenances {
		if m.Completed.IsZero() {
			pending++
		}
	}
	switch kind {
	case simulator.KindIncidentio:
		// The 50 newest incidents, plus unresolved ones (all among them
		// here); maintenances only from the widget, until completed.
		return formatExpect{incidents: min(50, len(tr.Incidents)), maintenances: pending, components: 7}
	case simulator.KindInstatus, simulator.KindStatusio:
		return formatExpect{incidents: open, maintenances: pending, components: 7}
	case simulator.KindCachet:
		return formatExpect{incidents: len(tr.Incidents), maintenances: len(tr.Maintenances), components: 7}
	}
	// feed: the 25 items dated last, incidents by their newest post,
	// maintenances by their announcement.
	type item struct {
		at       time.Time
		incident bool
	}
	var items []item
	for _, in := range tr.Incidents {
		last := in.Updates[len(in.Updates)-1]
		if in.Postmortem.After(last) {
			last = in.Postmortem
		}
		items = append(items, item{last, true})
	}
	for _, m := range tr.Maintenances {
		items = append(items, item{m.Created, false})
	}
	slices.SortStableFunc(items, func(a, b item) int { return b.at.Compare(a.at) })
	var e formatExpect
	for _, it := range items[:min(25, len(items))] {
		if it.incident {
			e.incidents++
		} else {
			e.maintenances++
		}
	}
	return e
}

func TestStatusFormats(t *testing.T) {
	var vendors []simulator.Vendor
	for _, name := range formatVendors {
		vendors = append(vendors, simulator.Vendor{
			Name: name, Timezone: "Asia/Singapore", History: 60 * 24 * time.Hour,
			IncidentsPerWeek: 3, MaintenancesPerWeek: 2, OpenAtStart: true,
		})
	}
	clock := func() time.Time { return frozenNow }
	sim, err := simulator.New(simulator.Options{Seed: 11, Start: frozenNow, Clock: clock, Vendors: vendors})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)

	var cfg strings.Builder
	cfg.WriteString("global:\n  poll_interval: 1s\n  request_timeout: 2s\nvendors:\n")
	for _, kind := range formatVendors {
		fmt.Fprintf(&cfg, "  - name: %s\n    status_pages:\n      - name: status\n        kind: %s\n        url: %s\n",
			kind, kind, sim.URL(kind, kind))
		switch kind {
		case simulator.KindStatusio:
			fmt.Fprintf(&cfg, "        page_id: %s\n", sim.StatusioPageID(kind))
		case simulator.KindCachet:
			cfg.WriteString("        timezone: Asia/Singapore\n") // the vendor's zone, in which the simulator writes Cachet's times
		}
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "support_exporter.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, nil, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"))

	synced := func(s series) bool {
		for _, kind := range formatVendors {
			if v, _ := s.get("support_source_last_success_timestamp_seconds", "vendor", kind, "source", "status", "kind", kind); v == 0 {
				return false
			}
		}
		return true
	}
	var s series
	waitFor(t, 30*time.Second, "every status source synced", func() bool {
		s, _ = p.scrape()
		return synced(s)
	})

	for _, kind := range formatVendors {
		t.Run(kind, func(t *testing.T) {
			tr := sim.Truth(kind, frozenNow)
			want := expectFor(kind, tr)
			t.Logf("%s shows %d of %d incidents, %d of %d maintenances", kind, want.incidents, len(tr.Incidents), want.maintenances, len(tr.Maintenances))
			if kind != simulator.KindFeed && want.incidents == 0 {
				t.Fatalf("the simulated world shows no incident in %s: the test would prove nothing", kind)
			}
			if got := int(s.sum("support_status_incidents_total", "vendor", kind)); got != want.incidents {
				t.Errorf("incidents counted: %d, want %d (truth: %d incidents)", got, want.incidents, len(tr.Incidents))
			}
			if got := int(s.sum("support_status_maintenances_total", "vendor", kind)); got != want.maintenances {
				t.Errorf("maintenances counted: %d, want %d (truth: %d maintenances)", got, want.maintenances, len(tr.Maintenances))
			}
			components := 0
			for k, v := range s {
				if !strings.HasPrefix(k, "support_status_component_status{") || !strings.Contains(k, fmt.Sprintf("vendor=%q", kind)) || v != 1 {
					continue
				}
				components++
				name, status := labelValue(k, "component"), labelValue(k, "status")
				name = strings.TrimPrefix(name, "Regions / ") // Instatus names a grouped component with its group
				wantStatus := tr.Components[name]
				if kind == simulator.KindCachet && wantStatus == "under_maintenance" {
					wantStatus = "operational" // Cachet has no maintenance status
				}
				if status != wantStatus {
					t.Errorf("component %s: %s, want %s", name, status, wantStatus)
				}
			}
			if components != want.components {
				t.Errorf("%d components exposed, want %d", components, want.components)
			}
		})
	}
}

// labelValue reads one label of a flattened series key.
func labelValue(key, label string) string {
	_, rest, ok := strings.Cut(key, label+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}
