package exporter

import (
	"maps"
	"sync"
	"time"

	"github.com/support-exporter/support_exporter/exporter/exposition"
)

// sourceStatus is the live sync state of one source. It outlives config
// reloads (keyed by vendor and source name) so that its counters never reset
// while the process runs.
type sourceStatus struct {
	mu sync.Mutex
	s  exposition.SourceStatus
	// syncedAt is when the last complete sync started: the instant up to
	// which the vendor's data is known to be stored.
	syncedAt time.Time
}

func newSourceStatus(vendor, source, kind string) *sourceStatus {
	return &sourceStatus{s: exposition.SourceStatus{
		Vendor: vendor, Source: source, Kind: kind,
		Requests: map[string]uint64{}, Errors: map[string]uint64{}, Rejected: map[string]uint64{},
	}}
}

// countRejected counts n items refused at the door for reason.
func (st *sourceStatus) countRejected(reason string, n int) {
	st.mu.Lock()
	st.s.Rejected[reason] += uint64(n)
	st.mu.Unlock()
}

func (st *sourceStatus) countRequest(code string) {
	st.mu.Lock()
	st.s.Requests[code]++
	st.mu.Unlock()
}

// finish records the outcome of a sync attempt.
func (st *sourceStatus) finish(end time.Time, took time.Duration, reason string, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.LastSync, st.s.LastDuration = end, took
	if err != nil {
		st.s.Up = false
		st.s.LastError = err.Error()
		st.s.Errors[reason]++
		return
	}
	st.s.Up, st.s.LastSuccess, st.s.LastError = true, end, ""
}

// setPollInterval records the source's configured poll interval.
func (st *sourceStatus) setPollInterval(d time.Duration) {
	st.mu.Lock()
	st.s.PollInterval = d
	st.mu.Unlock()
}

func (st *sourceStatus) setSyncedAt(t time.Time) {
	st.mu.Lock()
	if t.After(st.syncedAt) { // never back: judged values are not taken back (store.Tx.SetSyncedAt)
		st.syncedAt = t
	}
	st.mu.Unlock()
}

func (st *sourceStatus) lastSyncedAt() time.Time {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.syncedAt
}

func (st *sourceStatus) snapshot() exposition.SourceStatus {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.s
	s.Requests, s.Errors, s.Rejected = maps.Clone(s.Requests), maps.Clone(s.Errors), maps.Clone(s.Rejected)
	return s
}
