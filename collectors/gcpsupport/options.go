package gcpsupport

import (
	"path/filepath"
	"regexp"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a gcp_support source's own keys (docs/sources.md).
type Options struct {
	Parent          string `yaml:"parent" doc:"whose cases: projects/PROJECT (id or number) or organizations/NUMBER; an organization's cases:search covers its projects' cases too (required)"`
	CredentialsFile string `yaml:"credentials_file" doc:"a service account's JSON key file, relative to the config file's directory; without it, and without http_client.authorization, the token of the metadata server of the machine the exporter runs on (Compute Engine, GKE, Cloud Run)"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options { return &Options{} }

// SetDirectory resolves credentials_file against dir, the config file's
// directory, as http_client's files are (config.OptionsInDirectory).
func (o *Options) SetDirectory(dir string) {
	if o.CredentialsFile != "" && dir != "" && !filepath.IsAbs(o.CredentialsFile) {
		o.CredentialsFile = filepath.Join(dir, o.CredentialsFile)
	}
}

// parentName is a case parent: projects by id (6 to 30 characters) or
// number, organizations by number.
var parentName = regexp.MustCompile(`^(projects/[a-z0-9][a-z0-9.:-]{4,61}[a-z0-9]|projects/[0-9]+|organizations/[0-9]+)$`)

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	switch {
	case o.Parent == "":
		report("parent", "required for kind gcp_support: projects/PROJECT or organizations/NUMBER")
	case !parentName.MatchString(o.Parent):
		report("parent", "%q is not projects/PROJECT or organizations/NUMBER", o.Parent)
	}
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }
