package azuresupport

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// decl is the kind as collectors.Kinds declares it, for SimEnv.
var decl = config.Kind{
	Name: "azure_support", Feeds: config.FeedsTickets, DefaultURL: DefaultURL,
	Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBearer}, Required: true},
	Options:     NewOptions,
}

// TestSimulatedSubscription syncs the simulated subscription through the
// oauth2 client credentials flow and checks every ticket against the
// world's truth, then counts what a caught-up poll and a poll after six
// hours cost (docs/sources.md, Cost).
func TestSimulatedSubscription(t *testing.T) {
	const tickets = 250
	sim, clock := collectortest.SmallWorld(t, tickets)
	store := collectortest.NewStore()
	env, wire := collectortest.SimEnv(t, decl, sim.SourceYAML(collectortest.SimVendor, simulator.KindAzureSupport), clock.Now)
	env.Stored = store.Stored
	src := collectortest.NewSource(t, New, env)
	sync := func() {
		t.Helper()
		wire.Reset()
		if err := src.Sync(fetch.StartSync(context.Background(), 10000), nil, store.Emit); err != nil {
			t.Fatalf("sync: %v", err)
		}
	}
	sync()
	// The query as Azure's SDKs write it (testdata/README.md, the CLI's
	// recorded request): OData keys as they are, spaces as %20.
	if q := wire.Sent()[0]; !strings.Contains(q, "?api-version=2024-04-01&$filter=createdDate%20ge%20") || !strings.HasSuffix(q, "&$top=100") {
		t.Errorf("the first request %q is not written as Azure's SDKs write it", q)
	}
	checkTruth(t, sim, clock.Now(), store.Tickets())
	first := len(wire.Sent())
	// Every ticket's communications are read once, a page of 10 at a time.
	comms, more := 0, 0
	for _, r := range wire.Sent() {
		if strings.Contains(r, "/communications?") {
			comms++
			if strings.Contains(r, "skiptoken") {
				more++
			}
		}
	}
	if comms-more != tickets || first != 3+comms {
		t.Errorf("the first sync sent %d requests, %d for communications (%d next pages); want 3 ticket pages and a first page of communications per ticket", first, comms, more)
	}

	// A caught-up poll reads the communications of every open ticket and
	// of those closed less than closedGrace ago, and stores nothing.
	due := func() map[string]bool {
		out := map[string]bool{}
		for id, tk := range store.Tickets() {
			solvedAt := time.Time{}
			for _, e := range tk.Events {
				if e.Kind == item.EventSolved {
					solvedAt = e.At
				}
			}
			if tk.Status != item.StatusSolved || clock.Now().Sub(solvedAt) < closedGrace {
				out[id] = true
			}
		}
		return out
	}
	read := func() map[string]bool {
		out := map[string]bool{}
		for _, r := range wire.Sent() {
			if before, _, ok := strings.Cut(r, "/communications?"); ok {
				out[before[strings.LastIndex(before, "/")+1:]] = true
			}
		}
		return out
	}
	want := due()
	stored := store.Tickets()
	sync()
	caughtUp, caughtUpTickets := len(wire.Sent()), len(want)
	if got := read(); !maps.Equal(got, want) || caughtUp-wire.Count("communications") != 3 {
		t.Errorf("a caught-up poll read the communications of %d tickets, want the %d open or closed less than %v ago; %d requests in all", len(got), len(want), closedGrace, caughtUp)
	}
	for id, tk := range store.Tickets() {
		if b := stored[id]; b.Seen != tk.Seen || len(b.Events) != len(tk.Events) {
			t.Errorf("ticket %s changed in a caught-up poll", id)
		}
	}

	clock.Add(6 * time.Hour)
	before := store.Tickets()
	want = due()
	sync()
	checkTruth(t, sim, clock.Now(), store.Tickets())
	changed := 0
	for id, tk := range store.Tickets() {
		if b, ok := before[id]; !ok || b.Seen != tk.Seen {
			changed++
			want[id] = true // new, or modified (a closed one reopened)
		}
	}
	pages := (len(store.Tickets()) + 99) / 100
	if got := read(); !maps.Equal(got, want) || len(wire.Sent())-wire.Count("communications") != pages {
		t.Errorf("six hours later: %d requests, the communications of %d tickets; want %d pages and those of %d tickets (open, closed within %v, modified or new)", len(wire.Sent()), len(got), pages, len(want), closedGrace)
	}
	t.Logf("first sync %d requests, caught up %d (%d tickets' communications), six hours later %d (%d tickets' communications, %d modifiedDates changed)",
		first, caughtUp, caughtUpTickets, len(wire.Sent()), len(read()), changed)
}

// checkTruth checks every stored ticket against the world's truth.
func checkTruth(t *testing.T, sim *simulator.Sim, now time.Time, got map[string]item.Ticket) {
	t.Helper()
	truth := sim.Truth(collectortest.SimVendor, now)
	if len(got) != len(truth.Tickets) {
		t.Fatalf("stored %d tickets, the world has %d", len(got), len(truth.Tickets))
	}
	for _, tt := range truth.Tickets {
		id := tt.Created.UTC().Format("060102") + fmt.Sprintf("%010d", tt.ID)
		tk, ok := got[id]
		if !ok {
			t.Errorf("ticket %s (world %d) missing", id, tt.ID)
			continue
		}
		wantStatus := item.StatusOpen
		switch tt.Status {
		case "solved", "closed":
			wantStatus = item.StatusSolved
		case "pending", "hold": // after a message of the vendor's
			wantStatus = item.StatusPending
		}
		fig := tk.Figures
		switch {
		case tk.Status != wantStatus:
			t.Errorf("ticket %s: status %s, want %s (world %s)", id, tk.Status, wantStatus, tt.Status)
		case !tk.CreatedAt.Equal(tt.Created) || tk.UpdatedAt.After(tt.Updated) || tk.UpdatedAt.Before(tk.CreatedAt):
			// Azure shows no change but its status, severity and
			// communications: the world's later steps (a close after the
			// solve) do not show.
			t.Errorf("ticket %s: created %v updated %v, want %v and at most %v", id, tk.CreatedAt, tk.UpdatedAt, tt.Created, tt.Updated)
		case fig == nil || fig.FirstResponseSLA == nil:
			t.Errorf("ticket %s: no first-response deadline", id)
		case !fig.FirstReplyAt.Equal(tt.FirstReply) || fig.Replies != tt.Replies:
			t.Errorf("ticket %s: first reply %v, %d replies; want %v, %d", id, fig.FirstReplyAt, fig.Replies, tt.FirstReply, tt.Replies)
		case fig.FirstResponseSLA.Breached != (!tt.FirstReply.IsZero() && tt.FirstReply.After(fig.FirstResponseSLA.Deadline)):
			t.Errorf("ticket %s: breached %v, first reply %v, deadline %v", id, fig.FirstResponseSLA.Breached, tt.FirstReply, fig.FirstResponseSLA.Deadline)
		}
		want := map[string]string{"urgent": "critical", "high": "moderate"}[tt.Priority]
		if want == "" {
			want = "minimal"
		}
		if tk.Priority != want {
			t.Errorf("ticket %s: priority %q, want %q (world %q)", id, tk.Priority, want, tt.Priority)
		}
	}
}
