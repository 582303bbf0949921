package hyperlane_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// FuzzPattern registers arbitrary patterns: each either panics with a
// message naming the pattern, or registers and then matches its own
// literal form without a panic.
func FuzzPattern(f *testing.F) {
	for _, seed := range []string{
		"/", "/a/b", "/users/{id}", "/users/{id:\\d+}", "/files/{p:.*}", "/files/{p:^.*$}",
		"/x/*", "/{a}/{b}", "/{a:[a-z]{2,3}}", "/{", "/}", "/{a:(}", "/{a}/{a}", "a", "/a//b",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		s := hyperlane.New(hyperlane.WithLogger(discardLogger()))
		registered := func() (ok bool) {
			defer func() {
				if r := recover(); r != nil {
					msg, _ := r.(string)
					if !strings.HasPrefix(msg, "hyperlane: route GET ") {
						t.Fatalf("panic does not name the route: %v", r)
					}
				}
			}()
			s.Get(pattern, func(c *hyperlane.Context) error { return c.Text(200, "ok") })
			return true
		}()
		if !registered {
			return
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path = pattern
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("GET %q on its own pattern: %d %s", pattern, w.Code, w.Body)
		}
	})
}

// FuzzRoute sends arbitrary paths through a router with every kind of
// route: never a 5xx, and a catch-all parameter is always a suffix of the
// unescaped path.
func FuzzRoute(f *testing.F) {
	for _, seed := range []string{"/", "/users/1", "/users/x", "/files/a/b", "/files/%2e%2e/x", "/a%2Fb", "//", "/files/"} {
		f.Add(seed)
	}
	s := hyperlane.New(hyperlane.WithLogger(discardLogger()))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "root") })
	s.Get("/users/{id:\\d+}", func(c *hyperlane.Context) error { return c.Text(200, c.Param("id")) })
	s.Get("/users/{name}/posts/{post}", func(c *hyperlane.Context) error { return c.Text(200, c.Param("post")) })
	s.Get("/files/{rest:.*}", func(c *hyperlane.Context) error { return c.Text(200, c.Param("rest")) })
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") {
			return
		}
		r, err := http.NewRequest(http.MethodGet, "http://x"+target, nil)
		if err != nil {
			return
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("GET %q: %d %s", target, w.Code, w.Body)
		}
		if w.Code == 200 && strings.HasPrefix(r.URL.Path, "/files/") && !strings.HasSuffix(r.URL.Path, w.Body.String()) {
			t.Fatalf("GET %q: catch-all %q is not a suffix of %q", target, w.Body, r.URL.Path)
		}
	})
}

// FuzzFileFS asks the file server (over an os.Root, as Static serves)
// for arbitrary names: a file outside the root is never served, not
// through a symbolic link either, and nothing is a 5xx.
func FuzzFileFS(f *testing.F) {
	for _, seed := range []string{"a.txt", "../secret.txt", "..%2fsecret.txt", "sub/../../secret.txt", "/etc/passwd", "sub\\..\\..\\secret.txt", "a.txt\x00", ".",
		"out/secret.txt", "sub/up/secret.txt", "abs/secret.txt", "in/a.txt", "out/", "sub/up/"} {
		f.Add(seed)
	}
	dir := f.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		f.Fatal(err)
	}
	const secret = "TOP-SECRET-CONTENT"
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte(secret), 0o600); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("public"), 0o600); err != nil {
		f.Fatal(err)
	}
	for link, to := range map[string]string{"out": "..", "sub/up": "../..", "abs": dir, "in": "."} {
		if err := os.Symlink(to, filepath.Join(root, link)); err != nil {
			f.Fatal(err)
		}
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		f.Fatal(err)
	}
	s := hyperlane.New(hyperlane.WithLogger(discardLogger()))
	fsys := r.FS()
	s.Get("/f", func(c *hyperlane.Context) error { return c.FileFS(fsys, c.Query("name")) })
	f.Fuzz(func(t *testing.T, name string) {
		r := httptest.NewRequest(http.MethodGet, "/f", nil)
		q := r.URL.Query()
		q.Set("name", name)
		r.URL.RawQuery = q.Encode()
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("name %q: %d", name, w.Code)
		}
		if strings.Contains(w.Body.String(), secret) {
			t.Fatalf("name %q served a file outside the root", name)
		}
	})
}

// FuzzProblem renders arbitrary details: the body is always valid JSON
// that round-trips the detail.
func FuzzProblem(f *testing.F) {
	for _, seed := range []string{"", "plain", "quote \" and \\ backslash", "\x00\x01\xff", "<script>"} {
		f.Add(seed, 422)
	}
	f.Fuzz(func(t *testing.T, detail string, status int) {
		s := hyperlane.New(hyperlane.WithLogger(discardLogger()))
		s.Get("/", func(c *hyperlane.Context) error { return hyperlane.Error(status, detail) })
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		var p struct {
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("problem body is not JSON: %v: %q", err, w.Body)
		}
		if p.Status != w.Code || w.Code < 400 || w.Code > 599 {
			t.Fatalf("status %d rendered as %d (body %d)", status, w.Code, p.Status)
		}
		if status >= 400 && status <= 599 && string([]rune(detail)) != p.Detail {
			t.Fatalf("detail %q came back as %q", detail, p.Detail)
		}
	})
}

// FuzzRedirectStaysOnHost redirects arbitrary request paths to arbitrary
// targets, mounted or not: unless the target names a scheme or host
// itself, the Location, read as a browser reads it, stays on this host.
func FuzzRedirectStaysOnHost(f *testing.F) {
	for _, seed := range [][2]string{
		{"//evil.com/x", "login"}, {"///evil.com/x", "a/b"}, {`/\evil.com/x`, "login"}, {"/a/b", "../../..//evil.com"},
		{"/x", ".//evil.com"}, {"/x", "//evil.com"}, {"/x", `/\evil.com`}, {"/x", `\\evil.com`}, {"/", ""},
		{"/a", "?q=1#f"}, {"/%2F%2Fevil.com/x", "y"}, {"/x", "/%2F/evil.com"}, {"/x", "///"}, {"/x", "//user@/p"},
	} {
		f.Add(seed[0], seed[1], false)
		f.Add(seed[0], seed[1], true)
	}
	s := hyperlane.New(hyperlane.WithLogger(discardLogger()))
	s.Get("/{rest:.*}", func(c *hyperlane.Context) error { return c.Redirect(http.StatusFound, c.Query("to")) })
	f.Fuzz(func(t *testing.T, path, target string, mounted bool) {
		if u, err := url.Parse(target); err == nil && (u.Scheme != "" || u.Host != "") &&
			!strings.HasPrefix(target, "//") && !strings.HasPrefix(target, `/\`) {
			return // a URL naming its own scheme or host is sent as given
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path, r.URL.RawPath = "/"+strings.TrimPrefix(path, "/"), ""
		if u, err := url.ParseRequestURI(r.URL.Path); err == nil && u.RawQuery == "" {
			r.URL.Path, r.URL.RawPath = u.Path, u.RawPath // escapes such as %2F, as a server reads them
		}
		r.URL.RawQuery = url.Values{"to": {target}}.Encode()
		if mounted {
			r = hyperlane.WithMountPrefix(r, "/app")
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusFound {
			return // a path the router refuses, or a target that does not parse
		}
		loc := w.Header().Get("Location")
		if why := offHost(loc); why != "" {
			t.Fatalf("path %q, target %q: Location %q leaves the host: %s", path, target, loc, why)
		}
		if mounted && !strings.HasPrefix(loc, "/app") {
			t.Fatalf("path %q, target %q: Location %q lost the mount prefix", path, target, loc)
		}
	})
}
