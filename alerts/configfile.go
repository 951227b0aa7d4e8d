package alerts

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// The mixin config file (docs/mixin.md): the Config in YAML, one snake_case
// key per field, durations in Prometheus' notation (90s, 15m, 1d). Every key
// is optional: a key left out keeps Default's value; burn_rates, when
// given, replaces the whole list.

// configFile mirrors Config; pointers tell a key left out from a zero.
type configFile struct {
	Selector            *string         `yaml:"selector"`
	ReplicaLabels       *[]string       `yaml:"replica_labels"`
	ClusterLabel        *string         `yaml:"cluster_label"`
	Interval            *fileDuration   `yaml:"interval"`
	RunbookURL          *string         `yaml:"runbook_url"`
	MinSLAChecks        *int            `yaml:"min_sla_checks"`
	BurnRates           *[]fileBurnRate `yaml:"burn_rates"`
	UrgentPriorities    *string         `yaml:"urgent_priorities"`
	EscalationOpenFor   *fileDuration   `yaml:"escalation_open_for"`
	BacklogGrowthWindow *fileDuration   `yaml:"backlog_growth_window"`
	BacklogGrowthMin    *int            `yaml:"backlog_growth_min"`
	ShortNoticeWindow   *fileDuration   `yaml:"short_notice_window"`
	IncidentSilence     *fileDuration   `yaml:"incident_silence"`
	VendorFirstMin      *float64        `yaml:"vendor_first_min"`
	MinIncidents        *int            `yaml:"min_incidents"`
	SourceDownFor       *fileDuration   `yaml:"source_down_for"`
	StaleAfter          *fileDuration   `yaml:"stale_after"`
	StalePolls          *int            `yaml:"stale_polls"`
	ConfirmFor          *fileDuration   `yaml:"confirm_for"`
	ClaimNotice         *fileDuration   `yaml:"claim_notice"`
	DrillWindow         *fileDuration   `yaml:"drill_window"`
}

// fileBurnRate is one entry of burn_rates: every key is required.
type fileBurnRate struct {
	Severity *string       `yaml:"severity"`
	Long     *fileDuration `yaml:"long"`
	Short    *fileDuration `yaml:"short"`
	Factor   *float64      `yaml:"factor"`
	For      *fileDuration `yaml:"for"`
}

// fileDuration is a duration in Prometheus' notation.
type fileDuration time.Duration

func (d *fileDuration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := model.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 90s, 15m or 1d", n.Line, s)
	}
	*d = fileDuration(v)
	return nil
}

func (d fileDuration) MarshalYAML() (any, error) { return promDuration(time.Duration(d)), nil }

// ParseConfigFile reads a mixin config file's bytes onto Default. Errors
// name the file and the line: an unknown key, a value of the wrong type, a
// burn rate missing a key; then Validate's findings. name is the file's
// name in errors.
func ParseConfigFile(name string, data []byte) (Config, error) {
	cfg := Default()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cfg, decodeError(name, err)
	}
	if len(doc.Content) == 0 { // an empty file: the defaults
		return cfg, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return cfg, fmt.Errorf("%s:%d: want a mapping of keys (see docs/mixin.md)", name, root.Line)
	}
	if err := checkKeys(name, root, fileKeys(configFile{})); err != nil {
		return cfg, err
	}
	var f configFile
	if err := root.Decode(&f); err != nil {
		return cfg, decodeError(name, err)
	}
	if f.BurnRates != nil {
		list := root.Content[slices.IndexFunc(root.Content, func(n *yaml.Node) bool { return n.Value == "burn_rates" })+1]
		for i, item := range list.Content {
			if item.Kind != yaml.MappingNode {
				return cfg, fmt.Errorf("%s:%d: burn_rates[%d]: want a mapping", name, item.Line, i)
			}
			if err := checkKeys(name, item, fileKeys(fileBurnRate{})); err != nil {
				return cfg, err
			}
			if missing := missingBurnKeys((*f.BurnRates)[i]); len(missing) > 0 {
				return cfg, fmt.Errorf("%s:%d: burn_rates[%d]: missing %s", name, item.Line, i, strings.Join(missing, ", "))
			}
		}
	}
	f.apply(&cfg)
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: invalid: %w", name, err)
	}
	return cfg, nil
}

// linePrefix is how yaml.v3 starts an error about a node.
var linePrefix = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// decodeError writes yaml.v3's "line N: ..." errors as FILE:N: ..., one a
// line.
func decodeError(name string, err error) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for i, m := range msgs {
		if loc := linePrefix.FindStringSubmatch(m); loc != nil {
			msgs[i] = name + ":" + loc[1] + ": " + m[len(loc[0]):]
		} else {
			msgs[i] = name + ": " + m
		}
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// fileKeys lists the yaml keys of a struct's fields.
func fileKeys(v any) []string {
	data, err := yaml.Marshal(v)
	if err != nil {
		panic(err) // a struct of pointers always encodes
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		panic(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// checkKeys reports the first unknown or repeated key of a mapping, with
// its line.
func checkKeys(name string, m *yaml.Node, known []string) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if !slices.Contains(known, k.Value) {
			slices.Sort(known)
			return fmt.Errorf("%s:%d: unknown key %q (known: %s)", name, k.Line, k.Value, strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return fmt.Errorf("%s:%d: key %q given twice", name, k.Line, k.Value)
		}
		seen[k.Value] = true
	}
	return nil
}

func missingBurnKeys(b fileBurnRate) []string {
	var missing []string
	for _, k := range []struct {
		name string
		set  bool
	}{{"severity", b.Severity != nil}, {"long", b.Long != nil}, {"short", b.Short != nil}, {"factor", b.Factor != nil}, {"for", b.For != nil}} {
		if !k.set {
			missing = append(missing, k.name)
		}
	}
	return missing
}

func (f configFile) apply(c *Config) {
	set(&c.Selector, f.Selector)
	if f.ReplicaLabels != nil {
		c.ReplicaLabels = slices.Clone(*f.ReplicaLabels)
	}
	set(&c.ClusterLabel, f.ClusterLabel)
	setDuration(&c.Interval, f.Interval)
	set(&c.RunbookURL, f.RunbookURL)
	set(&c.MinSLAChecks, f.MinSLAChecks)
	if f.BurnRates != nil {
		c.BurnRates = make([]BurnRate, 0, len(*f.BurnRates))
		for _, b := range *f.BurnRates {
			c.BurnRates = append(c.BurnRates, BurnRate{Severity: *b.Severity, Long: time.Duration(*b.Long),
				Short: time.Duration(*b.Short), Factor: *b.Factor, For: time.Duration(*b.For)})
		}
	}
	set(&c.UrgentPriorities, f.UrgentPriorities)
	setDuration(&c.EscalationOpenFor, f.EscalationOpenFor)
	setDuration(&c.BacklogGrowthWindow, f.BacklogGrowthWindow)
	set(&c.BacklogGrowthMin, f.BacklogGrowthMin)
	setDuration(&c.ShortNoticeWindow, f.ShortNoticeWindow)
	setDuration(&c.IncidentSilence, f.IncidentSilence)
	set(&c.VendorFirstMin, f.VendorFirstMin)
	set(&c.MinIncidents, f.MinIncidents)
	setDuration(&c.SourceDownFor, f.SourceDownFor)
	setDuration(&c.StaleAfter, f.StaleAfter)
	set(&c.StalePolls, f.StalePolls)
	setDuration(&c.ConfirmFor, f.ConfirmFor)
	setDuration(&c.ClaimNotice, f.ClaimNotice)
	setDuration(&c.DrillWindow, f.DrillWindow)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func setDuration(dst *time.Duration, v *fileDuration) {
	if v != nil {
		*dst = time.Duration(*v)
	}
}

// MarshalConfigFile writes cfg as a mixin config file with every key, the
// start of a config of one's own.
func MarshalConfigFile(cfg Config) ([]byte, error) {
	d := func(v time.Duration) *fileDuration { fd := fileDuration(v); return &fd }
	burns := make([]fileBurnRate, 0, len(cfg.BurnRates))
	for _, b := range cfg.BurnRates {
		burns = append(burns, fileBurnRate{Severity: &b.Severity, Long: d(b.Long), Short: d(b.Short), Factor: &b.Factor, For: d(b.For)})
	}
	replicas := slices.Clone(cfg.ReplicaLabels)
	if replicas == nil {
		replicas = []string{}
	}
	f := configFile{
		Selector: &cfg.Selector, ReplicaLabels: &replicas, ClusterLabel: &cfg.ClusterLabel, Interval: d(cfg.Interval),
		RunbookURL: &cfg.RunbookURL, MinSLAChecks: &cfg.MinSLAChecks, BurnRates: &burns,
		UrgentPriorities: &cfg.UrgentPriorities, EscalationOpenFor: d(cfg.EscalationOpenFor),
		BacklogGrowthWindow: d(cfg.BacklogGrowthWindow), BacklogGrowthMin: &cfg.BacklogGrowthMin,
		ShortNoticeWindow: d(cfg.ShortNoticeWindow), IncidentSilence: d(cfg.IncidentSilence),
		VendorFirstMin: &cfg.VendorFirstMin, MinIncidents: &cfg.MinIncidents, SourceDownFor: d(cfg.SourceDownFor),
		StaleAfter: d(cfg.StaleAfter), StalePolls: &cfg.StalePolls, ConfirmFor: d(cfg.ConfirmFor), ClaimNotice: d(cfg.ClaimNotice),
		DrillWindow: d(cfg.DrillWindow),
	}
	var buf bytes.Buffer
	buf.WriteString("# support_exporter mixin config (docs/mixin.md): every key is optional;\n" +
		"# a key left out keeps the default shown here.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return buf.Bytes(), nil
}

// validateLabels checks ClusterLabel (ReplicaLabels are checked with the
// rules that use them).
func (c Config) validateLabels() []error {
	var errs []error
	if c.ClusterLabel != "" && !model.LegacyValidation.IsValidLabelName(c.ClusterLabel) {
		errs = append(errs, fmt.Errorf("cluster label %q is not a label name", c.ClusterLabel))
	}
	if c.ClusterLabel != "" && slices.Contains(c.ReplicaLabels, c.ClusterLabel) {
		errs = append(errs, errors.New("cluster label is also a replica label"))
	}
	return errs
}
