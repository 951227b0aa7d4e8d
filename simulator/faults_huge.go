package simulator

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
)

// hugeChunk is about how much padding serveHuge writes at once.
const hugeChunk = 64 << 10

// serveHuge answers r with the real answer padded to at least size bytes
// (see FaultHugeBody), written as it goes: only the real answer and one
// chunk of padding are ever held.
func (e *endpoint) serveHuge(rw http.ResponseWriter, r *http.Request, size int64) {
	rec := httptest.NewRecorder()
	e.api.ServeHTTP(rec, unconditional(r))
	p := padAnswer(rec.Body.Bytes(), e.kind == KindFeed)
	h := rw.Header()
	maps.Copy(h, rec.Header())
	h.Del("Content-Length") // streamed: chunked
	h.Del("ETag")
	rw.WriteHeader(http.StatusOK)
	written := int64(0)
	write := func(b []byte) bool {
		n, err := rw.Write(b)
		written += int64(n)
		return err == nil
	}
	if !write(p.prefix) || !write(p.first) {
		return // the client is gone
	}
	chunk := bytes.Repeat(p.unit, max(1, hugeChunk/len(p.unit)))
	for written+int64(len(chunk)+len(p.rest)) < size {
		if !write(chunk) {
			return
		}
	}
	for written+int64(len(p.rest)) < size {
		if !write(p.unit) {
			return
		}
	}
	write(p.rest)
}

// padding is an answer cut where padding goes: prefix, then first, then
// as many units as it takes, then rest.
type padding struct {
	prefix, first, unit, rest []byte
}

// padAnswer cuts an answer where padding goes: a JSON answer at the start
// of its first list, padded with copies of the list's first item ({} when
// the list is empty), or, without a list, after its first brace, with
// spaces; a feed before its first entry, with copies of it, or before
// </feed>, with newlines.
func padAnswer(body []byte, feed bool) padding {
	if feed {
		if i := bytes.Index(body, []byte("<entry>")); i >= 0 {
			n := bytes.Index(body[i:], []byte("</entry>")) + len("</entry>")
			entry := append(bytes.Clone(body[i:i+n]), '\n')
			return padding{prefix: body[:i], unit: entry, rest: body[i:]}
		}
		i := bytes.LastIndex(body, []byte("</feed>"))
		return padding{prefix: body[:i], unit: []byte("\n"), rest: body[i:]}
	}
	i := bytes.IndexByte(body, '[')
	if i < 0 {
		j := bytes.IndexByte(body, '{') + 1
		return padding{prefix: body[:j], unit: []byte(" "), rest: body[j:]}
	}
	var item json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(body[i+1:])).Decode(&item); err != nil { // an empty list
		return padding{prefix: body[:i+1], first: []byte("{}"), unit: []byte(",{}"), rest: body[i+1:]}
	}
	return padding{prefix: body[:i+1], unit: append(bytes.Clone(item), ','), rest: body[i+1:]}
}
