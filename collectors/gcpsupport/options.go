package gcpsupport

import (
	"regexp"
	"slices"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a gcp_support source's own keys (docs/sources.md).
type Options struct {
	Parent          string            `yaml:"parent" doc:"whose cases: projects/PROJECT (id or number) or organizations/NUMBER; an organization's cases:search covers its projects' cases too (required)"`
	CredentialsFile string            `yaml:"credentials_file" doc:"a service account's JSON key file; without it, and without http_client.authorization, the token of the metadata server of the machine the exporter runs on (Compute Engine, GKE, Cloud Run)"`
	Priorities      map[string]string `yaml:"priorities" doc:"Google's priority (P0..P4) -> the priority name the vendor's priorities read (urgent, high, normal, low)"`
}

// defaultPriorities follow Google's definitions of its case priorities
// (cloud.google.com/support/docs/best-practice, "Priority"): P0 critical
// impact, service unusable in production; P1 high impact, service use
// severely impaired; P2 medium impact, service use partly impaired; P3
// low impact, service fully usable; P4 no impact (a general question).
// The built-in names of docs/configuration.md#priorities would read P1 as
// urgent and P0 as unknown: the kind maps Google's values itself.
func defaultPriorities() map[string]string {
	return map[string]string{"P0": "urgent", "P1": "high", "P2": "normal", "P3": "low", "P4": "low"}
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options {
	return &Options{Priorities: defaultPriorities()}
}

// parentName is a case parent: projects by id (6 to 30 characters) or
// number, organizations by number.
var parentName = regexp.MustCompile(`^(projects/[a-z0-9][a-z0-9.:-]{4,61}[a-z0-9]|projects/[0-9]+|organizations/[0-9]+)$`)

// googlePriorities are the values Google writes in a case's priority.
var googlePriorities = []string{"P0", "P1", "P2", "P3", "P4"}

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	switch {
	case o.Parent == "":
		report("parent", "required for kind gcp_support: projects/PROJECT or organizations/NUMBER")
	case !parentName.MatchString(o.Parent):
		report("parent", "%q is not projects/PROJECT or organizations/NUMBER", o.Parent)
	}
	for k, v := range o.Priorities {
		if !slices.Contains(googlePriorities, k) {
			report("priorities."+k, "%q is not a Google case priority (P0..P4)", k)
		}
		if !slices.Contains([]string{"urgent", "high", "normal", "low"}, v) {
			report("priorities."+k, "%q is not urgent, high, normal or low", v)
		}
	}
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }
