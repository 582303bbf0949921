package hyperlane_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// TestStaticNeverLeavesItsRoot: Static serves a directory through an
// os.Root, so that no name, encoded or not, and no symbolic link reaches
// a file outside it; links that stay inside work. Issue 11 §6.
func TestStaticNeverLeavesItsRoot(t *testing.T) {
	const secret = "ROOT:x:0:0:SECRET-OUTSIDE-THE-ROOT"
	base := t.TempDir()
	dir := filepath.Join(base, "public")
	outside := filepath.Join(base, "etc")
	for name, data := range map[string]string{
		"etc/passwd":            secret,
		"public/hello.txt":      "hello, static",
		"public/sub/index.html": "<p>sub index</p>",
		"public/sub/page.txt":   "a page",
	} {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, to := range map[string]string{
		"etclink":      outside,                          // a directory outside, by absolute path
		"passwd":       filepath.Join(outside, "passwd"), // a file outside, by absolute path
		"up":           "../etc",                         // a directory outside, by a relative path
		"sub/deep":     "../../etc/passwd",               // a file outside, from a subdirectory
		"alias.txt":    "hello.txt",                      // a file inside
		"subalias":     "sub",                            // a directory inside
		"sub/back.txt": "../hello.txt",
		"absin":        filepath.Join(dir, "hello.txt"), // inside, through ..
	} {
		if err := os.Symlink(to, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(discardLogger()))
	s.Static("/static", dir)
	addr := liveAddr(t, s)
	tests := []struct {
		name, target string
		status       int
		body         string // for 200
	}{
		{name: "a file is served", target: "/static/hello.txt", status: 200, body: "hello, static"},
		{name: "a link to a file inside is served", target: "/static/alias.txt", status: 200, body: "hello, static"},
		{name: "a link to a directory inside is served", target: "/static/subalias/page.txt", status: 200, body: "a page"},
		{name: "a link inside through .. is served", target: "/static/sub/back.txt", status: 200, body: "hello, static"},
		{name: "a directory serves its index", target: "/static/sub/", status: 200, body: "<p>sub index</p>"},
		{name: "an absolute link is 404, even to a file inside", target: "/static/absin", status: 404},
		{name: "a link to a directory outside is 404", target: "/static/etclink/passwd", status: 404},
		{name: "a link to a file outside is 404", target: "/static/passwd", status: 404},
		{name: "a relative link out is 404", target: "/static/up/passwd", status: 404},
		{name: "a link out from a subdirectory is 404", target: "/static/sub/deep", status: 404},
		{name: "dot-dot", target: "/static/../etc/passwd"},
		{name: "dot-dot through a subdirectory", target: "/static/sub/../../etc/passwd"},
		{name: "encoded dot-dot", target: "/static/%2e%2e/etc/passwd"},
		{name: "encoded dot-dot and slashes", target: "/static/%2e%2e%2fetc%2fpasswd"},
		{name: "a NUL byte", target: "/static/hello.txt%00.png"},
		{name: "encoded backslashes", target: "/static/..%5cetc%5cpasswd"},
		{name: "raw backslashes", target: `/static/sub\..\..\etc\passwd`},
		{name: "an absolute path", target: "/static/" + filepath.Join(outside, "passwd")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawGet(t, addr, tc.target)
			if strings.Contains(body, "SECRET") {
				t.Fatalf("GET %s served the file outside the root: %d %q", tc.target, resp.StatusCode, body)
			}
			switch {
			case tc.status == 0 && (resp.StatusCode < 400 || resp.StatusCode > 499):
				t.Fatalf("GET %s: %d %q, want a 4xx", tc.target, resp.StatusCode, body)
			case tc.status != 0 && resp.StatusCode != tc.status:
				t.Fatalf("GET %s: %d %q, want %d", tc.target, resp.StatusCode, body, tc.status)
			case tc.status == 200 && body != tc.body:
				t.Fatalf("GET %s: %q, want %q", tc.target, body, tc.body)
			}
		})
	}
}

// TestFileWithATrailingSlashIs404: "hello.txt/" names a directory, which
// a file is not (open(2) answers ENOTDIR); serving the file there would
// also break its relative links. Issue 11 §6.
func TestFileWithATrailingSlashIs404(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"hello.txt": "hello", "docs/index.html": "<p>docs</p>"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(discardLogger()))
	s.Static("/files", dir)
	s.Get("/mem/{path:.*}", func(c *hyperlane.Context) error { return c.FileFS(os.DirFS(dir), c.Param("path")) })
	addr := liveAddr(t, s)
	tests := []struct {
		name, target string
		status       int
	}{
		{name: "a file", target: "/files/hello.txt", status: 200},
		{name: "a file with a trailing slash", target: "/files/hello.txt/", status: 404},
		{name: "a file with two trailing slashes", target: "/files/hello.txt//", status: 404},
		{name: "a file with a trailing slash, any fs.FS", target: "/mem/hello.txt/", status: 404},
		{name: "a directory with a trailing slash", target: "/files/docs/", status: 200},
		{name: "a directory without one", target: "/files/docs", status: 200},
		{name: "the root", target: "/files/", status: 404}, // no index.html there
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if resp, body := rawGet(t, addr, tc.target); resp.StatusCode != tc.status {
				t.Fatalf("GET %s: %d %q, want %d", tc.target, resp.StatusCode, body, tc.status)
			}
		})
	}
	if resp, _ := rawGet(t, addr, "/files/hello.txt/"); resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("the 404 is not a problem: %q", resp.Header.Get("Content-Type"))
	}
}

func TestStaticPanicsOnAMissingDirectory(t *testing.T) {
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, `Static "/assets"`) || !strings.Contains(msg, "no-such-dir") {
			t.Fatalf("panic %q, want one naming the prefix and the directory", msg)
		}
	}()
	hyperlane.New(hyperlane.WithLogger(discardLogger())).Static("/assets", filepath.Join(t.TempDir(), "no-such-dir"))
}
