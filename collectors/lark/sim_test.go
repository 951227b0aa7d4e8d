package lark

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
	"github.com/support-exporter/support_exporter/simulator"
)

// simKind is what these tests declare of the kind (package collectors
// holds the whole declaration).
var simKind = config.Kind{Name: simulator.KindLark, Feeds: config.FeedsTickets, Options: NewOptions,
	Credentials: config.Credentials{Accepts: []config.Auth{config.AuthBasic}, Required: true}}

func simSource(t *testing.T, sim *simulator.Sim, c *collectortest.Clock, store *collectortest.Store) (source.Source, *collectortest.Wire) {
	t.Helper()
	env, wire := collectortest.SimEnv(t, simKind, sim.SourceYAML(collectortest.SimVendor, simulator.KindLark), c.Now)
	env.Stored = store.Stored
	return collectortest.NewSource(t, New, env), wire
}

func mustSync(t *testing.T, src source.Source, store *collectortest.Store) {
	t.Helper()
	if err := src.Sync(context.Background(), store.Cursor(), store.Emit); err != nil {
		t.Fatal(err)
	}
}

// TestRequestsPerPoll measures what docs/sources.md says a poll costs, and
// checks the tickets against the simulation's truth.
func TestRequestsPerPoll(t *testing.T) {
	sim, clock := collectortest.SmallWorld(t, 60)
	store := collectortest.NewStore()
	src, wire := simSource(t, sim, clock, store)
	mustSync(t, src, store)
	first := wire.Sent()
	tokens, lists := wire.Count(tokenPath), wire.Count("/open-apis/im/v1/messages?")
	t.Logf("first sync: %d requests: %d token, %d list", len(first), tokens, lists)
	if tokens != 1 || lists+tokens != len(first) {
		t.Errorf("first sync sent %v", first)
	}
	truth := sim.Truth(collectortest.SimVendor, collectortest.SimStart)
	got := store.Tickets()
	if len(got) != len(truth.Tickets) {
		t.Fatalf("%d tickets stored, the vendor has %d", len(got), len(truth.Tickets))
	}
	// The basic_auth of the source's http_client never goes with a
	// message request: it carries the bearer token.
	for i, h := range wire.Headers() {
		if strings.Contains(first[i], "/im/v1/messages") && !strings.HasPrefix(h.Get("Authorization"), "Bearer t-") {
			t.Fatalf("request %s carries Authorization %q", first[i], h.Get("Authorization"))
		}
	}
	solved, replies := 0, 0
	for _, tk := range got {
		if tk.Status == item.StatusSolved {
			solved++
		}
		for _, e := range tk.Events {
			if e.Kind == item.EventVendorReply {
				replies++
			}
		}
	}
	wantSolved, wantReplies := 0, 0
	for _, tr := range truth.Tickets {
		if tr.Status == "solved" || tr.Status == "closed" {
			wantSolved++
		}
		wantReplies += tr.Replies
	}
	msgs := len(got)
	for _, tk := range got {
		for _, e := range tk.Events {
			if e.Kind == item.EventVendorReply || e.Kind == item.EventCustomerReply {
				msgs++
			}
		}
	}
	t.Logf("%d tickets with %d messages (and the bot's escalations) over %s", len(got), msgs, collectortest.SmallVendor(0).History)
	if solved != wantSolved || replies != wantReplies {
		t.Errorf("%d solved and %d vendor replies stored, the vendor has %d and %d", solved, replies, wantSolved, wantReplies)
	}

	// A poll an hour later: the token is kept, the window listed again.
	wire.Reset()
	clock.Add(time.Hour)
	mustSync(t, src, store)
	t.Logf("poll an hour later: %d requests %v", len(wire.Sent()), wire.Sent())
	if wire.Count(tokenPath) != 0 || wire.Count("/im/v1/messages?") < 1 {
		t.Errorf("poll sent %v", wire.Sent())
	}
	// Two hours later the token has expired: one token request more.
	wire.Reset()
	clock.Add(2 * time.Hour)
	mustSync(t, src, store)
	if wire.Count(tokenPath) != 1 {
		t.Errorf("poll after the token's life sent %v", wire.Sent())
	}
}
