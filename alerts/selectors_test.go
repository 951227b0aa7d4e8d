package alerts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// keywords are PromQL words that are neither functions nor metrics.
var keywords = []string{"and", "or", "unless", "bool", "offset"}

// labelLists are the words followed by a parenthesized list of label names.
var labelLists = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}

// checkSelectors reports a metric selector of expr that lacks the
// configured selector: every brace must open with it, and every metric name
// must be followed by a brace.
func checkSelectors(expr, selector string) error {
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			rest, err := skipQuoted(expr[i:])
			if err != nil {
				return err
			}
			i = len(expr) - len(rest)
		case c == '{':
			if !strings.HasPrefix(expr[i+1:], selector) {
				return fmt.Errorf("selector at %q lacks %s", expr[i:], selector)
			}
			end := strings.IndexByte(expr[i:], '}')
			if end < 0 {
				return fmt.Errorf("unclosed selector at %q", expr[i:])
			}
			i += end + 1
		case c == '[':
			end := strings.IndexByte(expr[i:], ']')
			if end < 0 {
				return fmt.Errorf("unclosed range at %q", expr[i:])
			}
			i += end + 1
		case '0' <= c && c <= '9':
			for i < len(expr) && (isNameByte(expr[i], false) || expr[i] == '.') {
				i++ // a number or a duration such as 1h
			}
		case isNameByte(c, true) || c == ':':
			j := i
			for j < len(expr) && (isNameByte(expr[j], false) || expr[j] == ':') {
				j++
			}
			word, next := expr[i:j], strings.TrimLeft(expr[j:], " \n")
			switch {
			case slices.Contains(labelLists, word):
				i = len(expr) - len(next) + strings.IndexByte(next, ')') + 1
			case slices.Contains(keywords, word) || strings.HasPrefix(next, "(") ||
				strings.HasPrefix(next, "by ") || strings.HasPrefix(next, "without "):
				i = j // a keyword, a function or an aggregation
			case strings.HasPrefix(expr[j:], "{"):
				i = j
			default:
				return fmt.Errorf("metric %s has no selector", word)
			}
		default:
			i++
		}
	}
	return nil
}

func TestCheckSelectorsCatchesMissingSelectors(t *testing.T) {
	const sel = `job="x"`
	for _, tc := range []struct {
		expr string
		ok   bool
	}{
		{`sum by (job, vendor) (increase(foo_total{job="x"}[1d])) > 0`, true},
		{`a:b:c{job="x"} / on (job) group_left () (1 - max by (job) (d{job="x",e="f"}))`, true},
		{`time() - (foo{job="x"} > 0) unless bar{job="x"} == 0`, true},
		{`foo{job="x"} / bar`, false},
		{`sum(rate(foo[5m]))`, false},
		{`foo{job="y"}`, false},
		{`foo{e="f",job="x"}`, false},
		{`a:b:c > 1`, false},
		{`sum by (job) (foo)`, false},
		{`foo{job="x"} offset 1h > 0.5`, true},
		{`foo{job="x"} offset 1h > bar offset 2d`, false},
	} {
		err := checkSelectors(tc.expr, sel)
		if (err == nil) != tc.ok {
			t.Errorf("checkSelectors(%q) = %v, want ok %v", tc.expr, err, tc.ok)
		}
	}
}

// TestEverySelectorCarriesTheConfiguredOne checks every expression of both
// files, for the default selector and another one.
func TestEverySelectorCarriesTheConfiguredOne(t *testing.T) {
	other := Default()
	other.Selector = `job="support", env=~"prod|staging"`
	other.BurnRates = []BurnRate{{Severity: "warning", Long: 36 * time.Hour, Short: 3 * time.Hour, Factor: 2, For: time.Hour}}
	for _, cfg := range []Config{Default(), other} {
		for _, generate := range []func(Config) ([]byte, error){RecordingRules, AlertingRules} {
			for _, r := range generatedRules(t, cfg, generate) {
				if err := checkSelectors(r.Expr, cfg.Selector); err != nil {
					t.Errorf("%s%s: %v\n%s", r.Record, r.Alert, err, r.Expr)
				}
			}
		}
	}
}

// TestAggregationsKeepTheSelectorLabels: recorded series must keep the
// selector's labels, or selecting them with it would find nothing.
func TestAggregationsKeepTheSelectorLabels(t *testing.T) {
	cfg := Default()
	cfg.Selector = `job="support", env=~"prod|staging"`
	for _, r := range generatedRules(t, cfg, RecordingRules) {
		for _, by := range strings.Split(r.Expr, "by (")[1:] {
			if !strings.HasPrefix(by, "job, env, vendor") {
				t.Errorf("%s aggregates by (%s, want job, env, vendor first", r.Record, by[:strings.IndexByte(by, ')')+1])
			}
		}
	}
}

func generatedRules(t *testing.T, cfg Config, generate func(Config) ([]byte, error)) []rule {
	t.Helper()
	out, err := generate(cfg)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	var f ruleFile
	if err := yaml.Unmarshal(out, &f); err != nil {
		t.Fatalf("generated YAML does not parse: %v", err)
	}
	var rules []rule
	for _, g := range f.Groups {
		rules = append(rules, g.Rules...)
	}
	if len(rules) == 0 {
		t.Fatal("no rules generated")
	}
	return rules
}
