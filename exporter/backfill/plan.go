package backfill

import (
	"fmt"
	"time"
)

// blockSpans are the block ranges promtool can cut (2h times powers of
// 3), largest first. A file covers one range aligned on the Unix epoch, as
// promtool aligns blocks, so that `promtool tsdb create-blocks-from
// openmetrics --max-block-duration=<span>` turns it into exactly one block
// and blocks never overlap in time.
var blockSpans = []time.Duration{486 * time.Hour, 162 * time.Hour, 54 * time.Hour, 18 * time.Hour, 6 * time.Hour, 2 * time.Hour}

// maxFileValues caps the values of one file held in memory before it is
// written (8 bytes each): files shrink to a smaller block span when the
// step is short or the series many.
const maxFileValues = 8 << 20

var epoch = time.Unix(0, 0).UTC()

// grid is where the samples go: every multiple of step since the Unix epoch
// in [from, to), then to itself, in files of one block span each.
type grid struct {
	from, to time.Time
	step     time.Duration
	span     time.Duration
}

// newGrid picks the largest block span whose file fits in memory with this
// many series.
func newGrid(from, to time.Time, step time.Duration, series int) (grid, error) {
	if step < time.Second || step%time.Second != 0 {
		return grid{}, fmt.Errorf("step %v: want a whole number of seconds, at least 1s", step)
	}
	// Samples carry milliseconds: a to within a millisecond of a step
	// would otherwise write two samples at one timestamp.
	g := grid{from: from.UTC().Truncate(time.Millisecond), to: to.UTC().Truncate(time.Millisecond), step: step}
	if !g.from.Before(g.to) {
		return grid{}, fmt.Errorf("from %s is not before to %s", g.from.Format(time.RFC3339Nano), g.to.Format(time.RFC3339Nano))
	}
	for _, span := range blockSpans {
		if int64(span/step+1)*int64(max(series, 1)) <= maxFileValues {
			g.span = span
			return g, nil
		}
	}
	return grid{}, fmt.Errorf("step %v is too short for %d series: even a %v file would hold more than %d values; use a longer step", step, series, blockSpans[len(blockSpans)-1], maxFileValues)
}

// ceil is the first multiple of d since the epoch at or after t.
func ceil(t time.Time, d time.Duration) time.Time {
	return epoch.Add((t.Sub(epoch) + d - 1) / d * d)
}

// files are the starts of the block ranges that hold samples, ascending.
func (g grid) files() []time.Time {
	var starts []time.Time
	for s := epoch.Add(g.from.Sub(epoch) / g.span * g.span); !s.After(g.to); s = s.Add(g.span) {
		starts = append(starts, s)
	}
	return starts
}

// times are the sample instants of the file starting at start.
func (g grid) times(start time.Time) []time.Time {
	end := start.Add(g.span)
	var out []time.Time
	for t := ceil(latest(g.from, start), g.step); t.Before(end) && t.Before(g.to); t = t.Add(g.step) {
		out = append(out, t)
	}
	if !g.to.Before(start) && g.to.Before(end) {
		out = append(out, g.to)
	}
	return out
}

// total is the number of sample instants.
func (g grid) total() int64 {
	n := int64(0)
	if first := ceil(g.from, g.step); first.Before(g.to) {
		n = int64((g.to.Sub(first)-1)/g.step) + 1
	}
	return n + 1
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
