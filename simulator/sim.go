// Package simulator plays the vendors whose support support_exporter
// measures: per vendor a Zendesk-compatible ticket API (and its tickets as
// Freshdesk, GitHub issues and Zendesk's Requests API show them, and as
// mail in the buyer's support mailbox, over IMAP) and its status page
// in every format the exporter reads (Atlassian Statuspage, incident.io,
// Instatus, status.io, Cachet and a history feed), and its documentation
// site (a sitemap, a Zendesk help center; docs.go), each on its own loopback
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
//
// Tests make the vendors misbehave as real ones do: Inject and InjectSpec
// make an API fail (faults.go: rate limits, errors, damaged, huge or
// endless answers, clocks years off), and EditTicket, EditIncident and
// EditMaintenance change items already served, as vendors' agents do
// (edit.go).
package simulator

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// API kinds, the kind argument of URL and Inject.
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
	KindSlack           = "slack"
	KindLark            = "lark"
	KindIMAP            = "imap"
	KindGCPSupport      = "gcp_support"
	KindAzureSupport    = "azure_support"
	KindAWSSupport      = "aws_support"
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
		add := func(kind string) *endpoint {
			e := &endpoint{kind: kind, w: w, clock: opts.Clock, closing: s.closing}
			s.apis[apiKey{v.Name, kind}] = e
			return e
		}
		zd := add(KindZendesk)
		zd.api = newZendeskAPI(w, opts.Clock, zd.url, opts)
		for kind, build := range statusFormats {
			e := add(kind)
			e.api = build(w, opts.Clock, e.url)
		}
		for kind, build := range ticketFormats {
			e := add(kind)
			e.api = build(w, opts.Clock, e.url, opts)
		}
		for kind, build := range docsFormats {
			e := add(kind)
			e.api = build(w, opts.Clock, e.url)
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
// KindStatusio the API root (the page is StatusioPageID), for KindIMAP
// "imaps://127.0.0.1:port". Empty before
// Start or for an unknown vendor or kind.
func (s *Sim) URL(vendor, kind string) string {
	e := s.apis[apiKey{vendor, kind}]
	if e == nil || e.url() == "" {
		return ""
	}
	if kind == KindFeed {
		return e.url() + feedPath
	}
	if kind == KindSitemap {
		return e.url() + docsPath
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

// Inject makes the next n requests to that API fail with f, with f's
// default parameters, after any faults injected before. A fault that does
// not apply to the kind (see InjectSpec) is ignored.
func (s *Sim) Inject(vendor, kind string, f Fault, n int) {
	_ = s.InjectSpec(vendor, kind, Spec{Fault: f, Requests: n})
}

// InjectSpec plays spec on that API after any faults injected before: on
// its next spec.Requests requests, or on every request for spec.For from
// the first one it meets. It fails for an unknown vendor or kind, a fault
// that does not apply to the kind (Fault's documentation says where each
// applies), or a spec that lasts for nothing.
func (s *Sim) InjectSpec(vendor, kind string, spec Spec) error {
	e := s.apis[apiKey{vendor, kind}]
	switch {
	case e == nil:
		return fmt.Errorf("simulator: no %s API for vendor %q", kind, vendor)
	case spec.Requests <= 0 && spec.For <= 0:
		return fmt.Errorf("simulator: fault %v injected for no request and no time", spec.Fault)
	case !spec.Fault.appliesTo(kind):
		return fmt.Errorf("simulator: fault %v does not apply to %s", spec.Fault, kind)
	}
	e.inject(spec)
	return nil
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
