// Package config loads and validates the support_exporter configuration file
// (docs/configuration.md). Every mistake is reported with the file, the line and
// the cause; secrets are only ever referenced, never printed.
package config

import (
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/exporter/calendar"
)

// Config is the whole configuration file.
type Config struct {
	Global    Global               `yaml:"global"`
	Calendars map[string]*Calendar `yaml:"calendars"`
	Vendors   []*Vendor            `yaml:"vendors"`
	// AlertmanagerWebhook enables POST /api/v1/alertmanager; nil: the
	// endpoint is off.
	AlertmanagerWebhook *AlertmanagerWebhook `yaml:"alertmanager_webhook"`

	// File is the path the config was loaded from (empty for configs built in
	// code, like the demo's).
	File string `yaml:"-"`
}

// Global holds defaults and process-wide settings.
type Global struct {
	PollInterval model.Duration `yaml:"poll_interval"` // default 5m
	// RequestTimeout bounds every request to a vendor (default 30s).
	RequestTimeout model.Duration `yaml:"request_timeout"`
	// HistoryStart: items created earlier are ignored. Zero means no limit.
	HistoryStart Date   `yaml:"history_start"`
	StoragePath  string `yaml:"storage_path"` // default "data"
	// AlertVendorLabel names the Alertmanager alert label that carries the
	// vendor (default "vendor").
	AlertVendorLabel string `yaml:"alert_vendor_label"`
	// AlertGrace is how long after an incident's first post who noticed it
	// first waits for customer alerts that Alertmanager delivers late
	// (group_wait, retries); default 5m, zero: no wait.
	AlertGrace model.Duration `yaml:"alert_grace"`
	// SolvedSettle is how long a solved ticket must stay solved, never
	// reopened, before its resolution is final for the one-touch counter
	// (default 96h, Zendesk's default auto-close).
	SolvedSettle model.Duration `yaml:"solved_settle"`
	// MaxClockSkew is how far past our clock a time a vendor sends may lie
	// (default 1h); items with a later time are refused (exporter/door).
	MaxClockSkew model.Duration `yaml:"max_clock_skew"`
	// EarliestTimestamp: items with an earlier time are refused
	// (default 2000-01-01: before any of today's helpdesk or status APIs).
	EarliestTimestamp Date `yaml:"earliest_timestamp"`
}

// AlertmanagerWebhook is the customer-alert receiver's setting.
type AlertmanagerWebhook struct {
	// BearerTokenFile holds the token Alertmanager must send
	// (http_config.authorization.credentials_file on its side); required.
	BearerTokenFile string `yaml:"bearer_token_file"`
	// Token is the file's content, read at load (never printed).
	Token commoncfg.Secret `yaml:"-"`
}

// Date is a calendar date written YYYY-MM-DD, held as midnight UTC.
type Date struct{ time.Time }

// Calendar is a named business calendar as written in the file. Parsed holds
// the validated form used for business-hours math.
type Calendar struct {
	Timezone string   `yaml:"timezone"`
	Days     []string `yaml:"days"`  // mon..sun; default mon-fri
	Hours    string   `yaml:"hours"` // "09:00-18:00"
	Holidays []Date   `yaml:"holidays"`

	Parsed *calendar.Calendar `yaml:"-"`
}

// Vendor is one vendor whose support is measured: the `vendor` label.
type Vendor struct {
	Name     string `yaml:"name"`
	Calendar string `yaml:"calendar"` // name of a calendar; empty: every hour counts as business hours
	// Priorities maps a normalized priority (urgent, high, normal, low) to the
	// source values that mean it. Values not listed fall back to the kind's
	// defaults, then to normal.
	Priorities  map[string][]string `yaml:"priorities"`
	SLA         SLATerms            `yaml:"sla"`
	Escalation  Escalation          `yaml:"escalation"`
	Signals     Signals             `yaml:"signals"`
	Tickets     []*Source           `yaml:"tickets"`
	StatusPages []*Source           `yaml:"status_pages"`
	// Docs are documentation sites (kinds that feed docs: sitemap,
	// zendesk_help_center).
	Docs []*Source `yaml:"docs"`
	// NoticeWindow is how long before an incident's impact began a customer
	// signal still counts as the customer noticing it first (default 30m).
	NoticeWindow model.Duration `yaml:"notice_window"`
	// FeatureRequests say which tickets are feature requests (feature.go).
	FeatureRequests FeatureRequests `yaml:"feature_requests"`
	// Agreements are the contract's compensation clauses
	// (docs/configuration.md, "Agreements").
	Agreements []*Agreement `yaml:"agreements"`
	// Drill is the vendor's off-hours drill; nil or not enabled: off
	// (drill.go).
	Drill *Drill `yaml:"drill"`

	// CalendarParsed is Calendars[Calendar].Parsed, or nil.
	CalendarParsed *calendar.Calendar `yaml:"-"`
	Line           int                `yaml:"-"` // line of the vendor in the file
}

// SLA is one term of the support contract: its targets, in force from From.
type SLA struct {
	// From is the date the term takes effect; zero for a first term in
	// force since ever.
	From      Date    `yaml:"from"`
	Objective float64 `yaml:"objective"` // share of tickets that must meet each target; default 0.95
	Clock     string  `yaml:"clock"`     // "calendar" (default) or "business"
	// FirstResponse and Resolution map a normalized priority to its target.
	FirstResponse     map[string]model.Duration `yaml:"first_response"`
	Resolution        map[string]model.Duration `yaml:"resolution"`
	MaintenanceNotice model.Duration            `yaml:"maintenance_notice"` // zero: no minimum

	// Start is From at midnight in the vendor's calendar zone (UTC without
	// a calendar): the contract's own day. Zero when From is.
	Start time.Time `yaml:"-"`
}

// Signals say which tickets are customer signals for who noticed an
// incident first (docs/metrics.md): a ticket whose priority, as first stored, is
// one of Priorities, or that carries one of Tags (labels), in any version.
type Signals struct {
	Priorities []string `yaml:"priorities"` // normalized priorities; default [urgent]
	Tags       []string `yaml:"tags"`
}

// Escalation says which tickets count as escalated besides the API's own flag.
type Escalation struct {
	Tags []string `yaml:"tags"`
}

// Source is one ticket system or status page to poll. Besides these keys,
// each kind has its own (Kind.Options, docs/sources.md).
type Source struct {
	Name         string                     `yaml:"name"`
	Kind         string                     `yaml:"kind"`
	URL          string                     `yaml:"url"`
	PollInterval model.Duration             `yaml:"poll_interval"` // default: global.poll_interval
	HTTPClient   commoncfg.HTTPClientConfig `yaml:"http_client"`

	// Options are the kind's own keys (Kind.Options), decoded at load;
	// nil for a kind without any.
	Options Options `yaml:"-"`
	// KindKeys are the kind's own keys as written, until Parse decodes
	// them onto Options (then nil): the kind says which keys it has.
	KindKeys map[string]yaml.Node `yaml:",inline"`
	// MaxRequestsPerSync bounds the requests of one sync (default 10000): a
	// vendor whose paging never ends cannot make us flood it. A sync that
	// reaches it ends with reason budget; what it stored is kept and the
	// next sync resumes from the stored cursor.
	MaxRequestsPerSync int `yaml:"max_requests_per_sync"`

	// CountsOnly is the kind's (Kind.CountsOnly), set at load.
	CountsOnly bool `yaml:"-"`
	Line       int  `yaml:"-"` // line of the source in the file

	// ComponentsWhileOngoing is the kind's (Kind.ComponentsWhileOngoing),
	// set at load.
	ComponentsWhileOngoing bool `yaml:"-"`
}
