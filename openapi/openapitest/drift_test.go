package openapitest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// served is a document of 20 lines, served at /openapi.yaml.
var served = func() string {
	var b strings.Builder
	for i := range 20 {
		b.WriteString("line " + string(rune('a'+i)) + "\n")
	}
	return b.String()
}()

func TestCheckFile(t *testing.T) {
	app := http.NewServeMux()
	app.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(served))
	})
	tests := []struct {
		name, file string // file "" is a file that does not exist
		says       []string
	}{
		{name: "an equal file passes", file: served},
		{name: "a changed line is a short unified diff with the command to regenerate", file: strings.Replace(served, "line j\n", "line J\n", 1),
			says: []string{"api.yaml differs from the document served at /openapi.yaml; run `make api.yaml` and review the change:",
				"--- " + "DIR/api.yaml\n+++ GET /openapi.yaml\n@@ -7,7 +7,7 @@\n line g\n line h\n line i\n-line J\n+line j\n line k\n line l\n line m\n"}},
		{name: "a line the served document added", file: strings.Replace(served, "line t\n", "", 1),
			says: []string{"@@ -17,3 +17,4 @@\n line q\n line r\n line s\n+line t\n"}},
		{name: "a missing file names the command that creates it", file: "",
			says: []string{"api.yaml: no such file or directory; create it with `make api.yaml`"}},
		{name: "a file differing only in its final newline says so", file: strings.TrimSuffix(served, "\n"),
			says: []string{"differ in their final newline"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "api.yaml")
			if tt.file != "" {
				if err := os.WriteFile(file, []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rec := &recorder{TB: t}
			openapitest.CheckFile(rec, app, "/openapi.yaml", file, "make api.yaml")
			if len(tt.says) == 0 {
				if len(rec.errors) != 0 {
					t.Fatalf("an equal file failed: %q", rec.errors)
				}
				return
			}
			if len(rec.errors) != 1 {
				t.Fatalf("want one failure, got %q", rec.errors)
			}
			for _, s := range tt.says {
				if s = strings.ReplaceAll(s, "DIR", dir); !strings.Contains(rec.errors[0], s) {
					t.Errorf("the failure does not say %q:\n%s", s, rec.errors[0])
				}
			}
		})
	}
}

func TestCheckFileBoundsTheDiff(t *testing.T) {
	app := http.NewServeMux()
	app.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("new\n", 500)))
	})
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, []byte(strings.Repeat("old\n", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	openapitest.CheckFile(rec, app, "/openapi.json", file, "make api.json")
	if len(rec.errors) != 1 {
		t.Fatalf("want one failure, got %d", len(rec.errors))
	}
	msg := rec.errors[0]
	if lines := strings.Count(msg, "\n"); lines > 45 {
		t.Errorf("a diff of 1000 lines fills %d lines of the message; want it cut near 40", lines)
	}
	if !strings.Contains(msg, "@@ -1,500 +1,500 @@\n-old\n") || !strings.Contains(msg, "... 961 more lines of diff") {
		t.Errorf("the cut diff does not start with its hunk or say what it left out:\n%s", msg)
	}
}
