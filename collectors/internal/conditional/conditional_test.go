package conditional

import (
	"net/http"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/door"
)

func TestValidators(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	bounds := door.Bounds{MaxSkew: 5 * time.Minute, Now: func() time.Time { return now }}
	h := http.Header{"Etag": {`W/"ff9729e6a6d72a95efcb1ea4c9a3bba1"`}, "Last-Modified": {now.Add(-time.Hour).Format(http.TimeFormat)}}
	v := Of(h, bounds)
	req := v.Header()
	if req.Get("If-None-Match") != `W/"ff9729e6a6d72a95efcb1ea4c9a3bba1"` || req.Get("If-Modified-Since") != "Sun, 01 Nov 2026 23:00:00 GMT" {
		t.Errorf("request headers %v, want the ETag and the Last-Modified sent back as they came", req)
	}
	// A Last-Modified ahead of the clock (past the skew) would earn 304s
	// until the server's clock came back: not kept.
	h.Set("Last-Modified", now.Add(time.Hour).Format(http.TimeFormat))
	if v := Of(h, bounds); v.LastModified != "" || v.ETag == "" {
		t.Errorf("validators %+v, want the ETag alone", v)
	}
	if (Validators{}).Header() != nil || !(Validators{}).Empty() {
		t.Error("empty validators send headers")
	}
	if !NotModified(&fetch.Error{Reason: fetch.ReasonHTTP, Status: http.StatusNotModified}) ||
		NotModified(&fetch.Error{Reason: fetch.ReasonHTTP, Status: http.StatusOK}) || NotModified(nil) {
		t.Error("NotModified misreads an error")
	}
}
