package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// alertmanagerExample is the shipped Alertmanager configuration example.
const alertmanagerExample = "examples/alertmanager/alertmanager.yml"

// shippedAlert is one alerting rule of alerts/support_exporter.alerts.yml.
type shippedAlert struct{ name, severity string }

// alertClass is who an alert is for, as the example promises: the team
// running the exporter (its health and its sources), whoever manages the
// vendor contracts, or the vendor's quality (everything else).
func alertClass(name string) string {
	switch {
	case strings.HasPrefix(name, "SupportExporter"), name == "SupportSourceDown", name == "SupportSourceStale", name == "SupportVendorDataRefused":
		return "health"
	case strings.HasPrefix(name, "SupportContract"):
		return "contract"
	}
	return "quality"
}

// shippedAlerts reads every alerting rule's name and severity.
func shippedAlerts(t *testing.T) []shippedAlert {
	t.Helper()
	b, err := readRepoFile("alerts/support_exporter.alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Rules []struct {
				Alert  string            `yaml:"alert"`
				Labels map[string]string `yaml:"labels"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	var out []shippedAlert
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" && !slices.Contains(out, shippedAlert{r.Alert, r.Labels["severity"]}) {
				out = append(out, shippedAlert{r.Alert, r.Labels["severity"]})
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d alerts in alerts/support_exporter.alerts.yml", len(out))
	}
	return out
}

// TestAlertmanagerExampleRoutes checks the example with amtool (Debian's
// `prometheus-alertmanager` ships it) and routes every shipped alert,
// with its severity, for a vendor with its own route and one without:
// health alerts to the exporter's operators (critical ones paging too),
// contract alerts to vendor management, quality alerts to the vendor's owner or the shared queue,
// critical ones paging as well.
func TestAlertmanagerExampleRoutes(t *testing.T) {
	amtool := lookPath(t, "amtool", "prometheus-alertmanager")
	config := filepath.Join("..", alertmanagerExample)
	out, err := exec.Command(amtool, "check-config", config).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("amtool check-config %s: %v\n%s", alertmanagerExample, err, out)
	}
	// Grouped by vendor, not instance: an HA pair's outage notifies the
	// exporter's operators once (docs/ha.md).
	b, err := readRepoFile(alertmanagerExample)
	if err != nil {
		t.Fatal(err)
	}
	var am struct {
		Route struct {
			Routes []struct {
				Receiver string   `yaml:"receiver"`
				GroupBy  []string `yaml:"group_by"`
			} `yaml:"routes"`
		} `yaml:"route"`
	}
	if err := yaml.Unmarshal(b, &am); err != nil {
		t.Fatal(err)
	}
	for _, r := range am.Route.Routes {
		if r.Receiver == "exporter-operators" && (slices.Contains(r.GroupBy, "instance") || !slices.Contains(r.GroupBy, "vendor")) {
			t.Errorf("exporter-operators route groups by %v: want vendor and no instance, so an HA pair's outage notifies once", r.GroupBy)
		}
	}
	routed := shippedAlerts(t)
	// The exporter's own alerts of issue 16, routed whether or not the
	// shipped rules hold them yet.
	for _, a := range []shippedAlert{{"SupportExporterDown", "warning"}, {"SupportExporterAbsent", "critical"}} {
		if !slices.Contains(routed, a) {
			routed = append(routed, a)
		}
	}
	for _, a := range routed {
		for vendor, owner := range map[string]string{"acme": "acme-account-owner", "globex": "support-tickets"} {
			var want string
			switch alertClass(a.name) {
			case "health":
				want = "exporter-operators"
				if a.severity == "critical" {
					want = "support-pager,exporter-operators"
				}
			case "contract":
				want = "vendor-management"
			case "quality":
				want = owner
				if a.severity == "critical" {
					want = "support-pager," + owner
				}
			}
			labels := []string{"alertname=" + a.name, "severity=" + a.severity, "vendor=" + vendor, "job=support_exporter"}
			out, err := exec.Command(amtool, append([]string{"config", "routes", "test", "--config.file=" + config}, labels...)...).Output()
			if err != nil {
				t.Fatalf("amtool config routes test %v: %v", labels, err)
			}
			if got := strings.TrimSpace(string(out)); got != want {
				t.Errorf("%s (%s) of %s: routed to %s, want %s", a.name, a.severity, vendor, got, want)
			}
		}
	}
}

// TestAlertmanagerExampleInhibits runs a real Alertmanager on the example,
// posts a source of vendor acme down on one replica, every shipped alert of
// acme and of globex, and reads back through the API which alerts are
// suppressed: acme's warning quality alerts (by the source down), never its
// critical pages nor its info alert, none of globex's but the slow SLA burn
// (by the fast one), neither acme's contract alerts nor acme's quality
// alerts from another job or cluster; the source's stale alert on the same
// replica gives way to its down alert, another source's or another
// replica's does not. A vendor whose status page is down keeps its urgent
// ticket page.
func TestAlertmanagerExampleInhibits(t *testing.T) {
	amBin := lookPath(t, "prometheus-alertmanager", "prometheus-alertmanager")
	dir := t.TempDir()
	addr := freeAddr(t)
	runDaemon(t, amBin, "--config.file="+filepath.Join("..", alertmanagerExample),
		"--storage.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--cluster.listen-address=")
	base := "http://" + addr
	waitFor(t, 20*time.Second, "Alertmanager ready", func() bool {
		code, _ := httpGet(base + "/-/ready")
		return code == 200
	})

	// want maps each posted alert's key to whether it must be suppressed.
	want := map[string]bool{}
	var posted []map[string]any
	post := func(suppressed bool, labels ...string) {
		l := map[string]string{"job": "support_exporter"}
		for i := 0; i+1 < len(labels); i += 2 {
			l[labels[i]] = labels[i+1]
		}
		want[alertKey(l)] = suppressed
		posted = append(posted, map[string]any{"labels": l})
	}
	post(false, "alertname", "SupportSourceDown", "severity", "warning", "vendor", "acme", "source", "helpdesk", "kind", "zendesk", "instance", "se-0:10043")
	post(true, "alertname", "SupportSourceStale", "severity", "warning", "vendor", "acme", "source", "helpdesk", "kind", "zendesk", "instance", "se-0:10043")
	// The other replica's staleness may have another cause.
	post(false, "alertname", "SupportSourceStale", "severity", "warning", "vendor", "acme", "source", "helpdesk", "kind", "zendesk", "instance", "se-1:10043")
	post(false, "alertname", "SupportSourceStale", "severity", "warning", "vendor", "acme", "source", "status", "kind", "statuspage", "instance", "se-0:10043")
	// initech's status page down: its warnings muted, its urgent page not.
	post(false, "alertname", "SupportSourceDown", "severity", "warning", "vendor", "initech", "source", "status", "kind", "statuspage", "instance", "se-0:10043")
	post(true, "alertname", "SupportEscalationOpenTooLong", "severity", "warning", "vendor", "initech", "priority", "urgent")
	post(false, "alertname", "SupportUrgentTicketUnanswered", "severity", "critical", "vendor", "initech", "priority", "urgent")
	quality := 0
	for _, a := range shippedAlerts(t) {
		class := alertClass(a.name)
		if class == "health" {
			continue
		}
		slowBurn := a.name == "SupportSLAErrorBudgetBurn" && a.severity == "warning"
		post(class == "quality" && a.severity == "warning", "alertname", a.name, "severity", a.severity, "vendor", "acme", "target", "first_response")
		post(class == "quality" && slowBurn, "alertname", a.name, "severity", a.severity, "vendor", "globex", "target", "first_response")
		if class == "quality" {
			quality++
		}
	}
	if quality < 5 {
		t.Fatalf("only %d quality alerts among the shipped ones", quality)
	}
	post(false, "alertname", "SupportSLAErrorBudgetBurn", "severity", "critical", "vendor", "acme", "target", "resolution", "job", "support_exporter_eu")
	post(false, "alertname", "SupportSLAErrorBudgetBurn", "severity", "critical", "vendor", "acme", "target", "resolution", "cluster", "eu")
	postAlerts(t, base, posted)

	var problems []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		problems = problems[:0]
		got := alertmanagerStatuses(t, base)
		for _, key := range slices.Sorted(maps.Keys(want)) {
			suppressed, ok := got[key]
			switch {
			case !ok:
				problems = append(problems, key+": not listed")
			case suppressed != want[key]:
				problems = append(problems, fmt.Sprintf("%s: suppressed %v, want %v", key, suppressed, want[key]))
			}
		}
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(problems) > 0 {
		t.Fatalf("%d of %d alerts wrong:\n%s", len(problems), len(want), strings.Join(problems, "\n"))
	}
	n := 0
	for _, s := range want {
		if s {
			n++
		}
	}
	// By hand, from the shipped alerts: acme's warning quality alerts are
	// SupportDrillFailing, SupportDrillUnanswered, SupportEscalationOpenTooLong,
	// SupportIncidentVendorSilent, SupportMaintenanceShortNotice,
	// SupportSLABreachingBacklogGrowing and the slow SupportSLAErrorBudgetBurn
	// (7; the fast burn, SupportUrgentTicketUnanswered, both critical, and
	// SupportVendorFirstShareLow, info, stay), plus globex's slow burn (1),
	// acme's helpdesk stale on se-0 (1) and initech's escalation (1): 10.
	if n != 10 {
		t.Errorf("%d alerts suppressed, want 10 (a shipped alert or its severity changed: recount)", n)
	}
	t.Logf("%d alerts posted, %d suppressed as the example says", len(want), n)
}

// alertKey is an alert's labels as "{a="1",b="2"}", sorted.
func alertKey(labels map[string]string) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, fmt.Sprintf("%s=%q", name, labels[name]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// alertmanagerStatuses lists Alertmanager's alerts: key -> suppressed by
// an inhibition (no silence exists here).
func alertmanagerStatuses(t *testing.T, base string) map[string]bool {
	t.Helper()
	code, body := httpGet(base + "/api/v2/alerts")
	if code != 200 {
		t.Fatalf("GET /api/v2/alerts: %d %s", code, body)
	}
	var alerts []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State       string   `json:"state"`
			InhibitedBy []string `json:"inhibitedBy"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(body), &alerts); err != nil {
		t.Fatalf("decoding %.200s: %v", body, err)
	}
	out := map[string]bool{}
	for _, a := range alerts {
		out[alertKey(a.Labels)] = a.Status.State == "suppressed" && len(a.Status.InhibitedBy) > 0
	}
	return out
}
