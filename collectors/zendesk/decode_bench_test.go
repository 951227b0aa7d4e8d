package zendesk

import (
	"testing"
	"time"
)

// BenchmarkDecodePage decodes a full export page: 1000 tickets shaped like
// the recorded one (every field Zendesk sends, most of them unread), each
// with its metric set shaped like the documentation's, about 2 kB of JSON
// per ticket.
func BenchmarkDecodePage(b *testing.B) {
	body := busyExportPage(b, 1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := decodePage(body, time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.tickets) != 1000 {
			b.Fatalf("decoded %d tickets, want 1000", len(p.tickets))
		}
	}
}
