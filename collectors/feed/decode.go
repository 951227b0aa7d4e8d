package feed

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// entry is one feed entry, reduced to what the collector reads.
type entry struct {
	id string // the Atom id or RSS guid, else the entry's link; "" when neither
	// published and updated are zero when absent, unparsable, or written
	// in a zone whose offset gofeed does not know (see trustedTime).
	published, updated time.Time
	body               string // HTML: the content, else the summary or description
	title              string // the entry's title, as the feed gives it
}

// decodeFeed parses an RSS or Atom document. Anything else, JSON Feed
// included, is refused: a JSON body at a feed URL is far more likely an API
// answer than a feed, and would otherwise read as an empty feed.
func decodeFeed(body []byte) ([]entry, error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if f.FeedType != "rss" && f.FeedType != "atom" {
		return nil, fmt.Errorf("a %s feed, want RSS or Atom", f.FeedType)
	}
	entries := make([]entry, 0, len(f.Items))
	for _, it := range f.Items {
		e := entry{
			id:        strings.TrimSpace(it.GUID),
			published: trustedTime(it.Published, it.PublishedParsed),
			updated:   trustedTime(it.Updated, it.UpdatedParsed),
			body:      it.Content,
			title:     it.Title,
		}
		if e.id == "" {
			e.id = strings.TrimSpace(it.Link)
		}
		if strings.TrimSpace(e.body) == "" {
			e.body = it.Description
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// gofeedZones are the zone abbreviations gofeed v1.4.2 resolves to their
// offsets (internal/shared/dateparser.go); it reads any other abbreviation
// as UTC. It takes CST and BST in their North American and British sense.
var gofeedZones = map[string]bool{
	"UT": true, "GMT": true, "UTC": true, "EST": true, "EDT": true, "CST": true, "CDT": true,
	"MST": true, "MDT": true, "PST": true, "PDT": true, "WET": true, "WEST": true, "BST": true,
	"CET": true, "CEST": true, "EET": true, "EEST": true,
}

// trustedTime returns the instant gofeed parsed from raw, or zero when it
// parsed none or had to guess the offset: raw ends in a zone abbreviation
// gofeed does not know ("JST", "IST").
func trustedTime(raw string, parsed *time.Time) time.Time {
	if parsed == nil {
		return time.Time{}
	}
	fields := strings.Fields(raw)
	if n := len(fields); n > 0 && isLetters(fields[n-1]) && !gofeedZones[fields[n-1]] {
		return time.Time{}
	}
	return parsed.UTC()
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}
