package alerts

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseConfigFileEmptyIsDefault(t *testing.T) {
	for _, data := range []string{"", "# nothing\n", "{}\n"} {
		cfg, err := ParseConfigFile("m.yml", []byte(data))
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		if !reflect.DeepEqual(cfg, Default()) {
			t.Errorf("%q: %+v, want Default()", data, cfg)
		}
	}
}

// TestConfigFileRoundTrip: the printed defaults read back as Default(), and
// a changed Config survives the trip, every field (a field missing from
// the file format would come back at its default).
func TestConfigFileRoundTrip(t *testing.T) {
	changed := Default()
	changed.Selector = `job="support-exporter",namespace="monitoring"`
	changed.ReplicaLabels = []string{"replica"}
	changed.ClusterLabel = "cluster"
	changed.Interval = 2 * time.Minute
	changed.RunbookURL = "https://wiki.example.com/runbook"
	changed.MinSLAChecks = 20
	changed.BurnRates = []BurnRate{{Severity: "warning", Long: 48 * time.Hour, Short: 4 * time.Hour, Factor: 2.5, For: 90 * time.Second}}
	changed.UrgentPriorities = "urgent|high"
	changed.EscalationOpenFor = 12 * time.Hour
	changed.BacklogGrowthWindow = 3 * time.Hour
	changed.BacklogGrowthMin = 5
	changed.ShortNoticeWindow = 36 * time.Hour
	changed.IncidentSilence = 45 * time.Minute
	changed.VendorFirstMin = 0.75
	changed.MinIncidents = 8
	changed.SourceDownFor = 20 * time.Minute
	changed.StaleAfter = time.Hour
	changed.StalePolls = 4
	changed.ConfirmFor = 5 * time.Minute
	changed.ClaimNotice = 14 * 24 * time.Hour
	changed.DrillWindow = 3 * 24 * time.Hour
	// Every field differs from Default, so the round trip tests them all.
	def, cv := reflect.ValueOf(Default()), reflect.ValueOf(changed)
	for i := range def.NumField() {
		if reflect.DeepEqual(def.Field(i).Interface(), cv.Field(i).Interface()) {
			t.Fatalf("field %s left at its default: change it here", def.Type().Field(i).Name)
		}
	}
	for _, cfg := range []Config{Default(), changed} {
		data, err := MarshalConfigFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseConfigFile("m.yml", data)
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		if !reflect.DeepEqual(got, cfg) {
			t.Errorf("round trip:\n got %+v\nwant %+v\n%s", got, cfg, data)
		}
	}
}

func TestParseConfigFilePartial(t *testing.T) {
	cfg, err := ParseConfigFile("m.yml", []byte("selector: job=\"support-exporter\"\nstale_after: 1h\nburn_rates:\n"+
		"  - {severity: critical, long: 1d, short: 2h, factor: 14.4, for: 5m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Selector = `job="support-exporter"`
	want.StaleAfter = time.Hour
	want.BurnRates = []BurnRate{{Severity: "critical", Long: 24 * time.Hour, Short: 2 * time.Hour, Factor: 14.4, For: 5 * time.Minute}}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
}

func TestParseConfigFileErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"selector: x\nstale_afer: 1h\n", `m.yml:2: unknown key "stale_afer"`},
		{"interval: 1m\ninterval: 2m\n", `m.yml:2: key "interval" given twice`},
		{"- a\n", "m.yml:1: want a mapping"},
		{"selector: x\n  stale_after: 1h\n", "m.yml:2: mapping values are not allowed"},
		{"stale_after: soon\n", `m.yml:1: "soon" is not a duration`},
		{"interval: 1m\nmin_sla_checks: many\n", "m.yml:2: cannot unmarshal !!str `many` into int"},
		{"burn_rates:\n  - severity: critical\n    long: 1d\n", "m.yml:2: burn_rates[0]: missing short, factor, for"},
		{"burn_rates:\n  - {severity: critical, long: 1d, short: 2h, factor: 6, for: 5m, page: yes}\n", `m.yml:2: unknown key "page"`},
		{"burn_rates: []\n", "invalid: no burn rates"},
		{"selector: ''\n", "invalid: selector: empty"},
		{"cluster_label: 'a-b'\n", `invalid: cluster label "a-b" is not a label name`},
		{"stale_polls: 0\n", "stale polls: 0 is below 1"},
		{"replica_labels: [pod]\ncluster_label: pod\n", "cluster label is also a replica label"},
		{"vendor_first_min: 2\nmin_incidents: 0\n", "vendor-first min: 2 is outside (0, 1]"},
		{"interval: 1500ms\n", "interval: 1.5s is not a positive whole number of seconds"},
	} {
		_, err := ParseConfigFile("m.yml", []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.data, err, tc.want)
		}
	}
}
