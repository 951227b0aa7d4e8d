package config

import (
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
)

// Defaults for what the file leaves out (DESIGN.md, "Configuration").
const (
	defaultPollInterval   = model.Duration(5 * time.Minute)
	defaultRequestTimeout = model.Duration(30 * time.Second)
	// Zendesk's incremental exports allow 10 requests a minute without the
	// High Volume API add-on.
	defaultZendeskExportsPerMinute = 10
	defaultStoragePath             = "data"
	defaultAlertVendorLabel        = "vendor"
	defaultAlertGrace              = model.Duration(5 * time.Minute)
	defaultNoticeWindow            = model.Duration(30 * time.Minute)
	defaultObjective               = 0.95
	clockCalendar                  = "calendar"
	clockBusiness                  = "business"
)

var defaultDays = []string{"mon", "tue", "wed", "thu", "fri"}

// defaultURLs are the kinds whose API lives at one fixed address.
var defaultURLs = map[string]string{
	"github":   "https://api.github.com",
	"statusio": "https://api.status.io",
}

// applyDefaults fills what the file leaves out. A value counts as left out
// only when its key is absent, so that a value written as zero (poll_interval:
// 0s, objective: 0) is refused by the checks instead of silently replaced.
// Relative file paths in http_client are resolved against dir, as Prometheus
// does.
func applyDefaults(c *Config, ix nodeIndex, dir string) {
	if !ix.has("global.poll_interval") {
		c.Global.PollInterval = defaultPollInterval
	}
	if !ix.has("global.request_timeout") {
		c.Global.RequestTimeout = defaultRequestTimeout
	}
	if c.Global.StoragePath == "" {
		c.Global.StoragePath = defaultStoragePath
	}
	if c.Global.AlertVendorLabel == "" {
		c.Global.AlertVendorLabel = defaultAlertVendorLabel
	}
	if !ix.has("global.alert_grace") {
		c.Global.AlertGrace = defaultAlertGrace
	}
	// An entry written empty ("- " or "name:") decodes as nil; as an empty
	// struct it gets the same checks, which then say what it lacks.
	for name, cal := range c.Calendars {
		if cal == nil {
			cal = &Calendar{}
			c.Calendars[name] = cal
		}
		if !ix.has(childPath(childPath("calendars", name), "days")) {
			cal.Days = defaultDays
		}
	}
	for i, v := range c.Vendors {
		if v == nil {
			v = &Vendor{}
			c.Vendors[i] = v
		}
		path := itemPath("vendors", i)
		if !ix.has(path + ".sla.objective") {
			v.SLA.Objective = defaultObjective
		}
		if v.SLA.Clock == "" {
			v.SLA.Clock = clockCalendar
		}
		if !ix.has(path + ".notice_window") {
			v.NoticeWindow = defaultNoticeWindow
		}
		for _, list := range v.sourceLists() {
			for j, s := range list.sources {
				if s == nil {
					s = &Source{}
					list.sources[j] = s
				}
				s.applyDefaults(itemPath(childPath(path, list.key), j), c.Global.PollInterval, ix, dir)
			}
		}
	}
}

func (s *Source) applyDefaults(path string, pollInterval model.Duration, ix nodeIndex, dir string) {
	if !ix.has(path + ".poll_interval") {
		s.PollInterval = pollInterval
	}
	if s.URL == "" {
		s.URL = defaultURLs[s.Kind]
	}
	if s.Kind == "zendesk" && !ix.has(path+".export_requests_per_minute") {
		s.ExportRequestsPerMinute = defaultZendeskExportsPerMinute
	}
	if !ix.has(path + ".http_client") {
		s.HTTPClient = commoncfg.DefaultHTTPClientConfig
	}
	s.HTTPClient.SetDirectory(dir)
}

// sourceList is one of a vendor's two source lists, under its YAML key.
type sourceList struct {
	key     string
	sources []*Source
}

func (v *Vendor) sourceLists() []sourceList {
	return []sourceList{{listTickets, v.Tickets}, {listStatusPages, v.StatusPages}}
}
