package config

import (
	"net/url"
	"slices"
	"strings"
)

// The source lists of a vendor, by YAML key.
const (
	listTickets     = "tickets"
	listStatusPages = "status_pages"
	listDocs        = "docs"
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
	kind, ok := ck.kind(s.Kind, list, path+".kind")
	if !ok {
		return // the remaining checks depend on the kind
	}
	ck.url(s, kind, path+".url")
	ck.misplacedKeys(s, path)
	ck.credentials(s, kind, path+".http_client")
	if s.Options != nil {
		report := func(key, format string, args ...any) { ck.report(childPath(path, key), format, args...) }
		s.Options.Check(report)
		if cc, ok := s.Options.(CredentialsChecker); ok {
			cc.CheckCredentials(&s.HTTPClient, report)
		}
	}
}

// kind returns the declaration of kind if it is valid under list, and
// says why not.
func (ck *checker) kind(name, list, path string) (*Kind, bool) {
	kind, known := ck.kinds.Lookup(name)
	if known && kind.Feeds.List() == list {
		return kind, true
	}
	valid := ck.listKinds(list)
	switch {
	case name == "":
		ck.report(path, "required (want %s)", oneOf(valid))
	case known:
		ck.report(path, "kind %q belongs under %s, not %s", name, kind.Feeds.List(), list)
	default:
		ck.report(path, "unknown kind %q (want %s)", name, oneOf(valid))
	}
	return nil, false
}

// listKinds are the kinds valid under a vendor's list.
func (ck *checker) listKinds(list string) []string {
	for _, f := range feeds {
		if f.List() == list {
			return ck.kinds.Feeding(f)
		}
	}
	return nil
}

// credentials refuses a source without the credentials its kind requires:
// it would fail at every poll.
func (ck *checker) credentials(s *Source, kind *Kind, path string) {
	c := kind.Credentials
	if c.Signed {
		ck.signed(s, kind, path)
		return
	}
	if !c.Required || slices.ContainsFunc(c.Accepts, func(a Auth) bool { return a.carriedBy(&s.HTTPClient, c.Header) }) {
		return
	}
	ways := make([]string, len(c.Accepts))
	for i, a := range c.Accepts {
		ways[i] = a.String()
		if a == AuthHeader {
			ways[i] += " " + c.Header
		}
	}
	ck.report(path, "kind %s needs credentials: %s (docs/sources.md)", kind.Name, strings.Join(ways, ", or "))
}

// signed refuses credentials in http_client for a kind that signs its
// requests: an Authorization header of theirs would replace the signature.
func (ck *checker) signed(s *Source, kind *Kind, path string) {
	h := &s.HTTPClient
	var found []string
	if AuthBasic.carriedBy(h, "") {
		found = append(found, "basic_auth")
	}
	if h.Authorization != nil && (h.Authorization.Type != "" || h.Authorization.Credentials != "" ||
		h.Authorization.CredentialsFile != "" || h.Authorization.CredentialsRef != "") {
		found = append(found, "authorization")
	}
	if h.OAuth2 != nil {
		found = append(found, "oauth2")
	}
	if AuthHeader.carriedBy(h, "Authorization") {
		found = append(found, "http_headers Authorization")
	}
	if len(found) > 0 {
		ck.report(path, "kind %s signs its requests itself: remove %s (its credentials come from its own keys, docs/sources.md)",
			kind.Name, strings.Join(found, ", "))
	}
}

// url checks a source's URL without ever printing it: it may carry a
// password.
func (ck *checker) url(s *Source, kind *Kind, path string) {
	if s.URL == "" {
		ck.report(path, "required for kind %s", s.Kind)
		return
	}
	u, err := url.Parse(s.URL)
	switch {
	case err != nil || !slices.Contains(kind.URLSchemes(), u.Scheme) || u.Host == "":
		var schemes []string
		for _, sc := range kind.URLSchemes() {
			schemes = append(schemes, sc+"://")
		}
		ck.report(path, "want an absolute %s URL", strings.Join(schemes, " or "))
	case u.User != nil:
		ck.report(path, "credentials belong in http_client, not in the URL")
	}
}
