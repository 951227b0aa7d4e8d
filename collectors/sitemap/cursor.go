package sitemap

import (
	"encoding/json"
	"net/http"
	"strings"
)

// cursor is what a sync leaves for the next: each file's validators, so
// that a file unchanged since the stored page list costs one 304, and each
// index's children, so that an index answering 304 is still walked. The
// stored page list was read with exactly these files: the cursor is stored
// with it, in one batch.
type cursor struct {
	// Filter is the include and exclude patterns the page list was read
	// with: the files' validators hold for that list alone, and a changed
	// filter reads every file again.
	Filter string               `json:"filter,omitempty"`
	Files  map[string]fileState `json:"files,omitempty"`
}

// fileState is one file as last read.
type fileState struct {
	ETag         string   `json:"etag,omitempty"`
	LastModified string   `json:"last_modified,omitempty"`
	Index        bool     `json:"index,omitempty"`
	Children     []string `json:"children,omitempty"` // an index's sitemaps
}

// validators are the conditional headers of a request for the file; nil
// when it has none.
func (f fileState) validators() http.Header {
	if f.ETag == "" && f.LastModified == "" {
		return nil
	}
	h := http.Header{}
	if f.ETag != "" {
		h.Set("If-None-Match", f.ETag)
	}
	if f.LastModified != "" {
		h.Set("If-Modified-Since", f.LastModified)
	}
	return h
}

// parseCursor reads a stored cursor; nil (the first sync) and one that
// does not parse are empty: every file is read whole.
func parseCursor(raw []byte) (cursor, error) {
	var c cursor
	if len(raw) == 0 {
		return c, nil
	}
	err := json.Unmarshal(raw, &c)
	return c, err
}

func (c cursor) encode() ([]byte, error) { return json.Marshal(c) }

// filterKey is the filter's patterns as the cursor records them.
func filterKey(include, exclude []string) string {
	return strings.Join(include, "\x00") + "\x01" + strings.Join(exclude, "\x00")
}
