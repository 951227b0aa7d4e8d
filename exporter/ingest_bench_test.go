package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/simulator"
)

// benchIngestTickets is the size of the simulated vendor's history.
const benchIngestTickets = 200_000

// benchIngestKey is the benchmark's ticket source.
var benchIngestKey = store.SourceKey{Vendor: "acme", Source: "helpdesk"}

// BenchmarkIngest is the first sync of a Zendesk source holding 200k
// tickets (about 2 kB of JSON each, 420 MB in all), end to end: HTTP
// requests, decoding, merging with the (empty) store, a durable commit of
// every page with its cursor, the aggregates and a snapshot after each
// page. Each iteration starts from an empty store.
//
// vendor=simulator syncs from the in-process simulator, which shares the
// machine's cores with the exporter. vendor=replay serves the same pages,
// recorded beforehand, from memory: it measures the exporter alone, as
// against a remote vendor.
//
// ns/op is the sync's own duration as the runner measures it (what
// support_source_last_sync_duration_seconds reports), without the random
// delay before a source's first sync.
func BenchmarkIngest(b *testing.B) {
	sim := benchSimulator(b)
	defer sim.Close()
	user, token := sim.ZendeskCredentials("acme")
	simURL := sim.URL("acme", simulator.KindZendesk)
	replay := httptest.NewServer(benchRecordExport(b, simURL, user, token))
	defer replay.Close()
	for _, vendor := range []struct{ name, url string }{
		{"vendor=simulator", simURL},
		{"vendor=replay", replay.URL},
	} {
		b.Run(vendor.name, func(b *testing.B) {
			yaml := benchIngestConfig(b, vendor.url, user, token)
			var synced time.Duration
			for range b.N {
				synced += benchIngestOnce(b, yaml)
			}
			b.ReportMetric(float64(synced.Nanoseconds())/float64(b.N), "ns/op")
			b.ReportMetric(float64(benchIngestTickets*b.N)/synced.Seconds(), "tickets/s")
		})
	}
}

// benchSimulator starts a simulated vendor without rate limits. Its clock
// is frozen, so the export ends once every ticket is fetched.
func benchSimulator(b *testing.B) *simulator.Sim {
	b.Helper()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	sim, err := simulator.New(simulator.Options{
		Seed: 7, Start: now, Clock: func() time.Time { return now },
		Vendors: []simulator.Vendor{{
			Name: "acme", Persona: simulator.SlowThorough, Timezone: "Europe/Berlin",
			History: 180 * 24 * time.Hour, Tickets: benchIngestTickets,
		}},
		ExportRequestsPerMinute: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		b.Fatal(err)
	}
	return sim
}

// benchRecordExport pages through the simulator's whole export as the
// collector does (per_page 1000, metric sets included) and returns a
// handler that answers each page's request, told apart by its cursor, with
// the recorded body.
func benchRecordExport(b *testing.B, simURL, user, token string) http.Handler {
	b.Helper()
	pages := map[string][]byte{}
	query := url.Values{"start_time": {"0"}, "include": {"metric_sets"}, "per_page": {"1000"}}
	for cursor := ""; ; {
		req, err := http.NewRequest(http.MethodGet, simURL+"/api/v2/incremental/tickets/cursor.json?"+query.Encode(), nil)
		if err != nil {
			b.Fatal(err)
		}
		req.SetBasicAuth(user, token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("recording the export: %d %v %.200s", resp.StatusCode, err, body)
		}
		pages[cursor] = body
		var p struct {
			AfterCursor string `json:"after_cursor"`
			EndOfStream bool   `json:"end_of_stream"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			b.Fatal(err)
		}
		if p.EndOfStream {
			break
		}
		cursor = p.AfterCursor
		query = url.Values{"cursor": {cursor}, "include": {"metric_sets"}, "per_page": {"1000"}}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Query().Get("cursor")]
		if !ok {
			http.Error(w, "no such page recorded", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	})
}

// benchIngestConfig is the exporter's configuration for a Zendesk at zendeskURL,
// with the vendor's credentials in a password file.
func benchIngestConfig(b *testing.B, zendeskURL, user, token string) string {
	b.Helper()
	tokenFile := filepath.Join(b.TempDir(), "zendesk-token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		b.Fatal(err)
	}
	return fmt.Sprintf(`global:
  poll_interval: 1h
  request_timeout: 30s
calendars:
  office:
    timezone: Europe/Berlin
    hours: "09:00-18:00"
vendors:
  - name: acme
    calendar: office
    sla:
      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}
      resolution: {urgent: 24h, high: 72h}
    escalation:
      tags: [escalated]
    tickets:
      - name: helpdesk
        kind: zendesk
        http_client: {basic_auth: {username: agent, password: token}}
        url: %s
        export_requests_per_minute: 1000000
        http_client:
          basic_auth:
            username: %s
            password_file: %s
`, zendeskURL, user, tokenFile)
}

// benchIngestOnce runs an exporter on an empty store until its first sync
// succeeded, checks that every ticket was stored and counted, and returns
// the sync's duration. The poll interval of an hour keeps a second sync
// from starting.
func benchIngestOnce(b *testing.B, yaml string) time.Duration {
	b.Helper()
	cfg, err := config.Parse([]byte(yaml), filepath.Join(b.TempDir(), "bench.yml"), collectors.Kinds.Config())
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := New(ctx, Options{Logger: slog.New(slog.DiscardHandler), Store: st, UserAgent: "support_exporter/bench"})
	defer e.Stop()
	if err := e.Apply(cfg); err != nil {
		b.Fatal(err)
	}
	status := benchAwaitFirstSync(b, e)
	if !status.Up {
		b.Fatalf("first sync failed: %s", status.LastError)
	}
	stored, _, _ := storedCounts(b, st, benchIngestKey)
	var counted uint64
	for _, n := range e.Snapshot().Vendors[0].TicketsCreated {
		counted += n
	}
	if stored != benchIngestTickets || counted != benchIngestTickets {
		b.Fatalf("stored %d and counted %d tickets, want %d", stored, counted, benchIngestTickets)
	}
	return status.LastDuration
}

// benchAwaitFirstSync waits for the first sync attempt of the ticket
// source to end and returns its status.
func benchAwaitFirstSync(b *testing.B, e *Exporter) exposition.SourceStatus {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		for _, s := range e.SourceStatuses() {
			if s.Vendor == benchIngestKey.Vendor && s.Source == benchIngestKey.Source && !s.LastSync.IsZero() {
				return s
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatal("the first sync did not end within 5 minutes")
	return exposition.SourceStatus{}
}
