package e2e

import (
	"net"
	"sync"
	"testing"
	"time"
)

// TestSlowClientsAreCutOff: 100 connections that send a request body a
// byte at a time, and 100 that send their headers a byte at a time (a
// slowloris), are closed by the exporter once --web.read-timeout passes;
// the goroutines they held are released, and /metrics answers meanwhile.
func TestSlowClientsAreCutOff(t *testing.T) {
	const readTimeout = 2 * time.Second
	w := newWorld(t, worldOptions{})
	p := start(t, nil, append(w.args(t.TempDir()), "--web.read-timeout="+readTimeout.String())...)
	s, _ := p.scrape()
	baseline, _ := s.get("go_goroutines")

	const each = 100
	opened := time.Now()
	closedAfter := make(chan time.Duration, 2*each)
	var wg sync.WaitGroup
	slow := func(prefix, drip string) {
		defer wg.Done()
		conn, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		// Without the server's timeout the test fails here rather than
		// hang: the client gives up itself, well past the limit below.
		_ = conn.SetDeadline(opened.Add(readTimeout + 20*time.Second))
		if _, err := conn.Write([]byte(prefix)); err != nil {
			t.Error(err)
			return
		}
		// Drip a byte every 200ms, as long as the server keeps the
		// connection; a read of the close ends it at once.
		done := make(chan struct{})
		go func() {
			buf := make([]byte, 512)
			for {
				if _, err := conn.Read(buf); err != nil {
					close(done)
					return
				}
			}
		}()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-done:
				closedAfter <- time.Since(opened)
				return
			case <-tick.C:
				if _, err := conn.Write([]byte{drip[i%len(drip)]}); err != nil {
					<-done
					closedAfter <- time.Since(opened)
					return
				}
			}
		}
	}
	body := "POST /api/v1/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + webhookToken + "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
	for range each {
		wg.Add(2)
		go slow(body, `{"version":"4"`)
		go slow("GET /metrics HTTP/1.1\r\n", "X-Slow: yes\r\n")
	}
	// Scrapes still answer while the slow clients hold their connections.
	if code, _ := p.get("/metrics"); code != 200 {
		t.Errorf("scrape during the slow clients: %d", code)
	}
	wg.Wait()
	close(closedAfter)
	var latest time.Duration
	for d := range closedAfter {
		latest = max(latest, d)
	}
	// The bound is generous: the server cuts at readTimeout; a machine
	// busy with other tests may be late, never by this much.
	if limit := readTimeout + 8*time.Second; latest > limit {
		t.Errorf("the last slow connection was closed after %v, want within %v", latest.Round(time.Millisecond), limit)
	}
	waitFor(t, 10*time.Second, "the slow clients' goroutines released", func() bool {
		s, _ := p.scrape()
		g, _ := s.get("go_goroutines")
		return g <= baseline+10
	})
	t.Logf("%d slow connections closed, the last after %v", 2*each, latest.Round(time.Millisecond))
}
