package quality

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestMergeTitle: the title of the newest version wins, cleaned
// (item.CleanTitle); a version without one keeps the stored one; and a
// title changes no figure: the snapshot with every title edited is the
// snapshot without titles.
func TestMergeTitle(t *testing.T) {
	h := time.Hour
	r := mustRules(t, testVendor(), time.Time{})
	incident := func(title string, resolved bool) item.Incident {
		i := item.Incident{ID: "i", Title: title, Impact: item.ImpactMajor, CreatedAt: t0, Updates: []time.Time{after(h)}}
		if resolved {
			i.ResolvedAt = after(2 * h)
		}
		return i
	}
	maintenance := func(title string) item.Maintenance {
		return item.Maintenance{ID: "m", Title: title, CreatedAt: t0, ScheduledFor: after(3 * h), CompletedAt: after(4 * h)}
	}

	titled, untitled := newStore(r), newStore(r)
	steps := []struct {
		incident, maintenance string
		resolved              bool
		wantI, wantM          string
	}{
		{"  API\nerrors\x00", "DB upgrade", false, "API errors", "DB upgrade"},
		{"API errors in EU", "DB upgrade [moved]", false, "API errors in EU", "DB upgrade [moved]"}, // edited at the vendor
		{"", "", true, "API errors in EU", "DB upgrade [moved]"},                                    // a version without one
		{strings.Repeat("é", item.MaxTitleBytes), "x", true, strings.Repeat("é", (item.MaxTitleBytes-3)/2) + "…", "x"},
	}
	for n, s := range steps {
		titled.incident("status", incident(s.incident, s.resolved))
		titled.maintenance("status", maintenance(s.maintenance))
		untitled.incident("status", incident("", s.resolved))
		untitled.maintenance("status", maintenance(""))
		gotI, gotM := titled.incidents[itemKey{"status", "i"}], titled.maintenances[itemKey{"status", "m"}]
		if gotI.Title != s.wantI || gotM.Title != s.wantM {
			t.Errorf("step %d: titles %q, %q; want %q, %q", n, gotI.Title, gotM.Title, s.wantI, s.wantM)
		}
		// Merging the same version again changes nothing.
		if again := r.MergeIncident(gotI, incident(s.incident, s.resolved), Judged{}); again.Title != gotI.Title {
			t.Errorf("step %d: merged again, title %q, want %q", n, again.Title, gotI.Title)
		}
		now := after(50 * h)
		if a, b := titled.agg.Snapshot(at(now)), untitled.agg.Snapshot(at(now)); !reflect.DeepEqual(a, b) {
			t.Errorf("step %d: titles changed the snapshot:\n%s", n, snapshotDiff(b, a))
		}
		withoutTitle := *gotI
		withoutTitle.Title = ""
		if u := untitled.incidents[itemKey{"status", "i"}]; !reflect.DeepEqual(&withoutTitle, u) {
			t.Errorf("step %d: the titled incident differs beyond its title:\n%+v\n%+v", n, withoutTitle, *u)
		}
	}
}
