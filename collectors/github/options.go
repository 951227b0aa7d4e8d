package github

import (
	"strconv"
	"strings"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a github source's own keys (docs/sources.md).
type Options struct {
	Repositories []string `yaml:"repositories" doc:"the vendor's public repositories, owner/name (required)"`
	VendorLogins []string `yaml:"vendor_logins" doc:"logins whose comments speak for the vendor besides its organization's members and collaborators (a support engineer outside it, a bot)"`
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options { return &Options{} }

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	if len(o.Repositories) == 0 {
		report("repositories", "required for kind github: list owner/name repositories")
	}
	seen := map[string]bool{}
	for i, repo := range o.Repositories {
		key := "repositories[" + strconv.Itoa(i) + "]"
		switch lower := strings.ToLower(repo); {
		case !repoName.MatchString(repo):
			report(key, "%q is not a repository written owner/name", repo)
		case seen[lower]:
			report(key, "%q is listed twice (GitHub names are case-insensitive)", repo)
		default:
			seen[lower] = true
		}
	}
}

// optionsOf returns src's options, the defaults for a source built in code
// without any.
func optionsOf(src *config.Source) *Options {
	if o, ok := src.Options.(*Options); ok {
		return o
	}
	return &Options{}
}
