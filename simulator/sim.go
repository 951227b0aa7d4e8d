// Package simulator plays the vendors whose support support_exporter
// measures: per vendor a Zendesk-compatible ticket API (and its tickets as
// Freshdesk, GitHub issues and Zendesk's Requests API show them) and its
// status page
// in every format the exporter reads (Atlassian Statuspage, incident.io,
// Instatus, status.io, Cachet and a history feed), each on its own loopback
// listener,
// answering exactly as the real APIs do (paths, parameters, cursors,
// headers, status codes, JSON shapes with their nulls). Collectors written
// from the vendors' documentation work against it unchanged; the demo, the
// tests and the benchmarks all use it.
//
// Everything is generated deterministically from Options.Seed, with full
// future timelines, and served as of Options.Clock: as the clock moves,
// tickets appear, get answered, solved, reopened, closed and rated, and
// incidents and maintenances unfold. Truth gives the generated facts, so
// tests can compute what every metric must be.
package simulator

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// API kinds, the kind argument of URL, Inject and Requests.
const (
	KindZendesk    = "zendesk"
	KindStatuspage = "statuspage"
	KindIncidentio = "incidentio"
	KindInstatus   = "instatus"
	KindStatusio   = "statusio"
	KindCachet     = "cachet"
	KindFeed       = "feed"

	KindFreshdesk       = "freshdesk"
	KindGitHub          = "github"
	KindZendeskRequests = "zendesk_requests"
	KindJSM             = "jira_service_management"
)

// Options configure a simulation.
type Options struct {
	Seed    int64
	Start   time.Time        // "now" at generation: history lies before it (default: time.Now)
	Clock   func() time.Time // the instant the APIs answer as of (default time.Now)
	Vendors []Vendor
	// ExportRequestsPerMinute is Zendesk's incremental export limit,
	// enforced per vendor as at most that many requests in any 60 s (0:
	// Zendesk's 10; negative: unlimited, and the account quota of 700
	// requests per minute is not enforced either).
	ExportRequestsPerMinute int
	// TicketsPerPage is the export page size when the request names none
	// (0, or above 1000: Zendesk's 1000, the cursor export's maximum).
	TicketsPerPage int
}

// Sim is a running simulation. Its methods are safe for concurrent use.
type Sim struct {
	opts    Options
	worlds  map[string]*world
	apis    map[apiKey]*endpoint
	closing chan struct{}

	mu      sync.Mutex
	started bool
}

type apiKey struct{ vendor, kind string }

// New generates the vendors' worlds. The same options give the same data
// and the same answers.
func New(opts Options) (*Sim, error) {
	if err := validateVendors(opts.Vendors); err != nil {
		return nil, fmt.Errorf("simulator: %w", err)
	}
	if opts.Start.IsZero() {
		opts.Start = time.Now()
	}
	opts.Start = opts.Start.Truncate(time.Second)
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.ExportRequestsPerMinute == 0 {
		opts.ExportRequestsPerMinute = 10
	}
	if opts.TicketsPerPage <= 0 || opts.TicketsPerPage > maxPerPage {
		opts.TicketsPerPage = maxPerPage
	}
	s := &Sim{opts: opts, worlds: map[string]*world{}, apis: map[apiKey]*endpoint{}, closing: make(chan struct{})}
	for _, v := range opts.Vendors {
		w, err := newWorld(v, opts.Seed, opts.Start)
		if err != nil {
			return nil, fmt.Errorf("simulator: %w", err)
		}
		s.worlds[v.Name] = w
		zd := &endpoint{closing: s.closing}
		zd.api = newZendeskAPI(w, opts.Clock, zd.url, opts)
		s.apis[apiKey{v.Name, KindZendesk}] = zd
		for kind, build := range statusFormats {
			e := &endpoint{closing: s.closing}
			e.api = build(w, opts.Clock, e.url)
			s.apis[apiKey{v.Name, kind}] = e
		}
		for kind, build := range ticketFormats {
			e := &endpoint{closing: s.closing}
			e.api = build(w, opts.Clock, e.url, opts)
			s.apis[apiKey{v.Name, kind}] = e
		}
	}
	return s, nil
}

// Start opens one loopback listener (127.0.0.1:0) per vendor per API kind.
func (s *Sim) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("simulator: already started")
	}
	s.started = true
	for k, e := range s.apis {
		if err := e.listen(); err != nil {
			s.closeLocked()
			return fmt.Errorf("simulator: %s %s: %w", k.vendor, k.kind, err)
		}
	}
	return nil
}

// URL is the base URL of a vendor's API of that kind (a Kind constant), as
// the exporter's config wants it: for KindFeed the feed's own URL, for
// KindStatusio the API root (the page is StatusioPageID). Empty before
// Start or for an unknown vendor or kind.
func (s *Sim) URL(vendor, kind string) string {
	e := s.apis[apiKey{vendor, kind}]
	if e == nil || e.url() == "" {
		return ""
	}
	if kind == KindFeed {
		return e.url() + feedPath
	}
	return e.url()
}

// StatusioPageID is the vendor's status.io page id (24 hex digits), the
// `page_id` of a statusio source; empty for an unknown vendor.
func (s *Sim) StatusioPageID(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return w.statusioPageID()
	}
	return ""
}

// ZendeskCredentials returns the vendor's API token credentials for basic
// auth: "agent@<vendor>.example/token" and the token.
func (s *Sim) ZendeskCredentials(vendor string) (username, password string) {
	w := s.worlds[vendor]
	if w == nil {
		return "", ""
	}
	return zendeskUser(vendor), w.id.token
}

// Inject makes the next n requests to that API fail with f, after any
// faults injected before.
func (s *Sim) Inject(vendor, kind string, f Fault, n int) {
	if e := s.apis[apiKey{vendor, kind}]; e != nil {
		e.inject(f, n)
	}
}

// Requests is how many requests that API has received, faulted ones
// included.
func (s *Sim) Requests(vendor, kind string) int {
	if e := s.apis[apiKey{vendor, kind}]; e != nil {
		return int(e.requests.Load())
	}
	return 0
}

// Close stops every listener and releases requests held by FaultTimeout.
func (s *Sim) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

func (s *Sim) closeLocked() {
	select {
	case <-s.closing:
		return
	default:
		close(s.closing)
	}
	for _, e := range s.apis {
		e.close()
	}
}
