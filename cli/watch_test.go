package cli

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWatcher(t *testing.T) {
	tests := []struct {
		name    string
		change  func(t *testing.T, root string)
		changed bool
	}{
		{name: "nothing changed", change: func(*testing.T, string) {}},
		{name: "an edited .go file", changed: true, change: func(t *testing.T, root string) {
			write(t, root, "main.go", "package main // edited")
		}},
		{name: "a touched .go file", changed: true, change: func(t *testing.T, root string) {
			future := time.Now().Add(time.Hour)
			os.Chtimes(filepath.Join(root, "main.go"), future, future)
		}},
		{name: "a new .go file in a package directory", changed: true, change: func(t *testing.T, root string) {
			write(t, root, "pkg/new.go", "package pkg")
		}},
		{name: "a removed .go file", changed: true, change: func(t *testing.T, root string) {
			os.Remove(filepath.Join(root, "pkg/pkg.go"))
		}},
		{name: "an edited go.mod", changed: true, change: func(t *testing.T, root string) {
			write(t, root, "go.mod", "module example.com/x\n\ngo 1.26\n")
		}},
		{name: "a test file is ignored", change: func(t *testing.T, root string) {
			write(t, root, "main_test.go", "package main // edited")
		}},
		{name: "a file that is not Go is ignored", change: func(t *testing.T, root string) {
			write(t, root, "app.log", "more lines")
		}},
		{name: "hidden, underscore, testdata, vendor and node_modules directories are ignored",
			change: func(t *testing.T, root string) {
				for _, dir := range []string{".git", "_old", "testdata", "vendor", "node_modules"} {
					write(t, root, dir+"/x.go", "package x")
				}
			}},
		{name: "a nested module is ignored", change: func(t *testing.T, root string) {
			write(t, root, "tools/go.mod", "module example.com/tools")
			write(t, root, "tools/tool.go", "package tools")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, "go.mod", "module example.com/x\n")
			write(t, root, "main.go", "package main")
			write(t, root, "main_test.go", "package main")
			write(t, root, "pkg/pkg.go", "package pkg")
			w := newWatcher(root)
			tc.change(t, root)
			if got := w.changed(); got != tc.changed {
				t.Errorf("changed() = %v, want %v", got, tc.changed)
			}
			if w.changed() {
				t.Error("a change is reported twice")
			}
		})
	}
}

func write(t *testing.T, root, name, content string) {
	t.Helper()
	path := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
