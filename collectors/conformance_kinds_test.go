package collectors_test

// registered is a kind as registered in package collectors.
type registered struct {
	name    string
	tickets bool
}

// registeredKinds are the kinds package collectors builds.
func registeredKinds() []registered {
	var out []registered
	for _, k := range []string{"zendesk", "zendesk_requests", "freshdesk", "jira_service_management", "github"} {
		out = append(out, registered{k, true})
	}
	for _, k := range []string{"statuspage", "incidentio", "instatus", "statusio", "cachet", "feed"} {
		out = append(out, registered{k, false})
	}
	return out
}
