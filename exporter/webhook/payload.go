package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// version is the only webhook payload version Alertmanager has sent since
// 0.16, and the one this handler reads.
const version = "4"

// message is Alertmanager's webhook payload (notify/webhook's Message: the
// template data plus version, groupKey and truncatedAlerts). Only what the
// handler uses or checks is decoded; other fields are ignored, so that
// fields a later Alertmanager adds do not break delivery.
type message struct {
	Version  string  `json:"version"`
	Receiver string  `json:"receiver"`
	GroupKey string  `json:"groupKey"`
	Alerts   []alert `json:"alerts"`
}

// alert is one alert of a payload.
type alert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	StartsAt    time.Time         `json:"startsAt"`
	Fingerprint string            `json:"fingerprint"`
}

// Alert statuses, as Alertmanager writes them.
const (
	statusFiring   = "firing"
	statusResolved = "resolved"
)

// errPayload marks a payload refused as malformed: the sender's mistake (400),
// not ours.
var errPayload = errors.New("invalid Alertmanager webhook payload")

// decodeMessage parses and checks a whole payload before anything of it is
// used, so that a bad payload changes nothing.
func decodeMessage(body []byte) (*message, error) {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", errPayload, err)
	}
	if m.Version != version {
		return nil, fmt.Errorf("%w: version %q, want %q", errPayload, m.Version, version)
	}
	for i, a := range m.Alerts {
		if err := a.check(); err != nil {
			return nil, fmt.Errorf("%w: alerts[%d]: %w", errPayload, i, err)
		}
	}
	return &m, nil
}

func (a *alert) check() error {
	switch {
	case a.Status != statusFiring && a.Status != statusResolved:
		return fmt.Errorf("status %q, want %s or %s", a.Status, statusFiring, statusResolved)
	case a.Fingerprint == "":
		return errors.New("no fingerprint")
	case a.StartsAt.IsZero():
		return errors.New("no startsAt")
	}
	return nil
}
