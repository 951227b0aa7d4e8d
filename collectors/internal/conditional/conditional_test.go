package conditional

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

func TestValidators(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	h := http.Header{"Etag": {`W/"ff9729e6a6d72a95efcb1ea4c9a3bba1"`}, "Last-Modified": {now.Add(-time.Hour).Format(http.TimeFormat)}}
	v := Of(h)
	req := v.Header()
	if req.Get("If-None-Match") != `W/"ff9729e6a6d72a95efcb1ea4c9a3bba1"` {
		t.Errorf("request headers %v, want the ETag sent back as it came", req)
	}
	if (Validators{}).Header() != nil || !(Validators{}).Empty() {
		t.Error("empty validators send headers")
	}
	if !NotModified(&fetch.Error{Reason: fetch.ReasonHTTP, Status: http.StatusNotModified}) ||
		NotModified(&fetch.Error{Reason: fetch.ReasonHTTP, Status: http.StatusOK}) || NotModified(nil) {
		t.Error("NotModified misreads an error")
	}
}

// If-Modified-Since is never sent: with one-second HTTP dates, a server
// validating by Last-Modified alone answers 304 to an edit made within the
// second of the body last read (package doc). A Last-Modified without an
// ETag leaves the document unconditional; one next to an ETag adds no
// header; a cursor stored with a Last-Modified alone reads whole.
func TestNoIfModifiedSince(t *testing.T) {
	lm := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	if v := Of(http.Header{"Last-Modified": {lm}}); !v.Empty() || v.Header() != nil {
		t.Errorf("Last-Modified alone: validators %+v, header %v; want none (unconditional)", v, v.Header())
	}
	both := Of(http.Header{"Etag": {`"x"`}, "Last-Modified": {lm}}).Header()
	if both.Get("If-Modified-Since") != "" || both.Get("If-None-Match") != `"x"` {
		t.Errorf("ETag and Last-Modified: header %v, want If-None-Match alone", both)
	}
	var old Validators
	if err := json.Unmarshal([]byte(`{"last_modified": "`+lm+`"}`), &old); err != nil || !old.Empty() {
		t.Errorf("stored Last-Modified alone = %+v (%v), want empty validators", old, err)
	}
}
