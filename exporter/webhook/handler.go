// Package webhook receives the customer's own alerts from Alertmanager: a
// firing alert is a customer signal for the vendor its labels name, one of
// the signals who noticed an incident first is judged by
// (docs/configuration.md, "Who noticed first").
//
// The receiver is off unless the configuration's alertmanager_webhook names
// the bearer token Alertmanager must send (docs/configuration.md): a signal
// decides who noticed an incident first, and an open endpoint would let
// anyone who can reach the exporter turn every incident customer-first.
// --web.config.file's TLS and basic auth still wrap it, as they wrap
// /metrics.
package webhook

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Path is where Alertmanager delivers: a webhook_config's url points at it.
const Path = "/api/v1/alertmanager"

// MaxBodyBytes caps a payload. Alertmanager sends one alert group per
// request; a group of a thousand alerts with a dozen labels each stays
// well under it, and webhook_config's max_alerts bounds larger groups.
const MaxBodyBytes = 1 << 20

// Result is what became of one alert received, the `result` label of
// support_alertmanager_alerts_received_total.
type Result int

// Results.
const (
	Accepted      Result = iota // a new customer signal, stored
	Duplicate                   // already stored: a re-delivery, or Alertmanager resending the group
	UnknownVendor               // the vendor label is missing or names no configured vendor
	Resolved                    // a resolved alert: no signal
	// ImplausibleTime: startsAt beyond global.max_clock_skew past our clock,
	// or before global.earliest_timestamp: not stored (exporter/door).
	ImplausibleTime
	numResults
)

func (r Result) String() string {
	return [numResults]string{"accepted", "duplicate", "unknown_vendor", "resolved", "implausible_time"}[r]
}

// Counts is how many alerts of a payload ended with each Result.
type Counts [numResults]int

// Firing is a firing alert: a customer signal since StartsAt for the vendor
// its labels name.
type Firing struct {
	Labels      map[string]string
	Fingerprint string
	StartsAt    time.Time
}

// Sink stores customer signals.
type Sink interface {
	// AddFiringAlerts stores the signal of each alert, in one transaction:
	// all of them or, with an error, none. It reports for each alert
	// Accepted, Duplicate, UnknownVendor or ImplausibleTime.
	AddFiringAlerts(alerts []Firing) ([]Result, error)
	// WebhookToken is the bearer token deliveries must carry, from the
	// running configuration; on is false when the receiver is off, and err
	// is set while no configuration is applied yet (the exporter starting).
	WebhookToken() (token string, on bool, err error)
}

// Handler serves POST Path. It is also the prometheus.Collector of
// support_alertmanager_alerts_received_total.
type Handler struct {
	sink     Sink
	logger   *slog.Logger
	received *prometheus.CounterVec
}

// New returns a Handler storing signals in sink.
func New(sink Sink, logger *slog.Logger) *Handler {
	h := &Handler{
		sink:   sink,
		logger: logger,
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "support_alertmanager_alerts_received_total",
			Help: "Alerts received on the Alertmanager webhook, by result: accepted (a new customer signal), duplicate (already stored: a re-delivery or a resent group), unknown_vendor (the vendor label is missing or names no configured vendor), resolved (no signal), implausible_time (startsAt beyond global.max_clock_skew past our clock or before global.earliest_timestamp: not stored). Malformed and unauthorized payloads are refused whole and not counted.",
		}, []string{"result"}),
	}
	for r := range numResults {
		h.received.WithLabelValues(r.String())
	}
	return h
}

// Describe implements prometheus.Collector.
func (h *Handler) Describe(ch chan<- *prometheus.Desc) { h.received.Describe(ch) }

// Collect implements prometheus.Collector.
func (h *Handler) Collect(ch chan<- prometheus.Metric) { h.received.Collect(ch) }

// ServeHTTP answers 200 once every alert of the payload is dealt with; 503
// while the exporter starts; 404 while the receiver is off and 401 without
// its token; 400 with the
// reason for a malformed payload and 413 for one over MaxBodyBytes; none of
// which Alertmanager retries and all of which change nothing; 500 when
// storing failed, which Alertmanager retries.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, on, err := h.sink.WebhookToken()
	if err != nil {
		// Alertmanager retries a 5xx: the alerts are delivered once the
		// configuration is applied, instead of lost to a 404.
		w.Header().Set("Retry-After", "10")
		http.Error(w, "Starting: "+err.Error()+"; retry later.", http.StatusServiceUnavailable)
		return
	}
	if !on {
		http.Error(w, "The Alertmanager webhook is off: set alertmanager_webhook in the configuration.", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Only POST requests allowed.", http.StatusMethodNotAllowed)
		return
	}
	if !authorized(r, token) {
		h.logger.Warn("Alertmanager webhook delivery without its token refused", "remote", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Bearer realm="support_exporter alertmanager webhook"`)
		http.Error(w, "Unauthorized: send the token of alertmanager_webhook (as a bearer token, or as the basic auth password).", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, fmt.Sprintf("Payload larger than %d bytes.", MaxBodyBytes), http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "Reading the payload: "+err.Error(), http.StatusBadRequest)
		return
	}
	counts, err := h.Receive(body)
	switch {
	case errors.Is(err, errPayload):
		h.logger.Warn("Alertmanager payload refused", "remote", r.RemoteAddr, "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
	case err != nil:
		h.logger.Error("storing Alertmanager alerts", "err", err)
		http.Error(w, "Storing the alerts failed; retry later.", http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for r := range numResults {
			fmt.Fprintf(w, "%s %d\n", r, counts[r])
		}
	}
}

// authorized reports whether r carries the token: "Authorization: Bearer
// <token>" (Alertmanager's http_config.authorization), or basic auth whose
// password is the token (http_config.basic_auth), which is what a receiver
// behind --web.config.file's basic auth must send, both being carried by
// the one Authorization header. Compared in constant time, so that the
// answer's timing tells nothing of the token.
func authorized(r *http.Request, token string) bool {
	got := ""
	if _, pass, ok := r.BasicAuth(); ok {
		got = pass
	} else if scheme, bearer, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		got = strings.TrimSpace(bearer)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// Receive does what a delivery of body does, once read: the whole payload
// is checked, then its firing alerts are stored and every alert counted.
// With an error (a malformed payload, or the sink's), nothing was stored
// nor counted.
func (h *Handler) Receive(body []byte) (counts Counts, err error) {
	m, err := decodeMessage(body)
	if err != nil {
		return counts, err
	}
	var firing []Firing
	for _, a := range m.Alerts {
		if a.Status == statusResolved {
			counts[Resolved]++
			continue
		}
		firing = append(firing, Firing{Labels: a.Labels, Fingerprint: a.Fingerprint, StartsAt: a.StartsAt})
	}
	if len(firing) > 0 {
		results, err := h.sink.AddFiringAlerts(firing)
		if err != nil {
			return Counts{}, err
		}
		for _, r := range results {
			counts[r]++
		}
	}
	for r, n := range counts {
		h.received.WithLabelValues(Result(r).String()).Add(float64(n))
	}
	h.logger.Debug("Alertmanager alerts received", "receiver", m.Receiver, "group_key", m.GroupKey,
		"accepted", counts[Accepted], "duplicate", counts[Duplicate], "unknown_vendor", counts[UnknownVendor], "resolved", counts[Resolved],
		"implausible_time", counts[ImplausibleTime])
	return counts, nil
}
