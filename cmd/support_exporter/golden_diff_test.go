package main

import (
	"fmt"
	"strings"
	"testing"
)

// maxDiffCells bounds the table of the longest common subsequence: beyond
// it (two 2,000-line middles), the differing middle shows as removed then
// added, which is still a correct diff.
const maxDiffCells = 4 << 20

// edit is one line of a diff: kind ' ' (in both), '-' (only in a) or '+'
// (only in b), with its index in a and in b (that of the next line of the
// other side when it is absent there).
type edit struct {
	kind byte
	a, b int
}

// unifiedDiff is a unified diff of a and b with context lines around each
// change, cut after limit lines of hunks: a failing test points at the
// first changes instead of printing the whole file.
func unifiedDiff(aName, bName string, a, b []string, context, limit int) string {
	edits := diffLines(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", aName, bName)
	printed, changed := 0, 0
	for _, e := range edits {
		if e.kind != ' ' {
			changed++
		}
	}
	shown := 0
	for i := 0; i < len(edits); {
		if edits[i].kind == ' ' {
			i++
			continue
		}
		// A hunk runs from context lines before this change to context
		// lines after the last change that is within 2*context of the next.
		start, end := max(0, i-context), i
		for j := i; j < len(edits) && j <= end+2*context; j++ {
			if edits[j].kind != ' ' {
				end = j
			}
		}
		end = min(len(edits), end+context+1)
		if printed >= limit {
			break
		}
		var aLen, bLen int
		for _, e := range edits[start:end] {
			if e.kind != '+' {
				aLen++
			}
			if e.kind != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(edits[start].a, aLen), hunkRange(edits[start].b, bLen))
		for _, e := range edits[start:end] {
			if printed >= limit {
				break
			}
			line := ""
			if e.kind == '+' {
				line = b[e.b]
			} else {
				line = a[e.a]
			}
			sb.WriteByte(e.kind)
			sb.WriteString(line)
			sb.WriteByte('\n')
			printed++
			if e.kind != ' ' {
				shown++
			}
		}
		i = end
	}
	if shown < changed {
		fmt.Fprintf(&sb, "... and %d more changed lines\n", changed-shown)
	}
	return sb.String()
}

// hunkRange is a hunk header's start,count: 1-based, and the line before
// when the side has no line in the hunk, as diff -u writes it.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// diffLines is a shortest edit script from a to b: the common prefix and
// suffix kept, and the longest common subsequence of what lies between.
func diffLines(a, b []string) []edit {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	var edits []edit
	for i := range p {
		edits = append(edits, edit{' ', i, i})
	}
	am, bm := a[p:len(a)-s], b[p:len(b)-s]
	n, m := len(am), len(bm)
	if n*m > maxDiffCells {
		for i := range n {
			edits = append(edits, edit{'-', p + i, p})
		}
		for j := range m {
			edits = append(edits, edit{'+', p + n, p + j})
		}
	} else {
		// lcs[i*(m+1)+j] is the length of the longest common subsequence
		// of am[i:] and bm[j:].
		lcs := make([]int32, (n+1)*(m+1))
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if am[i] == bm[j] {
					lcs[i*(m+1)+j] = lcs[(i+1)*(m+1)+j+1] + 1
				} else {
					lcs[i*(m+1)+j] = max(lcs[(i+1)*(m+1)+j], lcs[i*(m+1)+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && am[i] == bm[j]:
				edits = append(edits, edit{' ', p + i, p + j})
				i++
				j++
			case j == m || (i < n && lcs[(i+1)*(m+1)+j] >= lcs[i*(m+1)+j+1]):
				edits = append(edits, edit{'-', p + i, p + j})
				i++
			default:
				edits = append(edits, edit{'+', p + i, p + j})
				j++
			}
		}
	}
	for k := range s {
		edits = append(edits, edit{' ', len(a) - s + k, len(b) - s + k})
	}
	return edits
}

func TestUnifiedDiff(t *testing.T) {
	a := strings.Split("a b c d e f g h i j k l m", " ")
	b := strings.Split("a b c D e f g h i j k l m n", " ")
	want := `--- want
+++ got
@@ -2,5 +2,5 @@
 b
 c
-d
+D
 e
 f
@@ -12,2 +12,3 @@
 l
 m
+n
`
	if got := unifiedDiff("want", "got", a, b, 2, 100); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Cut after the limit, with what is left counted.
	got := unifiedDiff("want", "got", a, b, 2, 3)
	if !strings.HasSuffix(got, " c\n-d\n... and 2 more changed lines\n") {
		t.Errorf("limited to 3 lines:\n%s", got)
	}
	if got := unifiedDiff("want", "got", a, a, 3, 10); got != "--- want\n+++ got\n" {
		t.Errorf("no change:\n%s", got)
	}
	// Removed, then added, beyond the table's bound: still a correct diff.
	x, y := make([]string, 3000), make([]string, 3000)
	for i := range x {
		x[i], y[i] = fmt.Sprint("x", i), fmt.Sprint("y", i)
	}
	edits := diffLines(x, y)
	if len(edits) != 6000 || edits[0].kind != '-' || edits[5999].kind != '+' {
		t.Errorf("%d edits, first %c, last %c", len(edits), edits[0].kind, edits[len(edits)-1].kind)
	}
}
