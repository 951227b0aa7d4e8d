package collectortest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// Site is a fake public status page: each path serves its handler, which a
// test may change between syncs; any other path, any method but GET and
// any request carrying credentials (a public page needs none) is a 404.
// Every request is recorded.
type Site struct {
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc // by request path
	hits     []string
}

// StartSite serves handlers (by request path, any prefix included) on
// 127.0.0.1 until the test ends; the Site keeps the map, and Serve changes
// it.
func StartSite(tb testing.TB, handlers map[string]http.HandlerFunc) (*Site, *httptest.Server) {
	tb.Helper()
	s := &Site{handlers: handlers}
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	return s, srv
}

// Serve makes path answer with h from now on.
func (s *Site) Serve(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[path] = h
}

// Hits are the request URIs (path and query) received so far, in order.
func (s *Site) Hits() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hits)
}

func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits = append(s.hits, r.URL.RequestURI())
	h, ok := s.handlers[r.URL.Path]
	s.mu.Unlock()
	if !ok || r.Method != http.MethodGet || r.Header.Get("Authorization") != "" {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}
