package alerts

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestValidateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"empty selector", func(c *Config) { c.Selector = "" }, "selector: empty"},
		{"braces in selector", func(c *Config) { c.Selector = `{job="x"}` }, "selector"},
		{"name matcher", func(c *Config) { c.Selector = `__name__="x"` }, "metric name"},
		{"bad priorities regexp", func(c *Config) { c.UrgentPriorities = "urgent(" }, "urgent priorities"},
		{"no priorities", func(c *Config) { c.UrgentPriorities = "" }, "urgent priorities"},
		{"no runbook", func(c *Config) { c.RunbookURL = "" }, "runbook URL"},
		{"zero interval", func(c *Config) { c.Interval = 0 }, "interval"},
		{"sub-second stale limit", func(c *Config) { c.StaleAfter = 1500 * time.Millisecond }, "stale after"},
		{"no minimum checks", func(c *Config) { c.MinSLAChecks = 0 }, "min SLA checks"},
		{"vendor-first above 1", func(c *Config) { c.VendorFirstMin = 1.5 }, "vendor-first min"},
		{"no burn rates", func(c *Config) { c.BurnRates = nil }, "no burn rates"},
		{"unknown severity", func(c *Config) { c.BurnRates[0].Severity = "page" }, `burn rate 0: severity "page"`},
		{"short not shorter", func(c *Config) { c.BurnRates[1].Short = c.BurnRates[1].Long }, "burn rate 1: short window"},
		{"zero factor", func(c *Config) { c.BurnRates[0].Factor = 0 }, "factor"},
		{"negative for", func(c *Config) { c.BurnRates[0].For = -time.Minute }, "for"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			tc.change(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
			if _, err := AlertingRules(cfg); err == nil {
				t.Error("AlertingRules accepted an invalid config")
			}
		})
	}
}

func TestSelectorLabels(t *testing.T) {
	for _, tc := range []struct {
		sel     string
		want    []string
		wantErr bool
	}{
		{sel: `job="support_exporter"`, want: []string{"job"}},
		{sel: ` job = "a" , env=~'prod|dev', job!="b" `, want: []string{"job", "env"}},
		{sel: "team!~`a\"b`", want: []string{"team"}},
		{sel: `job="a\"b,c"`, want: []string{"job"}},
		{sel: ``, wantErr: true},
		{sel: `job`, wantErr: true},
		{sel: `job=support`, wantErr: true},
		{sel: `job="a`, wantErr: true},
		{sel: `job="a",`, wantErr: true},
		{sel: `job="a" env="b"`, wantErr: true},
		{sel: `1job="a"`, wantErr: true},
	} {
		got, err := selectorLabels(tc.sel)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("selectorLabels(%q) = %v, %v; want %v, error %v", tc.sel, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestSelect(t *testing.T) {
	cfg := Default()
	for _, tc := range []struct {
		matchers []string
		want     string
	}{
		{nil, `support_tickets_open{job="support_exporter"}`},
		{[]string{`vendor=~"$vendor"`, `state="on_hold"`}, `support_tickets_open{job="support_exporter",vendor=~"$vendor",state="on_hold"}`},
	} {
		if got := cfg.Select("support_tickets_open", tc.matchers...); got != tc.want {
			t.Errorf("Select(%v) = %s, want %s", tc.matchers, got, tc.want)
		}
	}
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		90 * 24 * time.Hour: "90d",
		7 * 24 * time.Hour:  "7d",
		36 * time.Hour:      "36h",
		90 * time.Minute:    "90m",
		time.Minute:         "1m",
		45 * time.Second:    "45s",
		61 * time.Second:    "61s",
	} {
		if got := promDuration(d); got != want {
			t.Errorf("promDuration(%v) = %s, want %s", d, got, want)
		}
	}
}
