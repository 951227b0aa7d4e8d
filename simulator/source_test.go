package simulator

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// parseSource parses body, a SourceYAML, as the only source of a minimal
// config, under tickets or status_pages as its kind wants, with the real
// config package: the one place the tests call config.Parse.
func parseSource(t *testing.T, kind, body string) *config.Source {
	t.Helper()
	list := "status_pages"
	if k, ok := collectors.Kinds.Lookup(kind); ok {
		list = k.Feeds.List()
	}
	var b strings.Builder
	b.WriteString("vendors:\n  - name: x\n    " + list + ":\n      - name: s\n")
	for l := range strings.Lines(body) {
		b.WriteString("        " + l)
	}
	cfg, err := config.Parse([]byte(b.String()), "<test>", collectors.Kinds.Config())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	v := cfg.Vendors[0]
	switch list {
	case "tickets":
		return v.Tickets[0]
	case "docs":
		return v.Docs[0]
	}
	return v.StatusPages[0]
}

// sourceKeys are the kind's own keys of a parsed source (its Options,
// by their yaml names), those that are set.
func sourceKeys(src *config.Source) map[string]string {
	keys := map[string]string{}
	if src.Options == nil {
		return keys
	}
	v := reflect.ValueOf(src.Options).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
		switch f := v.Field(i); {
		case f.IsZero():
		case f.Kind() == reflect.Slice:
			keys[name] = strings.Join(f.Interface().([]string), ",")
		default:
			keys[name] = fmt.Sprint(f.Interface())
		}
	}
	return keys
}

// automationForJira is jira_service_management's default automation_accounts.
const automationForJira = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"

// TestSourceYAML: each kind's SourceYAML parses as a source of that kind
// at the API's URL, with the kind's keys, and its http_client is let in
// by the API: the list a collector reads answers 200.
func TestSourceYAML(t *testing.T) {
	s := faultSim(t)
	loc := s.worlds["acme"].v.Timezone
	tests := []struct {
		name, kind string
		yaml       func() string
		keys       map[string]string
		path       string // a list the credentials must open
	}{
		{"zendesk", KindZendesk, nil, map[string]string{"export_requests_per_minute": "100000"}, exportPath + "?start_time=0"},
		{"zendesk_requests", KindZendeskRequests, nil, nil, requestsPath},
		{"freshdesk", KindFreshdesk, nil, nil, "/api/v2/tickets"},
		{"jsm agent", KindJSM, nil, map[string]string{"api": "agent", "automation_accounts": automationForJira}, "/rest/api/3/myself"},
		{"jsm customer", KindJSM, func() string { return s.JSMCustomerSourceYAML("acme") },
			map[string]string{"api": "customer", "automation_accounts": automationForJira}, "/rest/servicedeskapi/request"},
		{"github", KindGitHub, nil, map[string]string{"repositories": "acme/acme-sdk"}, "/repos/acme/acme-sdk/issues"},
		{"statuspage", KindStatuspage, nil, nil, "/api/v2/summary.json"},
		{"incidentio", KindIncidentio, nil, nil, "/api/v2/summary.json"},
		{"instatus", KindInstatus, nil, nil, "/summary.json"},
		{"statusio", KindStatusio, nil, map[string]string{"page_id": s.StatusioPageID("acme")}, "/1.0/status/" + s.StatusioPageID("acme")},
		{"cachet", KindCachet, nil, map[string]string{"timezone": loc}, "/api/v1/incidents"},
		{"feed", KindFeed, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := s.SourceYAML("acme", tt.kind)
			if tt.yaml != nil {
				body = tt.yaml()
			}
			if strings.HasPrefix(body, "name:") || strings.Contains(body, "\nname:") || strings.HasPrefix(body, " ") {
				t.Errorf("body %q has a name or an indent", body)
			}
			src := parseSource(t, tt.kind, body)
			if src.Kind != tt.kind || src.URL != s.URL("acme", tt.kind) {
				t.Errorf("kind %q url %q, want %q %q", src.Kind, src.URL, tt.kind, s.URL("acme", tt.kind))
			}
			got := sourceKeys(src)
			if len(got) != len(tt.keys) {
				t.Errorf("keys %v, want %v", got, tt.keys)
			}
			for k, v := range tt.keys {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			hc, err := commoncfg.NewClientFromConfig(src.HTTPClient, "test")
			if err != nil {
				t.Fatal(err)
			}
			resp, err := hc.Get(src.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s with the source's http_client: HTTP %d %.200s", tt.path, resp.StatusCode, b)
			}
		})
	}
}

// TestSourceYAMLUnknown: no source for a vendor or kind the simulation
// does not play, nor before Start.
func TestSourceYAMLUnknown(t *testing.T) {
	s := faultSim(t)
	if got := s.SourceYAML("nobody", KindZendesk); got != "" {
		t.Errorf("unknown vendor: %q", got)
	}
	if got := s.SourceYAML("acme", "zendesk_classic"); got != "" {
		t.Errorf("unknown kind: %q", got)
	}
	idle, err := New(Options{Seed: 1, Start: testStart, Clock: newClock(testStart).Now, Vendors: []Vendor{vendor("acme", Persona{}, 5)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := idle.SourceYAML("acme", KindZendesk); got != "" {
		t.Errorf("before Start: %q", got)
	}
}

// TestSourceYAMLExportLimit: a zendesk source asks for the export limit
// the simulation enforces.
func TestSourceYAMLExportLimit(t *testing.T) {
	s := startSim(t, newClock(testStart), Options{Seed: 1, ExportRequestsPerMinute: 30, Vendors: []Vendor{vendor("acme", Persona{}, 5)}})
	src := parseSource(t, KindZendesk, s.SourceYAML("acme", KindZendesk))
	if got := sourceKeys(src)["export_requests_per_minute"]; got != "30" {
		t.Errorf("export_requests_per_minute = %s, want 30", got)
	}
}

// TestYAMLStringQuotes: a credential with YAML's special characters
// parses back as written.
func TestYAMLStringQuotes(t *testing.T) {
	for _, v := range []string{`pa"ss\word`, "#: - [x] {y} & *z !t |", "tab\there", "ünïcode"} {
		body := "kind: statuspage\nurl: " + yamlString("https://status.example/"+url.PathEscape(v)) +
			"\nhttp_client:\n  basic_auth:\n    username: " + yamlString(v) + "\n    password: " + yamlString(v) + "\n"
		src := parseSource(t, KindStatuspage, body)
		if ba := src.HTTPClient.BasicAuth; ba == nil || ba.Username != v || string(ba.Password) != v {
			t.Errorf("%q parsed back as %+v", v, ba)
		}
	}
}

// TestSourceYAMLEveryKind: every kind the exporter has is played, and its
// SourceYAML parses.
func TestSourceYAMLEveryKind(t *testing.T) {
	s := faultSim(t)
	for _, k := range collectors.Kinds {
		body := s.SourceYAML("acme", k.Name)
		if body == "" {
			t.Errorf("kind %s: no SourceYAML: the simulator does not play it", k.Name)
			continue
		}
		if src := parseSource(t, k.Name, body); src.Kind != k.Name {
			t.Errorf("kind %s: parsed as %s", k.Name, src.Kind)
		}
	}
}
