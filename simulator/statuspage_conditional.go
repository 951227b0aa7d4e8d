package simulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
)

// Statuspage's public API answers as a Rails application behind a CDN
// does. A capture of https://www.githubstatus.com/api/v2/status.json on
// 2026-09-10 (a Serenity/JS test report in the public repository
// serenity-js/serenity-js-mocha-webdriverio-template, recorded in
// collectors/statuspage/testdata/README.md) shows: a weak ETag of 32 hex
// digits (Rack::ETag: a digest of the body), no Last-Modified,
// "cache-control: max-age=10, public, s-maxage=10,
// stale-while-revalidate=20, stale-if-error=3600", "vary:
// Accept,Accept-Encoding", x-runtime (Rails) and CloudFront's x-cache.
// Rack::ConditionalGet answers 304 Not Modified, without a body,
// Content-Type or Content-Length, when If-None-Match equals the ETag byte
// for byte; with If-None-Match present it ignores If-Modified-Since, and
// without a Last-Modified an If-Modified-Since alone never matches.
const statuspageCacheControl = "max-age=10, public, s-maxage=10, stale-while-revalidate=20, stale-if-error=3600"

// statuspageETag is the weak ETag Rack::ETag gives body: the first 32 hex
// digits of its SHA-256.
func statuspageETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:])[:32] + `"`
}

// writeStatuspageJSON answers r with v as a 200, or with 304 and no body
// when r's If-None-Match is v's ETag.
func writeStatuspageJSON(rw http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own fixed shapes are encoded: a bug, not input
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	etag := statuspageETag(body)
	h := rw.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", statuspageCacheControl)
	h.Set("Vary", "Accept,Accept-Encoding")
	if r.Header.Get("If-None-Match") == etag {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(http.StatusOK)
	_, _ = rw.Write(body)
}
