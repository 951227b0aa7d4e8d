package exporter

import (
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// agreementDowntime is the acme agreement api's downtime counter in the
// exporter's snapshot, in seconds; -1 when absent.
func agreementDowntime(e *Exporter) float64 {
	for _, v := range e.Snapshot().Vendors {
		for _, c := range v.Contracts {
			if v.Vendor == "acme" && c.Agreement == "api" && c.Measure == config.MeasureAvailability {
				return c.Downtime.Seconds()
			}
		}
	}
	return -1
}

// TestAgreementReload: acme's status page has one resolved minor incident
// on API, 09:55-11:00 (3,900 s). An agreement added by a reload counts it
// (weight 1 for minor) without calling it a rebuild that moved counters;
// new weights move the counter and are one; a new source URL for the
// contract text is neither.
func TestAgreementReload(t *testing.T) {
	t.Parallel()
	e, _, zd, sp := startAcme(t, slaOneHour)
	base := acmeConfig(zd.URL(), sp.URL(), slaOneHour)
	with := func(weight, source string) string {
		return strings.Replace(base, "    tickets:\n", "    agreements:\n      - {name: api, source: "+source+
			", measure: availability, components: [API], period: month, weights: {minor: "+weight+"}}\n    tickets:\n", 1)
	}
	if err := e.Apply(parseConfig(t, with("1", "https://a.example"))); err != nil {
		t.Fatal(err)
	}
	if got := agreementDowntime(e); got != 3900 {
		t.Fatalf("downtime %v s, want 3900", got)
	}
	if got := rebuiltAt(t, e, "acme"); got != 0 {
		t.Errorf("an agreement added set the rebuild time (%v): no counter moved", got)
	}
	if err := e.Apply(parseConfig(t, with("1", "https://b.example"))); err != nil {
		t.Fatal(err)
	}
	if got := rebuiltAt(t, e, "acme"); got != 0 {
		t.Errorf("a new contract URL set the rebuild time (%v)", got)
	}
	if err := e.Apply(parseConfig(t, with("0.5", "https://b.example"))); err != nil {
		t.Fatal(err)
	}
	if got := agreementDowntime(e); got != 1950 {
		t.Errorf("downtime %v s after the weight halved, want 1950", got)
	}
	if got := rebuiltAt(t, e, "acme"); got == 0 {
		t.Error("the weights changed the downtime counter: the rebuild time is not set")
	}
}
