package exposition

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

type reloadTimerState struct {
	*fakeState
	at time.Time
}

func (r reloadTimerState) LastReloadSuccess() time.Time { return r.at }

func TestPollIntervalAndReloadTimestamp(t *testing.T) {
	s := &fakeState{reloadOK: true, sources: []SourceStatus{
		{Vendor: "acme", Source: "helpdesk", Kind: "zendesk", PollInterval: 5 * time.Minute},
		{Vendor: "acme", Source: "status", Kind: "statuspage", PollInterval: 90 * time.Second},
		{Vendor: "acme", Source: "docs", Kind: "sitemap"}, // not running yet: no interval
	}}
	at := time.Date(2026, 3, 4, 10, 0, 0, 500_000_000, time.UTC)
	want := `
# HELP support_exporter_config_last_reload_success_timestamp_seconds When (Unix seconds) the running configuration was loaded: at start, then at each successful reload.
# TYPE support_exporter_config_last_reload_success_timestamp_seconds gauge
support_exporter_config_last_reload_success_timestamp_seconds 1.7726184005e+09
# HELP support_source_poll_interval_seconds Configured poll interval of the source (poll_interval): how often it syncs, give or take 10% jitter.
# TYPE support_source_poll_interval_seconds gauge
support_source_poll_interval_seconds{source="helpdesk",vendor="acme"} 300
support_source_poll_interval_seconds{source="status",vendor="acme"} 90
`
	names := []string{"support_source_poll_interval_seconds", "support_exporter_config_last_reload_success_timestamp_seconds"}
	if err := testutil.CollectAndCompare(New(reloadTimerState{s, at}), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// Before any configuration loaded, and from a State that does not
	// know: no timestamp (0 would read as 1970 to time() - x).
	for _, st := range []State{reloadTimerState{s, time.Time{}}, s} {
		if n := testutil.CollectAndCount(New(st), names[1]); n != 0 {
			t.Errorf("%T: %d reload timestamps, want none", st, n)
		}
	}
}
