package replay

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// TestSyncedHookBeforeItems: Options.Synced sees each source's sync start,
// the value Vendor.Synced holds, before any item of that source, so that a
// caller judging items itself uses the replay's instant.
func TestSyncedHookBeforeItems(t *testing.T) {
	cfg, err := config.Parse([]byte(`global:
  history_start: 2026-01-01
vendors:
  - name: acme
    tickets:
      - {name: a, kind: zendesk_requests, url: "https://a.zendesk.com", http_client: {basic_auth: {username: me, password: token}}}
      - {name: b, kind: zendesk_requests, url: "https://b.zendesk.com", http_client: {basic_auth: {username: me, password: token}}}
`), "test.yml", collectors.Kinds.Config())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	synced := map[string]time.Time{"a": day.AddDate(0, 0, 10), "b": day.AddDate(0, 0, 20)}
	for source, at := range synced {
		err := st.Update(store.SourceKey{Vendor: "acme", Source: source}, func(tx *store.Tx) error {
			tk := item.Ticket{ID: "1", CreatedAt: day.Add(time.Hour), UpdatedAt: day.Add(time.Hour), Status: item.StatusOpen, Priority: "high"}
			if _, err := tx.PutTicket(&tk); err != nil {
				return err
			}
			return tx.SetSyncedAt(at)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]time.Time{}
	var items int
	v, err := NewVendor(st, cfg.Vendors[0], &cfg.Global, Options{
		Synced: func(source string, at time.Time) { seen[source] = at },
		Ticket: func(source string, _ *item.Ticket, _ []time.Time) error {
			items++
			if !seen[source].Equal(synced[source]) {
				t.Errorf("source %s: an item before its sync start (%v)", source, seen[source])
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if items != 2 {
		t.Errorf("%d tickets seen, want 2", items)
	}
	for source, at := range synced {
		if !seen[source].Equal(at) || !v.Synced[source].Equal(at) {
			t.Errorf("source %s: hook saw %v, Vendor.Synced %v, want %v", source, seen[source], v.Synced[source], at)
		}
	}
}
