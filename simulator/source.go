package simulator

import (
	"fmt"
	"strconv"
	"strings"
)

// SourceYAML is the body of a config source that polls the vendor's API
// of that kind (a Kind constant), as docs/configuration.md describes a
// source: kind, url, the credentials the API wants under http_client
// (inline: the caller's config holds them), and the kind's own keys
// (github's repositories, statusio's page_id, cachet's timezone, the
// vendor's zone in which Cachet writes its times; zendesk's
// export_requests_per_minute, the limit the simulation enforces). It is
// written at zero indent, one key a line, without the source's name: the
// caller adds `name:` and indents it under tickets or status_pages. A
// jira_service_management source reads as the desk's agent (see
// JSMCustomerSourceYAML for the portal customer). Empty before Start or
// for an unknown vendor or kind.
func (s *Sim) SourceYAML(vendor, kind string) string {
	return s.sourceYAML(vendor, kind, false)
}

// JSMCustomerSourceYAML is SourceYAML of the vendor's
// jira_service_management API read as the buyer's portal customer
// (JSMCustomerCredentials, `api: customer`).
func (s *Sim) JSMCustomerSourceYAML(vendor string) string {
	return s.sourceYAML(vendor, KindJSM, true)
}

func (s *Sim) sourceYAML(vendor, kind string, customer bool) string {
	w := s.worlds[vendor]
	u := s.URL(vendor, kind)
	if w == nil || u == "" {
		return ""
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	basicAuth := func(user, pass string) {
		line("http_client:")
		line("  basic_auth:")
		line("    username: %s", yamlString(user))
		line("    password: %s", yamlString(pass))
	}
	line("kind: %s", kind)
	line("url: %s", yamlString(u))
	switch kind {
	case KindZendesk:
		basicAuth(s.ZendeskCredentials(vendor))
		line("export_requests_per_minute: %d", s.exportLimit())
	case KindZendeskRequests:
		basicAuth(s.ZendeskRequestsCredentials(vendor))
	case KindFreshdesk:
		basicAuth(s.FreshdeskCredentials(vendor))
	case KindJSM:
		if customer {
			basicAuth(s.JSMCustomerCredentials(vendor))
			line("api: customer")
		} else {
			basicAuth(s.JSMCredentials(vendor))
		}
	case KindGitHub:
		line("repositories: [%s]", yamlString(s.GitHubRepository(vendor)))
		line("http_client:")
		line("  authorization:")
		line("    credentials: %s", yamlString(s.GitHubToken(vendor)))
	case KindSlack:
		line("channel: %s", yamlString(w.slackChannel()))
		line("vendor_teams: [%s]", yamlString(w.slackVendorTeam()))
		line("requests_per_minute: %d # the simulator's; real Slack: 50, or 1 for a non-Marketplace app (docs/sources.md)", slackSourceLimit)
		line("http_client:")
		line("  authorization:")
		line("    credentials: %s", yamlString(w.slackToken()))
	case KindLark:
		line("chat_id: %s", yamlString(w.larkChat()))
		line("vendor_tenants: [%s]", yamlString(w.larkVendorTenant()))
		basicAuth(w.larkApp())
	case KindIMAP:
		s.imapSourceYAML(w, line, false)
	case KindGCPSupport:
		line("parent: %s", yamlString(s.GCPSupportParent(vendor)))
		line("http_client:")
		line("  authorization:")
		line("    credentials: %s", yamlString(w.gcpToken()))
	case KindAzureSupport:
		tenant, sub, id, secret := s.AzureSupportCredentials(vendor)
		line("subscription_id: %s", yamlString(sub))
		line("http_client:")
		line("  oauth2:")
		line("    client_id: %s", yamlString(id))
		line("    client_secret: %s", yamlString(secret))
		line("    token_url: %s", yamlString(u+"/"+tenant+azTokenPath))
		line("    scopes: [%s]", yamlString(u+azScope))
	case KindAWSSupport:
		// The static key pair: the simulation is no AWS host, so the
		// default credential chain has nothing to read.
		id, secret := s.AWSSupportCredentials(vendor)
		line("access_key_id: %s", yamlString(id))
		line("secret_access_key: %s", yamlString(secret))
	case KindStatusio:
		line("page_id: %s", yamlString(s.StatusioPageID(vendor)))
	case KindCachet:
		line("timezone: %s", yamlString(w.v.Timezone))
	}
	return b.String()
}

// unlimitedExports is the export_requests_per_minute of a zendesk source
// when the simulation enforces no export limit: more than any test makes.
const unlimitedExports = 100000

// exportLimit is the zendesk export limit the simulation enforces, as a
// source's export_requests_per_minute.
func (s *Sim) exportLimit() int {
	if s.opts.ExportRequestsPerMinute < 0 {
		return unlimitedExports
	}
	return s.opts.ExportRequestsPerMinute
}

// yamlString quotes v as a YAML double-quoted scalar: Go's quoting
// escapes only what YAML's double-quoted style also reads as escapes.
func yamlString(v string) string { return strconv.Quote(v) }
