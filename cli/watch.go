package cli

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// watcher finds changes to the Go sources of a module by polling: every
// call to changed walks the tree and compares each file's size and
// modification time with the last walk. Polling needs no dependency and
// no per-OS code, works on every file system (bind mounts and network
// shares included), and sees editors' save-by-rename as a change; a
// module's few hundred files cost a few hundred stat calls per poll.
type watcher struct {
	root string
	seen map[string]stamp
}

type stamp struct {
	mod  time.Time
	size int64
}

// newWatcher records the current state of the tree under root.
func newWatcher(root string) *watcher {
	return &watcher{root: root, seen: scanSources(root)}
}

// changed reports whether a watched file was added, removed or modified
// since the last call.
func (w *watcher) changed() bool {
	now := scanSources(w.root)
	same := maps.Equal(now, w.seen)
	w.seen = now
	return !same
}

// scanSources stamps the files that make up the module's binaries: .go
// files other than tests, go.mod and go.sum. It skips hidden and
// underscore directories, testdata, vendor, node_modules and nested
// modules, as the go command does.
func scanSources(root string) map[string]stamp {
	files := make(map[string]stamp)
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished or unreadable: not a source to watch
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "vendor" || name == "node_modules" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !isSource(name) {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			files[path] = stamp{mod: fi.ModTime(), size: fi.Size()}
		}
		return nil
	})
	return files
}

func isSource(name string) bool {
	return name == "go.mod" || name == "go.sum" ||
		strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}
