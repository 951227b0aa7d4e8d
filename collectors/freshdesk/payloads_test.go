package freshdesk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// The recorded Freshdesk payloads (testdata) that the tests shape their
// items from.

// airbyteRecords are the `data` objects of the Airbyte sandbox records of
// one stream, in file order.
func airbyteRecords(t testing.TB, file, stream string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(collectortest.Testdata(t, file)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			Stream string         `json:"stream"`
			Data   map[string]any `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Stream == stream {
			out = append(out, rec.Data)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no %s records", file, stream)
	}
	return out
}

const (
	ticketsFile = "airbyte_expected_records_tickets_with_stats.jsonl"
	othersFile  = "airbyte_expected_records_conversations_csat_surveys.jsonl"
)

// realTicket is the recorded pending ticket 22 (answered, stats included)
// with fields overridden.
func realTicket(t testing.TB, overrides map[string]any) map[string]any {
	t.Helper()
	for _, rec := range airbyteRecords(t, ticketsFile, "tickets") {
		if rec["id"] == float64(22) {
			ticket := maps.Clone(rec)
			ticket["id"] = 22
			ticket["stats"] = maps.Clone(rec["stats"].(map[string]any))
			maps.Copy(ticket, overrides)
			return ticket
		}
	}
	t.Fatal("no ticket 22 in the recorded tickets")
	return nil
}

// realConversation is the recorded public agent reply on ticket 22 with
// fields overridden.
func realConversation(t testing.TB, overrides map[string]any) map[string]any {
	t.Helper()
	conv := maps.Clone(airbyteRecords(t, othersFile, "conversations")[0])
	maps.Copy(conv, overrides)
	return conv
}

// realRating is the recorded satisfaction rating (ticket 23, 103 on every
// question) with fields overridden.
func realRating(t testing.TB, overrides map[string]any) map[string]any {
	t.Helper()
	r := maps.Clone(airbyteRecords(t, othersFile, "satisfaction_ratings")[0])
	r["ratings"] = maps.Clone(r["ratings"].(map[string]any))
	maps.Copy(r, overrides)
	return r
}

// ticketsAt are n recorded-shape tickets with ids from first, created a day
// before their update and updated step apart from start.
func ticketsAt(t testing.TB, first, n int, start time.Time, step time.Duration) []map[string]any {
	t.Helper()
	template := realTicket(t, nil)
	out := make([]map[string]any, n)
	for i := range n {
		updated := start.Add(time.Duration(i) * step)
		ticket := maps.Clone(template)
		ticket["stats"] = maps.Clone(template["stats"].(map[string]any))
		ticket["id"] = first + i
		ticket["created_at"] = updated.Add(-24 * time.Hour).Format(time.RFC3339)
		ticket["updated_at"] = updated.Format(time.RFC3339)
		out[i] = ticket
	}
	return out
}
