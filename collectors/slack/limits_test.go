package slack

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// threadedHistory is a history page of n buyer messages, each with one
// vendor reply: a sync costs 1 history request and n replies requests.
func threadedHistory(n int) (string, map[string]string) {
	var msgs []string
	replies := map[string]string{}
	for i := range n {
		ts := fmt.Sprintf("17730%05d.000100", i*100)
		reply := fmt.Sprintf("17730%05d.000200", i*100+50)
		msgs = append(msgs, fmt.Sprintf(`{"type":"message","user":"UBUYER1","user_team":"TBUYER","ts":%q,"thread_ts":%q,"reply_count":1,"latest_reply":%q}`, ts, ts, reply))
		replies[ts] = fmt.Sprintf(`{"ok":true,"has_more":false,"messages":[
			{"type":"message","user":"UBUYER1","user_team":"TBUYER","ts":%q,"thread_ts":%q},
			{"type":"message","user":"UVENDOR1","user_team":"TVENDOR","ts":%q,"thread_ts":%q}]}`, ts, ts, reply, ts)
	}
	return `{"ok":true,"has_more":false,"messages":[` + strings.Join(msgs, ",") + `]}`, replies
}

// TestRequestsPerMinutePaces: the declared limit holds each method to
// requests_per_minute in any minute, without the wall clock: a request
// that would have to wait past the sync's deadline fails at once (the
// shared limiter's rule), so a sync with a 10 s deadline and a limit of 2
// replies requests a minute makes 2 of its 3, and fails saying why; the
// history request has its own window. With a limit of 4 the same sync
// needs no wait and succeeds.
func TestRequestsPerMinutePaces(t *testing.T) {
	for _, tc := range []struct {
		perMinute, wantReplies int
		wantErr                string
	}{
		// "longer than the time left": refused at once, not after waiting
		// out the deadline.
		{perMinute: 2, wantReplies: 2, wantErr: "declared limit of 2 requests per 1m0s: "},
		{perMinute: 4, wantReplies: 3},
	} {
		t.Run(fmt.Sprint(tc.perMinute), func(t *testing.T) {
			fake := &channelFake{}
			fake.set(threadedHistory(3))
			srv := httptest.NewServer(fake)
			defer srv.Close()
			env := collectortest.Env("slack", srv.URL, srv.Client())
			env.Config.Options = &Options{Channel: "C0SHARED", VendorTeams: []string{"TVENDOR"}, SolvedReaction: "white_check_mark", RereadWindow: 72 * time.Hour, RequestsPerMinute: tc.perMinute}
			src := collectortest.NewSource(t, New, env)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var rec collectortest.Recorder
			err := src.Sync(ctx, nil, rec.Emit)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "is longer than the time left")) {
				t.Fatalf("sync error %v, want %q", err, tc.wantErr)
			}
			if fake.threads != tc.wantReplies {
				t.Errorf("%d conversations.replies requests, want %d", fake.threads, tc.wantReplies)
			}
		})
	}
}

func TestRequestsPerMinuteChecked(t *testing.T) {
	o := NewOptions().(*Options)
	if o.RequestsPerMinute != 50 {
		t.Errorf("default requests_per_minute %d, want Slack's Tier 3, 50", o.RequestsPerMinute)
	}
	o.Channel, o.VendorUsers, o.RequestsPerMinute = "C0SHARED", []string{"UVENDOR1"}, 0
	var keys []string
	o.Check(func(key, format string, args ...any) { keys = append(keys, key) })
	if len(keys) != 1 || keys[0] != "requests_per_minute" {
		t.Errorf("Check reported %v, want requests_per_minute", keys)
	}
}
