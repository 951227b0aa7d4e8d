package alerts

import "fmt"

// exporterDown: Prometheus fails to scrape an instance of the exporter.
// Per instance, a warning: in an HA pair the other replica still serves
// every number; when no replica is up (a lone exporter down, or both of a
// pair), SupportExporterAbsent fires the critical as well.
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

// exporterAbsent: no target of the selector is up: the lone exporter (or
// every replica of a pair) is discovered but down (a crash loop, an OOM
// kill, a pod not ready: up == 0), or the scrape job is gone, renamed or
// relabelled, or service discovery finds no exporter (no up at all). Two
// branches, since absent(up == 1) would lose every label: absent() of the
// vector selector returns one series whose labels are the selector's
// equality matchers (job="support_exporter" gives job), none for regular
// expression matchers; the max by the kept labels (the selector's, and the
// cluster's when set) is 0 when every discovered target is down. It cannot
// see one replica of a pair down while the other is up: SupportExporterDown
// does (docs/ha.md).
func exporterAbsent(q promql) alert {
	return alert{
		name:     "SupportExporterAbsent",
		severity: "critical",
		expr:     fmt.Sprintf("absent(%s)\nor\nmax by (%s) (%s) == 0", q.sel("up"), q.by(), q.sel("up")),
		pending:  q.cfg.ConfirmFor,
		summary:  "Prometheus scrapes no support exporter.",
		description: `No target of the support exporter's rules has been up for ` + promDuration(q.cfg.ConfirmFor) +
			`: no support metric is collected and no support alert can fire.`,
	}
}
