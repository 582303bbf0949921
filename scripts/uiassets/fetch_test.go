package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// tgz builds an npm-style tarball of files (path -> content).
func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	}) {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func integrity(b []byte) string {
	sum := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

// registry serves one tarball at the npm path of pin over a real socket
// and counts the requests.
func registry(t *testing.T, pin Pin, body []byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/"+pin.Name+"/-/"+pin.tarballName() {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func testPin(tarball []byte) Pin {
	return Pin{Name: "@demo/widget", Version: "1.2.3", Integrity: integrity(tarball), Dir: "widget",
		Files: []File{{From: "package/dist/widget.js", To: "widget.js"}, {From: "package/LICENSE", To: "LICENSE"}}}
}

var widgetFiles = map[string]string{
	"package/dist/widget.js": "customElements.define('x-widget', class extends HTMLElement {})",
	"package/LICENSE":        "MIT",
	"package/src/other.js":   "not wanted",
	"package/../escape.txt":  "never written",
}

func newFetcher(t *testing.T, reg string) (*fetcher, *bytes.Buffer) {
	var log bytes.Buffer
	return &fetcher{out: filepath.Join(t.TempDir(), "ui-assets"), registry: reg, client: http.DefaultClient, log: &log}, &log
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(filepath.Dir(dir), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(filepath.Dir(dir), p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	return names
}

func TestInstallExtractsOnlyTheListedFilesAndSkipsWhenCurrent(t *testing.T) {
	body := tgz(t, widgetFiles)
	pin := testPin(body)
	srv, hits := registry(t, pin, body)
	f, log := newFetcher(t, srv.URL+"/")
	if err := f.install(t.Context(), pin); err != nil {
		t.Fatal(err)
	}
	got := listDir(t, f.out)
	want := []string{"ui-assets/widget/.pin", "ui-assets/widget/LICENSE", "ui-assets/widget/widget.js"}
	if !slices.Equal(got, want) {
		t.Fatalf("files written: %q, want %q", got, want)
	}
	js, _ := os.ReadFile(filepath.Join(f.out, "widget", "widget.js"))
	if string(js) != widgetFiles["package/dist/widget.js"] {
		t.Errorf("widget.js = %q", js)
	}
	if !strings.Contains(log.String(), srv.URL+"/@demo/widget/-/widget-1.2.3.tgz") {
		t.Errorf("the log does not name the URL fetched: %s", log)
	}

	if err := f.install(t.Context(), pin); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("a second run with the files in place made %d requests in all, want 1", n)
	}

	// A damaged copy is replaced.
	os.WriteFile(filepath.Join(f.out, "widget", "widget.js"), []byte("truncat"), 0o644)
	if err := f.install(t.Context(), pin); err != nil {
		t.Fatal(err)
	}
	if js, _ := os.ReadFile(filepath.Join(f.out, "widget", "widget.js")); string(js) != widgetFiles["package/dist/widget.js"] || hits.Load() != 2 {
		t.Errorf("a changed file is not fetched again: %q after %d requests", js, hits.Load())
	}
}

func TestInstallRefuses(t *testing.T) {
	good := tgz(t, widgetFiles)
	tests := []struct {
		name    string
		pin     func(Pin) Pin
		serve   []byte
		wantErr []string
	}{
		{"a tarball whose checksum differs from the pin, naming both checksums",
			func(p Pin) Pin { p.Integrity = integrity([]byte("other")); return p }, good,
			[]string{"checksum mismatch", integrity([]byte("other")), integrity(good), "nothing was written"}},
		{"a tarball lacking a listed file",
			func(p Pin) Pin {
				p.Files = append(p.Files, File{From: "package/dist/gone.js", To: "gone.js"})
				return p
			}, good,
			[]string{"no regular file package/dist/gone.js"}},
		{"a registry answer that is not the tarball",
			func(p Pin) Pin { p.Version = "9.9.9"; return p }, good,
			[]string{"404 Not Found", "/@demo/widget/-/widget-9.9.9.tgz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pin := tt.pin(testPin(good))
			srv, _ := registry(t, testPin(good), tt.serve)
			f, _ := newFetcher(t, srv.URL)
			err := f.install(t.Context(), pin)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if got := listDir(t, f.out); len(got) != 0 {
				t.Errorf("files written despite the error: %q", got)
			}
		})
	}
}

func TestInstallFromADirectoryWithoutNetwork(t *testing.T) {
	body := tgz(t, widgetFiles)
	pin := testPin(body)
	from := t.TempDir()
	os.WriteFile(filepath.Join(from, "widget-1.2.3.tgz"), body, 0o644)
	f, _ := newFetcher(t, "http://127.0.0.1:1") // nothing listens there
	f.from = from
	if err := f.install(t.Context(), pin); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.out, "widget", "widget.js")); err != nil {
		t.Error(err)
	}
}

func TestParsePins(t *testing.T) {
	if pins, err := parsePins(pinsJSON); err != nil || len(pins) == 0 || pins[0].Name != "rapidoc" || pins[0].Version != "9.3.8" {
		t.Fatalf("the embedded pins: %v, %+v", err, pins)
	}
	tests := []struct{ name, json, wantErr string }{
		{"a dir that climbs out of -out", `[{"name":"a","version":"1","integrity":"sha512-x","dir":"../a","files":[{"from":"f","to":"f"}]}]`, `dir "../a"`},
		{"a file name with a slash", `[{"name":"a","version":"1","integrity":"sha512-x","dir":"a","files":[{"from":"f","to":"x/f"}]}]`, `"x/f"`},
		{"a checksum that is not sha512", `[{"name":"a","version":"1","integrity":"sha1-x","dir":"a","files":[{"from":"f","to":"f"}]}]`, `"sha1-x"`},
		{"no version", `[{"name":"a","integrity":"sha512-x","dir":"a","files":[{"from":"f","to":"f"}]}]`, "version"},
		{"no files", `[{"name":"a","version":"1","integrity":"sha512-x","dir":"a"}]`, "no files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parsePins([]byte(tt.json)); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}
