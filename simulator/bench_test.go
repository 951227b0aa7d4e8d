package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// BenchmarkExport pages through a full incremental export of a million
// tickets with their metric sets, as a collector's first sync does, and
// reports the tickets served per second. It measures the simulator, not a
// JSON decoder: the client reads each page whole but decodes only the
// trailing pagination fields, and counts the tickets by their one
// generated_timestamp each.
func BenchmarkExport(b *testing.B) {
	start := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	const tickets = 1_000_000
	s, err := New(Options{
		Seed: 1, Start: start, Clock: func() time.Time { return start }, ExportRequestsPerMinute: -1,
		Vendors: []Vendor{{Name: "big", Persona: FastShallow, Timezone: "Europe/Berlin", History: 365 * 24 * time.Hour, Tickets: tickets}},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	user, pass := s.ZendeskCredentials("big")
	b.ResetTimer()
	for b.Loop() {
		next := s.URL("big", KindZendesk) + exportPath + "?start_time=0&include=metric_sets"
		seen := 0
		for {
			req, err := http.NewRequest(http.MethodGet, next, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.SetBasicAuth(user, pass)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			tail := bytes.LastIndex(body, []byte(`"after_url":`))
			if tail < 0 {
				b.Fatalf("no after_url in %.200s", body)
			}
			var page struct {
				AfterURL    string `json:"after_url"`
				EndOfStream bool   `json:"end_of_stream"`
			}
			if err := json.Unmarshal(append([]byte("{"), body[tail:]...), &page); err != nil {
				b.Fatal(err)
			}
			seen += bytes.Count(body, []byte(`"generated_timestamp":`))
			if page.EndOfStream {
				break
			}
			next = page.AfterURL
		}
		if seen != tickets {
			b.Fatalf("exported %d tickets, want %d", seen, tickets)
		}
	}
	b.ReportMetric(float64(tickets*b.N)/b.Elapsed().Seconds(), "tickets/s")
}
