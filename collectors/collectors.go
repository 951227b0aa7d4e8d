// Package collectors holds the table of source kinds: each kind declared
// once, with its constructor, the way blackbox_exporter's prober package
// maps module kinds to probe functions. Each kind lives in its own package
// under collectors/ and knows only its vendor's API; metric semantics live
// in exporter/quality. Configuration, validation and defaults, the vendor
// list a kind's sources are written under (its feed: every source of a
// ticket kind is a signal source of who noticed first), the landing page
// and docs/sources.md's table of kinds all come from this table
// (docs/sources.md, "Adding a source kind").
package collectors

import (
	"fmt"

	"github.com/support-exporter/support_exporter/collectors/awssupport"
	"github.com/support-exporter/support_exporter/collectors/azuresupport"
	"github.com/support-exporter/support_exporter/collectors/cachet"
	"github.com/support-exporter/support_exporter/collectors/feed"
	"github.com/support-exporter/support_exporter/collectors/freshdesk"
	"github.com/support-exporter/support_exporter/collectors/gcpsupport"
	"github.com/support-exporter/support_exporter/collectors/github"
	"github.com/support-exporter/support_exporter/collectors/imap"
	"github.com/support-exporter/support_exporter/collectors/incidentio"
	"github.com/support-exporter/support_exporter/collectors/instatus"
	"github.com/support-exporter/support_exporter/collectors/jsm"
	"github.com/support-exporter/support_exporter/collectors/lark"
	"github.com/support-exporter/support_exporter/collectors/sitemap"
	"github.com/support-exporter/support_exporter/collectors/slack"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/collectors/statusio"
	"github.com/support-exporter/support_exporter/collectors/statuspage"
	"github.com/support-exporter/support_exporter/collectors/zendesk"
	"github.com/support-exporter/support_exporter/collectors/zendeskhelpcenter"
	"github.com/support-exporter/support_exporter/collectors/zendeskrequests"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Kinds is every source kind there is, in the order docs/sources.md lists
// them.
var Kinds = Table{
	{Kind: config.Kind{
		Name: "zendesk", Title: "Zendesk Support, agent view", Feeds: config.FeedsTickets,
		URLExample: "https://SUB.zendesk.com", CountsOnly: true, TicketURL: zendeskRequestURL,
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBasic, config.AuthBearer}, Required: true,
			Doc: "an agent's `EMAIL/token` and API token (or an OAuth token); the agent sees every ticket"},
		Options: zendesk.NewOptions,
	}, New: zendesk.New},
	{Kind: config.Kind{
		Name: "zendesk_requests", Title: "Zendesk Support, the buyer's end-user view", Feeds: config.FeedsTickets,
		URLExample: "https://SUB.zendesk.com", TicketURL: zendeskRequestURL,
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBasic, config.AuthBearer}, Required: true,
			Doc: "an end user's `EMAIL/token` and API token (or an OAuth token): the buyer's own requests"},
		Options: zendeskrequests.NewOptions,
	}, New: zendeskrequests.New, NewCreator: zendeskrequests.NewCreator},
	{Kind: config.Kind{
		Name: "freshdesk", Title: "Freshdesk", Feeds: config.FeedsTickets,
		URLExample: "https://DOMAIN.freshdesk.com", TicketURL: freshdeskTicketURL,
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBasic}, Required: true,
			Doc: "an agent's API key as username, `X` as password"},
		Options: freshdesk.NewOptions,
	}, New: freshdesk.New},
	{Kind: config.Kind{
		Name: "jira_service_management", Title: "Jira Service Management Cloud", Feeds: config.FeedsTickets,
		URLExample: "https://SITE.atlassian.net",
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBasic, config.AuthBearer}, Required: true,
			Doc: "email and API token of an agent (`api: agent`) or a portal customer (`api: customer`)"},
		Options: jsm.NewOptions,
	}, New: jsm.New, NewCreator: jsm.NewCreator},
	{Kind: config.Kind{
		Name: "github", Title: "issues of a vendor's public repositories", Feeds: config.FeedsTickets,
		DefaultURL: github.DefaultURL, URLExample: github.DefaultURL, TicketURL: githubIssueURL,
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBearer},
			Doc: "none for public repositories (60 requests an hour); a read-only token raises that to 5000"},
		PriorityInTags: true,
		TicketTypes:    true,
		Options:        github.NewOptions,
	}, New: github.New, NewCreator: github.NewCreator},
	{Kind: config.Kind{
		Name: "slack", Title: "Slack channel shared with the vendor", Feeds: config.FeedsTickets,
		DefaultURL: slack.DefaultURL, URLExample: slack.DefaultURL,
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBearer}, Required: true,
			Doc: "a bot token with channels:history (groups:history for private channels), invited to the channel"},
		PriorityInTags: true,
		Options:        slack.NewOptions,
	}, New: slack.New},
	{Kind: config.Kind{
		Name: "lark", Title: "Lark (Feishu) group shared with the vendor", Feeds: config.FeedsTickets,
		DefaultURL: lark.DefaultURL, URLExample: lark.DefaultURL,
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBasic}, Required: true,
			Doc: "a custom app's id (`cli_…`) as username and its secret as password; its bot in the group; scopes im:message:readonly and im:message.group_msg"},
		PriorityInTags: true,
		Options:        lark.NewOptions,
	}, New: lark.New},
	{Kind: config.Kind{
		Name: "imap", Title: "a support mailbox over IMAP", Feeds: config.FeedsTickets,
		URLExample: "imaps://imap.gmail.com", Schemes: []string{"imaps", "imap"},
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBasic, config.AuthBearer}, Required: true,
			Doc: "the mailbox's login and password (LOGIN), or an OAuth token for XOAUTH2 as the option `username` (Gmail, Microsoft 365)"},
		PriorityInTags: true,
		Options:        imap.NewOptions,
	}, New: imap.New, NewCreator: imap.NewCreator},
	{Kind: config.Kind{
		Name: "gcp_support", Title: "Google Cloud support cases, the buyer's own", Feeds: config.FeedsTickets,
		DefaultURL: gcpsupport.DefaultURL, URLExample: gcpsupport.DefaultURL,
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBearer},
			Doc: "a service account with roles/cloudsupport.techSupportViewer on the parent (and roles/resourcemanager.organizationViewer for an organization): its JSON key in `credentials_file`, else the metadata server's token (on Google Cloud), or a token obtained elsewhere in `http_client`"},
		Options: gcpsupport.NewOptions,
	}, New: gcpsupport.New},
	{Kind: config.Kind{
		Name: "azure_support", Title: "Azure support tickets, the buyer's own", Feeds: config.FeedsTickets,
		DefaultURL: azuresupport.DefaultURL, URLExample: azuresupport.DefaultURL,
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBearer}, Required: true,
			Doc: "an Entra ID app's client credentials in `oauth2` (scope `https://management.azure.com/.default`), with a read-only custom role on the subscription (Microsoft.Support/supportTickets/read and its communications/read)"},
		Options: azuresupport.NewOptions,
	}, New: azuresupport.New},
	{Kind: config.Kind{
		Name: "aws_support", Title: "AWS Support cases of the buyer's account", Feeds: config.FeedsTickets,
		DefaultURL: awssupport.DefaultURL, URLExample: awssupport.DefaultURL,
		Credentials: config.Credentials{Signed: true, Doc: "none in `http_client` (refused): the AWS SDK's default chain (environment, shared files, " +
			"web identity, instance role) or the static `access_key_id`/`secret_access_key`; the identity's policy allows " +
			"support:DescribeCases and support:DescribeCommunications, and the account has a Business, Enterprise On-Ramp or Enterprise Support plan"},
		Options: awssupport.NewOptions,
	}, New: awssupport.New},
	{Kind: config.Kind{
		Name: "statuspage", Title: "Atlassian Statuspage (and compatible pages)", Feeds: config.FeedsStatus,
		URLExample: "https://status.VENDOR.com", IncidentURL: statuspageIncidentURL,
		Credentials: config.Credentials{Doc: "none"},
	}, New: statuspage.New},
	{Kind: config.Kind{
		Name: "incidentio", Title: "incident.io status pages", Feeds: config.FeedsStatus, ComponentsWhileOngoing: true,
		URLExample:  "https://status.VENDOR.com",
		Credentials: config.Credentials{Doc: "none; the page owner enables the widget API"},
	}, New: incidentio.New},
	{Kind: config.Kind{
		Name: "instatus", Title: "Instatus pages", Feeds: config.FeedsStatus,
		URLExample:  "https://VENDOR.instatus.com",
		Credentials: config.Credentials{Doc: "none"},
	}, New: instatus.New},
	{Kind: config.Kind{
		Name: "statusio", Title: "status.io", Feeds: config.FeedsStatus,
		DefaultURL: statusio.DefaultURL, URLExample: statusio.DefaultURL,
		Credentials: config.Credentials{Doc: "none"},
		Options:     statusio.NewOptions,
	}, New: statusio.New},
	{Kind: config.Kind{
		Name: "cachet", Title: "Cachet 2.4", Feeds: config.FeedsStatus,
		URLExample: "https://status.VENDOR.com",
		Credentials: config.Credentials{Accepts: []config.Auth{config.AuthHeader}, Header: "X-Cachet-Token",
			Doc: "none for public data; an optional API token as the `X-Cachet-Token` header"},
		Options: cachet.NewOptions,
	}, New: cachet.New},
	{Kind: config.Kind{
		Name: "feed", Title: "RSS and Atom status feeds", Feeds: config.FeedsStatus, NoOutages: true,
		URLExample:  "https://status.VENDOR.com/history.atom",
		Credentials: config.Credentials{Doc: "none"},
	}, New: feed.New},
	{Kind: config.Kind{
		Name: "sitemap", Title: "a documentation site's sitemap", Feeds: config.FeedsDocs,
		URLExample:  "https://docs.VENDOR.com/sitemap.xml",
		Credentials: config.Credentials{Doc: "none"},
		Options:     sitemap.NewOptions,
	}, New: sitemap.New},
	{Kind: config.Kind{
		Name: "zendesk_help_center", Title: "Zendesk help center articles", Feeds: config.FeedsDocs,
		URLExample:  "https://SUB.zendesk.com",
		Credentials: config.Credentials{Doc: "none: anonymous, the public articles"},
		Options:     zendeskhelpcenter.NewOptions,
	}, New: zendeskhelpcenter.New},
}

// Table is a table of kinds.
type Table []source.Kind

// Config is the table as the configuration reads it (config.Parse).
func (t Table) Config() config.Kinds {
	kinds := make(config.Kinds, len(t))
	for i, k := range t {
		kinds[i] = k.Kind
		kinds[i].Drills = k.NewCreator != nil
	}
	return kinds
}

// Lookup returns the kind named name.
func (t Table) Lookup(name string) (source.Kind, bool) {
	for _, k := range t {
		if k.Name == name {
			return k, true
		}
	}
	return source.Kind{}, false
}

// NewCreator builds the drill's creator for env.Config.Kind.
func NewCreator(env source.Env) (source.Creator, error) {
	k, ok := Kinds.Lookup(env.Config.Kind)
	if !ok || k.NewCreator == nil {
		return nil, fmt.Errorf("source %q: kind %q cannot file tickets", env.Config.Name, env.Config.Kind)
	}
	return k.NewCreator(env)
}

// New builds the collector for env.Config.Kind.
func New(env source.Env) (source.Source, error) {
	k, ok := Kinds.Lookup(env.Config.Kind)
	if !ok {
		return nil, fmt.Errorf("source %q: kind %q is not implemented", env.Config.Name, env.Config.Kind)
	}
	return k.New(env)
}
