package sitemap

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecode: any bytes decode without panicking into a document whose
// every location is an absolute http(s) URL, with at most the protocol's
// number of entries. Seeds: every sitemap in testdata.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<urlset><url><loc>/a</loc><lastmod>2025-06</lastmod></url></urlset>`))
	base, _ := url.Parse("https://docs.example.com/sitemap.xml")
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := decode(body, base)
		if err != nil {
			return
		}
		if len(doc.pages)+len(doc.children) > maxFileEntries {
			t.Fatalf("%d entries", len(doc.pages)+len(doc.children))
		}
		locs := append([]string{}, doc.children...)
		for _, p := range doc.pages {
			locs = append(locs, p.URL)
		}
		for _, l := range locs {
			if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
				t.Fatalf("location %q", l)
			}
		}
	})
}

// FuzzParseLastmod: a lastmod read is an instant in UTC.
func FuzzParseLastmod(f *testing.F) {
	for _, s := range []string{"2025", "2025-06", "2025-06-05", "2025-06-05T10:30+02:00", "2025-06-05T10:30:15.5Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, ok := ParseLastmod(s); ok && got.Location().String() != "UTC" {
			t.Fatalf("ParseLastmod(%q) = %v, not UTC", s, got)
		}
	})
}
