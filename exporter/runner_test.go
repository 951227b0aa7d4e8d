package exporter

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/exposition"
	"github.com/support-exporter/support_exporter/exporter/quality"
	"github.com/support-exporter/support_exporter/exporter/store"
)

func TestSyncLoopStoresAndCounts(t *testing.T) {
	t.Parallel()
	e, st, zd, sp := startAcme(t, slaOneHour)

	v := vendorSnapshot(e, "acme")
	if !v.Tickets || !v.Status {
		t.Errorf("vendor snapshot Tickets=%v Status=%v, want both: acme has a ticket source and a status page", v.Tickets, v.Status)
	}
	if want := []quality.ComponentStatus{{Component: "API", Status: "operational"}}; !reflect.DeepEqual(v.Components, want) {
		t.Errorf("components = %v, want %v", v.Components, want)
	}
	if v.Incidents[quality.ImpactMinor] != 1 {
		t.Errorf("minor incidents = %d, want 1 (%v)", v.Incidents[quality.ImpactMinor], v.Incidents)
	}
	if got := storedTickets(t, st, supportKey); got != 2 {
		t.Errorf("stored tickets = %d, want 2", got)
	}
	if _, incidents, _ := storedCounts(t, st, statusKey); incidents != 1 {
		t.Errorf("stored incidents = %d, want 1", incidents)
	}
	if cursor, err := st.Cursor(supportKey); err != nil || string(cursor) != zendeskCursor {
		t.Errorf("stored cursor = %q (err %v), want %q", cursor, err, zendeskCursor)
	}

	// Later syncs resume from the stored cursor and count nothing twice.
	// The fakes see a request when it arrives, the exporter counts it once
	// answered: wait for both.
	counted := func(key store.SourceKey) uint64 {
		s, _ := sourceStatusOf(e, key)
		return s.Requests["200"]
	}
	waitFor(t, "more syncs", func() (bool, string) {
		return len(zd.requests()) >= 3 && sp.requests() >= 9 && counted(supportKey) >= 3 && counted(statusKey) >= 9,
			fmt.Sprintf("zendesk %d, statuspage %d requests; counted %d and %d", len(zd.requests()), sp.requests(), counted(supportKey), counted(statusKey))
	})
	qs := zd.requests()
	if !qs[0].Has("start_time") || qs[0].Get("include") != "metric_sets" {
		t.Errorf("first export request = %v, want start_time and include=metric_sets", qs[0])
	}
	for i, q := range qs[1:] {
		if q.Get("cursor") != zendeskCursor || q.Has("start_time") {
			t.Errorf("export request %d = %v, want a resume from cursor %q", i+1, q, zendeskCursor)
		}
	}
	if got := ticketsCreated(e, "acme"); got != wantAcmeCreated {
		t.Errorf("TicketsCreated after more syncs = %v, want %v", got, wantAcmeCreated)
	}
	if got := vendorSnapshot(e, "acme").Incidents[quality.ImpactMinor]; got != 1 {
		t.Errorf("minor incidents after more syncs = %d, want 1: the page lists it on every sync", got)
	}

	for _, tt := range []struct {
		key  store.SourceKey
		kind string
		// min200 is the least number of requests answered 200 by now: the
		// export takes one per sync, a status page three.
		min200 uint64
	}{{supportKey, "zendesk", 3}, {statusKey, "statuspage", 9}} {
		s, ok := sourceStatusOf(e, tt.key)
		switch {
		case !ok:
			t.Errorf("%v missing from SourceStatuses", tt.key)
		case !s.Up || s.Kind != tt.kind || s.LastError != "":
			t.Errorf("%v = %+v, want up, kind %s, no error", tt.key, s, tt.kind)
		case s.Requests["200"] < tt.min200 || len(s.Requests) != 1:
			t.Errorf("%v requests = %v, want only code 200, at least %d", tt.key, s.Requests, tt.min200)
		case s.LastSuccess.IsZero() || s.LastSync.Before(s.LastSuccess) || s.LastDuration <= 0:
			t.Errorf("%v times: last sync %v, last success %v, duration %v", tt.key, s.LastSync, s.LastSuccess, s.LastDuration)
		case len(s.Errors) != 0:
			t.Errorf("%v errors = %v, want none", tt.key, s.Errors)
		}
	}
}

func TestSyncLoopFailureAndRecovery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		key, other store.SourceKey
		fail       func(zd *fakeZendesk, sp *fakeStatuspage, status int)
	}{
		{"zendesk", supportKey, statusKey, func(zd *fakeZendesk, _ *fakeStatuspage, status int) { zd.fail(status) }},
		{"statuspage", statusKey, supportKey, func(_ *fakeZendesk, sp *fakeStatuspage, status int) { sp.fail(status) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, st, zd, sp := startAcme(t, slaOneHour)

			tt.fail(zd, sp, http.StatusInternalServerError)
			waitFor(t, "the source to go down", statusCond(e, tt.key, func(s exposition.SourceStatus) bool { return !s.Up }))
			down, _ := sourceStatusOf(e, tt.key)
			if down.Errors["http"] == 0 || down.Requests["500"] == 0 || down.LastError == "" {
				t.Errorf("down status = %+v, want an http error, a 500 request and the last error", down)
			}
			if down.LastSuccess.IsZero() || !down.LastSync.After(down.LastSuccess) {
				t.Errorf("down status: last sync %v, last success %v: want the earlier success kept", down.LastSync, down.LastSuccess)
			}
			for reason, n := range down.Errors {
				if reason != "http" {
					t.Errorf("errors[%q] = %d, want only http errors", reason, n)
				}
			}
			if s, _ := sourceStatusOf(e, tt.other); !s.Up {
				t.Errorf("the other source went down too: %+v", s)
			}

			tt.fail(zd, sp, 0)
			waitFor(t, "the source to recover", statusCond(e, tt.key, func(s exposition.SourceStatus) bool { return s.Up }))
			up, _ := sourceStatusOf(e, tt.key)
			if up.LastError != "" || !up.LastSuccess.After(down.LastSync) {
				t.Errorf("recovered status = %+v, want no last error and a success after the failure at %v", up, down.LastSync)
			}
			if up.Errors["http"] < down.Errors["http"] {
				t.Errorf("errors[http] went down from %d to %d", down.Errors["http"], up.Errors["http"])
			}
			if got := ticketsCreated(e, "acme"); got != wantAcmeCreated {
				t.Errorf("TicketsCreated = %v, want %v", got, wantAcmeCreated)
			}
			if got := storedTickets(t, st, supportKey); got != 2 {
				t.Errorf("stored tickets = %d, want 2", got)
			}
		})
	}
}

func TestStopAbortsHangingRequest(t *testing.T) {
	t.Parallel()
	e, _ := newTestExporter(t)
	zd, sp := newFakeZendesk(t, acmeTickets()...), newFakeStatuspage(t)
	zd.hangRequests()
	// A request timeout far beyond waitTimeout: only cancellation can end
	// the hanging request in time.
	cfg := parseConfig(t, strings.Replace(acmeConfig(zd.URL(), sp.URL(), slaOneHour), "request_timeout: 5s", "request_timeout: 1h", 1))
	if err := e.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	select {
	case <-zd.hung:
	case <-time.After(waitTimeout):
		t.Fatal("the export request never arrived")
	}

	stopped := make(chan struct{})
	go func() {
		e.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(waitTimeout):
		t.Fatal("Stop did not return while a request hung")
	}

	s, _ := sourceStatusOf(e, supportKey)
	if len(s.Errors) != 0 || !s.LastSync.IsZero() || s.Up {
		t.Errorf("status after Stop = %+v: an aborted sync must not count as the vendor's failure nor as a sync", s)
	}
	e.Stop() // a second Stop has nothing left to stop
}
