package simulator

// FreshdeskCredentials returns the vendor's Freshdesk basic auth: the API
// key as the username and "X" as the password, as Freshdesk wants them.
func (s *Sim) FreshdeskCredentials(vendor string) (username, password string) {
	w := s.worlds[vendor]
	if w == nil {
		return "", ""
	}
	return w.freshdeskKey(), "X"
}

// GitHubRepository is the vendor's repository, "owner/name", the repos
// entry of a github source; empty for an unknown vendor.
func (s *Sim) GitHubRepository(vendor string) string {
	if s.worlds[vendor] == nil {
		return ""
	}
	owner, name := ghRepo(vendor)
	return owner + "/" + name
}

// GitHubToken is a personal access token the vendor's GitHub API accepts
// ("Authorization: Bearer <token>"); the API also answers without one, as
// for a public repository.
func (s *Sim) GitHubToken(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return w.githubToken()
	}
	return ""
}

// SlackToken is the bot token the vendor's Slack API accepts
// ("Authorization: Bearer <token>"), and SlackChannel the shared channel's
// id; empty for an unknown vendor.
func (s *Sim) SlackToken(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return w.slackToken()
	}
	return ""
}

// SlackChannel is the id of the channel shared with the vendor.
func (s *Sim) SlackChannel(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return w.slackChannel()
	}
	return ""
}

// ZendeskRequestsCredentials returns the basic auth of the buyer's end user
// for the vendor's Requests API: "buyer@customer-of-<vendor>.example/token"
// and the user's API token.
func (s *Sim) ZendeskRequestsCredentials(vendor string) (username, password string) {
	w := s.worlds[vendor]
	if w == nil {
		return "", ""
	}
	return requestsUser(vendor), w.requestsToken()
}
