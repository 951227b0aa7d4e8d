// Package conditional holds the validators of a conditional GET (RFC 9110
// section 13): what a collector keeps in its cursor from a 200 answer, so
// that it can ask for the same document again with If-None-Match and be
// answered 304 Not Modified, without a body, when the document did not
// change. package fetch returns a 304 as an *Error of status 304
// (NotModified tells it from a failure).
//
// Only the ETag is kept; Last-Modified is not, and If-Modified-Since is
// never sent. An HTTP date has a resolution of one second, so a server
// validating with Last-Modified alone answers 304 to an edit made within
// the second of the body last read, and one that derives Last-Modified
// from the content (the newest item's time) moves it backwards when that
// item goes, and answers 304 to every later edit under the old maximum:
// either would hide a change until another one moves Last-Modified. An
// ETag names the body itself. A server that sends both must ignore
// If-Modified-Since under If-None-Match (RFC 9110 section 13.1.3), so it
// would add nothing there; a page that sends no ETag (Statuspage sends
// ETags only, docs/sources.md) is read whole at every poll.
//
// The validators of a document must be stored with what was read from its
// body, in one batch (item.Batch.Cursor): stored before its items, they
// would answer 304 after a crash, and the items would never be read again.
package conditional

import (
	"errors"
	"net/http"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// Validators are a document's ETag as last read. (Cursors written before
// Last-Modified was given up also hold "last_modified": ignored.)
type Validators struct {
	ETag string `json:"etag,omitempty"`
}

// Empty reports whether v holds no validator: a request for the document
// is unconditional.
func (v Validators) Empty() bool { return v.ETag == "" }

// Header is the conditional headers of a request for the document; nil
// when v is empty.
func (v Validators) Header() http.Header {
	if v.Empty() {
		return nil
	}
	return http.Header{"If-None-Match": {v.ETag}}
}

// Of reads the validators of a 200 answer's header: its ETag. Its
// Last-Modified is not kept (package doc).
func Of(h http.Header) Validators {
	return Validators{ETag: h.Get("ETag")}
}

// NotModified reports whether err is a 304 answer.
func NotModified(err error) bool {
	var fe *fetch.Error
	return errors.As(err, &fe) && fe.Status == http.StatusNotModified
}
