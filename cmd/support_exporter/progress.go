package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/backfill"
)

// progress shows how far a backfill is: a bar redrawn in place on a
// terminal, a log line every logEvery otherwise (a pipe, a CI log).
type progress struct {
	w        io.Writer
	terminal bool
	logger   *slog.Logger
	now      func() time.Time
	start    time.Time
	last     time.Time
	shown    bool
	latest   backfill.Progress
}

const (
	redrawEvery = 200 * time.Millisecond
	logEvery    = 10 * time.Second
	barWidth    = 30
)

func newProgress(w io.Writer, logger *slog.Logger) *progress {
	return &progress{w: w, terminal: isTerminal(w), logger: logger, now: time.Now, start: time.Now()}
}

// isTerminal: a character device, as a terminal is; no dependency needed
// for that.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(s backfill.Progress) {
	p.latest = s
	now := p.now()
	every := logEvery
	if p.terminal {
		every = redrawEvery
	}
	if p.shown && now.Sub(p.last) < every && s.FilesDone < s.Files {
		return
	}
	p.last, p.shown = now, true
	p.show(now)
}

// done ends the bar's line.
func (p *progress) done() {
	if p.terminal && p.shown {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) show(now time.Time) {
	s := p.latest
	frac := 1.0
	if s.Total > 0 {
		frac = float64(s.Samples) / float64(s.Total)
	}
	elapsed := now.Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(s.Samples-s.Resumed) / elapsed.Seconds()
	}
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(s.Total-s.Samples) / rate * float64(time.Second)).Round(time.Second).String()
	}
	if p.terminal {
		filled := int(frac * barWidth)
		fmt.Fprintf(p.w, "\r[%s%s] %5.1f%%  files %d/%d  %s samples/s  ETA %s   ",
			strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), 100*frac, s.FilesDone, s.Files, humanRate(rate), eta)
		return
	}
	p.logger.Info("backfill progress", "percent", fmt.Sprintf("%.1f", 100*frac), "files", fmt.Sprintf("%d/%d", s.FilesDone, s.Files),
		"samples", s.Samples, "samples_per_second", int64(rate), "eta", eta)
}

func humanRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}
