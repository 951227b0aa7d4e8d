package exporter

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// TestReloadTimestampAndPollIntervals: the reload timestamp is set by the
// first configuration, kept by a failed reload and moved by a good one;
// each source serves the poll interval it runs under.
func TestReloadTimestampAndPollIntervals(t *testing.T) {
	t.Parallel()
	e, _, zd, sp := startAcme(t, slaOneHour)
	first := e.LastReloadSuccess()
	if first.IsZero() {
		t.Fatal("LastReloadSuccess() is zero after the first Apply")
	}
	intervals := func() map[string]time.Duration {
		got := map[string]time.Duration{}
		for _, s := range e.SourceStatuses() {
			got[s.Source] = s.PollInterval
		}
		return got
	}
	for source, d := range intervals() {
		if d != 200*time.Millisecond {
			t.Errorf("source %s poll interval %v, want the config's 200ms", source, d)
		}
	}

	if err := e.Reload(func() (*config.Config, error) { return nil, errors.New("no such file") }); err == nil {
		t.Fatal("a failed load reported success")
	}
	if got := e.LastReloadSuccess(); !got.Equal(first) {
		t.Errorf("LastReloadSuccess() after a failed reload = %v, want %v kept", got, first)
	}

	slower := strings.Replace(acmeConfig(zd.URL(), sp.URL(), slaOneHour), "poll_interval: 200ms", "poll_interval: 1h", 1)
	if err := e.Reload(func() (*config.Config, error) {
		return config.Parse([]byte(slower), "test.yml", collectors.Kinds.Config())
	}); err != nil {
		t.Fatalf("good reload: %v", err)
	}
	if got := e.LastReloadSuccess(); got.Before(first) {
		t.Errorf("LastReloadSuccess() after a good reload = %v, before the first %v", got, first)
	}
	got := intervals()
	if len(got) == 0 {
		t.Fatal("no sources")
	}
	for source, d := range got {
		if d != time.Hour {
			t.Errorf("after the reload, source %s poll interval %v, want 1h", source, d)
		}
	}
}
