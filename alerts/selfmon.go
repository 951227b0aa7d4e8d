package alerts

import "fmt"

// exporterDown: Prometheus fails to scrape an instance of the exporter.
// Per instance, a warning: in an HA pair the other replica still serves
// every number; a lone exporter down loses them all, which the runbook
// says (no rule can tell the two layouts apart).
func exporterDown(q promql) alert {
	return alert{
		name:     "SupportExporterDown",
		severity: "warning",
		expr:     q.sel("up") + " == 0",
		pending:  q.cfg.ConfirmFor,
		summary:  "Prometheus cannot scrape a support exporter.",
		description: `Prometheus has failed to scrape {{ $labels.instance }} for ` + promDuration(q.cfg.ConfirmFor) +
			`: its vendors' numbers stop unless another replica serves them.`,
	}
}

// exporterAbsent: Prometheus scrapes no target of the selector at all: the
// scrape job is gone, renamed or relabelled, or service discovery finds no
// exporter. absent() returns one series whose labels are the selector's
// equality matchers (job="support_exporter" gives job), none for regular
// expression matchers; it fires only when no target matches, so it cannot
// see one replica of a pair vanish from discovery (docs/ha.md).
func exporterAbsent(q promql) alert {
	return alert{
		name:     "SupportExporterAbsent",
		severity: "critical",
		expr:     fmt.Sprintf("absent(%s)", q.sel("up")),
		pending:  q.cfg.ConfirmFor,
		summary:  "Prometheus scrapes no support exporter.",
		description: `No target of the support exporter's rules has been scraped for ` + promDuration(q.cfg.ConfirmFor) +
			`: no support metric is collected and no support alert can fire.`,
	}
}
