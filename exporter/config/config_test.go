package config_test

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/collectors/cachet"
	"github.com/support-exporter/support_exporter/collectors/freshdesk"
	"github.com/support-exporter/support_exporter/collectors/github"
	"github.com/support-exporter/support_exporter/collectors/jsm"
	"github.com/support-exporter/support_exporter/collectors/statusio"
	"github.com/support-exporter/support_exporter/collectors/zendesk"
	"github.com/support-exporter/support_exporter/collectors/zendeskrequests"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// The configuration is tested with the real table of kinds: their keys,
// defaults and checks are part of the file's contract.
var kinds = collectors.Kinds.Config()

func load(path string) (*config.Config, error) { return config.Load(path, kinds) }

var update = flag.Bool("update", false, "rewrite testdata/bad/*.err with the errors Load returns")

// kindLists writes the lists of valid kinds in errors as placeholders, so
// that the .err files stay true when a kind is added.
var kindLists = strings.NewReplacer(
	listOf(kinds.Feeding(config.FeedsTickets)), "<ticket kinds>",
	listOf(kinds.Feeding(config.FeedsStatus)), "<status kinds>",
)

// listOf writes choices as the errors do: "a, b or c".
func listOf(choices []string) string {
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// TestLoadBad loads every testdata/bad/*.yml and compares the error with the
// exact text in its sibling .err file (-update rewrites them: review the
// diff).
func TestLoadBad(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found %d bad configs, want at least 20", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cfg, loadErr := load(file)
			if loadErr == nil {
				t.Fatalf("load(%q) = %+v, want an error", file, cfg)
			}
			if *update {
				if err := os.WriteFile(file+".err", []byte(kindLists.Replace(loadErr.Error())+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file + ".err")
			if err != nil {
				t.Fatal(err)
			}
			if got := kindLists.Replace(loadErr.Error()); got != strings.TrimSuffix(string(want), "\n") {
				t.Errorf("load(%q) error:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
}

func TestLoadGood(t *testing.T) {
	for _, file := range []string{"testdata/good/minimal.yml", "testdata/good/full.yml"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cfg, err := load(file)
			if err != nil {
				t.Fatalf("load(%q): %v", file, err)
			}
			if cfg.File != file {
				t.Errorf("File = %q, want %q", cfg.File, file)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := load("testdata/no-such-file.yml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want an error wrapping fs.ErrNotExist", err)
	}
}

func TestLoadMinimalDefaults(t *testing.T) {
	cfg, err := load("testdata/good/minimal.yml")
	if err != nil {
		t.Fatal(err)
	}
	v := cfg.Vendors[0]
	s := v.StatusPages[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"global.poll_interval", cfg.Global.PollInterval, model.Duration(5 * time.Minute)},
		{"global.request_timeout", cfg.Global.RequestTimeout, model.Duration(30 * time.Second)},
		{"global.history_start is unset", cfg.Global.HistoryStart.IsZero(), true},
		{"global.storage_path", cfg.Global.StoragePath, "data"},
		{"global.alert_vendor_label", cfg.Global.AlertVendorLabel, "vendor"},
		{"global.alert_grace", cfg.Global.AlertGrace, model.Duration(5 * time.Minute)},
		{"global.solved_settle", cfg.Global.SolvedSettle, model.Duration(96 * time.Hour)},
		{"global.max_clock_skew", cfg.Global.MaxClockSkew, model.Duration(time.Hour)},
		{"global.earliest_timestamp", cfg.Global.EarliestTimestamp.Time, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"no webhook", cfg.AlertmanagerWebhook == nil, true},
		{"one sla term without a contract", len(v.SLA), 1},
		{"signals", v.Signals.Priorities, []string{"urgent"}},
		{"sla.objective", v.SLA[0].Objective, 0.95},
		{"notice_window", v.NoticeWindow, model.Duration(30 * time.Minute)},
		{"sla.clock", v.SLA[0].Clock, "calendar"},
		{"vendor calendar", v.CalendarParsed == nil, true},
		{"vendor line", v.Line, 3},
		{"source poll_interval", s.PollInterval, model.Duration(5 * time.Minute)},
		{"source http_client", s.HTTPClient, commoncfg.DefaultHTTPClientConfig},
		{"source line", s.Line, 5},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadFull(t *testing.T) {
	cfg, err := load("testdata/good/full.yml")
	if err != nil {
		t.Fatal(err)
	}
	acme, globex := cfg.Vendors[0], cfg.Vendors[1]
	zendeskSource, portal, githubSource := acme.Tickets[0], acme.Tickets[1], acme.Tickets[4]
	statuspage, statusioSource := acme.StatusPages[0], acme.StatusPages[3]
	checks := []struct {
		name      string
		got, want any
	}{
		{"global.poll_interval", cfg.Global.PollInterval, model.Duration(10 * time.Minute)},
		{"global.history_start", cfg.Global.HistoryStart.Time, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"global.storage_path", cfg.Global.StoragePath, "/var/lib/support_exporter"},
		{"global.alert_vendor_label", cfg.Global.AlertVendorLabel, "supplier"},
		{"global.alert_grace", cfg.Global.AlertGrace, model.Duration(10 * time.Minute)},
		{"berlin days default", cfg.Calendars["berlin"].Days, []string{"mon", "tue", "wed", "thu", "fri"}},
		{"global.request_timeout", cfg.Global.RequestTimeout, model.Duration(20 * time.Second)},
		{"acme line", acme.Line, 25},
		{"acme calendar", acme.CalendarParsed, cfg.Calendars["shanghai-office"].Parsed},
		{"acme priorities", acme.Priorities["urgent"], []string{"urgent", "p1"}},
		{"acme sla.objective", acme.SLA[0].Objective, 0.9},
		{"acme sla.clock", acme.SLA[0].Clock, "business"},
		{"acme sla.first_response.urgent", acme.SLA[0].FirstResponse["urgent"], model.Duration(time.Hour)},
		{"acme sla.resolution.high", acme.SLA[0].Resolution["high"], model.Duration(72 * time.Hour)},
		{"acme sla.maintenance_notice", acme.SLA[0].MaintenanceNotice, model.Duration(72 * time.Hour)},
		{"acme escalation.tags", acme.Escalation.Tags, []string{"escalated", "vip"}},
		{"acme notice_window", acme.NoticeWindow, model.Duration(time.Hour)},
		{"globex notice_window default", globex.NoticeWindow, model.Duration(30 * time.Minute)},
		{"zendesk line", zendeskSource.Line, 45},
		{"zendesk export_requests_per_minute", zendeskSource.Options, &zendesk.Options{ExportRequestsPerMinute: 30}},
		{"zendesk poll_interval", zendeskSource.PollInterval, model.Duration(5 * time.Minute)},
		{"zendesk password_file, relative to the config", zendeskSource.HTTPClient.BasicAuth.PasswordFile, "testdata/good/secrets/zendesk_token"},
		{"zendesk http_client defaults", zendeskSource.HTTPClient.FollowRedirects, true},
		{"portal poll_interval from global", portal.PollInterval, model.Duration(10 * time.Minute)},
		{"portal colleagues", portal.Options, &zendeskrequests.Options{Colleagues: []string{"361270", "9001"}}},
		{"freshdesk statuses", acme.Tickets[2].Options, &freshdesk.Options{Statuses: map[string]string{"6": "pending", "7": "on_hold", "8": "solved"}}},
		{"jsm service_desk_id and api", acme.Tickets[3].Options, &jsm.Options{ServiceDeskID: "4", API: "customer", Automation: []string{jsm.AutomationForJira}}},
		{"github url default", githubSource.URL, "https://api.github.com"},
		{"github repositories", githubSource.Options.(*github.Options).Repositories, []string{"acme/rtc-sdk", "acme/rtc.js"}},
		{"github credentials_file", githubSource.HTTPClient.Authorization.CredentialsFile, "testdata/good/secrets/github_token"},
		{"statuspage poll_interval", statuspage.PollInterval, model.Duration(time.Minute)},
		{"statusio url default", statusioSource.URL, "https://api.status.io"},
		{"statusio page_id", statusioSource.Options, &statusio.Options{PageID: "568d8a3e3cada8c2490000dd"}},
		{"cachet timezone", acme.StatusPages[4].Options, &cachet.Options{Timezone: "Europe/Berlin"}},
		{"globex sla.objective default", globex.SLA[0].Objective, 0.95},
		{"globex terms", len(globex.SLA), 2},
		{"globex first term since ever", globex.SLA[0].Start.IsZero(), true},
		{"globex second term at midnight in Berlin", globex.SLA[1].Start, time.Date(2026, 7, 1, 0, 0, 0, 0, cfg.Calendars["berlin"].Parsed.Location())},
		{"globex second term objective", globex.SLA[1].Objective, 0.99},
		{"globex second term clock default", globex.SLA[1].Clock, "calendar"},
		{"globex term in force on 2026-06-30", globex.SLA.At(time.Date(2026, 6, 30, 21, 59, 0, 0, time.UTC)).FirstResponse["urgent"], model.Duration(2 * time.Hour)},
		{"globex term in force on 2026-07-01 Berlin", globex.SLA.At(time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC)).FirstResponse["urgent"], model.Duration(time.Hour)},
		{"globex signals default", globex.Signals.Priorities, []string{"urgent"}},
		{"acme signals", acme.Signals, config.Signals{Priorities: []string{"urgent", "high"}, Tags: []string{"outage"}}},
		{"global.solved_settle", cfg.Global.SolvedSettle, model.Duration(72 * time.Hour)},
		{"global.max_clock_skew", cfg.Global.MaxClockSkew, model.Duration(30 * time.Minute)},
		{"global.earliest_timestamp", cfg.Global.EarliestTimestamp.Time, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"webhook token file, relative to the config", cfg.AlertmanagerWebhook.BearerTokenFile, "testdata/good/secrets/webhook_token"},
		{"webhook token read", string(cfg.AlertmanagerWebhook.Token), "am-webhook-token"},
		{"jsm max_requests_per_sync", acme.Tickets[3].MaxRequestsPerSync, 20000},
		{"zendesk max_requests_per_sync default", zendeskSource.MaxRequestsPerSync, 10000},
		{"globex calendar", globex.CalendarParsed, cfg.Calendars["berlin"].Parsed},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	shanghai := time.FixedZone("CST", 8*3600)
	hours := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 9, 30, 10, 0, 0, 0, shanghai), true},  // Wednesday morning
		{time.Date(2026, 9, 30, 18, 0, 0, 0, shanghai), false}, // closing time
		{time.Date(2026, 10, 1, 10, 0, 0, 0, shanghai), false}, // holiday
		{time.Date(2026, 10, 3, 10, 0, 0, 0, shanghai), false}, // Saturday
	}
	for _, h := range hours {
		if got := acme.CalendarParsed.Contains(h.at); got != h.want {
			t.Errorf("acme calendar Contains(%v) = %v, want %v", h.at, got, h.want)
		}
	}
}

// TestErrorsNeverShowSecrets loads bad configs carrying an inline secret
// next to the mistake: the error must name the mistake, not the secret.
func TestErrorsNeverShowSecrets(t *testing.T) {
	const secret = "s3cr3t-hunter2"
	zendesk := "vendors:\n  - name: acme\n    tickets:\n      - name: helpdesk\n        kind: zendesk\n"
	withClient := zendesk + "        url: https://acme.zendesk.com\n        http_client:\n"
	cases := []struct {
		name, yaml, wantCause string
	}{
		{"password and password_file",
			withClient + "          basic_auth: {username: ops, password: " + secret + ", password_file: token}\n",
			"at most one of basic_auth password"},
		{"password beside an unknown key",
			withClient + "          basic_auth: {username: ops, password: " + secret + ", passwrd: x}\n",
			`unknown key "passwrd"`},
		{"password in the url",
			zendesk + "        url: https://ops:" + secret + "@acme.zendesk.com\n",
			"credentials belong in http_client"},
		{"password in an invalid url",
			zendesk + "        url: \"https://ops:" + secret + "@acme.zendesk.com:port/\"\n",
			"want an absolute http:// or https:// URL"},
		{"password in an invalid proxy_url",
			withClient + "          proxy_url: \"http://ops:" + secret + "@proxy:port/\"\n",
			"invalid proxy_url"},
		{"bearer_token and authorization",
			withClient + "          bearer_token: " + secret + "\n          authorization: {credentials: " + secret + "}\n",
			"authorization is not compatible with bearer_token"},
		{"oauth2 without token_url",
			withClient + "          oauth2: {client_id: ops, client_secret: " + secret + "}\n",
			"oauth2 token_url must be configured"},
		{"secret of a reserved header",
			withClient + "          http_headers:\n            Authorization: {secrets: [" + secret + "]}\n",
			`setting header "Authorization" is not allowed`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Parse([]byte(c.yaml), "secret.yml", kinds)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if !strings.Contains(err.Error(), c.wantCause) {
				t.Errorf("error %q does not say %q", err, c.wantCause)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

func TestParseResolvesFilesAgainstConfigDir(t *testing.T) {
	data := []byte(`vendors:
  - name: acme
    tickets:
      - name: helpdesk
        kind: zendesk
        url: https://acme.zendesk.com
        http_client:
          basic_auth: {username: ops, password_file: secrets/zendesk_token}
`)
	cfg, err := config.Parse(data, filepath.Join("testdata", "good", "inline.yml"), kinds)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join("testdata", "good", "secrets", "zendesk_token")
	if got := cfg.Vendors[0].Tickets[0].HTTPClient.BasicAuth.PasswordFile; got != want {
		t.Errorf("password_file = %q, want %q", got, want)
	}
}

// TestEveryKeyDocumented fails when a key of the file is missing from
// docs/configuration.md (a kind's own keys are in docs/sources.md, checked
// by package collectors).
func TestEveryKeyDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ.PkgPath() != reflect.TypeFor[config.Config]().PkgPath() {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			// Written as code (`name`) or as YAML (name:), not just a word
			// nor part of another key.
			if !regexp.MustCompile("`" + name + "`" + `|(^|[^a-z_])` + name + ":").Match(doc) {
				t.Errorf("%s.%s is not in docs/configuration.md", path, name)
			}
			walk(f.Type, path+"."+name)
		}
	}
	walk(reflect.TypeFor[config.Config](), "")
	if len(seen) < 5 {
		t.Fatalf("walked %d types, want the whole file's", len(seen))
	}
}

// TestMergeKeys: keys a source takes from another through a YAML merge key
// (<<: *base) count as written: no default replaces them.
func TestMergeKeys(t *testing.T) {
	cfg, err := config.Parse([]byte(`vendors:
  - name: acme
    tickets:
      - &base
        name: sdk
        kind: github
        repositories: [acme/sdk]
        poll_interval: 7m
        http_client: {authorization: {credentials: token}}
      - <<: *base
        name: cli
        repositories: [acme/cli]
`), "merge.yml", kinds)
	if err != nil {
		t.Fatal(err)
	}
	cli := cfg.Vendors[0].Tickets[1]
	if cli.PollInterval != model.Duration(7*time.Minute) {
		t.Errorf("merged poll_interval = %v, want 7m", cli.PollInterval)
	}
	if cli.HTTPClient.Authorization == nil || string(cli.HTTPClient.Authorization.Credentials) != "token" {
		t.Errorf("merged http_client lost its authorization: %+v", cli.HTTPClient.Authorization)
	}
	if got := cli.Options.(*github.Options).Repositories; !reflect.DeepEqual(got, []string{"acme/cli"}) {
		t.Errorf("repositories = %v, want the source's own [acme/cli]", got)
	}
}
