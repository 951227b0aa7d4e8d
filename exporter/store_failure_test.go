package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// emitOnce is a Source whose sync runs before, then emits one batch and
// reports a failed emit the way collectors do, wrapped.
type emitOnce struct {
	before func()
	batch  item.Batch
}

func (s emitOnce) Sync(_ context.Context, _ []byte, emit func(item.Batch) error) error {
	s.before()
	if err := emit(s.batch); err != nil {
		return fmt.Errorf("fake: storing page 1: %w", err)
	}
	return nil
}

// newVendorState builds acme's rules and an empty aggregator, as Apply does.
func newVendorState(t *testing.T, historyStart time.Time) *vendorState {
	t.Helper()
	cfg := parseConfig(t, acmeConfig("http://127.0.0.1:9", "http://127.0.0.1:9", slaOneHour))
	v := cfg.Vendors[0]
	g := cfg.Global
	g.HistoryStart.Time = historyStart
	rules, err := quality.NewRules(v, g)
	if err != nil {
		t.Fatal(err)
	}
	sources, ticketSources := quality.VendorSources(v)
	return &vendorState{cfg: v, fingerprint: cfg.Fingerprint(v), agg: quality.NewAggregator(rules, sources, ticketSources)}
}

func TestIngestStoreFailureCountsAsStore(t *testing.T) {
	t.Parallel()
	created := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	good := item.Ticket{ID: "1", CreatedAt: created, UpdatedAt: created, Priority: "urgent", Status: item.StatusOpen}
	tests := []struct {
		name  string
		close bool // the store is closed under the sync
		batch item.Batch
	}{
		{
			name:  "store closed during the sync",
			close: true,
			batch: item.Batch{Tickets: []item.Ticket{good}, Cursor: []byte("c1")},
		},
		{
			// The store refuses an item without an id; the whole batch,
			// the good ticket and the cursor included, is rolled back.
			name:  "store refuses an item",
			batch: item.Batch{Tickets: []item.Ticket{good, {CreatedAt: created, UpdatedAt: created, Status: item.StatusNew}}, Cursor: []byte("c1")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, st := newTestExporter(t)
			vs := newVendorState(t, time.Time{})
			src := emitOnce{before: func() {}, batch: tt.batch}
			if tt.close {
				src.before = func() {
					if err := st.Close(); err != nil {
						t.Error(err)
					}
				}
			}
			refreshed := false
			r := &runner{
				key: supportKey, kind: "zendesk", src: src, interval: time.Hour,
				status: newSourceStatus(supportKey.Vendor, supportKey.Source, "zendesk"),
				limits: e.limits, store: st,
				ingest:  func(k store.SourceKey, b item.Batch) error { return e.ingest(vs, k, time.Time{}, b) },
				refresh: func() { refreshed = true },
				logger:  slog.New(slog.DiscardHandler),
				now:     time.Now,
			}

			err := r.syncOnce(t.Context())
			var se *storeError
			if !errors.As(err, &se) {
				t.Fatalf("syncOnce = %v, want a store error", err)
			}
			s := r.status.snapshot()
			if s.Up || s.LastError == "" || len(s.Errors) != 1 || s.Errors["store"] != 1 {
				t.Errorf("status = %+v, want down with one error of reason store", s)
			}
			if refreshed {
				t.Error("a failed sync was marked synced")
			}
			if got := vs.agg.Snapshot(func(string) time.Time { return time.Time{} }).TicketsCreated; got != ([quality.NumPriorities]uint64{}) {
				t.Errorf("TicketsCreated = %v, want none: nothing was committed", got)
			}
			if tt.close {
				return // the closed store can tell no more
			}
			if n := storedTickets(t, st, supportKey); n != 0 {
				t.Errorf("stored tickets = %d, want 0: the batch must be rolled back whole", n)
			}
			if cursor, err := st.Cursor(supportKey); err != nil || cursor != nil {
				t.Errorf("cursor = %q (err %v), want none: it must not move past items not stored", cursor, err)
			}
		})
	}
}

func TestClosedStoreMarksSourcesDown(t *testing.T) {
	t.Parallel()
	e, st, _, _ := startAcme(t, slaOneHour)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []store.SourceKey{supportKey, statusKey} {
		waitFor(t, fmt.Sprintf("%v to fail with reason store", k), statusCond(e, k, func(s exposition.SourceStatus) bool {
			return !s.Up && s.Errors["store"] > 0
		}))
	}
	if got := ticketsCreated(e, "acme"); got != wantAcmeCreated {
		t.Errorf("TicketsCreated = %v, want %v: counts survive store errors", got, wantAcmeCreated)
	}
}

// A reload that must rebuild aggregates from a store that fails stops the
// old sources first; it must bring them back.
func TestReloadWithFailingStoreRestartsOldSources(t *testing.T) {
	t.Parallel()
	e, st, zd, sp := startAcme(t, slaOneHour)
	aggBefore := aggregator(e, "acme")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	err := e.Apply(parseConfig(t, acmeConfig(zd.URL(), sp.URL(), slaTwoHours)))
	if err == nil || !strings.Contains(err.Error(), "loading stored items") {
		t.Fatalf("Apply = %v, want an error loading stored items", err)
	}
	if e.ReloadSuccessful() {
		t.Error("ReloadSuccessful() = true after a failed reload")
	}
	if aggregator(e, "acme") != aggBefore {
		t.Error("the failed reload replaced the running aggregator")
	}
	if got := e.Contracts()[0].Targets[quality.Urgent][quality.FirstResponse]; got != time.Hour {
		t.Errorf("urgent first response target = %v, want the running 1h", got)
	}
	// The restarted sources keep trying (and failing on the closed store).
	for _, k := range []store.SourceKey{supportKey, statusKey} {
		after, _ := sourceStatusOf(e, k)
		waitFor(t, fmt.Sprintf("%v to sync again", k), statusCond(e, k, func(s exposition.SourceStatus) bool {
			return s.Errors["store"] > after.Errors["store"]
		}))
	}
}
