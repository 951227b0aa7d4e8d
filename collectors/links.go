package collectors

import (
	"net/url"
	"strings"
)

// The links the service review (exporter/report) gives to tickets and
// incidents: the page at the vendor that the BUYER can open, where the
// kind has one (docs/sources.md, "Links in the service review"). A kind
// without one (chat, mail, cloud consoles whose pages need the account's
// own console session, the agent-only views) gives none.

// zendeskRequestURL is the help center's request page, which the
// requester opens (the agent view /agent/tickets is for agents only).
func zendeskRequestURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + "/hc/requests/" + url.PathEscape(id)
}

// freshdeskTicketURL is the customer portal's ticket page.
func freshdeskTicketURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + "/support/tickets/" + url.PathEscape(id)
}

// githubIssueURL is an issue's page; ids are OWNER/REPO#N. base is the
// source's API (github.DefaultURL when unset): its web pages are those of
// githubWebBase.
func githubIssueURL(base, id string) string {
	repo, n, ok := strings.Cut(id, "#")
	owner, name, ok2 := strings.Cut(repo, "/")
	if !ok || !ok2 || owner == "" || name == "" || n == "" {
		return ""
	}
	web := githubWebBase(base)
	if web == "" {
		return ""
	}
	return web + "/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/issues/" + url.PathEscape(n)
}

// githubWebBase is the web site of a GitHub API base: github.com for
// https://api.github.com, https://SUB.ghe.com for GitHub Enterprise Cloud
// with data residency (https://api.SUB.ghe.com), and for GitHub
// Enterprise Server (https://HOST/api/v3, the collector's `url:`)
// https://HOST; "" when base is not a URL.
func githubWebBase(base string) string {
	if base == "" {
		return "https://github.com"
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	host := u.Host
	switch {
	case strings.EqualFold(host, "api.github.com"):
		host = "github.com"
	case strings.HasPrefix(strings.ToLower(host), "api.") && strings.HasSuffix(strings.ToLower(host), ".ghe.com"):
		host = host[len("api."):]
	}
	path := strings.TrimSuffix(u.Path, "/api/v3")
	return u.Scheme + "://" + host + path
}

// statuspageIncidentURL is an incident's (or maintenance's) page on an
// Atlassian Statuspage.
func statuspageIncidentURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + "/incidents/" + url.PathEscape(id)
}
