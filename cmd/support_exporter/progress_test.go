package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/backfill"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestProgressLogsPeriodicallyWhenNotATerminal(t *testing.T) {
	var logs bytes.Buffer
	clock := &fakeClock{time.Unix(1000, 0)}
	p := newProgress(&bytes.Buffer{}, slog.New(slog.NewTextHandler(&logs, nil)))
	if p.terminal {
		t.Fatal("a buffer taken for a terminal")
	}
	p.now, p.start = clock.now, clock.t

	clock.t = clock.t.Add(2 * time.Second)
	p.update(backfill.Progress{Samples: 1000, Total: 4000, Files: 4})
	clock.t = clock.t.Add(time.Second) // within logEvery: not logged
	p.update(backfill.Progress{Samples: 2000, Total: 4000, FilesDone: 1, Files: 4})
	clock.t = clock.t.Add(logEvery)
	p.update(backfill.Progress{Samples: 3000, Total: 4000, FilesDone: 2, Files: 4})
	clock.t = clock.t.Add(time.Second) // the end is always shown
	p.update(backfill.Progress{Samples: 4000, Total: 4000, FilesDone: 4, Files: 4})
	p.done()

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want 3 (first, after logEvery, last):\n%s", len(lines), logs.String())
	}
	for i, want := range []string{
		`percent=25.0 files=0/4 samples=1000 samples_per_second=500 eta=6s`,
		`percent=75.0 files=2/4 samples=3000 samples_per_second=230 eta=4s`,
		`percent=100.0 files=4/4 samples=4000`,
	} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d: %s\nwant it to contain %s", i, lines[i], want)
		}
	}
}

func TestProgressDrawsABarOnATerminal(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{time.Unix(1000, 0)}
	p := &progress{w: &out, terminal: true, now: clock.now, start: clock.t}
	clock.t = clock.t.Add(time.Second)
	// Samples resumed from an interrupted run do not count in the rate.
	p.update(backfill.Progress{Samples: 1_500_000, Resumed: 500_000, Total: 3_000_000, FilesDone: 1, Files: 2})
	clock.t = clock.t.Add(time.Millisecond) // within redrawEvery: not drawn
	p.update(backfill.Progress{Samples: 1_600_000, Resumed: 500_000, Total: 3_000_000, FilesDone: 1, Files: 2})
	p.done()
	want := "\r[###############...............]  50.0%  files 1/2  1.0M samples/s  ETA 2s   \n"
	if out.String() != want {
		t.Errorf("terminal output %q, want %q", out.String(), want)
	}
}
