package zendesk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// trackingTransport counts the requests in flight and keeps the error of
// each one that failed.
type trackingTransport struct {
	base     *http.Transport
	inFlight atomic.Int32

	mu       sync.Mutex
	failures []error
}

func (tr *trackingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tr.inFlight.Add(1)
	defer tr.inFlight.Add(-1)
	resp, err := tr.base.RoundTrip(r)
	if err != nil {
		tr.mu.Lock()
		tr.failures = append(tr.failures, err)
		tr.mu.Unlock()
	}
	return resp, err
}

// newTrackedTestSource is newTestSource with its requests tracked.
func newTrackedTestSource(t *testing.T, rawURL string) (source.Source, *trackingTransport) {
	t.Helper()
	tr := &trackingTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(tr.base.CloseIdleConnections)
	env := testEnv(rawURL, time.Time{})
	env.Config.Options = &Options{ExportRequestsPerMinute: 1_000_000}
	env.HTTP = fetch.New(&http.Client{Transport: tr}, env.Limits, fetch.Options{Timeout: collectortest.Timeout})
	return collectortest.NewSource(t, New, env), tr
}

// assertCancelledAndEnded checks that the one failed request, the fetch
// ahead, was cancelled (not timed out) and had ended when Sync returned.
func assertCancelledAndEnded(t *testing.T, tr *trackingTransport) {
	t.Helper()
	if n := tr.inFlight.Load(); n != 0 {
		t.Errorf("%d requests still in flight after Sync returned", n)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.failures) != 1 || !errors.Is(tr.failures[0], context.Canceled) {
		t.Errorf("failed requests %v, want the fetch ahead cancelled", tr.failures)
	}
}

// While a page is emitted the next one is already requested, and no other.
func TestSyncFetchesNextPageWhileEmitting(t *testing.T) {
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{
		"":   ticketPage(t, "c1", false, 1),
		"c1": ticketPage(t, "c2", false, 2),
		"c2": ticketPage(t, "c3", true, 3),
	})
	var rec collectortest.Recorder
	emit := func(b item.Batch) error {
		wantRequests := len(rec.Batches) + 2 // pages emitted, this one and the next
		if cursor := string(b.Cursor); cursor != "c3" {
			// The next page's request carries this page's cursor.
			fake.awaitRequest(t, cursor)
		} else {
			wantRequests = 3
		}
		if n := len(fake.queries()); n != wantRequests {
			t.Errorf("emitting page %d: %d requests sent, want %d", len(rec.Batches)+1, n, wantRequests)
		}
		return rec.Emit(b)
	}
	if err := newTestSource(t, srv.URL, time.Time{}).Sync(context.Background(), nil, emit); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(cursors(rec.Batches), ","), "c1,c2,c3"; got != want {
		t.Errorf("batch cursors %s, want %s", got, want)
	}
}

func TestSyncCancelsFetchAheadWhenEmitFails(t *testing.T) {
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{
		"":   ticketPage(t, "c1", false, 1),
		"c1": {hang: true},
	})
	src, tr := newTrackedTestSource(t, srv.URL)
	errStore := errors.New("store full")
	emit := func(item.Batch) error {
		fake.awaitRequest(t, "c1") // page 2 is on its way
		return errStore
	}
	err := src.Sync(context.Background(), nil, emit)
	if !errors.Is(err, errStore) || !strings.Contains(err.Error(), "storing export page 1") {
		t.Errorf("error %v, want the emit error of page 1", err)
	}
	assertCancelledAndEnded(t, tr)
	if n := len(fake.queries()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestSyncCancelledWhileEmitting(t *testing.T) {
	fake, srv := newFakeZendesk(t, "", map[string]fakePage{
		"":   ticketPage(t, "c1", false, 1),
		"c1": {hang: true},
	})
	src, tr := newTrackedTestSource(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rec collectortest.Recorder
	emit := func(b item.Batch) error {
		fake.awaitRequest(t, "c1")
		cancel() // a reload or shutdown while the page is stored
		return rec.Emit(b)
	}
	err := src.Sync(ctx, nil, emit)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "export page 2") {
		t.Errorf("error %v, want page 2 cancelled", err)
	}
	if got := cursors(rec.Batches); len(got) != 1 || got[0] != "c1" {
		t.Errorf("batch cursors %q, want [c1]: the page being stored is kept", got)
	}
	assertCancelledAndEnded(t, tr)
}
