package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// TestAPIYAMLIsCurrent fails when api.yaml at the repository root is not
// the document the quickstart serves at /openapi.yaml, naming the first
// difference. `make api.yaml` regenerates it.
func TestAPIYAMLIsCurrent(t *testing.T) {
	committed, err := os.ReadFile("../../api.yaml")
	if err != nil {
		t.Fatalf("reading api.yaml (run `make api.yaml`): %v", err)
	}
	w := httptest.NewRecorder()
	newApp(slog.New(slog.DiscardHandler)).ServeHTTP(w, httptest.NewRequest("GET", "/openapi.yaml", nil))
	served, _ := io.ReadAll(w.Body)
	if w.Code != 200 {
		t.Fatalf("GET /openapi.yaml: status %d: %s", w.Code, served)
	}
	if diff := firstDifference(string(committed), string(served)); diff != "" {
		t.Errorf("api.yaml differs from the served document; run `make api.yaml` and review the change.\n%s", diff)
	}
}

// firstDifference describes where two texts first differ, by line, with
// the lines around it; "" when they are equal.
func firstDifference(want, got string) string {
	if want == got {
		return ""
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	line := func(lines []string, n int) string {
		if n < len(lines) {
			return lines[n]
		}
		return "<end of file>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d:\n", i+1)
	for n := max(0, i-3); n < i; n++ {
		b.WriteString("    " + wl[n] + "\n")
	}
	b.WriteString("api.yaml: " + line(wl, i) + "\n")
	b.WriteString("served:   " + line(gl, i) + "\n")
	if len(wl) != len(gl) {
		fmt.Fprintf(&b, "api.yaml has %d lines, the served document %d\n", len(wl), len(gl))
	}
	return b.String()
}

func TestFirstDifference(t *testing.T) {
	tests := []struct {
		name, want, got, says string
	}{
		{"equal texts", "a\nb\n", "a\nb\n", ""},
		{"a changed line is named with its number", "a\nb\nc\n", "a\nB\nc\n", "first difference at line 2:\n    a\napi.yaml: b\nserved:   B\n"},
		{"a missing line", "a\n", "a\nb\n", "api.yaml has 2 lines, the served document 3"},
	}
	for _, tt := range tests {
		if got := firstDifference(tt.want, tt.got); !strings.Contains(got, tt.says) || (tt.says == "") != (got == "") {
			t.Errorf("%s: %q does not say %q", tt.name, got, tt.says)
		}
	}
}
