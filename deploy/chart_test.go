package deploy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	supportexporter "github.com/support-exporter/support_exporter"
	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/dashboards"
)

// chartJob is the job label the chart gives the scraped series
// (templates/_helpers.tpl, "support-exporter.job"): a Kubernetes Service
// cannot be named support_exporter.
const chartJob = "support-exporter"

// chartConfig is the alerts configuration the chart's rules and dashboards
// are generated with: the defaults, selecting the chart's job, merging
// replicas across service too (an HA pair is two releases, two Services,
// in one namespace; TestChartPairDedupes).
func chartConfig() alerts.Config {
	cfg := alerts.Default()
	cfg.Selector = `job="` + chartJob + `"`
	cfg.ReplicaLabels = []string{"instance", "pod", "service"}
	return cfg
}

const chartHeader = "# The rules of github.com/support-exporter/support_exporter/alerts with the selector\n" +
	"# job=\"" + chartJob + "\" and the replica labels instance, pod and service, for the Helm chart:\n" +
	"# go test ./deploy -update regenerates it.\n"

// chartFiles is what files/ of the chart must hold, by path in the chart.
func chartFiles(t *testing.T) map[string][]byte {
	t.Helper()
	cfg := chartConfig()
	want := map[string][]byte{}
	for name, gen := range map[string]func(alerts.Config) ([]byte, error){
		alerts.RulesFile:  alerts.RecordingRules,
		alerts.AlertsFile: alerts.AlertingRules,
	} {
		b, err := gen(cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want["files/"+name] = append([]byte(chartHeader), b...)
	}
	boards, err := dashboards.Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range boards {
		want["files/dashboards/"+f.Name] = f.Data
	}
	return want
}

// TestChartFilesGenerated fails when the chart's rules and dashboards are not
// what the Go generators make with the chart's selector; -update rewrites
// them (and removes a dashboard no longer generated).
func TestChartFilesGenerated(t *testing.T) {
	want := chartFiles(t)
	dir := filepath.FromSlash(chartPath)
	present, err := filepath.Glob(filepath.Join(dir, "files", "dashboards", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range present {
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		if _, ok := want[rel]; ok {
			continue
		}
		if *update {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is no longer generated (go test ./deploy -update removes it)", rel)
	}
	for rel, data := range want {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if *update {
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%v (go test ./deploy -update writes it)", err)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s differs from what the generator makes with %s (go test ./deploy -update)", rel, chartConfig().Selector)
		}
	}
}

// TestChartVersion: the chart's version and appVersion are the VERSION file.
func TestChartVersion(t *testing.T) {
	var chart struct {
		Version    string `yaml:"version"`
		AppVersion string `yaml:"appVersion"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, "deploy/"+chartPath+"/Chart.yaml")), &chart); err != nil {
		t.Fatal(err)
	}
	if v := supportexporter.Version(); chart.Version != v || chart.AppVersion != v {
		t.Errorf("Chart.yaml: version %q, appVersion %q; VERSION says %q", chart.Version, chart.AppVersion, v)
	}
}

func TestChartLint(t *testing.T) {
	for _, args := range [][]string{nil, {"--values", "testdata/values-full.yaml"}} {
		if out, err := helm(t, append([]string{"lint", "--strict", chartPath}, args...)...); err != nil {
			t.Errorf("%v\n%s", err, out)
		}
	}
}

// TestChartSchema: values.schema.json refuses a bad value.
func TestChartSchema(t *testing.T) {
	for _, set := range []string{
		"serviceMonitor.interval=soon",
		"persistence.size=big",
		"unknownKey=1",
		"extraArgs[0]=log.level=debug",
	} {
		if _, err := helm(t, "template", "rel", chartPath, "--set", set); err == nil {
			t.Errorf("--set %s: rendered, want the schema to refuse it", set)
		} else if !strings.Contains(err.Error(), "schema") {
			t.Errorf("--set %s: %v, want a schema error", set, err)
		}
	}
}

// TestChartDefaults: without options, the exporter, its store and nothing
// that needs prometheus-operator or Grafana.
func TestChartDefaults(t *testing.T) {
	m := render(t)
	for _, kind := range []string{"ServiceMonitor", "PrometheusRule", "ConfigMap"} {
		if len(m[kind]) != 0 {
			t.Errorf("%d %s rendered by default, want none", len(m[kind]), kind)
		}
	}
	d := m.only(t, "Deployment")
	claim := str(d, "spec", "template", "spec", "volumes", 1, "persistentVolumeClaim", "claimName")
	if pvc := m.only(t, "PersistentVolumeClaim"); claim == "" || claim != pvc.name() {
		t.Errorf("the storage volume's claim is %q, the chart's PVC %q", claim, pvc.name())
	}
	// The default config is valid.
	dir := writeSecret(t, m.only(t, "Secret"))
	out, err := exec.Command(exporterBinary(t), "--config.file="+filepath.Join(dir, "support_exporter.yml"), "--config.check").CombinedOutput()
	if err != nil {
		t.Errorf("the default values' config: %v\n%s", err, out)
	}
}

// writeSecret writes a Secret's files into a new directory.
func writeSecret(t *testing.T, s object) string {
	t.Helper()
	dir := t.TempDir()
	data := asMap(get(s, "data"))
	if len(data) == 0 {
		t.Fatalf("Secret %s holds no data", s.name())
	}
	for k, v := range data {
		b, err := base64.StdEncoding.DecodeString(fmt.Sprint(v))
		if err != nil {
			t.Fatalf("Secret %s, %s: %v", s.name(), k, err)
		}
		if err := os.WriteFile(filepath.Join(dir, k), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// container is the Deployment's one container.
func container(t *testing.T, d object) object {
	t.Helper()
	cs := list(d, "spec", "template", "spec", "containers")
	if len(cs) != 1 {
		t.Fatalf("%d containers, want 1", len(cs))
	}
	return object(asMap(cs[0]))
}

// flagValue returns the value of --name=value in args.
func flagValue(args []any, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(fmt.Sprint(a), "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// mountOf returns where the container mounts the pod volume that matches.
func mountOf(t *testing.T, d object, c object, match func(volume any) bool) string {
	t.Helper()
	for _, v := range list(d, "spec", "template", "spec", "volumes") {
		if !match(v) {
			continue
		}
		for _, vm := range list(c, "volumeMounts") {
			if str(vm, "name") == str(v, "name") {
				return str(vm, "mountPath")
			}
		}
	}
	return ""
}

// TestChartManifests renders the chart with everything on and checks what
// makes it work: the scraped job is the rules' and dashboards' selector, the
// store is on the claim, the config and its secrets in the Secret, one
// replica replaced by Recreate, probes on the exporter's own paths.
func TestChartManifests(t *testing.T) {
	m := render(t, "--values", "testdata/values-full.yaml")
	wantSelector := chartConfig().Selector

	// The ServiceMonitor's job is the value of its jobLabel on the Service it selects.
	sm := m.only(t, "ServiceMonitor")
	svc := m.only(t, "Service")
	sel := asMap(get(sm, "spec", "selector", "matchLabels"))
	if len(sel) == 0 {
		t.Fatal("the ServiceMonitor selects no labels")
	}
	for k, v := range sel {
		if str(svc, "metadata", "labels", k) != v {
			t.Errorf("the ServiceMonitor selects %s=%v, the Service has %q", k, v, str(svc, "metadata", "labels", k))
		}
	}
	jobLabel := str(sm, "spec", "jobLabel")
	job := str(svc, "metadata", "labels", jobLabel)
	if jobLabel == "" || job == "" {
		t.Fatalf("ServiceMonitor jobLabel %q, the Service's value %q: the job would be the Service's name", jobLabel, job)
	}
	if got := `job="` + job + `"`; got != wantSelector {
		t.Errorf("scraped as %s, the rules select %s", got, wantSelector)
	}

	// The PrometheusRules: the generated groups, each expression with the selector.
	rules := 0
	for name, pr := range m["PrometheusRule"] {
		for _, g := range list(pr, "spec", "groups") {
			for _, r := range list(g, "rules") {
				rules++
				if expr := str(r, "expr"); !strings.Contains(expr, `job="`+job+`"`) {
					t.Errorf("%s: rule %s%s does not select job=%q: %s", name, str(r, "record"), str(r, "alert"), job, expr)
				}
			}
		}
	}
	var files struct {
		Groups []struct {
			Rules []yaml.Node `yaml:"rules"`
		} `yaml:"groups"`
	}
	wantRules := 0
	for rel, data := range chartFiles(t) {
		if strings.HasSuffix(rel, ".yml") {
			if err := yaml.Unmarshal(data, &files); err != nil {
				t.Fatal(err)
			}
			for _, g := range files.Groups {
				wantRules += len(g.Rules)
			}
		}
	}
	if len(m["PrometheusRule"]) != 2 || rules != wantRules || rules == 0 {
		t.Errorf("%d PrometheusRules with %d rules, want 2 with the %d generated", len(m["PrometheusRule"]), rules, wantRules)
	}

	// Dashboards: one ConfigMap each, labelled for the Grafana sidecar.
	boards, err := dashboards.Render(chartConfig())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cm := range m["ConfigMap"] {
		if str(cm, "metadata", "labels", "grafana_dashboard") != "1" {
			t.Errorf("ConfigMap %s: no label grafana_dashboard=\"1\"", cm.name())
		}
		data := asMap(get(cm, "data"))
		for k, v := range data {
			names = append(names, k)
			var d map[string]any
			if err := json.Unmarshal([]byte(fmt.Sprint(v)), &d); err != nil {
				t.Errorf("ConfigMap %s, %s: %v", cm.name(), k, err)
			}
			if !strings.Contains(fmt.Sprint(v), `job=\"`+job+`\"`) {
				t.Errorf("ConfigMap %s, %s: no query selects job=%q", cm.name(), k, job)
			}
		}
	}
	var want []string
	for _, b := range boards {
		want = append(want, b.Name)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("dashboards in ConfigMaps %v, generated %v", names, want)
	}

	// One replica, Recreate: one writer on the store.
	d := m.only(t, "Deployment")
	if r, _ := get(d, "spec", "replicas").(int); r != 1 {
		t.Errorf("replicas %v, want 1", get(d, "spec", "replicas"))
	}
	if s := str(d, "spec", "strategy", "type"); s != "Recreate" {
		t.Errorf("strategy %q, want Recreate", s)
	}
	c := container(t, d)
	args := list(c, "args")

	// The store on the chart's claim, where --storage.path points.
	pvc := m.only(t, "PersistentVolumeClaim")
	storage := mountOf(t, d, c, func(v any) bool { return str(v, "persistentVolumeClaim", "claimName") == pvc.name() })
	if storage == "" || storage != flagValue(args, "storage.path") {
		t.Errorf("claim %s mounted at %q, --storage.path=%q", pvc.name(), storage, flagValue(args, "storage.path"))
	}

	// The config in the Secret, mounted where --config.file points.
	secret := m.only(t, "Secret")
	configFile := flagValue(args, "config.file")
	configDir := mountOf(t, d, c, func(v any) bool { return str(v, "secret", "secretName") == secret.name() })
	if configDir == "" || path.Dir(configFile) != configDir {
		t.Errorf("Secret %s mounted at %q, --config.file=%q", secret.name(), configDir, configFile)
	}
	if _, ok := get(secret, "data", path.Base(configFile)).(string); !ok {
		t.Errorf("Secret %s has no %s", secret.name(), path.Base(configFile))
	}

	// Hardening.
	for _, p := range [][]any{
		{"spec", "template", "spec", "securityContext", "runAsNonRoot"},
		{"spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"},
	} {
		if get(d, p...) != true {
			t.Errorf("%v is not true", p)
		}
	}
	if get(d, "spec", "template", "spec", "containers", 0, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("allowPrivilegeEscalation is not false")
	}

	// Ports: ServiceMonitor -> Service -> container by the name http-metrics.
	portName := str(sm, "spec", "endpoints", 0, "port")
	var target string
	for _, p := range list(svc, "spec", "ports") {
		if str(p, "name") == portName {
			target = str(p, "targetPort")
		}
	}
	var containerPort int
	for _, p := range list(c, "ports") {
		if str(p, "name") == target {
			containerPort, _ = get(p, "containerPort").(int)
		}
	}
	if portName != "http-metrics" || target == "" || containerPort == 0 {
		t.Fatalf("ServiceMonitor port %q -> Service targetPort %q -> container port %d", portName, target, containerPort)
	}
	if listen := flagValue(args, "web.listen-address"); listen != fmt.Sprintf(":%d", containerPort) {
		t.Errorf("--web.listen-address=%q, the container port is %d", listen, containerPort)
	}

	// The exporter started with the rendered args (paths moved to temporary
	// directories, on a loopback port) answers the probes and the scrape.
	probes := map[string]string{
		"liveness":  str(c, "livenessProbe", "httpGet", "path"),
		"readiness": str(c, "readinessProbe", "httpGet", "path"),
		"scrape":    str(sm, "spec", "endpoints", 0, "path"),
	}
	for probe, p := range probes {
		if p == "" {
			t.Errorf("%s: no HTTP path", probe)
		}
		if probe != "scrape" && str(c, probe+"Probe", "httpGet", "port") != target {
			t.Errorf("%s probe on port %q, want %q", probe, str(c, probe+"Probe", "httpGet", "port"), target)
		}
	}
	dir := writeSecret(t, secret)
	store := t.TempDir()
	addr := freeAddr(t)
	var runArgs []string
	for _, a := range args {
		s := fmt.Sprint(a)
		switch {
		case strings.HasPrefix(s, "--config.file="):
			s = "--config.file=" + filepath.Join(dir, path.Base(configFile))
		case strings.HasPrefix(s, "--storage.path="):
			s = "--storage.path=" + store
		case strings.HasPrefix(s, "--web.listen-address="):
			s = "--web.listen-address=" + addr
		}
		runArgs = append(runArgs, s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, exporterBinary(t), runArgs...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("exporter log:\n%s", logs.String())
		}
	}()
	for probe, p := range probes {
		if err := waitOK("http://" + addr + p); err != nil {
			t.Errorf("%s probe %s: %v", probe, p, err)
		}
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitOK polls url until it answers 200, for at most 30 s.
func waitOK(url string) error {
	var last error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			last = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		last = fmt.Errorf("status %s", resp.Status)
	}
	return last
}
