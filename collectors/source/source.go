// Package source defines what a collector is: a Source that syncs one vendor
// API into normalized batches, and the Env it is built with. Collector
// packages (collectors/<kind>) implement it; package collectors maps kind
// names to their constructors.
package source

import (
	"context"
	"log/slog"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// Source polls one vendor API.
type Source interface {
	// Sync fetches what changed since cursor (nil on the first sync) and hands
	// it to emit in batches, each carrying the cursor to resume from once it
	// is stored. It returns nil when caught up. emit stores the batch durably;
	// when emit fails, Sync returns its error at once.
	Sync(ctx context.Context, cursor []byte, emit func(item.Batch) error) error
}

// Env is everything a collector is built from.
type Env struct {
	Config *config.Source
	Vendor *config.Vendor
	// HTTP sends every request; it applies the timeout, size cap and rate
	// limits, and counts requests.
	HTTP *fetch.Client
	// Limits is where a collector declares its API's static limits.
	Limits *fetch.Limits
	// CountRequest counts one request a collector sent by other means
	// than HTTP (an IMAP command), by its outcome: the `code` label of
	// support_source_requests_total (docs/metrics.md). HTTP counts its
	// own. Nil in tests that do not count.
	CountRequest func(code string)
	// HistoryStart: items created earlier are not wanted (zero: no limit).
	HistoryStart time.Time
	Logger       *slog.Logger
	Now          func() time.Time
	// Bounds are the plausible instants (docs/metrics.md,
	// support_items_rejected_total). The exporter refuses stored items with
	// an implausible time; a collector whose cursor follows item times
	// (updated_at) must skip an item whose cursor time is implausible,
	// report it with Reject, and never move its cursor past Bounds.Latest.
	Bounds door.Bounds
	// Reject counts an item the collector skipped for reason (a door
	// reason); nil in tests that do not count.
	Reject func(reason string)
	// Stored reads this source's stored version of a ticket (nil when none):
	// every batch whose emit returned is stored. For APIs that show only the
	// current state, so that a collector can tell what changed since (a
	// request solved, or reopened).
	Stored func(id string) (*item.Ticket, error)
}

// Rejected counts an item the collector skipped for reason (Reject, when
// set).
func (e Env) Rejected(reason string) {
	if e.Reject != nil {
		e.Reject(reason)
	}
}

// Log is the collector's logger: Logger, or one that discards when unset.
func (e Env) Log() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// Clock is the collector's clock: Now, or time.Now when unset.
func (e Env) Clock() func() time.Time {
	if e.Now == nil {
		return time.Now
	}
	return e.Now
}

// StoredOrNone reads this source's stored tickets: Stored, or, when unset,
// a store that holds none (every ticket is nil, without an error).
func (e Env) StoredOrNone() func(id string) (*item.Ticket, error) {
	if e.Stored == nil {
		return func(string) (*item.Ticket, error) { return nil, nil }
	}
	return e.Stored
}

// Counted counts one non-HTTP request by code (CountRequest, when set).
func (e Env) Counted(code string) {
	if e.CountRequest != nil {
		e.CountRequest(code)
	}
}

// Owner names the source among every vendor's, for what it declares in
// shared state (fetch.Limits.Declare).
func Owner(env Env) string {
	vendor := ""
	if env.Vendor != nil {
		vendor = env.Vendor.Name
	}
	return vendor + "/" + env.Config.Name
}

// SolvesAndReopens are a stored ticket's solved and reopened events, in
// order (none when stored is nil): what a collector of an API that shows
// only the current status carries forward, to tell what changed since.
func SolvesAndReopens(stored *item.Ticket) []item.Event {
	var events []item.Event
	if stored != nil {
		for _, e := range stored.Events {
			if e.Kind == item.EventSolved || e.Kind == item.EventReopened {
				events = append(events, e)
			}
		}
	}
	return events
}

// Factory builds a Source of one kind, checking what the config package
// cannot (e.g. that the URL is usable).
type Factory func(Env) (Source, error)

// Kind declares a source kind: what the configuration and the docs know of
// it (config.Kind) and its constructor. Package collectors holds the table
// of kinds.
type Kind struct {
	config.Kind
	New Factory
	// NewCreator builds the kind's creator of drill tickets (creator.go);
	// nil when the kind cannot file tickets.
	NewCreator CreatorFactory
}

// OptionsOf returns src's own keys, of its kind's Options type O, or the
// kind's defaults for a source built in code without any.
func OptionsOf[O config.Options](src *config.Source, defaults func() config.Options) O {
	if o, ok := src.Options.(O); ok {
		return o
	}
	return defaults().(O)
}
