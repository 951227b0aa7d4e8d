package report

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

const sectionsYAML = `global:
  history_start: 2025-12-01
calendars:
  office: {timezone: UTC, hours: "09:00-17:00"}
vendors:
  - name: acme
    calendar: office
    sla:
      first_response: {urgent: 1h}
      maintenance_notice: 72h
    agreements:
      - name: api
        measure: availability
        components: [API]
        period: month
        tiers:
          - {below: 0.999, credit: 0.10}
        claim: {within: 30d}
    drill:
      enabled: true
      source: support
      subject: "[test {{.Marker}}] drill"
      body: "drill {{.Marker}}"
      closing: "Thanks, a drill."
    tickets:
      - {name: support, kind: zendesk_requests, url: "https://acme.zendesk.com", http_client: {basic_auth: {username: me, password: token}}}
    status_pages:
      - {name: status, kind: statuspage, url: "https://status.acme.com"}
    docs:
      - {name: docs, kind: sitemap, url: "https://docs.acme.com/sitemap.xml"}
`

func TestBuildSections(t *testing.T) {
	cfg := testConfig(t, sectionsYAML)
	vc := cfg.Vendors[0]
	rules, err := quality.NewRules(vc, cfg.Global)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := time.Hour
	jan := func(d, hour int) time.Time { return time.Date(2026, 1, d, hour, 0, 0, 0, time.UTC) }
	incidents := []item.Incident{
		// Announced before the period, resolved in it: gaps 3h then 1h.
		{ID: "i1", Impact: item.ImpactMinor, StartedAt: jan(9, 22).Add(-h / 2), CreatedAt: jan(9, 22),
			Updates: []time.Time{jan(10, 1), jan(10, 2)}, ResolvedAt: jan(10, 2), UpdatedAt: jan(10, 2)},
		// In the period, an API outage of an hour, with a postmortem.
		{ID: "i2", Impact: item.ImpactMajor, StartedAt: jan(15, 12), CreatedAt: jan(15, 12), Components: []string{"API"},
			Updates: []time.Time{jan(15, 12).Add(h / 2), jan(15, 13)}, ResolvedAt: jan(15, 13), UpdatedAt: jan(17, 0),
			PostmortemPublishedAt: jan(17, 0)},
		// Before the period: not listed.
		{ID: "i3", Impact: item.ImpactMinor, CreatedAt: jan(5, 0), Updates: []time.Time{jan(6, 0)}, ResolvedAt: jan(6, 0), UpdatedAt: jan(6, 0)},
		// Open at the period's end, silent since its first post 4h before.
		{ID: "i4", Impact: item.ImpactMinor, CreatedAt: jan(19, 20), UpdatedAt: jan(19, 20)},
	}
	maintenances := []item.Maintenance{
		{ID: "m1", CreatedAt: jan(11, 0), ScheduledFor: jan(12, 0), ScheduledUntil: jan(12, 2), CompletedAt: jan(12, 2), UpdatedAt: jan(12, 2)},
		{ID: "m2", CreatedAt: jan(2, 0), ScheduledFor: jan(14, 0), ScheduledUntil: jan(14, 2), CompletedAt: jan(14, 2), UpdatedAt: jan(14, 2)},
		{ID: "m3", CreatedAt: jan(2, 0), ScheduledFor: jan(22, 0), ScheduledUntil: jan(22, 2), CompletedAt: jan(22, 2), UpdatedAt: jan(22, 2)},
	}
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "status"}, func(tx *store.Tx) error {
		for _, i := range incidents {
			merged := rules.MergeIncident(nil, i, quality.Judged{})
			if _, err := tx.PutIncident(&merged); err != nil {
				return err
			}
		}
		for _, m := range maintenances {
			merged := rules.MergeMaintenance(nil, m, quality.Judged{})
			if _, err := tx.PutMaintenance(&merged); err != nil {
				return err
			}
		}
		return tx.SetSyncedAt(synced)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(store.SourceKey{Vendor: "acme", Source: "docs"}, func(tx *store.Tx) error {
		if err := tx.SetPages([]item.Page{
			{URL: "https://docs.acme.com/a", Updated: jan(12, 0)},
			{URL: "https://docs.acme.com/b", Updated: jan(2, 0)},
			{URL: "https://docs.acme.com/c"},
		}); err != nil {
			return err
		}
		return tx.SetSyncedAt(synced)
	})
	if err != nil {
		t.Fatal(err)
	}
	putTickets(t, st, cfg, "acme", "support", synced, nil)
	for _, d := range []store.Drill{
		{ID: "d1", Source: "support", State: "responded", TicketID: "77", FiledAt: jan(13, 3), RepliedAt: jan(13, 3).Add(90 * time.Minute), EndedAt: jan(13, 5), Hours: "off"},
		{ID: "d0", Source: "support", State: "timed_out", TicketID: "70", FiledAt: jan(2, 3), EndedAt: jan(5, 3), Hours: "off"},
		{ID: "d2", Source: "support", State: "create_failed", EndedAt: jan(14, 3), Hours: "off"},
	} {
		if err := st.PutDrill("acme", d); err != nil {
			t.Fatal(err)
		}
	}

	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"acme"},
		Period: Period{From: from, To: to}, Now: now, Kinds: collectors.Kinds.Config()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("the report is not JSON: %v", err)
	}
	v := r.Vendors[0]
	if s := v.Sections; !s.Tickets || !s.Status || !s.Contracts || !s.Drill || !s.Docs || s.Features {
		t.Errorf("sections %+v", s)
	}
	var ids []string
	for _, i := range v.Incidents {
		ids = append(ids, i.ID)
	}
	if len(v.Incidents) != 3 || ids[0] != "i1" || ids[1] != "i2" || ids[2] != "i4" {
		t.Fatalf("incidents %v, want i1 i2 i4", ids)
	}
	i1, i2, i4 := v.Incidents[0], v.Incidents[1], v.Incidents[2]
	if i1.NoticeDelaySeconds != 1800 || i1.LongestGapSeconds != 3*3600 || i1.Updates != 2 || i1.Resolved == nil {
		t.Errorf("i1 %+v: want notice 1800 s, longest gap 3h, 2 updates, resolved", i1)
	}
	if i2.Postmortem == nil || !i2.Postmortem.Equal(jan(17, 0)) || i2.LongestGapSeconds != 1800 ||
		i2.URL != "https://status.acme.com/incidents/i2" {
		t.Errorf("i2 %+v: want its postmortem, longest gap 30m, its link", i2)
	}
	if i4.Resolved != nil || i4.LongestGapSeconds != 4*3600 {
		t.Errorf("i4 %+v: want open, silent 4h at the period's end", i4)
	}
	if len(v.Maintenances) != 2 || v.Maintenances[0].ID != "m1" || !v.Maintenances[0].ShortNotice ||
		v.Maintenances[0].NoticeSeconds == nil || *v.Maintenances[0].NoticeSeconds != 86400 || v.Maintenances[1].ID != "m2" || v.Maintenances[1].ShortNotice {
		t.Errorf("maintenances %+v: want m1 short (24h), m2 not", v.Maintenances)
	}
	// The recording rule's ratio: short notices counted in the period
	// (m1's, at its start) over the maintenances whose notice was observed
	// in it, the same set (m1 and m2 started in it; m2 was announced
	// before, so the announced count, 1, is not the denominator): 1 - 1/2.
	if ind := indicator(t, v, "maintenance_notice_compliance"); ind.Value == nil || *ind.Value != 0.5 || ind.Samples != 2 ||
		ind.Target == nil || *ind.Target != 1 || ind.Met == nil || *ind.Met {
		t.Errorf("maintenance notice compliance %s of %d target %s, want 0.5 of 2 against 1, missed", val(ind.Value), ind.Samples, val(ind.Target))
	}
	if v.Volume.Maintenances != 1 || v.Volume.Incidents != 2 {
		t.Errorf("volume %+v, want 1 maintenance (m1) and 2 incidents (i2, i4) announced in the period", v.Volume)
	}
	// Postmortems published in the period (i2's) per incident counted in
	// it (i2, i4: i1 was announced before).
	if ind := indicator(t, v, "postmortem_rate"); ind.Value == nil || *ind.Value != 0.5 || ind.Samples != 2 {
		t.Errorf("postmortem rate %s of %d, want 0.5 of 2", val(ind.Value), ind.Samples)
	}
	if len(v.Drills) != 2 || v.Drills[0].ID != "d1" || v.Drills[0].FirstResponseSeconds == nil ||
		*v.Drills[0].FirstResponseSeconds != 5400 || v.Drills[0].Ticket == nil || v.Drills[0].Ticket.URL != "https://acme.zendesk.com/hc/requests/77" {
		t.Errorf("drills %+v, want d1 answered in 5400 s", v.Drills)
	} else if d := v.Drills[1]; d.ID != "d2" || d.Ticket != nil || !d.Ran.Equal(jan(14, 3)) {
		t.Errorf("drill %+v, want d2 that filed no ticket, ran when it ended", d)
	}
	if len(v.Docs) != 1 || v.Docs[0].Pages != 3 || v.Docs[0].UpdatedInPeriod != 1 || v.Docs[0].Undated != 1 {
		t.Errorf("docs %+v, want 3 pages, 1 updated in the period, 1 undated", v.Docs)
	}
	if len(v.Contracts) != 1 || len(v.Contracts[0].Periods) != 1 {
		t.Fatalf("contracts %+v, want the api agreement's January", v.Contracts)
	}
	p := v.Contracts[0].Periods[0]
	if !p.Start.Equal(jan(1, 0)) || p.Availability == nil || *p.Availability >= 1 || p.ClaimDeadline == nil {
		t.Errorf("contract period %+v, want January with the hour's outage and a claim deadline", p)
	}
}

// TestIncidentOfUnknownEnd: an incident of a format that never says when
// it ended is listed when announced in the period, with the gaps between
// its posts only (no silence to the period's end: it may have ended).
func TestIncidentOfUnknownEnd(t *testing.T) {
	cfg := testConfig(t, sectionsYAML)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := newCollector(t.Context(), &Options{Store: st, Config: cfg}, cfg.Vendors[0], from, to)
	h := time.Hour
	for _, i := range []item.Incident{
		{ID: "before", CreatedAt: from.Add(-h), ResolutionUnknown: true},
		{ID: "in", CreatedAt: from.Add(h), Updates: []time.Time{from.Add(3 * h)}, ResolutionUnknown: true},
	} {
		if err := c.incident("status", &i, []time.Time{i.CreatedAt}); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.incidents) != 1 {
		t.Fatalf("incidents %+v, want the one announced in the period", c.incidents)
	}
	if got := c.incidents[0].inc; got.ID != "in" || got.Resolved != nil || got.LongestGapSeconds != 2*3600 || got.Updates != 1 {
		t.Errorf("incident %+v, want its 2h between posts only", got)
	}
}

// TestStatusOnlyVendor: a vendor without a ticket source has no ticket
// rows, SLA rows or ticket charts, even with SLA targets configured.
func TestStatusOnlyVendor(t *testing.T) {
	cfg := testConfig(t, `vendors:
  - name: cloud
    sla:
      first_response: {urgent: 1h}
    status_pages:
      - {name: status, kind: statuspage, url: "https://status.cloud.com"}
`)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(store.SourceKey{Vendor: "cloud", Source: "status"}, func(tx *store.Tx) error { return tx.SetSyncedAt(synced) }); err != nil {
		t.Fatal(err)
	}
	r, err := Build(t.Context(), Options{Store: st, Config: cfg, Vendors: []string{"cloud"}, Period: Period{From: from, To: to}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	v := r.Vendors[0]
	if v.Sections.Tickets || !v.Sections.Status || len(v.SLA) != 0 || len(v.Charts.WeeklyFirstResponse) != 0 {
		t.Errorf("sections %+v, %d SLA rows, %d weekly points: want no ticket part", v.Sections, len(v.SLA), len(v.Charts.WeeklyFirstResponse))
	}
	for _, ind := range v.Indicators {
		if ind.Dimension == ResponseSpeed || ind.Dimension == Resolution {
			t.Errorf("indicator %s without a ticket source", ind.ID)
		}
	}
	if ind := indicator(t, v, "vendor_first_ratio"); ind.Value != nil {
		t.Errorf("vendor-first ratio %s without any incident, want no data", val(ind.Value))
	}
}
