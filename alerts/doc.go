// Package alerts generates the Prometheus rules that come with
// support_exporter: recording rules that turn the exporter's counters and
// histograms into compliance ratios and quantiles over long windows, and the
// alerts an SRE team is paged or ticketed by. Config is the one place users
// adapt them (the selector of the exporter's series, the evaluation interval
// and every threshold); the generated files are committed next to this code
// and checked by its tests.
package alerts

//go:generate go test -run TestGeneratedFilesAreCurrent -update
