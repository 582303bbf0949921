package hyperlane_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// fileServer serves an in-memory file system (no modification times,
// like embed.FS) under /mem and a directory on disk under /disk and
// /static. Next to the disk root lies secret.txt, which must never be
// served. Response middleware records the status in X-Status.
func fileServer(t *testing.T) (s *hyperlane.Server, dir string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "public")
	for name, data := range map[string]string{
		"public/hello.txt":       "hello, files",
		"public/site.css":        "body{}",
		"public/sub/index.html":  "<p>index</p>",
		"public/digits.txt":      "0123456789",
		"secret.txt":             "TOP SECRET",
		"public/large/blob.bin":  strings.Repeat("0123456789abcdef", 3<<16), // 3 MiB
		"public/noext":           "%PDF-1.4 sniffed",
		"public/sub/nested.json": `{"a":1}`,
	} {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mem := fstest.MapFS{
		"hello.txt":      {Data: []byte("hello, memory")},
		"digits.txt":     {Data: []byte("0123456789")},
		"dir/index.html": {Data: []byte("<p>mem index</p>")},
	}
	s = quiet()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Status", fmt.Sprint(c.StatusCode()))
		return nil
	})
	s.Get("/mem/{path:.*}", func(c *hyperlane.Context) error { return c.FileFS(mem, c.Param("path")) })
	s.Get("/disk/{path:.*}", func(c *hyperlane.Context) error { return c.FileFS(os.DirFS(dir), c.Param("path")) })
	s.Get("/one", func(c *hyperlane.Context) error { return c.File(filepath.Join(dir, "hello.txt")) })
	s.Get("/missing", func(c *hyperlane.Context) error { return c.File(filepath.Join(dir, "nope.txt")) })
	s.Static("/static", dir)
	s.Get("/naive/{path:.*}", func(c *hyperlane.Context) error { return c.FileFS(naiveFS(dir), c.Param("path")) })
	return s, dir
}

// naiveFS opens names on disk without validating them, as a careless
// fs.FS might: only FileFS's own checks stand between it and "..".
type naiveFS string

func (d naiveFS) Open(name string) (fs.File, error) { return os.Open(filepath.Join(string(d), name)) }

func TestFileServing(t *testing.T) {
	s, dir := fileServer(t)
	st, err := os.Stat(filepath.Join(dir, "hello.txt"))
	if err != nil {
		t.Fatal(err)
	}
	memETag := do(s, "GET", "/mem/hello.txt", "").Header().Get("ETag")
	diskETag := do(s, "GET", "/disk/hello.txt", "").Header().Get("ETag")
	if memETag == "" || diskETag == "" {
		t.Fatalf("ETag missing: memory %q, disk %q", memETag, diskETag)
	}
	lastMod := st.ModTime().UTC().Format(http.TimeFormat)

	tests := []struct {
		name, path string
		header     []string
		code       int
		body       string // "" skips the check
		want       map[string]string
	}{
		{"file from memory", "/mem/hello.txt", nil, 200, "hello, memory",
			map[string]string{"Content-Type": "text/plain; charset=utf-8", "Content-Length": "13", "X-Status": "200", "Accept-Ranges": "bytes"}},
		{"file from disk with Last-Modified", "/disk/hello.txt", nil, 200, "hello, files",
			map[string]string{"Last-Modified": lastMod, "Content-Type": "text/plain; charset=utf-8"}},
		{"Content-Type from the extension", "/disk/site.css", nil, 200, "body{}", map[string]string{"Content-Type": "text/css; charset=utf-8"}},
		{"Content-Type sniffed without an extension", "/disk/noext", nil, 200, "", map[string]string{"Content-Type": "application/pdf"}},
		{"File serves a path on disk", "/one", nil, 200, "hello, files", nil},
		{"a careless fs.FS still serves its own files", "/naive/sub/nested.json", nil, 200, `{"a":1}`, nil},
		{"Static serves a directory", "/static/sub/nested.json", nil, 200, `{"a":1}`, nil},
		{"a directory serves its index.html", "/disk/sub", nil, 200, "<p>index</p>", map[string]string{"Content-Type": "text/html; charset=utf-8"}},
		{"the root serves index.html of memory dir", "/mem/dir/", nil, 200, "<p>mem index</p>", nil},
		{"Range is 206", "/mem/digits.txt", []string{"Range", "bytes=2-5"}, 206, "2345",
			map[string]string{"Content-Range": "bytes 2-5/10", "X-Status": "206"}},
		{"suffix Range", "/disk/digits.txt", []string{"Range", "bytes=-3"}, 206, "789", nil},
		{"multi-range is multipart", "/mem/digits.txt", []string{"Range", "bytes=0-1,8-9"}, 206, "", nil},
		{"unsatisfiable Range is 416 problem+json", "/mem/digits.txt", []string{"Range", "bytes=50-60"}, 416, "",
			map[string]string{"X-Status": "416", "Content-Type": "application/problem+json", "Content-Range": "bytes */10"}},
		{"If-None-Match with the ETag is 304 (memory)", "/mem/hello.txt", []string{"If-None-Match", memETag}, 304, "", map[string]string{"X-Status": "304"}},
		{"If-None-Match with the ETag is 304 (disk)", "/disk/hello.txt", []string{"If-None-Match", diskETag}, 304, "", nil},
		{"If-None-Match with another ETag is 200", "/mem/hello.txt", []string{"If-None-Match", `"other"`}, 200, "hello, memory", nil},
		{"If-Modified-Since not older is 304", "/disk/hello.txt", []string{"If-Modified-Since", lastMod}, 304, "", nil},
		{"If-Modified-Since older is 200", "/disk/hello.txt", []string{"If-Modified-Since", st.ModTime().Add(-time.Hour).UTC().Format(http.TimeFormat)}, 200, "hello, files", nil},
		{"If-Range with a stale ETag ignores the Range", "/mem/digits.txt", []string{"Range", "bytes=0-1", "If-Range", `"stale"`}, 200, "0123456789", nil},
		{"missing file is 404", "/disk/nope.txt", nil, 404, "", map[string]string{"X-Status": "404"}},
		{"missing File is 404", "/missing", nil, 404, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(s, "GET", tc.path, "", tc.header...)
			if w.Code != tc.code || (tc.body != "" && w.Body.String() != tc.body) {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, tc.code, tc.body)
			}
			for k, v := range tc.want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tc.code == 206 && tc.body == "" {
				if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "multipart/byteranges; boundary=") ||
					!strings.Contains(w.Body.String(), "01") || !strings.Contains(w.Body.String(), "89") {
					t.Fatalf("multi-range: %q %q", ct, w.Body)
				}
			}
			if tc.code == 304 && w.Body.Len() != 0 {
				t.Fatalf("304 with a body %q", w.Body)
			}
		})
	}
	if do(s, "GET", "/mem/hello.txt", "").Header().Get("ETag") != memETag {
		t.Error("the content ETag of an in-memory file is not stable")
	}
}

func TestFileEscapesAreNotFound(t *testing.T) {
	s, dir := fileServer(t)
	for _, path := range []string{
		"/disk/../secret.txt",
		"/disk/%2e%2e/secret.txt",
		"/disk/%2E%2E%2Fsecret.txt",
		"/disk/sub/../../secret.txt",
		"/disk/..%2fsecret.txt",
		"/disk/..%5csecret.txt",
		"/disk/sub%5c..%5c..%5csecret.txt",
		"/disk/hello.txt%00.png",
		"/disk/" + filepath.Join(dir, "..", "secret.txt"),
		"/disk//etc/passwd",
		"/static/../secret.txt",
		"/static/%2e%2e/secret.txt",
		"/mem/../hello.txt",
		"/naive/../secret.txt",
		"/naive/%2e%2e/secret.txt",
		"/naive/sub/../../secret.txt",
		"/naive/" + filepath.Join(dir, "..", "secret.txt"),
	} {
		t.Run(path, func(t *testing.T) {
			w := do(s, "GET", path, "")
			if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "SECRET") {
				t.Fatalf("got %d %q, want 404", w.Code, w.Body)
			}
		})
	}
	t.Run("FileFS refuses names passed directly", func(t *testing.T) {
		s := quiet()
		s.Get("/", func(c *hyperlane.Context) error {
			var codes []string
			for _, name := range []string{"../secret.txt", "..\\secret.txt", "a/../../secret.txt", "sub/\x00", "/../secret.txt", "./../secret.txt"} {
				err := c.FileFS(naiveFS(dir), name)
				var he *hyperlane.HTTPError
				if !errors.As(err, &he) || he.Status != 404 {
					codes = append(codes, fmt.Sprintf("%q: %v", name, err))
				}
			}
			return c.Text(200, strings.Join(codes, "; "))
		})
		if got := do(s, "GET", "/", "").Body.String(); got != "" {
			t.Fatalf("not refused with 404: %s", got)
		}
	})
}

func TestFileOverRealServer(t *testing.T) {
	t.Parallel()
	s, dir := fileServer(t)
	srv := httptest.NewServer(s)
	defer srv.Close()
	want, err := os.ReadFile(filepath.Join(dir, "large", "blob.bin"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a large file arrives whole with Content-Length", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/disk/large/blob.bin")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(want)) || !bytes.Equal(got, want) {
			t.Fatalf("got %d, Content-Length %d, %d bytes (equal %v)", resp.StatusCode, resp.ContentLength, len(got), bytes.Equal(got, want))
		}
	})
	t.Run("a large range", func(t *testing.T) {
		req, _ := http.NewRequest("GET", srv.URL+"/disk/large/blob.bin", nil)
		req.Header.Set("Range", "bytes=1000-2000999")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 206 || !bytes.Equal(got, want[1000:2001000]) {
			t.Fatalf("got %d with %d bytes", resp.StatusCode, len(got))
		}
	})
	t.Run("HEAD has the length and no body", func(t *testing.T) {
		resp, err := http.Head(srv.URL + "/mem/hello.txt")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.ContentLength != 13 || len(b) != 0 {
			t.Fatalf("got %d, Content-Length %d, %d body bytes", resp.StatusCode, resp.ContentLength, len(b))
		}
	})
}

// TestUnsatisfiableRangeOverASocket: the client reads a whole
// problem+json body, framed by its Content-Length, and the connection
// stays usable.
func TestUnsatisfiableRangeOverASocket(t *testing.T) {
	s, _ := rtServer()
	s.Get("/f", func(c *hyperlane.Context) error {
		return c.FileFS(fstest.MapFS{"d.txt": {Data: []byte("0123456789")}}, "d.txt")
	})
	addr := rtServe(t, s)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	for range 2 { // the second request reuses the connection
		req, _ := http.NewRequest("GET", "http://"+addr+"/f", nil)
		req.Header.Set("Range", "bytes=50-")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p hyperlane.HTTPError
		err = json.NewDecoder(resp.Body).Decode(&p)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != 416 || p.Status != 416 || p.Detail == "" ||
			resp.Header.Get("Content-Type") != "application/problem+json" || resp.Header.Get("Content-Range") != "bytes */10" {
			t.Fatalf("416: %d %+v (%v), headers %v", resp.StatusCode, p, err, resp.Header)
		}
	}
}
