package backfill

import (
	"strconv"
	"strings"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/quality"
)

// writtenGauges are the gauge families the backfill reconstructs; every
// counter and histogram family is written too. The other gauges describe a
// "now" that no API dates: a ticket's state (support_tickets_open), its
// escalation flag or tags (support_escalations_open), a component's status
// (support_status_component_status).
var writtenGauges = map[string]bool{
	"support_tickets_breaching_sla":                                true,
	"support_ticket_oldest_unanswered_created_timestamp_seconds":   true,
	"support_status_incidents_open":                                true,
	"support_status_incident_oldest_last_update_timestamp_seconds": true,
	"support_status_next_maintenance_timestamp_seconds":            true,
}

// written reports whether the backfill writes a family.
func written(f *exposition.Family) bool {
	return f.Type != exposition.Gauge || writtenGauges[f.Name]
}

// series is one time series of the output: its sample name and labels,
// rendered once.
type series struct {
	family *exposition.Family
	prefix []byte // `name{labels} `
}

// layout is the series of one vendor, in the order WalkVendor gives their
// values (always the same for a vendor).
type layout []series

// recorder is the exposition.Walker that builds a vendor's layout from one
// snapshot.
type recorder struct {
	extra  string // rendered extra labels, each with a leading comma
	series layout
}

func (r *recorder) add(f *exposition.Family, name string, names, values []string, le string) {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeLabel(&b, n, values[i])
	}
	if le != "" {
		b.WriteByte(',')
		writeLabel(&b, "le", le)
	}
	b.WriteString(r.extra)
	b.WriteString("} ")
	r.series = append(r.series, series{family: f, prefix: []byte(b.String())})
}

func (r *recorder) Counter(f *exposition.Family, _ uint64, labels ...string) {
	if written(f) {
		r.add(f, f.Name, f.Labels, labels, "")
	}
}

func (r *recorder) Gauge(f *exposition.Family, _ float64, labels ...string) {
	if written(f) {
		r.add(f, f.Name, f.Labels, labels, "")
	}
}

func (r *recorder) Histogram(f *exposition.Family, h *quality.Histogram, labels ...string) {
	for _, b := range h.Bounds {
		r.add(f, f.Name+"_bucket", f.Labels, labels, formatFloat(b))
	}
	r.add(f, f.Name+"_bucket", f.Labels, labels, "+Inf")
	r.add(f, f.Name+"_sum", f.Labels, labels, "")
	r.add(f, f.Name+"_count", f.Labels, labels, "")
}

// row is the exposition.Walker that writes one snapshot's values, in
// layout order, into a row of a file's matrix.
type row struct {
	values []float64
	n      int
}

func (r *row) put(x float64) {
	r.values[r.n] = x
	r.n++
}

func (r *row) Counter(f *exposition.Family, n uint64, _ ...string) {
	if written(f) {
		r.put(f.CounterValue(n))
	}
}

func (r *row) Gauge(f *exposition.Family, x float64, _ ...string) {
	if written(f) {
		r.put(x)
	}
}

// Histogram writes cumulative buckets, as a scrape of the exporter does.
func (r *row) Histogram(_ *exposition.Family, h *quality.Histogram, _ ...string) {
	var cum uint64
	for i := range h.Bounds {
		if i < len(h.Counts) {
			cum += h.Counts[i]
		}
		r.put(float64(cum))
	}
	r.put(float64(h.Count))
	r.put(h.Sum)
	r.put(float64(h.Count))
}

// writeLabel writes name="value" with the text format's escapes.
func writeLabel(b *strings.Builder, name, value string) {
	b.WriteString(name)
	b.WriteString(`="`)
	for _, c := range value {
		switch c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
}

// formatFloat writes a bound as the exporter's OpenMetrics exposition
// does, and so as Prometheus stores a scraped `le` label: /metrics
// negotiates OpenMetrics, which Prometheus asks for first (2.x stores the
// label verbatim, 3.x normalizes every format to this form): the shortest
// 'g' form, with ".0" when it has neither a point nor an exponent.
func formatFloat(x float64) string {
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eIN") { // not 1.5, 1e+06, +Inf, NaN
		s += ".0"
	}
	return s
}
