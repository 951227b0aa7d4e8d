package replay

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// TestShortcutsKeepTheSnapshots: a replay that adds the items done by its
// first instant at once, never reads those past its last and moves each
// item straight to its version at each instant gives, at those instants,
// the snapshots of a replay that steps through every version.
func TestShortcutsKeepTheSnapshots(t *testing.T) {
	cfg, err := config.Parse([]byte(`global:
  history_start: 2026-01-01
vendors:
  - name: acme
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h}
      resolution: {urgent: 24h}
    tickets:
      - {name: support, kind: zendesk_requests, url: "https://acme.zendesk.com", http_client: {basic_auth: {username: me, password: token}}}
`), "test.yml", collectors.Kinds.Config())
	if err != nil {
		t.Fatal(err)
	}
	vc := cfg.Vendors[0]
	rules, err := quality.NewRules(vc, cfg.Global)
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := begin.AddDate(0, 3, 0)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rnd := rand.New(rand.NewPCG(1, 2))
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "support"}, func(tx *store.Tx) error {
		for i := range 500 {
			created := begin.Add(time.Duration(rnd.Int64N(int64(end.Sub(begin)))))
			tk := item.Ticket{ID: fmt.Sprint(i), CreatedAt: created, UpdatedAt: created, Status: item.StatusOpen,
				Priority: []string{"urgent", "high", "normal"}[rnd.IntN(3)]}
			at := created
			for _, k := range []item.EventKind{item.EventVendorReply, item.EventCustomerReply, item.EventSolved} {
				at = at.Add(time.Duration(rnd.IntN(3000)) * time.Minute)
				if at.After(end) {
					break
				}
				tk.Events = append(tk.Events, item.Event{Kind: k, At: at})
				tk.UpdatedAt = at
				if k == item.EventSolved {
					tk.Status = item.StatusSolved
				}
			}
			merged := rules.MergeTicket(nil, tk, quality.Judged{})
			if _, err := tx.PutTicket(&merged); err != nil {
				return err
			}
		}
		return tx.SetSyncedAt(end)
	})
	if err != nil {
		t.Fatal(err)
	}
	instants := []time.Time{begin.AddDate(0, 1, 0), begin.AddDate(0, 1, 9), begin.AddDate(0, 1, 20).Add(7 * time.Hour), begin.AddDate(0, 2, 0)}
	plain, err := NewVendor(st, vc, &cfg.Global, Options{})
	if err != nil {
		t.Fatal(err)
	}
	short, err := NewVendor(st, vc, &cfg.Global, Options{Start: instants[0], End: instants[len(instants)-1], Coalesce: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range instants {
		if err := plain.Advance(at); err != nil {
			t.Fatal(err)
		}
		if err := short.Advance(at); err != nil {
			t.Fatal(err)
		}
		want, got := plain.Snapshot(at), short.Snapshot(at)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("at %s the shortcuts change the snapshot:\nwant %+v\n got %+v", at, want, got)
		}
		var created uint64
		for _, n := range got.TicketsCreated {
			created += n
		}
		if created == 0 {
			t.Fatalf("at %s no ticket created yet: the test tests nothing", at)
		}
	}
}
