package report

import (
	"fmt"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// Options ask for a report.
type Options struct {
	Store  *store.Store
	Config *config.Config
	// Vendors to review, in the order shown; each must be configured.
	Vendors []string
	Period  Period
	// ComparePrevious adds the previous period: the calendar quarter or
	// month before a named Period (Period.Name "2026Q3", "2026-11"), else
	// the period of the same length just before.
	ComparePrevious bool
	// Now is the exporter's clock: a period may not start after it, and
	// the report says when it was generated.
	Now     time.Time
	Version string
	// Kinds are the source kinds (collectors.Kinds), for the links to
	// tickets and incidents at the vendor (config.Kind.TicketURL); nil:
	// no links.
	Kinds config.Kinds
	// VendorFirstMin is the alerts' lowest acceptable share of incidents
	// the vendor noticed first (alerts.Config.VendorFirstMin), the target
	// of the vendor_first_ratio indicator; zero: no target.
	VendorFirstMin float64
}

// InputError is a request the report cannot answer as asked (an unknown
// vendor, from after to, a period before history_start): the command
// exits 2 with its one line, the endpoint answers 400.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}
