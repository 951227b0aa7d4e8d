package fetch

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

type syncKey struct{}

// StartSync returns a context for one sync of one source: every Get under
// it counts against a budget of maxRequests requests sent (any answer, or
// none, counts; maxRequests <= 0: no budget), and a request that this sync
// already sent and got a 2xx answer to is refused as a loop. A vendor whose
// "next page" link or cursor repeats, or never ends, so ends a sync
// without any collector checking it; the stored cursor is where the next
// sync resumes. Without StartSync (a collector's unit tests) neither check
// applies.
func StartSync(ctx context.Context, maxRequests int) context.Context {
	return context.WithValue(ctx, syncKey{}, &syncRun{max: maxRequests, answered: map[[sha256.Size]byte]bool{}})
}

// syncRun is the request count of one sync. Collectors may fetch in
// parallel, hence the mutex.
type syncRun struct {
	mu   sync.Mutex
	max  int
	sent int
	// answered holds a digest of each request that got a 2xx answer: a
	// bounded entry whatever the length of the vendor's cursors.
	answered map[[sha256.Size]byte]bool
}

func syncOf(ctx context.Context) *syncRun {
	r, _ := ctx.Value(syncKey{}).(*syncRun)
	return r
}

// conditionalHeaders change a request's answer while its URL stays: the
// same URL asked again with a new ETag is no loop, nor with a new
// credential set by the collector (Lark's tenant_access_token, renewed
// after Lark refused the old one with a 200 and an error code). Only a
// digest of them is kept.
var conditionalHeaders = []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Authorization"}

// requestKey identifies a request for the loop check: its full URL, query
// included, and its conditional headers.
func requestKey(rawURL string, h http.Header) [sha256.Size]byte {
	d := sha256.New()
	d.Write([]byte(rawURL))
	for _, k := range conditionalHeaders {
		for _, v := range h.Values(k) {
			fmt.Fprintf(d, "\x00%s:%s", k, v)
		}
	}
	var key [sha256.Size]byte
	d.Sum(key[:0])
	return key
}

// reserve counts a request about to be sent, or refuses it as a loop
// (when loopCheck: a GET) or over the budget. A nil run (no StartSync) allows everything.
func (r *syncRun) reserve(rawURL string, h http.Header, loopCheck bool) ([sha256.Size]byte, error) {
	if r == nil {
		return [sha256.Size]byte{}, nil
	}
	key := requestKey(rawURL, h)
	r.mu.Lock()
	defer r.mu.Unlock()
	if loopCheck && r.answered[key] {
		return key, LoopError(rawURL, errors.New("this sync already sent this request (same URL and conditional headers) and got its answer: "+
			"the vendor's paging leads in a circle; the next sync resumes from the stored cursor, and if every sync stops here, report the paging to the vendor"))
	}
	if r.max > 0 && r.sent >= r.max {
		return key, &Error{Reason: ReasonBudget, URL: stripQuery(rawURL), Err: fmt.Errorf(
			"this sync sent its %d requests (max_requests_per_sync): the next sync resumes from the stored cursor; "+
				"if a sync of this source needs more, raise max_requests_per_sync (docs/configuration.md)", r.max)}
	}
	r.sent++
	return key, nil
}

// unreserve gives back the count of a request that was not sent (its rate
// limit could not be waited for).
func (r *syncRun) unreserve() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent--
}

// answer records that the request of key got a 2xx answer.
func (r *syncRun) answer(key [sha256.Size]byte) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answered[key] = true
}
