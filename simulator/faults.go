package simulator

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault is a failure the next requests to an API suffer (see Sim.Inject).
type Fault int

// Faults, each as a real vendor or network produces it.
const (
	// FaultRateLimit answers 429 with Retry-After: 1 and exhausted
	// rate-limit headers.
	FaultRateLimit Fault = iota + 1
	// FaultServerError answers 500.
	FaultServerError
	// FaultTimeout holds the request 35 s (past a 30 s client timeout) or
	// until the client goes away, then answers normally.
	FaultTimeout
	// FaultMalformed answers 200 with the first half of the real body: JSON
	// that ends too early. The real body is the answer to the request made
	// unconditional, so that a page the client holds (GitHub's 304) still
	// has a body to damage.
	FaultMalformed
	// FaultTruncated answers 200 with a Content-Length of the whole real
	// body (unconditional, as for FaultMalformed), sends half of it and
	// closes the connection.
	FaultTruncated
	// FaultUnauthorized answers 401 as the API itself answers a revoked
	// credential (each vendor has its own body and headers); an API that
	// checks no credential, a public status page, answers as Zendesk does.
	FaultUnauthorized
)

func (f Fault) String() string {
	switch f {
	case FaultRateLimit:
		return "rate_limit"
	case FaultServerError:
		return "server_error"
	case FaultTimeout:
		return "timeout"
	case FaultMalformed:
		return "malformed"
	case FaultTruncated:
		return "truncated"
	case FaultUnauthorized:
		return "unauthorized"
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// timeoutHold outlasts the exporter's default 30 s request timeout.
const timeoutHold = 35 * time.Second

// serveFault answers r with fault f; api is the real handler, whose answer
// the malformed and truncated faults damage.
func serveFault(rw http.ResponseWriter, r *http.Request, f Fault, api http.Handler, closing <-chan struct{}) {
	switch f {
	case FaultRateLimit:
		h := rw.Header()
		for _, k := range []string{"X-Rate-Limit", "Ratelimit-Limit"} {
			h.Set(k, strconv.Itoa(accountLimit))
		}
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("Ratelimit-Remaining", "0")
		h.Set("Ratelimit-Reset", "1")
		writeRateLimited(rw, time.Second, "Number of allowed API requests per minute exceeded")
	case FaultServerError:
		http.Error(rw, "Internal Server Error", http.StatusInternalServerError)
	case FaultUnauthorized:
		serveRevoked(rw, r, api)
	case FaultTimeout:
		t := time.NewTimer(timeoutHold)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-closing:
		case <-t.C:
			api.ServeHTTP(rw, r)
		}
	case FaultMalformed, FaultTruncated:
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, unconditional(r))
		body := rec.Body.Bytes()
		if f == FaultMalformed {
			writeDamaged(rw, rec, body[:len(body)/2], len(body)/2)
			return
		}
		writeDamaged(rw, rec, body[:len(body)/2], len(body))
	default:
		http.Error(rw, "unknown fault "+f.String(), http.StatusInternalServerError)
	}
}

// unconditional is r without the headers that let an API answer 304 Not
// Modified and no body.
func unconditional(r *http.Request) *http.Request {
	u := r.Clone(r.Context())
	for _, h := range []string{"If-None-Match", "If-Modified-Since"} {
		u.Header.Del(h)
	}
	return u
}

// serveRevoked answers r as api answers it once its credential is revoked:
// r with its secret spoiled, or with a bearer token when it carries none
// (an API that also serves anonymous calls, as GitHub's does, refuses a bad
// token). An API that answers anything but 401 checks no credential: the
// client gets Zendesk's 401 instead.
func serveRevoked(rw http.ResponseWriter, r *http.Request, api http.Handler) {
	revoked := r.Clone(r.Context())
	if user, pass, ok := r.BasicAuth(); ok {
		revoked.SetBasicAuth(user, pass+"-revoked")
	} else if auth := r.Header.Get("Authorization"); auth != "" {
		revoked.Header.Set("Authorization", auth+"-revoked")
	} else {
		revoked.Header.Set("Authorization", "Bearer revoked")
	}
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, revoked)
	if rec.Code != http.StatusUnauthorized {
		writeUnauthorized(rw)
		return
	}
	maps.Copy(rw.Header(), rec.Header())
	rw.WriteHeader(rec.Code)
	_, _ = rw.Write(rec.Body.Bytes())
}

// writeDamaged sends rec's headers with status 200 and a Content-Length of
// declared, then body, and closes the connection: when declared is larger
// than body, the client sees the connection end mid-body.
func writeDamaged(rw http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte, declared int) {
	hj, ok := rw.(http.Hijacker)
	if !ok {
		http.Error(rw, "connection cannot be hijacked", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return // the client is gone
	}
	defer conn.Close()
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(declared))
	h.Set("Connection", "close")
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body)
	_ = buf.Flush()
}
