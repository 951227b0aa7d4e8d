package config_test

import (
	"slices"
	"testing"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// feature_requests: off when absent, the default bots when bots is left
// out, none with an empty list, and part of the fingerprint.
func TestFeatureRequests(t *testing.T) {
	const head = `
vendors:
  - name: acme
    tickets:
      - name: issues
        kind: github
        repositories: [acme/sdk]
`
	parse := func(t *testing.T, extra string) *config.Config {
		t.Helper()
		cfg, err := config.Parse([]byte(head+extra), "test.yml", kinds)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	absent := parse(t, "")
	if f := absent.Vendors[0].FeatureRequests; f.Enabled() {
		t.Errorf("absent feature_requests enabled: %+v", f)
	}
	deflt := parse(t, "    feature_requests: {tags: [enhancement], types: [Feature]}\n")
	f := deflt.Vendors[0].FeatureRequests
	if !f.Enabled() || !slices.Equal(f.Bots, config.DefaultFeatureRequestBots) {
		t.Errorf("feature_requests %+v, want enabled with the default bots %q", f, config.DefaultFeatureRequestBots)
	}
	none := parse(t, "    feature_requests: {tags: [enhancement], types: [Feature], bots: []}\n")
	// Empty, not nil: nil is a config built in code, which quality gives
	// the defaults.
	if b := none.Vendors[0].FeatureRequests.Bots; len(b) != 0 || b == nil {
		t.Errorf("bots: [] gave %#v, want an empty list", b)
	}
	fps := map[string]string{}
	for name, cfg := range map[string]*config.Config{"absent": absent, "default": deflt, "none": none} {
		fp := cfg.Fingerprint(cfg.Vendors[0])
		if other, ok := fps[fp]; ok {
			t.Errorf("%s and %s share a fingerprint: a reload between them would not rebuild", name, other)
		}
		fps[fp] = name
	}
}

// feature_requests.types needs a tickets source of a kind that gives a
// ticket's type (config.Kind.TicketTypes: github); one among others is
// enough. Without one, the bad config testdata/bad/feature_requests_types.yml.
func TestFeatureRequestTypesWithATypedSource(t *testing.T) {
	const cfg = `
vendors:
  - name: acme
    feature_requests: {types: [Feature]}
    tickets:
      - name: helpdesk
        kind: zendesk
        url: https://acme.zendesk.com
        http_client: {basic_auth: {username: u, password: p}}
      - name: issues
        kind: github
        repositories: [acme/sdk]
`
	if _, err := config.Parse([]byte(cfg), "test.yml", kinds); err != nil {
		t.Errorf("types with a github source among others refused: %v", err)
	}
}
