package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// endlessBudget is the max_requests_per_sync of TestEndlessPages' sources.
const endlessBudget = 200

// jsmAgentPageCost is what a jira_service_management agent's search page
// costs at most: the page, and the comments and the SLA cycles of each of
// its 100 issues, and the desk scope (2 requests) when the sync refreshes it.
const jsmAgentPageCost = 1 + 2*100 + 2

// TestEndlessPages: every paged kind (every ticket kind and both accounts
// of jira_service_management, and cachet) meets a vendor whose paging never
// ends, first naming the same page as the next one, then ever new pages
// that bring nothing new (docs/configuration.md, "Request budget"). Each
// sync ends with reason loop or budget, the requests the vendor receives
// stay within the budget of each sync that met the fault, the exporter
// serves all along, and once the paging is sound again every source is up
// and holds everything its vendor shows.
func TestEndlessPages(t *testing.T) {
	t.Parallel()
	z := startZoo(t, zooOptions{
		status: []string{simulator.KindCachet},
		docs:   docsKinds,
		sourceYAML: func(src zooSource) string {
			budget := endlessBudget
			if src.kind == simulator.KindJSM && !src.customer {
				// A search page of 100 issues costs 201 requests (its
				// comments and SLA cycles), which a budget of 200 never
				// completes: TestRequestBudgetFirstSync.
				budget = jsmAgentPageCost
			}
			return fmt.Sprintf("        max_requests_per_sync: %d\n", budget)
		},
	})
	w := newWatcher(t, z.p, 250*time.Millisecond)
	lags := func(s series) string { return strings.Join(z.lags(s, nil), "; ") }
	w.until(60*time.Second, "every source synced", func(s series) bool { return lags(s) == "" }, lags)

	const lasts = 3 * time.Second
	for _, fault := range []simulator.Fault{simulator.FaultEndlessSame, simulator.FaultEndlessGrowing} {
		// Changes at the ticket vendors, so that the incremental lists
		// have a page to lead in a circle (a caught-up GitHub list is a
		// 304, which names no next page).
		z.ticketClock.advance(10 * time.Minute)
		was := w.scrape()
		sent := map[string]int{}
		srcs := z.playing(t, fault)
		for _, src := range srcs {
			sent[src.vendor] = src.requests()
			src.inject(t, simulator.Spec{Fault: fault, For: lasts})
		}
		injected := time.Now()
		// The fault lasts from the first request that meets it, which
		// comes before the sync that shows it ends. A sync ends by loop
		// or budget, or, where the walk stops by its own rule before
		// another page (zendesk_requests at the stored high-water mark,
		// cachet at the first page's total_pages), succeeds without ever
		// following the endless pages.
		var faultEnd time.Time
		coped := map[string]string{}
		errs := func(s series, src zooSource, reason string) float64 {
			v, _ := s.get("support_source_errors_total", append(src.labels(), "reason", reason)...)
			return v
		}
		w.wait(20*time.Second, "every source's syncs ended by loop or budget, or without following", func(s series) bool {
			for _, src := range srcs {
				if coped[src.vendor] != "" {
					continue
				}
				switch {
				case errs(s, src, "loop")+errs(s, src, "budget") > errs(was, src, "loop")+errs(was, src, "budget"):
					coped[src.vendor] = "ended by loop or budget"
				case src.syncedAfter(s, injected):
					coped[src.vendor] = "ended by its own rule, never following the endless pages"
				default:
					continue
				}
				faultEnd = time.Now().Add(lasts)
			}
			return len(coped) == len(srcs)
		}, func(series) string { return fmt.Sprintf("%d of %d sources coped", len(coped), len(srcs)) })
		w.during(time.Until(faultEnd))
		// Sound pages again: every source up, synced since, and holding
		// everything.
		after := w.until(30*time.Second, "every source recovered after "+fault.String(), func(s series) bool {
			return z.syncedAfter(s, faultEnd) && lags(s) == ""
		}, lags)
		for _, src := range srcs {
			requests := src.requests() - sent[src.vendor]
			failed := 0.0
			for _, reason := range []string{"network", "timeout", "rate_limited", "http", "auth", "decode", "too_large", "loop", "budget", "store"} {
				n := errs(after, src, reason) - errs(was, src, reason)
				failed += n
				if n > 0 && reason != "loop" && reason != "budget" {
					t.Errorf("%s %s: %v syncs failed with reason %s", src.vendor, fault, n, reason)
				}
			}
			// Every sync that met the fault failed; one more, the
			// recovery, succeeded. Each sent at most the budget.
			bound := endlessBudget * (int(failed) + 1)
			if src.kind == simulator.KindJSM && !src.customer {
				bound = jsmAgentPageCost * (int(failed) + 1)
			}
			t.Logf("%s %s: %s; %d requests in %v failed syncs (loop %v, budget %v) and the recovery; bound %d", src.vendor, fault,
				coped[src.vendor], requests, failed, errs(after, src, "loop")-errs(was, src, "loop"), errs(after, src, "budget")-errs(was, src, "budget"), bound)
			if requests > bound {
				t.Errorf("%s %s: the vendor received %d requests during the fault and the recovery, more than %d syncs' budgets", src.vendor, fault, requests, int(failed)+1)
			}
		}
	}
	if code, _ := z.p.get("/-/healthy"); code != 200 {
		t.Fatalf("exporter not healthy after the endless pages: %d", code)
	}
}

// firstSyncBudgets are TestRequestBudgetFirstSync's max_requests_per_sync
// of the kinds whose first sync of its world (300 tickets) costs fewer
// than endlessBudget requests, each about a third of that cost, and enough
// for a sync to store something (a smaller budget makes no progress):
//
//   - lark pages 50 messages a request and asks for a thread's replies only
//     where it has some: 34 to 40 requests; 10 reads a page and its
//     threads.
//   - aws_support's DescribeCases serves 32 cases with their five latest
//     communications (a request more only per case with more): 70 to 100
//     requests; 20, as collectors/awssupport's TestFirstSyncOverBudget.
//   - imap counts commands (its requests are those of its server, not the
//     proxy's: zooSource.requests): LOGIN and, per folder, STATUS,
//     EXAMINE, SEARCH and FETCHes of 200 messages each, a few dozen; 12
//     reads a chunk of every folder, as collectors/imap's TestSyncBudget.
//
// Every other kind costs a request per ticket at least, more than
// endlessBudget, except the Zendesk export, which serves 300 tickets in one
// request that no budget divides.
var firstSyncBudgets = map[string]int{
	simulator.KindLark:       10,
	simulator.KindAWSSupport: 20,
	simulator.KindIMAP:       12,
}

// TestRequestBudgetFirstSync: a first sync larger than the request budget
// completes over several syncs (docs/configuration.md, "Request budget"),
// for every ticket kind: 300 tickets each, max_requests_per_sync 200, or
// the kind's firstSyncBudgets.
func TestRequestBudgetFirstSync(t *testing.T) {
	t.Parallel()
	budgetOf := func(kind string) int {
		if b, ok := firstSyncBudgets[kind]; ok {
			return b
		}
		return endlessBudget
	}
	z := startZoo(t, zooOptions{
		noStatus: true, ticketsPerVendor: 300,
		sourceYAML: func(src zooSource) string {
			return fmt.Sprintf("        max_requests_per_sync: %d\n", budgetOf(src.kind))
		},
	})
	w := newWatcher(t, z.p, 250*time.Millisecond)
	lags := func(s series) string { return strings.Join(z.lags(s, nil), "; ") }
	s, _ := w.wait(25*time.Second, "every source holding every ticket", func(s series) bool { return lags(s) == "" }, lags)
	for _, src := range z.sources {
		budget, _ := s.get("support_source_errors_total", append(src.labels(), "reason", "budget")...)
		requests := src.requests()
		t.Logf("%s: %d requests, %v syncs ended by the budget of %d", src.vendor, requests, budget, budgetOf(src.kind))
		if src.kind != simulator.KindZendesk && budget == 0 {
			t.Errorf("%s: no sync ended by the budget of %d: the test did not exercise a first sync larger than the budget", src.vendor, budgetOf(src.kind))
		}
	}
}
