package simulator

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// endpoint is one vendor's API of one kind on its own loopback listener, so
// that every vendor is its own host, as real SaaS is. It counts requests
// and plays injected faults before the API sees a request.
type endpoint struct {
	api      http.Handler
	closing  <-chan struct{}
	requests atomic.Int64

	mu     sync.Mutex
	base   string  // http://127.0.0.1:port once listening
	faults []Fault // played in order, one per request
	srv    *http.Server
}

func (e *endpoint) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	e.requests.Add(1)
	if f, ok := e.nextFault(); ok {
		serveFault(rw, r, f, e.api, e.closing)
		return
	}
	e.api.ServeHTTP(rw, r)
}

func (e *endpoint) inject(f Fault, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for range n {
		e.faults = append(e.faults, f)
	}
}

func (e *endpoint) nextFault() (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.faults) == 0 {
		return 0, false
	}
	f := e.faults[0]
	e.faults = e.faults[1:]
	return f, true
}

func (e *endpoint) url() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.base
}

func (e *endpoint) listen() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	e.mu.Lock()
	e.base, e.srv = "http://"+ln.Addr().String(), srv
	e.mu.Unlock()
	// Serve returns ErrServerClosed on close; any other failure shows as
	// failing requests, which is what the caller would see of a vendor.
	go func() { _ = srv.Serve(ln) }()
	return nil
}

func (e *endpoint) close() {
	e.mu.Lock()
	srv := e.srv
	e.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}
