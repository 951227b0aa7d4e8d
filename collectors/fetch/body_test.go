package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingTransport counts the body bytes the client reads.
type countingTransport struct{ read atomic.Int64 }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &t.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// streamBody writes size bytes of x in 64 KiB writes, without holding the
// body, and returns how many were written before the client went away.
func streamBody(w http.ResponseWriter, size int64) int64 {
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	var sent int64
	for sent < size {
		n, err := w.Write(chunk[:min(int64(len(chunk)), size-sent)])
		sent += int64(n)
		if err != nil {
			break
		}
	}
	return sent
}

func TestBodyCap(t *testing.T) {
	const capBytes = 1000
	gzipped := func(n int) []byte {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		_, _ = z.Write(make([]byte, n))
		_ = z.Close()
		return b.Bytes()
	}
	cases := []struct {
		name       string
		size       int64
		declared   bool   // Content-Length sent
		gzip       []byte // the body, gzip-encoded, instead of size bytes
		wantReason string // "" for success
		maxRead    int64  // body bytes the client may read
	}{
		{name: "at the cap, declared", size: capBytes, declared: true, maxRead: capBytes},
		{name: "at the cap, chunked", size: capBytes, maxRead: capBytes},
		{name: "one byte over, declared: refused before reading", size: capBytes + 1, declared: true, wantReason: ReasonTooLarge},
		{name: "one byte over, chunked: read up to the cap and one byte", size: capBytes + 1, wantReason: ReasonTooLarge, maxRead: capBytes + 1},
		{name: "64 MiB declared", size: 64 << 20, declared: true, wantReason: ReasonTooLarge},
		{name: "64 MiB chunked", size: 64 << 20, wantReason: ReasonTooLarge, maxRead: capBytes + 1},
		{name: "small gzip expanding past the cap", gzip: gzipped(100 * capBytes), wantReason: ReasonTooLarge, maxRead: capBytes + 1},
		{name: "empty", size: 0, declared: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.gzip != nil {
					w.Header().Set("Content-Encoding", "gzip")
					_, _ = w.Write(tc.gzip)
					return
				}
				if tc.declared {
					w.Header().Set("Content-Length", strconv.FormatInt(tc.size, 10))
				}
				streamBody(w, tc.size)
			}))
			defer srv.Close()
			tr := &countingTransport{}
			c := New(&http.Client{Transport: tr}, NewLimits(), Options{MaxBodyBytes: capBytes})
			resp, err := c.Get(context.Background(), srv.URL, nil)
			if Reason(err) != tc.wantReason && !(tc.wantReason == "" && err == nil) {
				t.Fatalf("err = %v, want reason %q", err, tc.wantReason)
			}
			if tc.wantReason == "" && int64(len(resp.Body)) != tc.size {
				t.Errorf("body of %d bytes, want %d", len(resp.Body), tc.size)
			}
			if got := tr.read.Load(); got > tc.maxRead {
				t.Errorf("client read %d body bytes, want at most %d", got, tc.maxRead)
			}
		})
	}
}

// TestOverCapBodyIsNotDrained: a body refused for its size closes the
// connection instead of being read to its end.
func TestOverCapBodyIsNotDrained(t *testing.T) {
	const size = 1 << 30
	written := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		written <- streamBody(w, size)
	}))
	defer srv.Close()
	_, err := New(&http.Client{}, NewLimits(), Options{}).Get(context.Background(), srv.URL, nil)
	if Reason(err) != ReasonTooLarge {
		t.Fatalf("err = %v, want too_large", err)
	}
	// Only what the socket buffers took: far from the whole GiB.
	if n := <-written; n >= size/16 {
		t.Errorf("the server wrote %d bytes before the client went away, want the connection closed", n)
	}
}

// TestSlowOverCapBodyIsTooLarge: the tester's "timeout" for huge bodies. A
// body over the cap that arrives slowly is too_large as soon as that is
// known (its Content-Length, or the byte past the cap), never a timeout
// after reading it for the whole request timeout.
func TestSlowOverCapBodyIsTooLarge(t *testing.T) {
	const capBytes = 1 << 20
	cases := []struct {
		name     string
		declared bool
	}{{"declared length", true}, {"chunked", false}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.declared {
					w.Header().Set("Content-Length", strconv.Itoa(64<<20))
				} else {
					streamBody(w, capBytes+1)
				}
				w.(http.Flusher).Flush()
				<-r.Context().Done() // the rest never comes
			}))
			defer srv.Close()
			c := New(&http.Client{}, NewLimits(), Options{MaxBodyBytes: capBytes, Timeout: time.Minute})
			if _, err := c.Get(context.Background(), srv.URL, nil); Reason(err) != ReasonTooLarge {
				t.Fatalf("err = %v, want too_large", err)
			}
		})
	}
}

func TestGetJSONKeepsNoSecondCopy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"tickets":[{"id":7}]}`))
	}))
	defer srv.Close()
	var v struct{ Tickets []struct{ ID int } }
	resp, err := New(&http.Client{}, NewLimits(), Options{}).GetJSON(context.Background(), srv.URL, nil, &v)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tickets) != 1 || v.Tickets[0].ID != 7 || resp.Status != 200 || resp.Body != nil {
		t.Fatalf("decoded %+v, response %+v: want ticket 7 and no body kept", v, resp)
	}
}

// BenchmarkHugeBodies fetches 64 MiB bodies with the default cap, from a
// server that streams them without holding them, and reports the process's
// peak RSS: what a vendor sending huge pages costs us.
func BenchmarkHugeBodies(b *testing.B) {
	cases := []struct {
		name       string
		size       int64
		declared   bool
		wantReason string
	}{
		{"64MiB declared", 64 << 20, true, ReasonTooLarge},
		{"64MiB chunked", 64 << 20, false, ReasonTooLarge},
		{"15MiB chunked, accepted", 15 << 20, false, ""},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.declared {
					w.Header().Set("Content-Length", strconv.FormatInt(tc.size, 10))
				}
				streamBody(w, tc.size)
			}))
			defer srv.Close()
			c := New(&http.Client{}, NewLimits(), Options{})
			resetPeakRSS(b)
			b.ReportAllocs()
			for b.Loop() {
				_, err := c.Get(context.Background(), srv.URL, nil)
				if Reason(err) != tc.wantReason && !(tc.wantReason == "" && err == nil) {
					b.Fatalf("err = %v, want reason %q", err, tc.wantReason)
				}
			}
			b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak-RSS-MiB")
		})
	}
}

// resetPeakRSS starts a new peak-RSS measurement (Linux: writing 5 to
// clear_refs resets VmHWM), so that each benchmark reports its own peak.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("resetting the peak RSS: %v", err)
	}
}

// peakRSS returns VmHWM, the process's peak resident set, in bytes.
func peakRSS(b *testing.B) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
