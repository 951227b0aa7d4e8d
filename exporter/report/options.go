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

// MaxPeriodDays bounds a report's period: the builder keeps a snapshot per
// week and per month of it, so a period of centuries would take gigabytes
// (of the running exporter, for /report). Three years and a leap day.
const MaxPeriodDays = 1096

// The dates a period may touch: the report's JSON cannot write a year past
// 9999, and nothing a vendor says is older than 1970.
var (
	earliestDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latestDate   = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) // exclusive
)

// CheckBounds refuses a period before 1970, past 9999 or longer than
// MaxPeriodDays, so that neither the build nor the period before it
// (ComparePrevious) can overflow a time.Duration or the JSON's years. Build
// checks it; the command checks it too before it opens the store.
func CheckBounds(p Period) error {
	switch {
	case p.From.Before(earliestDate):
		return inputErrorf("the period starts %s, before 1970-01-01: start on or after it", p.From.Format(time.DateOnly))
	case !p.To.Before(latestDate):
		return inputErrorf("the period ends %s, after 9999-12-31: end before it", p.To.Format(time.DateOnly))
	case p.To.Sub(p.From) > MaxPeriodDays*24*time.Hour:
		return inputErrorf("a report covers at most 3 years (%d days); ask for a shorter period", MaxPeriodDays)
	}
	return nil
}
