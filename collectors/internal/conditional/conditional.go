// Package conditional holds the validators of a conditional GET (RFC 9110
// section 13): what a collector keeps in its cursor from a 200 answer, so
// that it can ask for the same document again with If-None-Match and
// If-Modified-Since and be answered 304 Not Modified, without a body, when
// the document did not change. package fetch returns a 304 as an *Error of
// status 304 (NotModified tells it from a failure).
//
// The validators of a document must be stored with what was read from its
// body, in one batch (item.Batch.Cursor): stored before its items, they
// would answer 304 after a crash, and the items would never be read again.
package conditional

import (
	"errors"
	"net/http"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/door"
)

// Validators are a document's ETag and Last-Modified as last read.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Empty reports whether v holds no validator: a request for the document
// is unconditional.
func (v Validators) Empty() bool { return v.ETag == "" && v.LastModified == "" }

// Header is the conditional headers of a request for the document; nil
// when v is empty.
func (v Validators) Header() http.Header {
	if v.Empty() {
		return nil
	}
	h := http.Header{}
	if v.ETag != "" {
		h.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		h.Set("If-Modified-Since", v.LastModified)
	}
	return h
}

// Of reads the validators of a 200 answer's header. A Last-Modified in
// the future (bounds) is left out: a server whose clock runs ahead would
// answer 304 until its clock caught up.
func Of(h http.Header, bounds door.Bounds) Validators {
	v := Validators{ETag: h.Get("ETag"), LastModified: h.Get("Last-Modified")}
	if t, err := http.ParseTime(v.LastModified); err == nil && bounds.Check(t) == door.ReasonFuture {
		v.LastModified = ""
	}
	return v
}

// NotModified reports whether err is a 304 answer.
func NotModified(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.Status == http.StatusNotModified
}
