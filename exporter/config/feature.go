package config

import (
	"fmt"
	"slices"
	"strings"
)

// FeatureRequests say which of a vendor's tickets are feature requests, and
// which closers do not decide their outcome (docs/configuration.md,
// "Feature requests"; docs/metrics.md, "Feedback loop: feature
// requests"). A ticket is a feature request when it carries one of Tags
// (labels), in any version, or is of one of Types (github issue types), in
// any version. Matching ignores case. With neither, the vendor has no
// feature-request metrics.
type FeatureRequests struct {
	Tags  []string `yaml:"tags"`
	Types []string `yaml:"types"`
	// Bots are the closers (logins) whose close is no decision: a request
	// they close counts as closed_by_bot, whatever the reason. Default
	// DefaultFeatureRequestBots; an empty list names none.
	Bots []string `yaml:"bots"`
}

// DefaultFeatureRequestBots are feature_requests.bots when the key is left
// out: the stale workflows' closers. actions/stale closes as
// github-actions[bot] (the workflow's token) with not_planned since its
// v6, probot/stale (deprecated) as stale[bot] with no reason, which
// GitHub records as completed.
var DefaultFeatureRequestBots = []string{"github-actions[bot]", "stale[bot]"}

// Enabled reports whether the vendor measures feature requests.
func (f *FeatureRequests) Enabled() bool { return len(f.Tags)+len(f.Types) > 0 }

// fingerprint is what of f changes the vendor's aggregates, in a stable
// order (Config.Fingerprint).
func (f *FeatureRequests) fingerprint() string {
	norm := func(list []string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = strings.ToLower(strings.TrimSpace(s))
		}
		slices.Sort(out)
		return out
	}
	return fmt.Sprintf("%q %q %q", norm(f.Tags), norm(f.Types), norm(f.Bots))
}

// featureRequests checks a vendor's feature_requests at path: no empty or
// repeated entry, something that makes a ticket a feature request, and a
// ticket source to find them in.
func (ck *checker) featureRequests(path string, v *Vendor) {
	if !ck.ix.has(path) {
		return
	}
	f := &v.FeatureRequests
	for _, list := range []struct {
		key, what string
		values    []string
	}{{"tags", "tag", f.Tags}, {"types", "type", f.Types}, {"bots", "login", f.Bots}} {
		first := map[string]int{}
		for i, s := range list.values {
			key := strings.ToLower(strings.TrimSpace(s))
			p := itemPath(childPath(path, list.key), i)
			if key == "" {
				ck.report(p, "a %s must not be empty", list.what)
				continue
			}
			if j, ok := first[key]; ok {
				ck.report(p, "%q is listed twice (also at %s[%d]; case is ignored)", s, list.key, j)
				continue
			}
			first[key] = i
		}
	}
	switch {
	case !f.Enabled():
		ck.report(path, "names no tags and no types: no ticket would be a feature request")
	case len(v.Tickets) == 0:
		ck.report(path, "the vendor has no tickets sources: there is no feature request to measure")
	}
	if len(f.Types) > 0 && len(v.Tickets) > 0 && !slices.ContainsFunc(v.Tickets, func(s *Source) bool {
		k, ok := ck.kinds.Lookup(s.Kind)
		return ok && k.TicketTypes
	}) {
		ck.report(childPath(path, "types"), "no tickets source of the vendor gives a ticket type (only kinds %s do): no ticket would match; name tags instead",
			strings.Join(ck.kinds.typed(), ", "))
	}
}

// defaultFeatureRequests sets feature_requests.bots when the key is left
// out.
func defaultFeatureRequests(ix nodeIndex, path string, v *Vendor) {
	if !ix.has(path + ".feature_requests.bots") {
		v.FeatureRequests.Bots = slices.Clone(DefaultFeatureRequestBots)
	}
}

// typed returns the names of the kinds that give a ticket's type
// (Kind.TicketTypes), in table order.
func (ks Kinds) typed() []string {
	var names []string
	for _, k := range ks {
		if k.TicketTypes {
			names = append(names, k.Name)
		}
	}
	return names
}
