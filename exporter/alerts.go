package exporter

import (
	"time"

	"github.com/support-exporter/support_exporter/exporter/store"
	"github.com/support-exporter/support_exporter/exporter/webhook"
)

// AddFiringAlerts stores the customer signal of each firing alert received
// on the Alertmanager webhook, for the vendor named by its
// global.alert_vendor_label label, and adds the new ones to the vendor's
// aggregates. Alerts of vendors not configured are not stored. All signals
// are committed in one transaction, or none with an error.
func (e *Exporter) AddFiringAlerts(alerts []webhook.Firing) ([]webhook.Result, error) {
	// Apply holds the other side while it rebuilds aggregates from the
	// store and swaps them in: a signal is then either in the store before
	// the rebuild reads it, or added to the new aggregates after.
	e.alertsMu.RLock()
	defer e.alertsMu.RUnlock()
	e.mu.RLock()
	cfg, vendors := e.cfg, e.vendors
	e.mu.RUnlock()
	if cfg == nil {
		return nil, errNotReady
	}
	results := make([]webhook.Result, len(alerts))
	var signals []store.AlertSignal
	var of []int // index in alerts of each signal
	bounds := e.bounds(cfg)
	for i, a := range alerts {
		vendor := a.Labels[cfg.Global.AlertVendorLabel]
		switch {
		case vendors[vendor] == nil:
			results[i] = webhook.UnknownVendor
			continue
		case bounds.Check(a.StartsAt) != "":
			// An alert dated ahead would be a signal for incidents still to
			// come: as a vendor's item, it is refused at the door.
			results[i] = webhook.ImplausibleTime
			continue
		}
		signals = append(signals, store.AlertSignal{Vendor: vendor, Fingerprint: a.Fingerprint, StartsAt: a.StartsAt})
		of = append(of, i)
	}
	if len(signals) == 0 {
		return results, nil
	}
	added, err := e.opts.Store.PutAlertSignals(signals)
	if err != nil {
		return nil, err
	}
	for j, sig := range signals {
		results[of[j]] = webhook.Duplicate
		if added[j] {
			results[of[j]] = webhook.Accepted
			vendors[sig.Vendor].agg.AddAlertSignal(sig.StartsAt)
		}
	}
	return results, nil
}

// WebhookToken is the token the Alertmanager webhook requires; on is false
// when the running configuration leaves the receiver off; errNotReady
// before the first configuration is applied.
func (e *Exporter) WebhookToken() (token string, on bool, err error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	switch {
	case e.cfg == nil:
		return "", false, errNotReady
	case e.cfg.AlertmanagerWebhook == nil:
		return "", false, nil
	}
	return string(e.cfg.AlertmanagerWebhook.Token), true, nil
}

// loadAlertSignals adds every alert signal stored for the vendor to its
// aggregates.
func (e *Exporter) loadAlertSignals(vs *vendorState) error {
	return e.opts.Store.LoadAlertSignals(vs.cfg.Name, func(startsAt time.Time) error {
		vs.agg.AddAlertSignal(startsAt)
		return nil
	})
}
