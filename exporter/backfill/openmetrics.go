package backfill

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/exposition"
)

// familyColumns are the matrix columns of one family's series, over every
// vendor: OpenMetrics wants each family's samples together.
type familyColumns struct {
	family *exposition.Family
	cols   []int
}

// groupByFamily orders the columns of the vendors' layouts (concatenated)
// family by family, in catalog order.
func groupByFamily(layouts []layout) []familyColumns {
	byFamily := map[*exposition.Family][]int{}
	col := 0
	for _, l := range layouts {
		for _, s := range l {
			byFamily[s.family] = append(byFamily[s.family], col)
			col++
		}
	}
	var out []familyColumns
	for _, f := range exposition.VendorFamilies() {
		if cols := byFamily[f]; len(cols) > 0 {
			out = append(out, familyColumns{family: f, cols: cols})
		}
	}
	return out
}

// matrix holds one file's values: a row per sample instant, a column per
// series.
type matrix struct {
	times  []time.Time
	cols   int
	values []float64
}

func (m *matrix) row(i int) []float64 { return m.values[i*m.cols : (i+1)*m.cols] }

// writeOpenMetrics writes a file's matrix as OpenMetrics text: per family,
// its metadata, then each series' samples in time order, then # EOF. It
// returns the number of samples written; progress is called as they go.
func writeOpenMetrics(path string, m *matrix, prefixes [][]byte, families []familyColumns, progress func(samples int64)) (int64, error) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp) // a no-op once renamed
	w := bufio.NewWriterSize(f, 1<<20)
	stamps := make([][]byte, len(m.times))
	for i, t := range m.times {
		stamps[i] = appendTimestamp(nil, t)
	}
	var samples int64
	line := make([]byte, 0, 256)
	for _, fc := range families {
		writeMetadata(w, fc.family)
		for _, col := range fc.cols {
			for i := range m.times {
				line = append(line[:0], prefixes[col]...)
				line = appendValue(line, m.values[i*m.cols+col])
				line = append(line, ' ')
				line = append(line, stamps[i]...)
				line = append(line, '\n')
				w.Write(line) // errors stick in w and surface at Flush
			}
			samples += int64(len(m.times))
			if progress != nil && samples%(1<<16) < int64(len(m.times)) {
				progress(samples)
			}
		}
	}
	w.WriteString("# EOF\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", tmp, err)
	}
	// Durable before it is named complete: a crash leaves a .tmp, never a
	// truncated file that a resume would keep.
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, err
	}
	return samples, nil
}

// writeMetadata writes a family's HELP and TYPE; a counter's family name
// has no _total, its samples do.
func writeMetadata(w *bufio.Writer, f *exposition.Family) {
	name := f.Name
	if f.Type == exposition.Counter {
		name = strings.TrimSuffix(name, "_total")
	}
	w.WriteString("# HELP " + name + " " + escapeHelp(f.Help) + "\n")
	w.WriteString("# TYPE " + name + " " + string(f.Type) + "\n")
}

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }

// appendValue writes integers as integers (counts are), other values in
// the shortest form that reads back the same.
func appendValue(b []byte, x float64) []byte {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.AppendInt(b, int64(x), 10)
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}

// appendTimestamp writes Unix seconds, with milliseconds when there are
// any (Prometheus keeps no finer).
func appendTimestamp(b []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	b = strconv.AppendInt(b, ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		b = append(b, '.')
		b = append(b, byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	}
	return b
}
