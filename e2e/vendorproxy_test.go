package e2e

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// vendorProxy is a forward HTTP proxy on loopback through which the
// exporter reaches the simulated vendors (a source's
// http_client.proxy_url). It counts the requests that arrive for each
// vendor host: what a vendor received, seen on the wire rather than as the
// exporter reports it. Answers pass through unchanged and streamed, and a
// vendor that ends the connection without an answer ends the exporter's.
type vendorProxy struct {
	srv *httptest.Server

	mu   sync.Mutex
	hits map[string]int // by host:port
}

func newVendorProxy(t testing.TB) *vendorProxy {
	t.Helper()
	p := &vendorProxy{hits: map[string]int{}}
	// No connection is reused, so that no request is ever retried on a
	// stale one: each request the exporter sends reaches the vendor once.
	upstream := &http.Transport{DisableKeepAlives: true, DisableCompression: true}
	rp := &httputil.ReverseProxy{
		// A proxy request names its vendor already (absolute-form):
		// nothing to rewrite, and no X-Forwarded-* header to add.
		Rewrite:       func(*httputil.ProxyRequest) {},
		Transport:     upstream,
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0),
		ErrorHandler: func(rw http.ResponseWriter, _ *http.Request, _ error) {
			if hj, ok := rw.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			rw.WriteHeader(http.StatusBadGateway)
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !r.URL.IsAbs() {
			http.Error(rw, "vendorProxy: not a proxy request", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.hits[r.URL.Host]++
		p.mu.Unlock()
		rp.ServeHTTP(rw, r)
	}))
	t.Cleanup(func() {
		p.srv.CloseClientConnections()
		p.srv.Close()
		upstream.CloseIdleConnections()
	})
	return p
}

// yaml is the http_client key that sends a source's requests through the
// proxy, indented for a source's http_client block.
func (p *vendorProxy) yaml() string { return "          proxy_url: " + p.srv.URL + "\n" }

// host is the host:port the proxy counts a vendor API's requests by: the
// host of its URL (base).
func (p *vendorProxy) host(t testing.TB, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		t.Fatalf("vendorProxy: no host in %q", base)
	}
	return u.Host
}

// requests is how many requests have arrived for host.
func (p *vendorProxy) requests(host string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[host]
}

// proxied returns a ticket source's YAML, as ticketVendorYAML writes it,
// with proxy_url added to its http_client block, or in one of its own
// when it has none (aws_support's credentials are its own keys).
func (p *vendorProxy) proxied(t testing.TB, source string) string {
	t.Helper()
	const block = "        http_client:\n"
	if !strings.Contains(source, block) {
		return strings.TrimRight(source, "\n") + "\n" + block + p.yaml()
	}
	if strings.Count(source, block) != 1 {
		t.Fatalf("vendorProxy: want one http_client block in\n%s", source)
	}
	return strings.Replace(source, block, block+p.yaml(), 1)
}
