package exporter

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/store"
)

// syncBuffer is a log sink safe for the runners' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestUnmatchedAgreementComponentWarned: after the status page's first
// sync, an agreement's component that the page does not name (the fake
// names one component, API) is logged once; one it names is not.
func TestUnmatchedAgreementComponentWarned(t *testing.T) {
	t.Parallel()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var logs syncBuffer
	e := New(t.Context(), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Store: st})
	t.Cleanup(e.Stop)
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	sla := slaOneHour + "\n    agreements:\n      - {name: cdn, measure: availability, components: [API, Api Gateway], period: month}"
	if err := e.Apply(parseConfig(t, acmeConfig(zd.URL(), sp.URL(), sla))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the status page to sync", statusCond(e, statusKey, func(s exposition.SourceStatus) bool { return s.Up }))
	waitFor(t, "the warning", func() (bool, string) {
		return strings.Contains(logs.String(), `component="Api Gateway"`), logs.String()
	})
	// Let a few more syncs pass (poll_interval 200ms): still one warning.
	waitFor(t, "more syncs", func() (bool, string) {
		return sp.requests() >= 6, fmt.Sprint(sp.requests())
	})
	out := logs.String()
	if n := strings.Count(out, "matches none of the vendor's status-page components"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, out)
	}
	if strings.Contains(out, "component=API") {
		t.Errorf("the component the page names was warned about:\n%s", out)
	}
}
