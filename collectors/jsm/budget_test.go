package jsm

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// syncWithin runs one sync of cs under a request budget, as the
// exporter does (fetch.StartSync), stores what it emits as syncs do, and
// counts the versions stored of each ticket.
func (cs *storingSource) syncWithin(budget int, stored map[string]int) error {
	return cs.src.Sync(fetch.StartSync(context.Background(), budget), cs.cursor, func(b item.Batch) error {
		for _, tk := range b.Tickets {
			cs.stored[tk.ID] = &tk
			stored[tk.ID]++
		}
		if b.Cursor != nil {
			cs.cursor = b.Cursor
		}
		return nil
	})
}

// syncsUntilDone syncs cs under the budget until a sync succeeds: each one
// before must end with reason budget and store something new. It returns
// the number of syncs.
func syncsUntilDone(t *testing.T, cs *storingSource, budget int, stored map[string]int) int {
	t.Helper()
	for n := 1; n <= 1000; n++ {
		before := len(stored)
		err := cs.syncWithin(budget, stored)
		if err == nil {
			return n
		}
		if fetch.Reason(err) != fetch.ReasonBudget {
			t.Fatalf("sync %d: %v, want the budget", n, err)
		}
		if len(stored) == before {
			t.Fatalf("sync %d ended by the budget without storing a new ticket (%d stored): no progress", n, before)
		}
	}
	t.Fatal("1000 syncs did not complete")
	return 0
}

// A first search larger than max_requests_per_sync completes over several
// syncs: each stores the issues it read before the budget ran out, within a
// page (about 2 requests an issue: comments and SLAs), and the next resumes
// after them. Every request is stored once.
func TestSearchLargerThanTheBudgetCompletes(t *testing.T) {
	var issues []fakeIssue
	for n := range 250 {
		issues = append(issues, plainIssue(n, time.Duration(n)*time.Minute))
	}
	f, srv := newFakeJSM(t, issues...)
	cs := newStoringSource(t, testEnv(srv.URL))
	stored := map[string]int{}
	// The scope (2 requests) and the search page (1) leave room for the
	// details of 3 issues in the first sync, 4 in the later ones.
	const budget = 10
	syncs := syncsUntilDone(t, cs, budget, stored)
	if len(stored) != len(issues) {
		t.Errorf("%d requests stored, want %d", len(stored), len(issues))
	}
	for id, n := range stored {
		if n != 1 {
			t.Errorf("request %s stored %d times", id, n)
		}
	}
	if syncs < len(issues)/4 {
		t.Errorf("%d syncs: fewer than the budget allows", syncs)
	}
	if sent, most := len(f.log()), syncs*budget; sent > most {
		t.Errorf("%d requests in %d syncs of %d", sent, syncs, budget)
	}
	if n := len(cs.sync(t)); n != 0 {
		t.Errorf("a sync after the last stored %d requests again", n)
	}
}

// A first listing larger than max_requests_per_sync completes over several
// syncs: the listing is stored with every batch, the requests still to read
// unmarked, so that each sync reads only what the previous ones did not.
// Each request is stored once, but for the first listed one, which every
// poll reads (see cursor.activity).
func TestCustomerListingLargerThanTheBudgetCompletes(t *testing.T) {
	issues := make([]fakeIssue, 250)
	for n := range issues {
		issues[n] = plainIssue(n, 0)
		issues[n].statusAt = t0.Add(time.Duration(n) * time.Minute) // 20249 first
	}
	f, env := newCustomerFake(t, issues...)
	cs := newStoringSource(t, env)
	stored := map[string]int{}
	// The 3 pages of the listing leave room for 17 comment requests a sync.
	const budget = 20
	syncs := syncsUntilDone(t, cs, budget, stored)
	if len(stored) != len(issues) {
		t.Errorf("%d requests stored, want %d", len(stored), len(issues))
	}
	first := issues[len(issues)-1].id
	for id, n := range stored {
		if id != first && n != 1 {
			t.Errorf("request %s stored %d times", id, n)
		}
	}
	if stored[first] != syncs {
		t.Errorf("first listed request stored %d times in %d syncs, want once a sync", stored[first], syncs)
	}
	if want := (len(issues) + 15) / 16; syncs > want+1 {
		t.Errorf("%d syncs, want about %d: a sync read again what an earlier one stored", syncs, want)
	}
	if sent, most := len(f.log()), syncs*budget; sent > most {
		t.Errorf("%d requests in %d syncs of %d", sent, syncs, budget)
	}
	before := len(f.log())
	if got := cs.sync(t); len(got) != 1 || got[0].ID != first {
		t.Errorf("a sync after the last stored %v, want the first listed request alone", ids(got))
	}
	if n := len(f.log()) - before; n != 4 {
		t.Errorf("a caught-up poll sent %d requests, want 3 pages and 1 comment request", n)
	}
}

func ids(tickets []item.Ticket) []string {
	out := make([]string, len(tickets))
	for i, tk := range tickets {
		out[i] = fmt.Sprint(tk.ID)
	}
	return out
}
