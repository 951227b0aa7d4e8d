package collectortest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// WantSyncError fails the test unless err is a sync error with the fetch
// reason (what the exporter counts failures by) and a message starting
// with prefix (the context a reader of the log needs).
func WantSyncError(tb testing.TB, err error, reason, prefix string) {
	tb.Helper()
	if err == nil {
		tb.Fatal("Sync succeeded, want an error")
	}
	if got := fetch.Reason(err); got != reason {
		tb.Errorf("reason = %q, want %q (error: %v)", got, reason, err)
	}
	if !strings.HasPrefix(err.Error(), prefix) {
		tb.Errorf("error = %q, want prefix %q", err, prefix)
	}
}

// WantEmitErrorReturned fails the test unless a sync of s returns the
// error of an emit that fails: a batch the store refused must not count as
// stored.
func WantEmitErrorReturned(tb testing.TB, s source.Source) {
	tb.Helper()
	stored := errors.New("store is read-only")
	err := s.Sync(context.Background(), nil, func(item.Batch) error { return stored })
	if !errors.Is(err, stored) {
		tb.Errorf("Sync error = %v, want %v", err, stored)
	}
}

// NewCase is one row of a constructor table: building a source from Env
// fails with an error containing WantErr, or succeeds when WantErr is "".
type NewCase struct {
	Name    string
	Env     source.Env
	WantErr string
}

// CheckNew runs the cases against factory, one subtest each. No error may
// contain any of secrets (passwords the cases put in URLs): errors are
// logged.
func CheckNew(t *testing.T, factory source.Factory, cases []NewCase, secrets ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			s, err := factory(tc.Env)
			switch {
			case tc.WantErr == "" && (err != nil || s == nil):
				t.Errorf("New = %v, %v; want a source", s, err)
			case tc.WantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.WantErr)):
				t.Errorf("New error = %v, want one containing %q", err, tc.WantErr)
			}
			for _, secret := range secrets {
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q repeats the secret %q", err, secret)
				}
			}
		})
	}
}

// CheckComponentNames fails the test when two components share a name: the
// store and the exposition key components by name.
func CheckComponentNames(tb testing.TB, components []item.Component) {
	tb.Helper()
	names := map[string]bool{}
	for _, c := range components {
		if names[c.Name] {
			tb.Errorf("component name %q twice", c.Name)
		}
		names[c.Name] = true
	}
}

// IncidentIDs are the ids of incidents, in order.
func IncidentIDs(incidents []item.Incident) []string {
	var out []string
	for _, i := range incidents {
		out = append(out, i.ID)
	}
	return out
}

// MaintenanceIDs are the ids of maintenances, in order.
func MaintenanceIDs(maintenances []item.Maintenance) []string {
	var out []string
	for _, m := range maintenances {
		out = append(out, m.ID)
	}
	return out
}
