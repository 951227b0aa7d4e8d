package config

import (
	"cmp"
	"path/filepath"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Defaults for what the file leaves out (docs/configuration.md). A kind's
// own keys take their defaults from its declaration (Kind.Options).
const (
	defaultPollInterval       = model.Duration(5 * time.Minute)
	defaultRequestTimeout     = model.Duration(30 * time.Second)
	defaultStoragePath        = "data"
	defaultAlertVendorLabel   = "vendor"
	defaultAlertGrace         = model.Duration(5 * time.Minute)
	defaultNoticeWindow       = model.Duration(30 * time.Minute)
	defaultObjective          = 0.95
	defaultSolvedSettle       = model.Duration(96 * time.Hour)
	defaultMaxClockSkew       = model.Duration(time.Hour)
	defaultMaxRequestsPerSync = 10000
	clockCalendar             = "calendar"
	clockBusiness             = "business"
)

var defaultDays = []string{"mon", "tue", "wed", "thu", "fri"}

// defaultEarliestTimestamp predates every helpdesk and status-page API in
// use today: an earlier time is a placeholder or a forgery, not an event.
var defaultEarliestTimestamp = Date{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}

// defaultSignalPriorities: an urgent ticket is a customer saying "it is
// down"; any ticket at all made nearly every incident of a busy helpdesk
// customer-first (docs/metrics.md, who noticed first).
var defaultSignalPriorities = []string{"urgent"}

// applyDefaults fills what the file leaves out. A value counts as left out
// only when its key is absent, so that a value written as zero (poll_interval:
// 0s, objective: 0) is refused by the checks instead of silently replaced.
// Relative file paths in http_client are resolved against dir, as Prometheus
// does.
func applyDefaults(c *Config, kinds Kinds, ix nodeIndex, dir string) {
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
	if _, written := ix["alertmanager_webhook"]; written && c.AlertmanagerWebhook == nil {
		// Written but empty (its lines commented out): not "off", which is
		// the key's absence; the checks say what it lacks.
		c.AlertmanagerWebhook = &AlertmanagerWebhook{}
	}
	if w := c.AlertmanagerWebhook; w != nil && w.BearerTokenFile != "" && !filepath.IsAbs(w.BearerTokenFile) {
		w.BearerTokenFile = filepath.Join(dir, w.BearerTokenFile)
	}
	if !ix.has("global.solved_settle") {
		c.Global.SolvedSettle = defaultSolvedSettle
	}
	if !ix.has("global.max_clock_skew") {
		c.Global.MaxClockSkew = defaultMaxClockSkew
	}
	if !ix.has("global.earliest_timestamp") {
		c.Global.EarliestTimestamp = defaultEarliestTimestamp
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
		if len(v.SLA) == 0 {
			// No contract written: one term with the default objective and
			// no targets, so that every vendor has a term in force.
			v.SLA = SLATerms{{}}
		}
		for j := range v.SLA {
			term := &v.SLA[j]
			if !ix.has(slaTermPath(ix, path, j) + ".objective") {
				term.Objective = defaultObjective
			}
			if term.Clock == "" {
				term.Clock = clockCalendar
			}
		}
		if !ix.has(path + ".signals.priorities") {
			v.Signals.Priorities = defaultSignalPriorities
		}
		if !ix.has(path + ".notice_window") {
			v.NoticeWindow = defaultNoticeWindow
		}
		defaultFeatureRequests(ix, path, v)
		applyAgreementDefaults(ix, path, v)
		for _, list := range v.sourceLists() {
			for j, s := range list.sources {
				if s == nil {
					s = &Source{}
					list.sources[j] = s
				}
				s.applyDefaults(itemPath(childPath(path, list.key), j), c.Global.PollInterval, kinds, ix, dir)
			}
		}
	}
}

func (s *Source) applyDefaults(path string, pollInterval model.Duration, kinds Kinds, ix nodeIndex, dir string) {
	if !ix.has(path + ".poll_interval") {
		s.PollInterval = pollInterval
	}
	if kind, ok := kinds.Lookup(s.Kind); ok {
		s.URL = cmp.Or(s.URL, kind.DefaultURL)
		s.CountsOnly = kind.CountsOnly
	}
	if !ix.has(path + ".max_requests_per_sync") {
		s.MaxRequestsPerSync = defaultMaxRequestsPerSync
	}
	if !ix.has(path + ".http_client") {
		s.HTTPClient = commoncfg.DefaultHTTPClientConfig
	}
	s.HTTPClient.SetDirectory(dir)
	if o, ok := s.Options.(OptionsInDirectory); ok {
		o.SetDirectory(dir)
	}
}

// slaTermPath is the path of a vendor's sla term i: the term is sla
// itself when written as one mapping, else sla[i].
func slaTermPath(ix nodeIndex, vendorPath string, i int) string {
	sla := vendorPath + ".sla"
	if l, ok := ix[sla]; ok && l.value.Kind == yaml.SequenceNode {
		return itemPath(sla, i)
	}
	return sla
}

// sourceList is one of a vendor's source lists, under its YAML key.
type sourceList struct {
	key     string
	sources []*Source
}

func (v *Vendor) sourceLists() []sourceList {
	return []sourceList{{listTickets, v.Tickets}, {listStatusPages, v.StatusPages}, {listDocs, v.Docs}}
}
