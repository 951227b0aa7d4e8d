package dashboards

// docsRow is the vendor detail's "Documentation" row: how fresh each of
// the vendor's documentation sites is (docs/metrics.md, "Documentation
// freshness"). No alert goes with it (docs/runbook.md).
func docsRow(s selectors) row {
	v := s.vendors()
	bySite := "vendor, source"
	legend := "{{vendor}} · {{source}}"
	return row{title: "Documentation", panels: []panel{
		{
			kind: statPanel, title: "Since the last docs edit", unit: "s", width: 6, height: 6,
			description: "Time since the newest edit of any page of each documentation site (a build date every page shares does not count). " +
				"Good: days or weeks; months mean nobody maintains the knowledge base.",
			queries: []query{{expr: "time() - " + s.gaugeMaxBy(bySite, "support_docs_last_update_timestamp_seconds"+v+" > 0"), legend: legend}},
		},
		{
			kind: bargaugePanel, title: "Pages stale, updated and undated", unit: "percentunit", width: 6, height: 6,
			description: "Share of each site's pages not updated for stale_after (default a year), updated within updated_within " +
				"(default 30 days), and without a usable date. Good: few stale, some updated, few undated.",
			queries: []query{
				{expr: s.gaugeSumBy(bySite, "support_docs_pages_stale"+v) + " / " + s.gaugeSumBy(bySite, "support_docs_pages"+v+" > 0"), legend: legend + " stale"},
				{expr: s.gaugeSumBy(bySite, "support_docs_pages_updated"+v) + " / " + s.gaugeSumBy(bySite, "support_docs_pages"+v+" > 0"), legend: legend + " updated"},
				{expr: s.gaugeSumBy(bySite, "support_docs_pages_undated"+v) + " / " + s.gaugeSumBy(bySite, "support_docs_pages"+v+" > 0"), legend: legend + " undated"},
			},
		},
		{
			kind: timeseriesPanel, title: "Pages", unit: "short", width: 6, height: 6,
			description: "Pages measured on each site (after include and exclude) and, of them, those stale and updated. " +
				"A drop in pages is a site that removed or moved documentation.",
			queries: []query{
				{expr: s.gaugeSumBy(bySite, "support_docs_pages"+v), legend: legend + " pages"},
				{expr: s.gaugeSumBy(bySite, "support_docs_pages_stale"+v), legend: legend + " stale"},
				{expr: s.gaugeSumBy(bySite, "support_docs_pages_updated"+v), legend: legend + " updated"},
			},
		},
		{
			kind: statPanel, title: "Build-date lastmod, outdated translations", unit: "short", width: 6, height: 6,
			description: "1 when a sitemap's dates look like its build date (most pages share one lastmod): its freshness is unknown, " +
				"not good. Outdated translations: those the help center itself marks outdated. Good: 0 and 0.",
			steps: []step{{color: "green"}, {from: 1, color: "orange"}},
			queries: []query{
				{expr: s.gaugeMaxBy(bySite, "support_docs_lastmod_suspect"+v), legend: legend + " build date"},
				{expr: s.gaugeSumBy(bySite, "support_docs_translations_outdated"+v), legend: legend + " outdated translations"},
			},
		},
	}}
}
