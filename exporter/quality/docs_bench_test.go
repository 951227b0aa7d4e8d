package quality

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// benchPages is a site of n pages, one per minute back from asOf, one in
// ten undated, their dates in no order (a site's list is sorted by URL).
func benchPages(n int) []item.Page {
	pages := make([]item.Page, n)
	for i := range pages {
		pages[i].URL = fmt.Sprintf("https://docs.example/p/%08d", i)
		if i%10 != 0 {
			pages[i].Updated = docsAsOf.Add(-time.Duration(i) * time.Minute)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(n, func(i, j int) { pages[i].Updated, pages[j].Updated = pages[j].Updated, pages[i].Updated })
	return pages
}

// BenchmarkDocs: SetPages (once per stored list) and the judgement a
// snapshot makes (under the aggregator's lock), at 50k and 1M pages.
func BenchmarkDocs(b *testing.B) {
	w := config.DocsWindows{StaleAfter: config.DefaultStaleAfter, UpdatedWithin: config.DefaultUpdatedWithin}
	for _, n := range []int{50_000, 1_000_000} {
		pages := benchPages(n)
		b.Run(fmt.Sprintf("SetPages/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = indexPages(pages)
			}
		})
		x := indexPages(pages)
		b.Run(fmt.Sprintf("Snapshot/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = x.judge("docs", w, docsAsOf)
			}
		})
	}
}
