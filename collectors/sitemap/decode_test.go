package sitemap

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeMkDocs: MkDocs writes the build date as every page's lastmod.
func TestDecodeMkDocs(t *testing.T) {
	doc, err := decode(readFixture(t, "mkdocs-topbarplus-sitemap.xml"), mustURL(t, "https://1ForeverHD.github.io/TopbarPlus/sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.index || len(doc.pages) != 6 || doc.badLastmod != 0 {
		t.Fatalf("index %v, %d pages, %d bad lastmods; want a sitemap of 6 dated pages", doc.index, len(doc.pages), doc.badLastmod)
	}
	build := time.Date(2025, 6, 5, 0, 0, 0, 0, time.UTC)
	for _, p := range doc.pages {
		if !p.Updated.Equal(build) {
			t.Errorf("%s updated %v, want the build date %v", p.URL, p.Updated, build)
		}
	}
	if doc.pages[5].URL != "https://1ForeverHD.github.io/TopbarPlus/third_parties/" {
		t.Errorf("last page %q", doc.pages[5].URL)
	}
}

// TestDecodeHugoIndex: Hugo's multilingual root index, with relative
// locations (which the protocol forbids) resolved against the index's URL.
func TestDecodeHugoIndex(t *testing.T) {
	doc, err := decode(readFixture(t, "hugo-18f-sitemapindex.xml"), mustURL(t, "https://guides.example.gov/sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://guides.example.gov/fr/sitemap.xml", "https://guides.example.gov/en/sitemap.xml"}
	if !doc.index || strings.Join(doc.children, " ") != strings.Join(want, " ") {
		t.Errorf("index %v, children %q; want %q", doc.index, doc.children, want)
	}
}

// TestDecodeHugoLanguage: 53 pages, 10 of them dated in two US zones,
// xhtml:link alternates beside them.
func TestDecodeHugoLanguage(t *testing.T) {
	doc, err := decode(readFixture(t, "hugo-18f-en-sitemap.xml"), mustURL(t, "https://guides.example.gov/en/sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	dated := 0
	for _, p := range doc.pages {
		if !p.Updated.IsZero() {
			dated++
		}
	}
	if len(doc.pages) != 53 || dated != 10 {
		t.Fatalf("%d pages, %d dated; want 53, 10", len(doc.pages), dated)
	}
	first, post := doc.pages[0], doc.pages[9]
	if first.URL != "https://guides.example.gov/post/chapter-6/" || !first.Updated.Equal(time.Date(2017, 4, 14, 15, 25, 5, 0, time.UTC)) {
		t.Errorf("first page %+v", first)
	}
	if post.URL != "https://guides.example.gov/post/" || !post.Updated.Equal(time.Date(2017, 3, 2, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("tenth page %+v, want /post/ at 2017-03-02T12:00:00-05:00", post)
	}
}

func TestParseLastmod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2025-06", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), true},
		{"2025-06-05", time.Date(2025, 6, 5, 0, 0, 0, 0, time.UTC), true},
		{"2025-06-05T10:30+02:00", time.Date(2025, 6, 5, 8, 30, 0, 0, time.UTC), true},
		{"2025-06-05T10:30Z", time.Date(2025, 6, 5, 10, 30, 0, 0, time.UTC), true},
		{"2025-06-05T10:30:15-04:00", time.Date(2025, 6, 5, 14, 30, 15, 0, time.UTC), true},
		{"2025-06-05T10:30:15.123Z", time.Date(2025, 6, 5, 10, 30, 15, 123e6, time.UTC), true},
		{"2025-06-05T10:30:15", time.Time{}, false}, // a time without its zone says no instant
		{"2025-06-05 10:30:15Z", time.Time{}, false},
		{"June 5, 2025", time.Time{}, false},
		{"2025-13", time.Time{}, false},
	} {
		got, ok := ParseLastmod(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) || (ok && got.Location() != time.UTC) {
			t.Errorf("ParseLastmod(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	base := mustURL(t, "https://docs.example.com/sitemap.xml")
	for _, tc := range []struct {
		name, body string
		tooLarge   bool
	}{
		{"html", "<!DOCTYPE html><html><body>Not found</body></html>", false},
		{"json", `{"error":"nope"}`, false},
		{"cut short", `<urlset><url><loc>https://docs.example.com/a</loc></url>`, false},
		{"merge conflict", "<urlset>\n<url>\n<<<<<<< HEAD\n<loc>https://docs.example.com/a</loc>\n</url></urlset>", false},
		{"too many entries", "<urlset>" + strings.Repeat("<url><loc>https://docs.example.com/a</loc></url>", maxFileEntries+1) + "</urlset>", true},
	} {
		_, err := decode([]byte(tc.body), base)
		if err == nil || errors.Is(err, errTooLarge) != tc.tooLarge {
			t.Errorf("%s: %v, want an error (too large: %v)", tc.name, err, tc.tooLarge)
		}
	}
	// 50,000 entries exactly is within the limit.
	body := "<urlset>" + strings.Repeat("<url><loc>https://docs.example.com/a</loc></url>", maxFileEntries) + "</urlset>"
	if doc, err := decode([]byte(body), base); err != nil || len(doc.pages) != maxFileEntries {
		t.Errorf("50,000 entries: %v", err)
	}
}

// TestDecodeSkipsBadLocations: no loc, another scheme; a lastmod that is
// no W3C Datetime leaves its page undated and is counted.
func TestDecodeSkipsBadLocations(t *testing.T) {
	body := `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><lastmod>2025-01-01</lastmod></url>
<url><loc>ftp://docs.example.com/a</loc></url>
<url><loc> https://docs.example.com/b#top </loc><lastmod>yesterday</lastmod></url>
</urlset>`
	doc, err := decode([]byte(body), mustURL(t, "https://docs.example.com/sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.pages) != 1 || doc.pages[0].URL != "https://docs.example.com/b" || !doc.pages[0].Updated.IsZero() || doc.badLastmod != 1 {
		t.Errorf("pages %+v, bad lastmods %d", doc.pages, doc.badLastmod)
	}
}

func TestGunzipBomb(t *testing.T) {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for range maxFileBytes/len(chunk) + 1 {
		_, _ = zw.Write(chunk)
	}
	_ = zw.Close()
	if b.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes compressed", b.Len())
	}
	if _, err := gunzip(b.Bytes()); !errors.Is(err, errTooLarge) {
		t.Errorf("gunzip of %d bytes inflating past %d: %v, want too large", b.Len(), maxFileBytes, err)
	}
}
