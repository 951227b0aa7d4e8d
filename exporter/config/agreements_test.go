package config_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/contract"
)

// agreementExamples are the YAML blocks of docs/configuration.md's
// "Agreements" section, each written as the keys of a vendor.
func agreementExamples(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Agreements\n")
	if !ok {
		t.Fatal(`docs/configuration.md has no "Agreements" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(section, -1)
	var out []string
	for _, b := range blocks {
		out = append(out, b[1])
	}
	return out
}

// vendorWith makes a whole file of one vendor's keys, with a status page and
// a ticket source, and first-response targets unless the keys bring theirs.
func vendorWith(keys string) string {
	file := "vendors:\n  - name: v\n    status_pages:\n      - {name: status, kind: statuspage, url: https://status.example}\n" +
		"    tickets:\n      - {name: issues, kind: github, repositories: [a/b]}\n"
	if !strings.Contains(keys, "\n    sla:") && !strings.HasPrefix(keys, "    sla:") {
		file += "    sla:\n      first_response: {urgent: 1h, high: 4h, normal: 8h, low: 24h}\n"
	}
	return file + keys
}

// TestAgreementExamples keeps the documented examples true: each parses and
// validates, and the reference block shows every key.
func TestAgreementExamples(t *testing.T) {
	examples := agreementExamples(t)
	if len(examples) != 8 {
		t.Fatalf("found %d examples, want the reference and 7 contracts (AWS, Cloudflare x2, Fastly, Akamai, Alibaba, Twilio)", len(examples))
	}
	names := map[string]bool{}
	for i, ex := range examples {
		cfg, err := config.Parse([]byte(vendorWith(ex)), "example.yml", kinds)
		if err != nil {
			t.Fatalf("example %d:\n%s\n%v", i+1, ex, err)
		}
		if len(cfg.Vendors[0].Agreements) == 0 {
			t.Errorf("example %d has no agreement", i+1)
		}
		for _, a := range cfg.Vendors[0].Agreements {
			names[a.Name] = true
			if i > 0 && a.Source == "" {
				t.Errorf("example %d: agreement %s has no source", i+1, a.Name)
			}
		}
	}
	for _, n := range []string{"cloudfront", "business", "enterprise", "network", "akamai", "cdn", "api", "support-business"} {
		if !names[n] {
			t.Errorf("no example agreement %q", n)
		}
	}
}

func TestAgreementParsed(t *testing.T) {
	cfg, err := config.Parse([]byte(vendorWith(`    calendar: berlin
    agreements:
      - name: a
        measure: availability
        components: [CDN]
        weights: {major: 0.5}
        period: {start_day: 31}
        tiers:
          - {below: 0.999, credit: 0.1}
          - {below: 0.99, credit: 0.25}
        claim: {billing_cycles: 2}
        termination:
          - {below: 0.99, periods: 1}
      - name: b
        measure: response
        priorities: [urgent]
        period: month
        timezone: Asia/Tokyo
        claim: {within: 30d}
calendars:
  berlin: {timezone: Europe/Berlin, hours: "09:00-17:00"}
`)), "parsed.yml", kinds)
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.Vendors[0].Agreements[0], cfg.Vendors[0].Agreements[1]
	if a.Months.StartDay != 31 || a.Months.Location.String() != "Europe/Berlin" {
		t.Errorf("a: months %+v, want day 31 in the calendar's zone", a.Months)
	}
	want := map[string]contract.Weight{"none": 0, "minor": 0, "major": 500, "critical": 1000}
	for k, w := range want {
		if a.WeightOf[k] != w {
			t.Errorf("a: weight of %s = %d, want %d", k, a.WeightOf[k], w)
		}
	}
	if a.Credit == nil || len(a.Credit.Tiers) != 2 || a.Credit.Cap != 1 {
		t.Errorf("a: credit %+v, want two tiers and the default cap 1", a.Credit)
	}
	if a.ClaimWindow == nil || a.ClaimWindow.BillingCycles != 2 {
		t.Errorf("a: claim %+v", a.ClaimWindow)
	}
	if b.Months.StartDay != 1 || b.Months.Location.String() != "Asia/Tokyo" {
		t.Errorf("b: months %+v, want calendar months in Asia/Tokyo", b.Months)
	}
	if b.Objective != 0.95 || b.Credit != nil {
		t.Errorf("b: objective %v (want the default 0.95), credit %+v (want none)", b.Objective, b.Credit)
	}
	if b.ClaimWindow == nil || b.ClaimWindow.Within != 30*24*time.Hour {
		t.Errorf("b: claim %+v", b.ClaimWindow)
	}
}

// TestAgreementFingerprint: an agreement's settings change the vendor's
// fingerprint (its contract series are derived again), its source URL does
// not.
func TestAgreementFingerprint(t *testing.T) {
	const agreement = "    agreements:\n      - {name: cdn, source: https://a.example, measure: availability, components: [CDN], period: month, weights: {major: 0.5}, tiers: [{below: 0.999, credit: 0.1}], claim: {within: 30d}, termination: [{below: 0.99, periods: 1}]}\n"
	with := fingerprintBase + agreement
	base := fingerprintOf(t, with)
	if base == fingerprintOf(t, fingerprintBase) {
		t.Error("adding an agreement left the fingerprint as it was")
	}
	for _, c := range []struct{ old, new string }{
		{"components: [CDN]", "components: [CDN, DNS]"},
		{"major: 0.5", "major: 1"},
		{"period: month", "period: {start_day: 15}"},
		{"period: month", "period: month, timezone: Asia/Tokyo"},
		{"credit: 0.1", "credit: 0.2"},
		{"within: 30d", "within: 60d"},
		{"periods: 1", "periods: 2"},
		{"name: cdn", "name: edge"},
	} {
		if fingerprintOf(t, strings.ReplaceAll(with, c.old, c.new)) == base {
			t.Errorf("%q -> %q left the fingerprint as it was", c.old, c.new)
		}
	}
	if fingerprintOf(t, strings.ReplaceAll(with, "https://a.example", "https://b.example")) != base {
		t.Error("the source URL changed the fingerprint")
	}
}
