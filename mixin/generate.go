// Package mixin generates mixin.libsonnet, the jsonnet face of the rules
// and dashboards (docs/mixin.md): what the Go generator (alerts.Config,
// alerts.RecordingRules, alerts.AlertingRules, dashboards.Render) renders,
// as jsonnet expressions of $._config, so that jsonnet-bundler users get
// the same files for the same config.
//
// How: the Go generator renders once with a sentinel Config, whose every
// setting has a value found nowhere else (a selector naming the label
// __SEL__, durations of odd seconds such as 100003s, ...). Each place a
// sentinel shows up in the output, in whatever form the generator wrote it
// (100003s, 100003, 27h46m43s, a JSON number), becomes the jsonnet
// expression that writes the user's setting in the same form. The parts
// whose shape depends on the config (one alert per burn rate, a group of
// the burn rates' windows) become comprehensions over a template rendered
// the same way. The test runs the jsonnet binary for several configs and
// compares its output with the Go generator's, value for value.
package mixin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/alerts"
	"github.com/support-exporter/support_exporter/dashboards"
)

// File is the generated library's name, committed in this directory.
const File = "mixin.libsonnet"

// sentinel values: each must be written nowhere else by the generator, in
// any of its forms. Durations are whole seconds not divisible by a minute,
// so every form of them is its own.
const (
	selLabel   = "__SEL__"
	replica    = "mixinreplica" // alerts refuses replica labels starting with __
	cluster    = "__CLUSTER__"
	runbook    = "https://__RUNBOOK__.invalid/runbook"
	urgent     = "__URGENT__"
	minChecks  = 7919
	backlogMin = 7927
	minIncid   = 7933
	stalePolls = 7937
	firstMin   = 0.4127
	burnFactor = 7.31
	// severity of the sentinel burn rate: the only place it is read is the
	// burn-rate alert template, where it becomes b.severity.
	burnSeverity = "info"
	burnAlert    = "SupportSLAErrorBudgetBurn"
	burnGroup    = "support-exporter-burn-rate.rules"
)

// durationKey is one duration setting: its config key and sentinel seconds.
type durationKey struct {
	key     string
	seconds int64
	field   func(*alerts.Config) *time.Duration
}

var durations = []durationKey{
	{"interval", 100003, func(c *alerts.Config) *time.Duration { return &c.Interval }},
	{"escalation_open_for", 100019, func(c *alerts.Config) *time.Duration { return &c.EscalationOpenFor }},
	{"backlog_growth_window", 100043, func(c *alerts.Config) *time.Duration { return &c.BacklogGrowthWindow }},
	{"short_notice_window", 100049, func(c *alerts.Config) *time.Duration { return &c.ShortNoticeWindow }},
	{"incident_silence", 100057, func(c *alerts.Config) *time.Duration { return &c.IncidentSilence }},
	{"source_down_for", 100069, func(c *alerts.Config) *time.Duration { return &c.SourceDownFor }},
	{"stale_after", 100103, func(c *alerts.Config) *time.Duration { return &c.StaleAfter }},
	{"confirm_for", 100109, func(c *alerts.Config) *time.Duration { return &c.ConfirmFor }},
	{"claim_notice", 100129, func(c *alerts.Config) *time.Duration { return &c.ClaimNotice }},
	{"drill_window", 100151, func(c *alerts.Config) *time.Duration { return &c.DrillWindow }},
}

// The sentinel burn rate's durations.
const burnShort, burnLong, burnFor = 100153, 100183, 100189

func sentinelConfig() alerts.Config {
	c := alerts.Default()
	c.Selector = selLabel + `="` + selLabel + `"`
	c.ReplicaLabels = []string{replica}
	c.ClusterLabel = cluster
	c.RunbookURL = runbook
	c.UrgentPriorities = urgent
	c.MinSLAChecks, c.BacklogGrowthMin, c.MinIncidents, c.VendorFirstMin = minChecks, backlogMin, minIncid, firstMin
	c.StalePolls = stalePolls
	for _, d := range durations {
		*d.field(&c) = time.Duration(d.seconds) * time.Second
	}
	c.BurnRates = []alerts.BurnRate{{Severity: burnSeverity, Short: burnShort * time.Second,
		Long: burnLong * time.Second, Factor: burnFactor, For: burnFor * time.Second}}
	return c
}

// form is one way the generator writes a setting, and the jsonnet that
// writes the user's setting the same way.
type form struct {
	text string
	expr string
}

// durationForms are the ways a duration of s seconds is written: as a
// PromQL duration, as seconds, as text for a reader (Go's
// time.Duration.String trimmed, as dashboards' durationText), in that
// order of length so the longest wins.
func durationForms(s int64, jsonnet string) []form {
	d := time.Duration(s) * time.Second
	text := d.String()
	for _, zero := range []string{"0s", "0m"} {
		if strings.HasSuffix(text, "m"+zero) || strings.HasSuffix(text, "h"+zero) {
			text = strings.TrimSuffix(text, zero)
		}
	}
	secs := "h.seconds(" + jsonnet + ")"
	return []form{
		{text, "h.durationText(" + secs + ")"},
		{strconv.FormatInt(s, 10) + "s", "h.promDuration(" + secs + ")"},
		{strconv.FormatInt(s, 10), "std.toString(" + secs + ")"},
	}
}

// scope is what sentinels mean in one part of the library: the forms in
// strings and the JSON numbers.
type scope struct {
	forms   []form
	numbers map[float64]string
	burn    bool // the burn-rate alert template, where b is the burn rate
}

func globalScope() scope {
	s := scope{numbers: map[float64]string{}}
	add := func(f ...form) { s.forms = append(s.forms, f...) }
	add(form{selLabel + `="` + selLabel + `"`, "c.selector"},
		form{"," + cluster + `=~"$cluster"`, `(if c.cluster_label == '' then '' else ',' + c.cluster_label + '=~"$cluster"')`},
		form{cluster, "(if c.cluster_label == '' then 'cluster' else c.cluster_label)"},
		form{replica, "std.join(', ', c.replica_labels)"},
		form{runbook, "c.runbook_url"},
		form{strconv.Quote(urgent), "std.escapeStringJson(c.urgent_priorities)"},
		form{strconv.Itoa(minChecks), "std.toString(c.min_sla_checks)"},
		form{strconv.Itoa(backlogMin), "std.toString(c.backlog_growth_min)"},
		form{strconv.Itoa(minIncid), "std.toString(c.min_incidents)"},
		form{strconv.Itoa(stalePolls), "std.toString(c.stale_polls)"},
		form{strconv.FormatFloat(firstMin, 'g', -1, 64), "h.number(c.vendor_first_min)"},
		form{fmt.Sprintf("%.0f%%", 100*firstMin), "h.percent(c.vendor_first_min)"},
	)
	s.numbers[minChecks] = "c.min_sla_checks"
	s.numbers[backlogMin] = "c.backlog_growth_min"
	s.numbers[minIncid] = "c.min_incidents"
	s.numbers[stalePolls] = "c.stale_polls"
	s.numbers[firstMin] = "c.vendor_first_min"
	for _, d := range durations {
		add(durationForms(d.seconds, "c."+d.key)...)
		s.numbers[float64(d.seconds)] = "h.seconds(c." + d.key + ")"
	}
	return s
}

// burnScope adds the sentinel burn rate, as the comprehension's b.
func burnScope() scope {
	s := globalScope()
	for _, d := range []struct {
		key     string
		seconds int64
	}{{"short", burnShort}, {"long", burnLong}, {"for", burnFor}} {
		s.forms = append(s.forms, durationForms(d.seconds, "b['"+d.key+"']")...)
	}
	s.forms = append(s.forms, form{strconv.FormatFloat(burnFactor, 'g', -1, 64), "h.number(b.factor)"})
	s.burn = true
	return s
}

// windowScope: the burn-only window w (a PromQL duration) in place of the
// sentinel short window.
func windowScope() scope {
	s := globalScope()
	s.forms = append(s.forms, form{strconv.Itoa(burnShort) + "s", "w"})
	return s
}

// byList is an aggregation's label list: the selector's labels (the
// sentinel one) and the cluster label (keep holds both), then the level's.
var byList = regexp.MustCompile(`^` + selLabel + `(?:, ` + cluster + `)?((?:, [a-zA-Z_][a-zA-Z0-9_]*)*)`)

// str writes the jsonnet expression of a generated string.
func (s scope) str(text string) string {
	forms := slices.Clone(s.forms)
	slices.SortStableFunc(forms, func(a, b form) int { return len(b.text) - len(a.text) })
	var parts []string
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, quote(lit.String()))
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		matched := false
		for _, f := range forms {
			if strings.HasPrefix(text[i:], f.text) && boundary(text, i, len(f.text)) {
				flush()
				parts = append(parts, f.expr)
				i += len(f.text)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if strings.HasPrefix(text[i:], gaugePrefix) {
			// A gauge read from the freshest replica: the expression and
			// the freshness selector, each written in the shape's two places.
			end := closingParen(text, i+len(dedupePrefix))
			if end < 0 {
				panic(fmt.Sprintf("unbalanced %q", text[i:]))
			}
			e, f := gaugeParts(text[i : end+1])
			flush()
			parts = append(parts, "h.dedupeGauge(c.replica_labels, keep, "+s.str(e)+", "+s.str(f)+")")
			i = end + 1
			continue
		}
		if strings.HasPrefix(text[i:], dedupePrefix) {
			// The replicas' dedupe wraps an expression: without replica
			// labels there is no wrapper at all.
			start := i + len(dedupePrefix)
			end := closingParen(text, start)
			if end < 0 {
				panic(fmt.Sprintf("unbalanced %q", text[i:]))
			}
			flush()
			parts = append(parts, "h.dedupe(c.replica_labels, "+s.str(text[start:end])+")")
			i = end + 1
			continue
		}
		if m := byList.FindStringSubmatch(text[i:]); m != nil {
			var labels []string
			for _, l := range strings.Split(strings.TrimPrefix(m[1], ", "), ", ") {
				if l != "" {
					labels = append(labels, quote(l))
				}
			}
			flush()
			parts = append(parts, "h.by(keep, ["+strings.Join(labels, ", ")+"])")
			i += len(m[0])
			continue
		}
		lit.WriteByte(text[i])
		i++
	}
	flush()
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " + ")
}

// dedupePrefix opens alerts' dedupe of HA replicas with the sentinel
// replica label: "max without (labels) (expr)".
const dedupePrefix = "max without (" + replica + ") ("

// gaugePrefix opens alerts' dedupeGauge with the sentinel replica label:
// "max without (labels) (((expr) and on (...) topk ...".
const gaugePrefix = dedupePrefix + "(("

// gaugeParts returns the expression and the freshness selector of whole,
// one alerts.GaugeFromFreshest of the sentinel config, and panics unless
// whole is exactly that shape with the kept labels (h.by(keep, ['vendor'])).
func gaugeParts(whole string) (expr, fresh string) {
	eStart := len(gaugePrefix)
	eEnd := closingParen(whole, eStart)
	andOn := " and on ("
	if eEnd < 0 || !strings.HasPrefix(whole[eEnd+1:], andOn) {
		panic(fmt.Sprintf("not a gauge read from the freshest replica: %q", whole))
	}
	expr = whole[eStart:eEnd]
	rest := whole[eEnd+1+len(andOn):]
	byVendor, _, ok := strings.Cut(rest, ", "+replica+") topk by (")
	m := byList.FindStringSubmatch(byVendor)
	// The freshness selector ends the shape: "... unless on (K, vendor) fresh))".
	tail := ") unless on (" + byVendor + ") "
	k := strings.LastIndex(whole, tail)
	if !ok || m == nil || m[0] != byVendor || m[1] != ", vendor" || k < 0 || !strings.HasSuffix(whole, "))") {
		panic(fmt.Sprintf("not a gauge read from the freshest replica: %q", whole))
	}
	fresh = whole[k+len(tail) : len(whole)-2]
	if want := alerts.GaugeFromFreshest([]string{replica}, byVendor, expr, fresh); want != whole {
		panic(fmt.Sprintf("not a gauge read from the freshest replica:\n got %q\nwant %q", whole, want))
	}
	return expr, fresh
}

// closingParen returns the index of the parenthesis closing the one just
// before start, or -1; parentheses in quoted strings do not count.
func closingParen(text string, start int) int {
	depth := 1
	for i := start; i < len(text); i++ {
		switch c := text[i]; c {
		case '"', '\'', '`':
			for i++; i < len(text) && text[i] != c; i++ {
				if text[i] == '\\' && c != '`' {
					i++
				}
			}
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// boundary: a form starting or ending with a digit is a whole number, not
// part of a longer one.
func boundary(text string, i, n int) bool {
	isNum := func(b byte) bool { return '0' <= b && b <= '9' || b == '.' }
	if isNum(text[i]) && i > 0 && isNum(text[i-1]) {
		return false
	}
	end := i + n
	return !isNum(text[end-1]) || end == len(text) || !isNum(text[end])
}

func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // a string always encodes
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// writer writes a YAML/JSON tree as jsonnet.
type writer struct {
	buf bytes.Buffer
	err error
}

func (w *writer) printf(format string, a ...any) { fmt.Fprintf(&w.buf, format, a...) }

func (w *writer) node(n *yaml.Node, s scope, indent string) {
	switch n.Kind {
	case yaml.DocumentNode:
		w.node(n.Content[0], s, indent)
	case yaml.MappingNode:
		w.mapping(n, s, indent)
	case yaml.SequenceNode:
		w.sequence(n, s, indent)
	case yaml.ScalarNode:
		w.scalar(n, s)
	default:
		w.err = fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
	}
}

func (w *writer) mapping(n *yaml.Node, s scope, indent string) {
	if len(n.Content) == 0 {
		w.printf("{}")
		return
	}
	w.printf("{\n")
	inner := indent + "  "
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case s.burn && k.Value == "\x00for":
			// A burn rate's for: is left out when zero, as alerts does.
			w.printf("%s[if h.seconds(b['for']) > 0 then \"for\"]: ", inner)
		default:
			w.printf("%s%s: ", inner, quote(k.Value))
		}
		switch {
		case k.Value == "hide" && mappingValue(n, "name") == "cluster":
			// The cluster variable shows only when cluster_label is set.
			w.printf("(if c.cluster_label == '' then 2 else 0)")
		default:
			w.node(v, s, inner)
		}
		w.printf(",\n")
	}
	w.printf("%s}", indent)
}

func (w *writer) sequence(n *yaml.Node, s scope, indent string) {
	if len(n.Content) == 0 {
		w.printf("[]")
		return
	}
	inner := indent + "  "
	// One burn-rate alert per configured burn rate.
	items := n.Content
	burn := slices.IndexFunc(items, func(r *yaml.Node) bool { return mappingValue(r, "alert") == burnAlert })
	if burn >= 0 {
		w.printf("[\n")
		for _, r := range items[:burn] {
			w.printf("%s", inner)
			w.node(r, s, inner)
			w.printf(",\n")
		}
		w.printf("%s] + [\n%s", indent, inner)
		w.burnRule(items[burn], inner)
		w.printf("\n%sfor b in c.burn_rates\n%s] + ", inner, indent)
		items = slices.DeleteFunc(slices.Clone(items[burn+1:]), func(r *yaml.Node) bool { return mappingValue(r, "alert") == burnAlert })
		if len(items) == 0 {
			w.printf("[]")
			return
		}
	}
	w.printf("[\n")
	for _, item := range items {
		w.printf("%s", inner)
		if mappingValue(item, "name") == burnGroup {
			w.burnGroup(item, inner)
		} else {
			w.node(item, s, inner)
		}
		w.printf(",\n")
	}
	w.printf("%s]", indent)
}

// burnRule writes the burn-rate alert template for b; its severity label
// is b's.
func (w *writer) burnRule(r *yaml.Node, indent string) {
	labels := mappingNode(r, "labels")
	sev := mappingNode(labels, "severity")
	if sev == nil || sev.Value != burnSeverity {
		w.err = fmt.Errorf("burn-rate alert: no severity label %q", burnSeverity)
		return
	}
	sev.Value = "\x00severity"
	defer func() { sev.Value = burnSeverity }()
	if i := slices.IndexFunc(r.Content, func(k *yaml.Node) bool { return k.Value == "for" }); i >= 0 && i%2 == 0 {
		r.Content[i].Value = "\x00for"
		defer func() { r.Content[i].Value = "for" }()
	}
	w.node(r, burnScope(), indent)
}

// burnGroup writes the group of the burn rates' windows that are not
// recorded windows already: there when any is, each window's rules after
// the template of the sentinel short window's.
func (w *writer) burnGroup(g *yaml.Node, indent string) {
	rules := mappingNode(g, "rules")
	perWindow := 0
	for _, r := range rules.Content {
		if strings.Contains(mappingValue(r, "record"), strconv.Itoa(burnShort)+"s") {
			perWindow++
		}
	}
	if perWindow == 0 || len(rules.Content) != 2*perWindow {
		w.err = fmt.Errorf("%s: %d rules, want one set per sentinel window", burnGroup, len(rules.Content))
		return
	}
	inner := indent + "  "
	w.printf("{\n%s\"name\": %s,\n%s\"interval\": %s,\n%s\"rules\": std.flattenArrays([\n%s  [\n",
		inner, quote(burnGroup), inner, globalScope().str(mappingValue(g, "interval")), inner, inner)
	for _, r := range rules.Content[:perWindow] {
		w.printf("%s    ", inner)
		w.node(r, windowScope(), inner+"    ")
		w.printf(",\n")
	}
	w.printf("%s  ]\n%s  for w in h.burnOnlyWindows(c)\n%s]),\n%s}", inner, inner, inner, indent)
}

func (w *writer) scalar(n *yaml.Node, s scope) {
	switch n.Tag {
	case "!!str":
		if n.Value == "\x00severity" {
			w.printf("b.severity")
			return
		}
		w.printf("%s", s.str(n.Value))
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			w.err = fmt.Errorf("line %d: number %q: %w", n.Line, n.Value, err)
			return
		}
		if expr, ok := s.numbers[f]; ok {
			w.printf("%s", expr)
			return
		}
		w.printf("%s", n.Value)
	case "!!bool", "!!null":
		w.printf("%s", n.Value)
	default:
		w.err = fmt.Errorf("line %d: unexpected tag %s", n.Line, n.Tag)
	}
}

func mappingNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func mappingValue(m *yaml.Node, key string) string {
	if v := mappingNode(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// Libsonnet generates mixin.libsonnet.
func Libsonnet() ([]byte, error) {
	cfg := sentinelConfig()
	var w writer
	w.printf("%s", header)
	defaults, err := defaultConfig()
	if err != nil {
		return nil, err
	}
	w.printf("local h = %s;\n\n{\n  // The settings, docs/mixin.md: the keys of `support_exporter mixin`'s\n"+
		"  // config file, durations in Prometheus' notation.\n  _config+:: %s,\n", helpers(), defaults)
	for _, r := range []struct {
		field  string
		render func(alerts.Config) ([]byte, error)
	}{
		{"prometheusRules", alerts.RecordingRules},
		{"prometheusAlerts", alerts.AlertingRules},
		{"prometheusBackfillRules", alerts.BackfillRecordingRules},
	} {
		data, err := r.render(cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.field, err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", r.field, err)
		}
		w.printf("\n  %s+:: %s", r.field, locals)
		w.node(&doc, globalScope(), "  ")
		w.printf(",\n")
	}
	files, err := dashboards.Render(cfg)
	if err != nil {
		return nil, fmt.Errorf("dashboards: %w", err)
	}
	w.printf("\n  grafanaDashboards+:: %s{\n", locals)
	for _, f := range files {
		var doc yaml.Node
		if err := yaml.Unmarshal(f.Data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		w.printf("    %s: ", quote(f.Name))
		w.node(&doc, globalScope(), "    ")
		w.printf(",\n")
	}
	w.printf("  },\n}\n")
	if w.err != nil {
		return nil, w.err
	}
	out := w.buf.Bytes()
	for _, leftover := range []string{selLabel, replica, cluster, urgent, "__RUNBOOK__"} {
		if bytes.Contains(out, []byte(leftover)) {
			return nil, fmt.Errorf("sentinel %s left in a form the generator does not know", leftover)
		}
	}
	return out, nil
}

// locals starts each part: c is the config; keep the selector's labels
// and the cluster label, parsed once.
const locals = "local c = $._config, keep = h.keep(c); "

const header = `// Generated by github.com/support-exporter/support_exporter/mixin from the
// Go generator (alerts, dashboards): do not edit; go test ./mixin -update
// regenerates it. docs/mixin.md says how to use it.
//
//   local mixin = (import 'mixin.libsonnet') + { _config+:: { selector: 'job="support-exporter"' } };
//   mixin.prometheusRules, mixin.prometheusAlerts, mixin.grafanaDashboards
`

// defaultConfig is alerts.Default() in the config file's keys, as jsonnet.
func defaultConfig() (string, error) {
	data, err := alerts.MarshalConfigFile(alerts.Default())
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", err
	}
	var w writer
	w.node(&doc, scope{}, "  ")
	return w.buf.String(), w.err
}

// helpers are the jsonnet functions the expressions use; each mirrors a Go
// function of alerts or dashboards.
func helpers() string {
	var windows []string
	for _, w := range alerts.Windows() {
		windows = append(windows, quote(w))
	}
	return `{
  units:: { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 },
  // seconds of a Prometheus duration such as '1h30m' (alerts: model.ParseDuration).
  seconds(d)::
    local step(st, ch) =
      if std.member('0123456789', ch) then
        if st.unit != '' then st { total: st.total + st.num * h.units[st.unit], num: std.parseInt(ch), unit: '' }
        else st { num: st.num * 10 + std.parseInt(ch) }
      else st { unit: st.unit + ch };
    local end = std.foldl(step, std.stringChars(d), { total: 0, num: 0, unit: '' });
    end.total + end.num * h.units[end.unit],
  // the largest PromQL unit that divides s seconds (alerts: promDuration).
  promDuration(s)::
    if s % 86400 == 0 then '%dd' % (s / 86400)
    else if s % 3600 == 0 then '%dh' % (s / 3600)
    else if s % 60 == 0 then '%dm' % (s / 60)
    else '%ds' % s,
  // time.Duration.String without trailing zero units (dashboards: durationText).
  durationText(s)::
    local hh = std.floor(s / 3600), mm = std.floor((s % 3600) / 60), ss = s % 60;
    local text = if hh > 0 then '%dh%dm%ds' % [hh, mm, ss] else if mm > 0 then '%dm%ds' % [mm, ss] else '%ds' % ss;
    local trim(t, zero) = if std.endsWith(t, 'm' + zero) || std.endsWith(t, 'h' + zero) then std.substr(t, 0, std.length(t) - std.length(zero)) else t;
    trim(trim(text, '0s'), '0m'),
  // a float as Go's strconv.FormatFloat(f, 'g', -1, 64) writes it, up to 6 significant digits.
  number(f):: std.format('%g', f),
  // a ratio as a whole percentage, halves to even as Go's %.0f rounds (dashboards' descriptions).
  percent(f)::
    local v = 100 * f, fl = std.floor(v), r = v - fl;
    '%d%%' % (if r > 0.5 || r == 0.5 && fl % 2 == 1 then fl + 1 else fl),
  // the label names a selector's matchers name, in order, once each (alerts: selectorLabels).
  selectorLabels(sel)::
    local step(st, ch) =
      if st.q != '' then
        if st.esc then st { esc: false }
        else if ch == '\\' && st.q != '` + "`" + `' then st { esc: true }
        else if ch == st.q then st { q: '' }
        else st
      else if ch == '"' || ch == "'" || ch == '` + "`" + `' then st { q: ch }
      else if ch == '=' || ch == '!' || ch == '~' then
        if st.cur != '' then st { names: if std.member(st.names, st.cur) then st.names else st.names + [st.cur], cur: '' } else st
      else if ch == ',' || ch == ' ' || ch == '\t' || ch == '\n' then st
      else st { cur: st.cur + ch };
    std.foldl(step, std.stringChars(sel), { q: '', esc: false, cur: '', names: [] }).names,
  // the labels every aggregation keeps: the selector's, then the cluster label when set (alerts: newPromQL).
  keep(c)::
    local sel = h.selectorLabels(c.selector);
    if c.cluster_label == '' || std.member(sel, c.cluster_label) then sel else sel + [c.cluster_label],
  // expr read once per set of HA replicas (alerts: promql.dedupe).
  dedupe(replicas, e):: if std.length(replicas) == 0 then e else 'max without (' + std.join(', ', replicas) + ') (' + e + ')',
  // a gauge read from each vendor's freshest replica (alerts: promql.dedupeGauge, GaugeFromFreshest): f selects
  // support_source_last_success_timestamp_seconds; the replica least behind, in its sources' poll intervals, is read.
  dedupeGauge(replicas, keep, e, f)::
    if std.length(replicas) == 0 then e
    else
      local r = std.join(', ', replicas), v = h.by(keep, ['vendor']),
            p = std.strReplace(f, 'support_source_last_success_timestamp_seconds', 'support_source_poll_interval_seconds'),
            lag = '((' + f + ' - time()) / ignoring (kind) ' + p + ') or ignoring (kind) ((' + f + ' - time()) / 300)';
      'max without (' + r + ') (((' + e + ') and on (' + v + ', ' + r + ') topk by (' + v + ') (1, sum by (' + v + ', ' + r + ') (' + lag + '))) or ((' + e + ') unless on (' + v + ') ' + f + '))',
  // an aggregation's labels: the selector's (keep), then the level's (alerts: promql.by).
  by(keep, labels):: std.join(', ', std.foldl(function(acc, l) if std.member(acc, l) then acc else acc + [l], labels, keep)),
  windows:: [` + strings.Join(windows, ", ") + `],
  // the burn rates' windows, shortest first and once each, that are not recorded windows (alerts: burnOnlyWindows).
  burnOnlyWindows(c)::
    local secs = std.set(std.flattenArrays([[h.seconds(b.short), h.seconds(b.long)] for b in c.burn_rates]));
    [h.promDuration(s) for s in secs if !std.member(h.windows, h.promDuration(s))],
}`
}
