package openapi_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// fakeRapiDoc is what the tests put in a RapiDocDir: the library reads
// the file, it never runs it.
const fakeRapiDoc = "/* rapidoc stand-in */ customElements.define('rapi-doc', class extends HTMLElement {});\n"

// rapiDocDir returns a directory holding rapidoc-min.js, beside a secret
// file that must never be served.
func rapiDocDir(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "rapidoc")
	for name, body := range map[string]string{
		filepath.Join(parent, "secret.txt"):   "SECRET beside the dir",
		filepath.Join(dir, "rapidoc-min.js"):  fakeRapiDoc,
		filepath.Join(dir, "LICENSE.txt"):     "MIT, not served",
		filepath.Join(dir, ".pin"):            "stamp, not served",
		filepath.Join(dir, "sub", "other.js"): "not served",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var scriptSrc = regexp.MustCompile(`<script type="module" src="([^"]+)"`)

// fetchURL fetches u over the network, returning the response and its body.
func fetchURL(t *testing.T, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The page served with RapiDocDir needs nothing beyond the app: its one
// script, resolved as a browser resolves it, is the directory's file.
func TestRapiDocDirServesTheScriptFromTheApp(t *testing.T) {
	s, _ := newAPI(t, openapi.Config{RapiDocDir: rapiDocDir(t)})
	srv := httptest.NewServer(s)
	defer srv.Close()

	resp, page := fetchURL(t, srv.URL+"/rapidoc")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /rapidoc: %d", resp.StatusCode)
	}
	if u := regexp.MustCompile(`https?://`).FindString(page); u != "" {
		t.Errorf("the page names a URL beyond the app (%s):\n%s", u, page)
	}
	for _, want := range []string{`load-fonts="false"`, `regular-font="system-ui`, `mono-font="ui-monospace`, `spec-url="/openapi.json"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "integrity=") || strings.Contains(page, "crossorigin") {
		t.Error("the app's own script needs no integrity attribute")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'; script-src 'self';") || strings.Contains(csp, "http") {
		t.Errorf("CSP %q: want scripts from 'self' only and no other host", csp)
	}

	m := scriptSrc.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no module script in the page:\n%s", page)
	}
	pageURL, _ := url.Parse(srv.URL + "/rapidoc")
	script, _ := pageURL.Parse(m[1])
	if script.Path != "/rapidoc/rapidoc-min.js" || script.Query().Get("v") == "" {
		t.Errorf("script URL %s: want /rapidoc/rapidoc-min.js?v=<content hash>", script)
	}
	resp, body := fetchURL(t, script.String(), "Accept-Encoding", "identity") // gzip: TestRapiDocDirScriptIsSentCompressed
	if resp.StatusCode != 200 || body != fakeRapiDoc {
		t.Fatalf("GET %s: %d %q", script, resp.StatusCode, body)
	}
	for h, want := range map[string]string{
		"Content-Type":           "text/javascript; charset=utf-8",
		"Cache-Control":          "public, max-age=31536000, immutable",
		"X-Content-Type-Options": "nosniff",
		"ETag":                   `"` + script.Query().Get("v") + `"`,
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	resp, _ = fetchURL(t, srv.URL+"/rapidoc/rapidoc-min.js")
	if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || cc != "no-cache" {
		t.Errorf("the unversioned URL: %d, Cache-Control %q, want 200 and no-cache", resp.StatusCode, cc)
	}
	resp, body = fetchURL(t, script.String(), "If-None-Match", resp.Header.Get("ETag"))
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("a revalidation with the ETag: %d with %d bytes, want 304 and none", resp.StatusCode, len(body))
	}
}

// The script URL is relative to the page, so it resolves under a prefix
// the app does not know about (a mux that strips it), wherever
// RapiDocPath puts the page.
func TestRapiDocDirScriptUnderAStrippedPrefix(t *testing.T) {
	tests := []struct{ name, rapiDocPath, script string }{
		{"a page path without a trailing slash", "/docs/rapidoc", "/api/docs/rapidoc/rapidoc-min.js"},
		{"a page path with a trailing slash", "/docs/", "/api/docs/rapidoc-min.js"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newAPI(t, openapi.Config{RapiDocDir: rapiDocDir(t), RapiDocPath: tt.rapiDocPath})
			mux := http.NewServeMux()
			mux.Handle("/api/", http.StripPrefix("/api", s))
			srv := httptest.NewServer(mux)
			defer srv.Close()

			resp, page := fetchURL(t, srv.URL+"/api"+tt.rapiDocPath)
			m := scriptSrc.FindStringSubmatch(page)
			if resp.StatusCode != 200 || m == nil {
				t.Fatalf("no module script in the page: %d\n%s", resp.StatusCode, page)
			}
			pageURL, _ := url.Parse(srv.URL + "/api" + tt.rapiDocPath)
			script, _ := pageURL.Parse(m[1])
			resp, body := fetchURL(t, script.String())
			if script.Path != tt.script || resp.StatusCode != 200 || body != fakeRapiDoc {
				t.Errorf("the page's script %s: %d %q, want %s", script, resp.StatusCode, body, tt.script)
			}
		})
	}
}

// rawGet sends a request line as written (no client cleaning the path)
// and returns the status and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRapiDocDirServesNothingElse(t *testing.T) {
	s, _ := newAPI(t, openapi.Config{RapiDocDir: rapiDocDir(t)})
	srv := httptest.NewServer(s)
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	for _, target := range []string{
		"/rapidoc/../secret.txt",
		"/rapidoc/..%2fsecret.txt",
		"/rapidoc/%2e%2e/secret.txt",
		"/rapidoc/..%2f..%2f..%2fetc%2fpasswd",
		"/rapidoc/LICENSE.txt",
		"/rapidoc/.pin",
		"/rapidoc/sub/other.js",
		"/rapidoc/sub%2fother.js",
		"/rapidoc/rapidoc-min.js%00.txt",
		"/rapidoc/",
	} {
		code, body := rawGet(t, addr, target)
		if code < 400 || code >= 500 || strings.Contains(body, "SECRET") || strings.Contains(body, "served") || strings.Contains(body, "root:") {
			t.Errorf("GET %s: %d %q, want a 4xx and none of the files", target, code, body)
		}
	}
}

// A RapiDocDir that cannot serve the page is a panic at New naming the
// field and the directory, not a blank page later.
func TestRapiDocDirMistakesPanicAtNew(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "elsewhere.js")
	os.WriteFile(outside, []byte(fakeRapiDoc), 0o644)
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		url  string
		want string
	}{
		{"a directory that does not exist", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, "",
			"no such file or directory"},
		{"a directory without rapidoc-min.js", func(t *testing.T) string { return t.TempDir() }, "",
			"has no usable rapidoc-min.js"},
		{"an empty rapidoc-min.js (an interrupted copy)", func(t *testing.T) string {
			d := t.TempDir()
			os.WriteFile(filepath.Join(d, "rapidoc-min.js"), nil, 0o644)
			return d
		}, "", "has no usable rapidoc-min.js: the file is empty"},
		{"a rapidoc-min.js linking out of the directory", func(t *testing.T) string {
			d := t.TempDir()
			if err := os.Symlink(outside, filepath.Join(d, "rapidoc-min.js")); err != nil {
				t.Skip("no symbolic links here:", err)
			}
			return d
		}, "", "has no usable rapidoc-min.js"},
		{"a directory and a script URL both set", rapiDocDir, "https://cdn.example/rapidoc-min.js",
			"are both set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			defer func() {
				msg := fmt.Sprint(recover())
				for _, want := range []string{"openapi.New: Config.RapiDocDir " + fmt.Sprintf("%q", dir), tt.want} {
					if !strings.Contains(msg, want) {
						t.Errorf("panic %q lacks %q", msg, want)
					}
				}
			}()
			newAPI(t, openapi.Config{RapiDocDir: dir, RapiDocScriptURL: tt.url})
		})
	}
	// Disabled pages read nothing.
	newAPI(t, openapi.Config{RapiDocDir: filepath.Join(t.TempDir(), "nope"), RapiDocPath: openapi.Disabled})
}

// records is a slog handler keeping the messages it is given.
type records struct {
	mu   sync.Mutex
	msgs []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}

func TestRapiDocCDNFallbackIsLoggedOnce(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(t *testing.T) openapi.Config
		logs int
	}{
		{"the default CDN page logs once that it needs network", func(*testing.T) openapi.Config { return openapi.Config{} }, 1},
		{"a served directory logs nothing", func(t *testing.T) openapi.Config { return openapi.Config{RapiDocDir: rapiDocDir(t)} }, 0},
		{"a script URL of the user's choice logs nothing", func(*testing.T) openapi.Config {
			return openapi.Config{RapiDocScriptURL: "/assets/rapidoc-min.js"}
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &records{}
			s := hyperlane.New(hyperlane.WithLogger(slog.New(rec)))
			openapi.New(s, tt.cfg(t))
			for range 3 {
				if w := do(t, s, request{target: "/rapidoc"}); w.Code != 200 {
					t.Fatalf("status %d", w.Code)
				}
			}
			var n int
			for _, m := range rec.msgs {
				if strings.Contains(m, "needs network") {
					n++
				}
			}
			if n != tt.logs {
				t.Errorf("%d records saying the page needs network, want %d: %q", n, tt.logs, rec.msgs)
			}
		})
	}
}

// The app's own script under HEAD and a range request, as browsers and
// proxies send them.
func TestRapiDocDirScriptHeadAndRange(t *testing.T) {
	s, _ := newAPI(t, openapi.Config{RapiDocDir: rapiDocDir(t)})
	w := do(t, s, request{method: http.MethodHead, target: "/rapidoc/rapidoc-min.js"})
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != fmt.Sprint(len(fakeRapiDoc)) {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
	w = do(t, s, request{target: "/rapidoc/rapidoc-min.js", header: map[string]string{"Range": "bytes=0-9"}})
	if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), []byte(fakeRapiDoc[:10])) {
		t.Errorf("Range: %d %q", w.Code, w.Body)
	}
}
