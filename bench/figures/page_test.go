package figures

import (
	"strings"
	"testing"
)

// TestPageKeepsTheTypedSlowPathSection: the section measured by hand
// survives every re-render of docs/benchmarks.md, before the notes.
func TestPageKeepsTheTypedSlowPathSection(t *testing.T) {
	var b strings.Builder
	WritePage(&b, &Summary{run: &Run{}}, "", "", nil)
	page := b.String()
	section := strings.Index(page, "## Typed operations: slow paths and memory")
	notes := strings.Index(page, "## Notes on fairness")
	if section < 0 || notes < 0 || section > notes {
		t.Fatalf("typed slow-path section at %d, notes at %d: want the section before the notes", section, notes)
	}
}
