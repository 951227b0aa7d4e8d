package config

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"time"
)

// The two source lists of a vendor, by YAML key.
const (
	listTickets     = "tickets"
	listStatusPages = "status_pages"
)

// sourceKinds are the valid kinds of each source list, in DESIGN.md's order.
var sourceKinds = map[string][]string{
	listTickets:     {"zendesk", "zendesk_requests", "freshdesk", "jira_service_management", "github"},
	listStatusPages: {"statuspage", "incidentio", "instatus", "statusio", "cachet", "feed"},
}

// kindKeys maps each kind-specific source key to the one kind that accepts it
// (DESIGN.md, "Keys per kind").
var kindKeys = map[string]string{
	"colleagues":      "zendesk_requests",
	"statuses":        "freshdesk",
	"service_desk_id": "jira_service_management",
	"repositories":    "github",
	"vendor_logins":   "github",
	"page_id":         "statusio",
	"timezone":        "cachet",

	"export_requests_per_minute": "zendesk",
	"api":                        "jira_service_management",
}

// freshdeskStates are what a Freshdesk custom status may stand for.
var freshdeskStates = []string{"open", "pending", "on_hold", "solved"}

var (
	digits     = regexp.MustCompile(`^[0-9]+$`)
	githubRepo = regexp.MustCompile(`^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$`)
)

func (ck *checker) source(s *Source, list, path string, names map[string]int) {
	s.Line = ck.ix.line(path)
	ck.name(path, s.Name, "source", names)
	// An inherited global.poll_interval is reported once, under global.
	if ck.ix.has(path+".poll_interval") && s.PollInterval <= 0 {
		ck.report(path+".poll_interval", "must be positive")
	}
	ck.secretFiles(&s.HTTPClient, path+".http_client")
	if s.MaxRequestsPerSync <= 0 {
		ck.report(path+".max_requests_per_sync", "must be positive")
	}
	if !ck.kind(s.Kind, list, path+".kind") {
		return // the remaining checks depend on the kind
	}
	ck.url(s, path+".url")
	for _, key := range slices.Sorted(maps.Keys(kindKeys)) {
		if kind := kindKeys[key]; kind != s.Kind && ck.ix.has(childPath(path, key)) {
			ck.report(childPath(path, key), "only valid for kind %s, not %s", kind, s.Kind)
		}
	}
	switch s.Kind {
	case "zendesk":
		if s.ExportRequestsPerMinute <= 0 {
			ck.report(path+".export_requests_per_minute", "must be positive")
		}
	case "zendesk_requests":
		for i, id := range s.Colleagues {
			if !digits.MatchString(id) {
				ck.report(itemPath(path+".colleagues", i), "%q is not a Zendesk user id (want a number)", id)
			}
		}
	case "freshdesk":
		ck.freshdeskStatuses(path+".statuses", s.Statuses)
	case "jira_service_management":
		if s.API != apiAgent && s.API != apiCustomer {
			ck.report(path+".api", "unknown api %q (want %s: an agent account, or %s: a portal customer)", s.API, apiAgent, apiCustomer)
		}
	case "github":
		if len(s.Repositories) == 0 {
			ck.report(path+".repositories", "required for kind github: list owner/name repositories")
		}
		for i, repo := range s.Repositories {
			if !githubRepo.MatchString(repo) {
				ck.report(itemPath(path+".repositories", i), "%q is not a repository written owner/name", repo)
			}
		}
	case "statusio":
		if s.PageID == "" {
			ck.report(path+".page_id", "required for kind statusio")
		}
	case "cachet":
		if _, err := time.LoadLocation(s.Timezone); s.Timezone != "" && err != nil {
			ck.report(path+".timezone", "unknown time zone %q", s.Timezone)
		}
	}
}

// kind reports whether kind is valid under list, and says why not.
func (ck *checker) kind(kind, list, path string) bool {
	if slices.Contains(sourceKinds[list], kind) {
		return true
	}
	other := listTickets
	if list == listTickets {
		other = listStatusPages
	}
	switch {
	case kind == "":
		ck.report(path, "required (want %s)", oneOf(sourceKinds[list]))
	case slices.Contains(sourceKinds[other], kind):
		ck.report(path, "kind %q belongs under %s, not %s", kind, other, list)
	default:
		ck.report(path, "unknown kind %q (want %s)", kind, oneOf(sourceKinds[list]))
	}
	return false
}

// url checks a source's URL without ever printing it: it may carry a
// password.
func (ck *checker) url(s *Source, path string) {
	if s.URL == "" {
		ck.report(path, "required for kind %s", s.Kind)
		return
	}
	u, err := url.Parse(s.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		ck.report(path, "want an absolute http:// or https:// URL")
	case u.User != nil:
		ck.report(path, "credentials belong in http_client, not in the URL")
	}
}

func (ck *checker) freshdeskStatuses(path string, statuses map[string]string) {
	for _, id := range slices.Sorted(maps.Keys(statuses)) {
		switch state := statuses[id]; {
		case !digits.MatchString(id):
			ck.report(childPath(path, id), "%q is not a Freshdesk status id (want a number)", id)
		case !slices.Contains(freshdeskStates, state):
			ck.report(childPath(path, id), "unknown state %q (want %s)", state, oneOf(freshdeskStates))
		}
	}
}
