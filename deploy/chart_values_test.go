package deploy

import (
	"strings"
	"testing"
)

// TestChartLongReleaseName: with a 50-character release name (Helm allows
// 53) every object is still named apart, within Kubernetes' 63 characters:
// the suffix of the dashboard ConfigMaps and PrometheusRules survives.
func TestChartLongReleaseName(t *testing.T) {
	release := strings.Repeat("monitoring", 5)
	m := renderRelease(t, release, "--values", "testdata/values-full.yaml") // fails on a name given twice
	for kind, byName := range m {
		for name := range byName {
			if len(name) > 63 {
				t.Errorf("%s %s: %d characters, more than 63", kind, name, len(name))
			}
		}
	}
	if n := len(m["ConfigMap"]); n != 5 {
		t.Errorf("%d dashboard ConfigMaps, want 5", n)
	}
	for _, suffix := range []string{"-rules", "-alerts"} {
		found := false
		for name := range m["PrometheusRule"] {
			found = found || strings.HasSuffix(name, suffix)
		}
		if !found {
			t.Errorf("no PrometheusRule named ...%s", suffix)
		}
	}
}

// TestChartScrapeTimeout: the ServiceMonitor's scrapeTimeout is never
// longer than its interval (the Prometheus Operator refuses it).
func TestChartScrapeTimeout(t *testing.T) {
	for _, tc := range []struct {
		interval, timeout, want string
	}{
		{"1m", "", "30s"}, // the defaults
		{"15s", "", "15s"},
		{"1m30s", "1m", "1m"},
		{"20s", "1m", "20s"},
		{"5m", "2m30s", "2m30s"},
		{"1h", "1m", "1m"},
		{"30s", "", "30s"},
		{"2m", `""`, "2m"},
	} {
		args := []string{"--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.interval=" + tc.interval}
		if tc.timeout != "" {
			args = append(args, "--set", "serviceMonitor.scrapeTimeout="+strings.Trim(tc.timeout, `"`))
		}
		sm := render(t, args...).only(t, "ServiceMonitor")
		if got := str(sm, "spec", "endpoints", 0, "scrapeTimeout"); got != tc.want {
			t.Errorf("interval %s, scrapeTimeout %q: rendered %q, want %q", tc.interval, tc.timeout, got, tc.want)
		}
	}
}

// TestChartProbes: a probe can be dropped (null or enabled: false) or given
// another handler; by default an httpGet on the exporter's path.
func TestChartProbes(t *testing.T) {
	probes := func(args ...string) object {
		return container(t, render(t, args...).only(t, "Deployment"))
	}
	c := probes()
	if str(c, "livenessProbe", "httpGet", "path") != "/-/healthy" || str(c, "readinessProbe", "httpGet", "path") != "/-/ready" {
		t.Errorf("default probes: %v, %v", get(c, "livenessProbe"), get(c, "readinessProbe"))
	}
	if get(c, "livenessProbe", "enabled") != nil {
		t.Error("the probe holds the chart's key enabled")
	}
	c = probes("--set", "livenessProbe=null")
	if get(c, "livenessProbe") != nil || get(c, "readinessProbe") == nil {
		t.Errorf("livenessProbe=null: liveness %v, readiness %v", get(c, "livenessProbe"), get(c, "readinessProbe"))
	}
	c = probes("--set", "readinessProbe.enabled=false")
	if get(c, "readinessProbe") != nil || get(c, "livenessProbe") == nil {
		t.Errorf("readinessProbe.enabled=false: liveness %v, readiness %v", get(c, "livenessProbe"), get(c, "readinessProbe"))
	}
	c = probes("--set", "livenessProbe.tcpSocket.port=http-metrics", "--set-string", "readinessProbe.exec.command[0]=true")
	if str(c, "livenessProbe", "tcpSocket", "port") != "http-metrics" || get(c, "livenessProbe", "httpGet") != nil {
		t.Errorf("tcpSocket liveness: %v", get(c, "livenessProbe"))
	}
	if str(c, "readinessProbe", "exec", "command", 0) != "true" || get(c, "readinessProbe", "httpGet") != nil {
		t.Errorf("exec readiness: %v", get(c, "readinessProbe"))
	}
	if get(c, "livenessProbe", "periodSeconds") != 30 {
		t.Errorf("tcpSocket liveness lost the default timing: %v", get(c, "livenessProbe"))
	}
	c = probes("--set", "livenessProbe.grpc.port=10043")
	if get(c, "livenessProbe", "grpc", "port") != 10043 {
		t.Errorf("grpc liveness: %v", get(c, "livenessProbe"))
	}
	if _, err := helm(t, "template", "rel", chartPath, "--set", "livenessProbe.bogus=1"); err == nil {
		t.Error("livenessProbe.bogus: rendered, want the schema to refuse it")
	}
}
