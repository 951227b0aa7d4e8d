package sitemap

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// The sitemaps.org protocol's limits per file, read or decompressed
// (https://www.sitemaps.org/protocol.html): a file over either is refused
// whole (too_large), never cut short.
const (
	maxFileBytes   = 50 << 20 // 52,428,800 bytes
	maxFileEntries = 50000
)

// errTooLarge is a file over the protocol's limits.
var errTooLarge = errors.New("over the sitemap protocol's limits")

// document is one sitemap file read: an index's children, or a sitemap's
// pages.
type document struct {
	index    bool
	children []string    // an index's sitemaps, absolute URLs
	pages    []item.Page // a sitemap's pages
	// badLastmod counts the lastmod values that are no W3C Datetime:
	// their pages are undated.
	badLastmod int
}

// gzipped reports whether a file is gzip-compressed: its name ends in .gz
// or its bytes start with gzip's magic number (a server may send a .xml.gz
// without saying so, or a compressed file under another name).
func gzipped(name string, body []byte) bool {
	return strings.HasSuffix(name, ".gz") || bytes.HasPrefix(body, []byte{0x1f, 0x8b})
}

// gunzip decompresses body, refusing more than maxFileBytes of output: a
// small file that inflates without end (a gzip bomb) costs at most that.
func gunzip(body []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if len(out) > maxFileBytes {
		return nil, fmt.Errorf("decompressed past %d bytes: %w", maxFileBytes, errTooLarge)
	}
	return out, nil
}

// entry is a <url> of a sitemap or a <sitemap> of an index. Tags without
// a namespace match the protocol's elements in any namespace (and in none,
// which a careless generator writes).
type entry struct {
	Loc     string `xml:"loc"`
	Lastmod string `xml:"lastmod"`
}

// decode reads a sitemap file whose URL is base: a <urlset> or a
// <sitemapindex>. Relative locations, which the protocol forbids but
// generators write, are resolved against base; a location that is no
// http(s) URL, or none, is left out.
func decode(body []byte, base *url.URL) (*document, error) {
	if len(body) > maxFileBytes {
		return nil, fmt.Errorf("%d bytes: %w", len(body), errTooLarge)
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	root, err := rootElement(d)
	if err != nil {
		return nil, err
	}
	doc := &document{}
	var want string
	switch root.Name.Local {
	case "urlset":
		want = "url"
	case "sitemapindex":
		doc.index, want = true, "sitemap"
	default:
		return nil, fmt.Errorf("root element <%s>: not a sitemap (want <urlset> or <sitemapindex>)", root.Name.Local)
	}
	entries := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, errors.New("the document ends inside its root element")
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return doc, nil // the root's: the nested ones are consumed whole
		case xml.StartElement:
			if t.Name.Local != want {
				if err := d.Skip(); err != nil {
					return nil, err
				}
				continue
			}
			var e entry
			if err := d.DecodeElement(&e, &t); err != nil {
				return nil, err
			}
			if entries++; entries > maxFileEntries {
				return nil, fmt.Errorf("more than %d entries: %w", maxFileEntries, errTooLarge)
			}
			loc, ok := location(base, e.Loc)
			if !ok {
				continue
			}
			if doc.index {
				doc.children = append(doc.children, loc)
				continue
			}
			p := item.Page{URL: loc}
			if lm := strings.TrimSpace(e.Lastmod); lm != "" {
				if p.Updated, ok = ParseLastmod(lm); !ok {
					doc.badLastmod++
				}
			}
			doc.pages = append(doc.pages, p)
		}
	}
}

// rootElement reads up to the document's first element.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, errors.New("no XML element")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, nil
		}
	}
}

// location resolves loc against base; false when it is empty or no
// http(s) URL.
func location(base *url.URL, loc string) (string, bool) {
	loc = strings.TrimSpace(loc)
	if loc == "" {
		return "", false
	}
	u, err := base.Parse(loc)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	u.Fragment = ""
	return u.String(), true
}

// lastmodLayouts are the W3C Datetime forms (https://www.w3.org/TR/NOTE-datetime)
// a lastmod may take, finest first. Go's RFC 3339 layout also reads
// fractional seconds. A time of day always carries its zone (the W3C note
// requires it); a date alone is midnight UTC, as Google reads it.
var lastmodLayouts = []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02", "2006-01", "2006"}

// ParseLastmod reads a sitemap's lastmod in any W3C Datetime form: YYYY,
// YYYY-MM, YYYY-MM-DD (the first instant of that year, month or day, UTC),
// or a date with a time of day (hh:mm, hh:mm:ss, hh:mm:ss.s) and a zone
// (Z or ±hh:mm). A time of day without a zone says no instant: false.
func ParseLastmod(s string) (time.Time, bool) {
	for _, layout := range lastmodLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
