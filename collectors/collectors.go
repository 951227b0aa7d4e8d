// Package collectors maps source kinds to their collectors, the way
// blackbox_exporter's prober package maps module kinds to probe functions.
// Each kind lives in its own package under collectors/ and knows only its
// vendor's API; metric semantics live in exporter/quality.
package collectors

import (
	"fmt"

	"github.com/support-exporter/support_exporter/collectors/cachet"
	"github.com/support-exporter/support_exporter/collectors/feed"
	"github.com/support-exporter/support_exporter/collectors/freshdesk"
	"github.com/support-exporter/support_exporter/collectors/github"
	"github.com/support-exporter/support_exporter/collectors/incidentio"
	"github.com/support-exporter/support_exporter/collectors/instatus"
	"github.com/support-exporter/support_exporter/collectors/jsm"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/collectors/statusio"
	"github.com/support-exporter/support_exporter/collectors/statuspage"
	"github.com/support-exporter/support_exporter/collectors/zendesk"
	"github.com/support-exporter/support_exporter/collectors/zendeskrequests"
)

// kinds are the implemented source kinds.
var kinds = map[string]source.Factory{
	"zendesk":                 zendesk.New,
	"zendesk_requests":        zendeskrequests.New,
	"freshdesk":               freshdesk.New,
	"jira_service_management": jsm.New,
	"github":                  github.New,
	"statuspage":              statuspage.New,
	"incidentio":              incidentio.New,
	"instatus":                instatus.New,
	"statusio":                statusio.New,
	"cachet":                  cachet.New,
	"feed":                    feed.New,
}

// New builds the collector for env.Config.Kind.
func New(env source.Env) (source.Source, error) {
	f, ok := kinds[env.Config.Kind]
	if !ok {
		return nil, fmt.Errorf("source %q: kind %q is not implemented yet", env.Config.Name, env.Config.Kind)
	}
	return f(env)
}

// PriorityInTags reports whether kind's tickets carry their priority as a tag (a label) rather than in a field.
func PriorityInTags(kind string) bool { return kind == "github" }
