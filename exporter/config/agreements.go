package config

import (
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/exporter/contract"
)

// Agreement is one clause of a vendor contract that pays a credit when the
// service falls short, or gives the right to end the contract
// (docs/configuration.md, "Agreements"): what is measured, over which
// periods, the credit earned, how long it can be claimed and when the
// buyer may terminate. It is the `agreement` label.
type Agreement struct {
	Name string `yaml:"name"`
	// Source is the URL of the contract text: documentation only.
	Source string `yaml:"source"`
	// Measure is "availability" (of Components, from the incidents on the
	// vendor's status pages) or "response" (first-response compliance of
	// the tickets of Priorities).
	Measure    string             `yaml:"measure"`
	Components []string           `yaml:"components"`
	Weights    map[string]float64 `yaml:"weights"` // incident impact -> share of downtime
	Priorities []string           `yaml:"priorities"`
	Objective  float64            `yaml:"objective"` // response: share of first responses on target; default 0.95
	Period     AgreementPeriod    `yaml:"period"`
	Timezone   string             `yaml:"timezone"` // default: the vendor calendar's zone, else UTC
	// The credit model: at most one of Tiers, PerDowntime and PerDay.
	Tiers       []*CreditTier  `yaml:"tiers"`
	PerDowntime *PerDowntime   `yaml:"per_downtime"`
	PerDay      *PerDay        `yaml:"per_day"`
	Cap         float64        `yaml:"cap"` // the most one period earns; default 1
	Claim       *ClaimWindow   `yaml:"claim"`
	Termination []*Termination `yaml:"termination"`

	// Set by the checks: the periods in the contract's zone, the weight of
	// each impact in contract.Weight thousandths (none, minor, major,
	// critical), the credit and the claim window.
	Months      contract.Months            `yaml:"-"`
	WeightOf    map[string]contract.Weight `yaml:"-"`
	Credit      *contract.Credit           `yaml:"-"` // nil: no credit model
	ClaimWindow *contract.Claim            `yaml:"-"` // nil: no claim window
}

// Agreement measures.
const (
	MeasureAvailability = "availability"
	MeasureResponse     = "response"
)

// AgreementPeriod is an agreement's `period`: `month` (the calendar month)
// or `{start_day: N}`, a service month from day N (1..31).
type AgreementPeriod struct {
	StartDay int `yaml:"start_day"`
}

// UnmarshalYAML reads `month` or a mapping with start_day.
func (p *AgreementPeriod) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "month" {
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: unknown period %q (want month, or start_day: N for a service month)", n.Line, n.Value)}}
		}
		p.StartDay = 1
		return nil
	case yaml.MappingNode:
		if errs := unknownKeys(n, reflect.TypeFor[AgreementPeriod]()); len(errs) > 0 {
			return &yaml.TypeError{Errors: errs}
		}
		type plain AgreementPeriod
		return n.Decode((*plain)(p))
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want month, or start_day: N for a service month", n.Line)}}
}

// CreditTier is one step of a tiered credit: below Below, Credit.
type CreditTier struct {
	Below  float64 `yaml:"below"`
	Credit float64 `yaml:"credit"`
}

// PerDowntime is a credit proportional to downtime (Cloudflare).
type PerDowntime struct {
	Multiplier float64 `yaml:"multiplier"`
}

// PerDay is a credit per day with downtime (Akamai).
type PerDay struct {
	Credit float64 `yaml:"credit"`
}

// ClaimWindow is how long a credit can be claimed: Within after the period
// ends, or by the end of the BillingCycles-th period after it.
type ClaimWindow struct {
	Within        model.Duration `yaml:"within"`
	BillingCycles int            `yaml:"billing_cycles"`
}

// Termination is one condition that gives the buyer the right to end the
// contract: availability below Below in Periods consecutive periods, or
// Missed first-response targets missed within WithinPeriods periods.
type Termination struct {
	Below         float64 `yaml:"below"`
	Periods       int     `yaml:"periods"`
	Missed        int     `yaml:"missed"`
	WithinPeriods int     `yaml:"within_periods"`
}

// defaultWeights: an incident counts as downtime in full when it ended as
// critical or major (Statuspage's major_outage and partial_outage
// components), not at all when minor (degraded_performance).
var defaultWeights = map[string]float64{"critical": 1, "major": 1, "minor": 0, "none": 0}

// impacts are the keys of `weights`.
var impacts = []string{"none", "minor", "major", "critical"}

var agreementName = regexp.MustCompile(`^[a-z0-9_-]+$`)

// agreements checks a vendor's agreements and fills their parsed parts.
func (ck *checker) agreements(path string, v *Vendor) {
	seen := map[string]int{}
	for i, a := range v.Agreements {
		p := itemPath(path+".agreements", i)
		if a == nil {
			ck.report(p, "an agreement needs a name and a measure")
			continue
		}
		switch {
		case a.Name == "":
			ck.report(p+".name", "an agreement name is required")
		case !agreementName.MatchString(a.Name):
			ck.report(p+".name", "%q is not a valid agreement name: use a-z, 0-9, '_' and '-'", a.Name)
		case seen[a.Name] != 0:
			ck.report(p+".name", "duplicate agreement name %q (first at line %d)", a.Name, seen[a.Name])
		default:
			seen[a.Name] = ck.ix.line(p + ".name")
		}
		ck.agreement(p, a, v)
	}
}

func (ck *checker) agreement(path string, a *Agreement, v *Vendor) {
	switch a.Measure {
	case MeasureAvailability:
		ck.availability(path, a, v)
	case MeasureResponse:
		ck.response(path, a, v)
	case "":
		ck.report(path+".measure", "required: %s or %s", MeasureAvailability, MeasureResponse)
	default:
		ck.report(path+".measure", "unknown measure %q (want %s or %s)", a.Measure, MeasureAvailability, MeasureResponse)
	}
	ck.agreementPeriod(path, a, v)
	ck.credit(path, a)
	ck.claim(path, a)
	for i, t := range a.Termination {
		ck.termination(itemPath(path+".termination", i), a.Measure, t)
	}
}

func (ck *checker) availability(path string, a *Agreement, v *Vendor) {
	if len(v.StatusPages) == 0 {
		ck.report(path+".measure", "availability is measured from the vendor's status_pages, and it has none")
	}
	if len(a.Components) == 0 {
		ck.report(path+".components", "required: the status-page components whose outages count")
	}
	for i, c := range a.Components {
		if c == "" {
			ck.report(itemPath(path+".components", i), "a component name must not be empty")
		}
	}
	if len(a.Priorities) > 0 {
		ck.report(path+".priorities", "only a response agreement has priorities")
	}
	a.WeightOf = map[string]contract.Weight{}
	for _, impact := range impacts {
		a.WeightOf[impact] = contract.Weight(math.Round(defaultWeights[impact] * float64(contract.FullWeight)))
	}
	for _, impact := range slices.Sorted(maps.Keys(a.Weights)) {
		w := a.Weights[impact]
		p := childPath(path+".weights", impact)
		switch thousandths := w * float64(contract.FullWeight); {
		case !slices.Contains(impacts, impact):
			ck.report(p, "unknown impact %q (want %s)", impact, oneOf(impacts))
		case !(w >= 0 && w <= 1):
			ck.report(p, "%v is outside [0, 1]", w)
		case math.Abs(thousandths-math.Round(thousandths)) > 1e-9:
			ck.report(p, "%v: a weight has at most three decimals", w)
		default:
			a.WeightOf[impact] = contract.Weight(math.Round(thousandths))
		}
	}
}

func (ck *checker) response(path string, a *Agreement, v *Vendor) {
	if len(v.Tickets) == 0 {
		ck.report(path+".measure", "response is measured from the vendor's tickets, and it has none")
	}
	if len(a.Priorities) == 0 {
		ck.report(path+".priorities", "required: the priorities whose first responses count")
	}
	for i, p := range a.Priorities {
		if !slices.Contains(priorities, p) {
			ck.report(itemPath(path+".priorities", i), "unknown priority %q (want %s)", p, oneOf(priorities))
		}
	}
	if !(a.Objective > 0 && a.Objective <= 1) {
		ck.report(path+".objective", "%v is outside (0, 1]", a.Objective)
	}
	if len(a.Components) > 0 {
		ck.report(path+".components", "only an availability agreement has components")
	}
	if len(a.Weights) > 0 {
		ck.report(path+".weights", "only an availability agreement has weights")
	}
	if a.PerDowntime != nil || a.PerDay != nil {
		ck.report(path, "a response agreement's credit can only be tiers (of its compliance)")
	}
	for _, prio := range a.Priorities {
		ok := false
		for _, term := range v.SLA {
			ok = ok || term.FirstResponse[prio] > 0
		}
		if !ok && slices.Contains(priorities, prio) {
			ck.report(path+".priorities", "no sla term has a first_response target for %s: nothing to measure", prio)
		}
	}
}

func (ck *checker) agreementPeriod(path string, a *Agreement, v *Vendor) {
	if a.Period.StartDay < 1 || a.Period.StartDay > 31 {
		ck.report(path+".period", "required: month, or start_day: N (1..31) for a service month")
	}
	loc := time.UTC
	if v.CalendarParsed != nil {
		loc = v.CalendarParsed.Location()
	}
	if a.Timezone != "" {
		l, err := time.LoadLocation(a.Timezone)
		if err != nil {
			ck.report(path+".timezone", "unknown time zone %q (want an IANA name such as Europe/Berlin)", a.Timezone)
		} else {
			loc = l
		}
	}
	a.Months = contract.Months{StartDay: a.Period.StartDay, Location: loc}
}

func (ck *checker) credit(path string, a *Agreement) {
	models := 0
	for _, set := range []bool{len(a.Tiers) > 0, a.PerDowntime != nil, a.PerDay != nil} {
		if set {
			models++
		}
	}
	if models > 1 {
		ck.report(path, "more than one credit model: write one of tiers, per_downtime or per_day")
		return
	}
	if !(a.Cap > 0 && a.Cap <= 1) {
		ck.report(path+".cap", "%v is outside (0, 1]", a.Cap)
	}
	c := &contract.Credit{Cap: a.Cap}
	for i, t := range a.Tiers {
		p := itemPath(path+".tiers", i)
		if t == nil {
			ck.report(p, "a tier needs below and credit")
			continue
		}
		if !(t.Below > 0 && t.Below <= 1) {
			ck.report(p+".below", "%v is outside (0, 1]: a share, 0.999 for 99.9%%", t.Below)
		}
		if !(t.Credit > 0 && t.Credit <= 1) {
			ck.report(p+".credit", "%v is outside (0, 1]: a share of the period's fee, 0.10 for 10%%", t.Credit)
		}
		if i > 0 && a.Tiers[i-1] != nil && !(t.Below < a.Tiers[i-1].Below && t.Credit > a.Tiers[i-1].Credit) {
			ck.report(p, "list tiers from the first step down: each below a lower share than the previous, for a larger credit")
		}
		c.Tiers = append(c.Tiers, contract.Tier{Below: t.Below, Credit: t.Credit})
	}
	switch {
	case a.PerDowntime != nil:
		if !(a.PerDowntime.Multiplier > 0) {
			ck.report(path+".per_downtime.multiplier", "must be positive (1 pays the downtime's share of the fee)")
		}
		c.Multiplier = a.PerDowntime.Multiplier
	case a.PerDay != nil:
		if !(a.PerDay.Credit > 0 && a.PerDay.Credit <= 1) {
			ck.report(path+".per_day.credit", "%v is outside (0, 1]: the share of the period's fee per day with downtime", a.PerDay.Credit)
		}
		c.PerDay = a.PerDay.Credit
	}
	if models == 1 {
		a.Credit = c
	}
}

func (ck *checker) claim(path string, a *Agreement) {
	c := a.Claim
	if c == nil {
		return
	}
	switch {
	case c.Within > 0 && c.BillingCycles > 0:
		ck.report(path+".claim", "write one of within and billing_cycles")
	case c.Within < 0, ck.ix.has(path+".claim.within") && c.Within == 0:
		ck.report(path+".claim.within", "must be positive")
	case c.BillingCycles < 0, ck.ix.has(path+".claim.billing_cycles") && c.BillingCycles == 0:
		ck.report(path+".claim.billing_cycles", "must be positive")
	case c.Within == 0 && c.BillingCycles == 0:
		ck.report(path+".claim", "write within (a duration after the period ends) or billing_cycles (periods after it)")
	default:
		a.ClaimWindow = &contract.Claim{Within: time.Duration(c.Within), BillingCycles: c.BillingCycles}
	}
}

func (ck *checker) termination(path, measure string, t *Termination) {
	if t == nil {
		ck.report(path, "a termination needs below and periods, or missed and within_periods")
		return
	}
	availability := t.Below != 0 || t.Periods != 0
	response := t.Missed != 0 || t.WithinPeriods != 0
	switch {
	case availability && response:
		ck.report(path, "write below and periods (availability), or missed and within_periods (response), not both")
	case availability && measure == MeasureResponse, response && measure == MeasureAvailability:
		ck.report(path, "%s", map[string]string{
			MeasureAvailability: "an availability agreement terminates on below and periods",
			MeasureResponse:     "a response agreement terminates on missed and within_periods"}[measure])
	case availability:
		if !(t.Below > 0 && t.Below <= 1) {
			ck.report(path+".below", "%v is outside (0, 1]", t.Below)
		}
		if t.Periods <= 0 {
			ck.report(path+".periods", "must be positive: how many consecutive periods")
		}
	case response:
		if t.Missed <= 0 {
			ck.report(path+".missed", "must be positive: how many first-response targets missed")
		}
		if t.WithinPeriods <= 0 {
			ck.report(path+".within_periods", "must be positive: in how many periods")
		}
	default:
		ck.report(path, "a termination needs below and periods, or missed and within_periods")
	}
}

// applyAgreementDefaults fills what an agreement leaves out.
func applyAgreementDefaults(ix nodeIndex, vendorPath string, v *Vendor) {
	for i, a := range v.Agreements {
		if a == nil {
			continue
		}
		p := itemPath(vendorPath+".agreements", i)
		if !ix.has(p + ".cap") {
			a.Cap = 1
		}
		if !ix.has(p+".objective") && a.Measure == MeasureResponse {
			a.Objective = defaultObjective
		}
	}
}

// writeAgreements adds the agreements' settings to a fingerprint
// (Config.Fingerprint): they change what the contract series derive. Only
// the source URL is left out. Nothing is written without agreements, so
// that the fingerprint of a vendor without any stays what it was.
func writeAgreements(w io.Writer, agreements []*Agreement) {
	for _, a := range agreements {
		if a == nil {
			continue
		}
		fmt.Fprintf(w, "agreement %q %q %q %v %q %v %d %q %v %v %v %v %v", a.Name, a.Measure, a.Components, a.Weights,
			a.Priorities, a.Objective, a.Period.StartDay, a.Months.Location, derefs(a.Tiers), a.PerDowntime, a.PerDay, a.Cap, a.Claim)
		for _, t := range a.Termination {
			if t != nil {
				fmt.Fprintf(w, " %+v", *t)
			}
		}
		fmt.Fprintln(w)
	}
}

// derefs are the values a list of pointers points to (nil ones left out),
// for printing.
func derefs[T any](ps []*T) []T {
	out := make([]T, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}
