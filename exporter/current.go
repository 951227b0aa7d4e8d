package exporter

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// Config is the configuration in force (the last one applied); nil before
// the first Apply. It is never modified once applied: callers only read it.
func (e *Exporter) Config() *config.Config {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.cfg
}

// Now reads the exporter's clock (Options.Now: the wall clock, or the
// one --debug.clock and --demo.clock set).
func (e *Exporter) Now() time.Time { return e.opts.Now() }
