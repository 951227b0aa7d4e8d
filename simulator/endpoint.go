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
	kind     string
	w        *world
	clock    func() time.Time // the simulated clock: the vendor's own
	closing  <-chan struct{}
	requests atomic.Int64

	mu     sync.Mutex
	base   string       // http://127.0.0.1:port once listening
	faults []*injection // played in order
	srv    *http.Server
}

// injection is an injected fault and how much of it is left.
type injection struct {
	spec  Spec
	after int       // requests still answered as usual before it plays
	left  int       // requests left, when spec.For is zero
	until time.Time // real time it ends, once it met its first request (spec.For)
}

func (e *endpoint) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	e.requests.Add(1)
	// Every answer is dated by the vendor's clock, not by the host's, which
	// net/http would write.
	rw.Header().Set("Date", e.clock().UTC().Format(http.TimeFormat))
	if o, ok := e.api.(interface{ outsideFaults(*http.Request) bool }); ok && o.outsideFaults(r) {
		// Another host in reality (Entra ID's token endpoint beside ARM):
		// the API's faults are not its.
		e.api.ServeHTTP(rw, r)
		return
	}
	if spec, ok := e.nextFault(time.Now()); ok {
		e.serveFault(rw, r, spec)
		return
	}
	e.api.ServeHTTP(rw, r)
}

// endFaults drops every fault injected and not yet played out.
func (e *endpoint) endFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

func (e *endpoint) inject(spec Spec) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &injection{spec: spec, after: spec.After, left: spec.Requests})
}

// nextFault is the fault the request arriving at now (real time) meets:
// the first injection not used up, which a duration starts counting.
func (e *endpoint) nextFault(now time.Time) (Spec, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.faults) > 0 {
		in := e.faults[0]
		if in.after > 0 {
			in.after--
			return Spec{}, false
		}
		if in.spec.For > 0 {
			if in.until.IsZero() {
				in.until = now.Add(in.spec.For)
			}
			if now.Before(in.until) {
				return in.spec, true
			}
		} else if in.left > 0 {
			in.left--
			return in.spec, true
		}
		e.faults = e.faults[1:]
	}
	return Spec{}, false
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
	if ss, ok := e.api.(selfServing); ok {
		base, err := ss.serve(ln, e)
		if err != nil {
			_ = ln.Close()
			return err
		}
		e.mu.Lock()
		e.base = base
		e.mu.Unlock()
		return nil
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

// selfServing is an API that speaks another protocol than HTTP (IMAP) on
// the endpoint's listener, counting requests and playing faults itself.
type selfServing interface {
	serve(ln net.Listener, e *endpoint) (base string, err error)
	close()
}

func (e *endpoint) close() {
	if ss, ok := e.api.(selfServing); ok {
		ss.close()
		return
	}
	e.mu.Lock()
	srv := e.srv
	e.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}
