package openapitest

import (
	"fmt"
	"strings"
)

// diffContext is how many unchanged lines a hunk shows around a change.
const diffContext = 3

// maxDiffCells bounds the line-matching table; past it the changed
// middle of the texts is shown as removed then added, which is still a
// true diff, only a longer one.
const maxDiffCells = 4 << 20

// edit is one line of a diff: ' ' kept, '-' only in the old text, '+'
// only in the new one; a and b are its 0-based line numbers.
type edit struct {
	op   byte
	line string
	a, b int
}

// unifiedDiff is the unified diff from old to new, at most maxLines
// lines after the two file headers; "" when the texts are equal.
func unifiedDiff(oldName, newName, old, new string, maxLines int) string {
	if old == new {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	edits := diffLines(a, b)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	hunks := hunksOf(edits)
	if len(hunks) == 0 {
		out.WriteString("(the lines are equal; the texts differ in their final newline)\n")
		return out.String()
	}
	var lines []string
	for _, h := range hunks {
		first := edits[h[0]]
		var na, nb int
		for _, e := range edits[h[0]:h[1]] {
			if e.op != '+' {
				na++
			}
			if e.op != '-' {
				nb++
			}
		}
		lines = append(lines, fmt.Sprintf("@@ -%s +%s @@", hunkRange(first.a, na), hunkRange(first.b, nb)))
		for _, e := range edits[h[0]:h[1]] {
			lines = append(lines, string(e.op)+e.line)
		}
	}
	for i, l := range lines {
		if i == maxLines {
			fmt.Fprintf(&out, "... %d more lines of diff\n", len(lines)-maxLines)
			break
		}
		out.WriteString(l + "\n")
	}
	return out.String()
}

// hunkRange is "start,length" of a hunk header, 1-based; an empty side
// names the line before it, as diff -u does.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// hunksOf groups the changes of edits with their context: [from, to)
// index ranges; changes closer than twice the context share a hunk.
func hunksOf(edits []edit) [][2]int {
	var hunks [][2]int
	for i, e := range edits {
		if e.op == ' ' {
			continue
		}
		from, to := max(0, i-diffContext), min(len(edits), i+diffContext+1)
		if n := len(hunks); n > 0 && from <= hunks[n-1][1] {
			hunks[n-1][1] = to
			continue
		}
		hunks = append(hunks, [2]int{from, to})
	}
	return hunks
}

// diffLines is a shortest edit script from a to b: the common head and
// tail are kept, the middle matched by longest common subsequence.
func diffLines(a, b []string) []edit {
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	var edits []edit
	for i := range head {
		edits = append(edits, edit{' ', a[i], i, i})
	}
	ma, mb := a[head:len(a)-tail], b[head:len(b)-tail]
	edits = append(edits, middleDiff(ma, mb, head)...)
	for i := range tail {
		ia, ib := len(a)-tail+i, len(b)-tail+i
		edits = append(edits, edit{' ', a[ia], ia, ib})
	}
	return edits
}

// middleDiff matches the differing middles (both starting at line off).
func middleDiff(a, b []string, off int) []edit {
	var edits []edit
	if (len(a)+1)*(len(b)+1) > maxDiffCells {
		for i, l := range a {
			edits = append(edits, edit{'-', l, off + i, off})
		}
		for j, l := range b {
			edits = append(edits, edit{'+', l, off + len(a), off + j})
		}
		return edits
	}
	// lcs[i][j]: the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			edits = append(edits, edit{' ', a[i], off + i, off + j})
			i, j = i+1, j+1
		case j == len(b) || i < len(a) && lcs[i+1][j] >= lcs[i][j+1]:
			edits = append(edits, edit{'-', a[i], off + i, off + j})
			i++
		default:
			edits = append(edits, edit{'+', b[j], off + i, off + j})
			j++
		}
	}
	return edits
}

// splitLines splits a text into lines without their newlines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
