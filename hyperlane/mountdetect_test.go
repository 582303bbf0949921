package hyperlane

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCleanPrefix(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{name: "empty is the root", in: "", want: "", ok: true},
		{name: "slash is the root", in: "/", want: "", ok: true},
		{name: "one segment", in: "/api", want: "/api", ok: true},
		{name: "trailing slash dropped", in: "/api/v1/", want: "/api/v1", ok: true},
		{name: "sub-delimiters and non-ASCII kept", in: "/a-b_c.d~e/ä/x:y@z", want: "/a-b_c.d~e/ä/x:y@z", ok: true},
		{name: "scheme-relative host rejected", in: "//evil.com"},
		{name: "backslash rejected", in: "/\\evil.com"},
		{name: "dot-dot segment rejected", in: "/a/../b"},
		{name: "dot segment rejected", in: "/a/./b"},
		{name: "empty segment rejected", in: "/a//b"},
		{name: "relative path rejected", in: "api"},
		{name: "absolute URL rejected", in: "https://evil.com"},
		{name: "CR LF rejected", in: "/api\r\nX: y"},
		{name: "NUL rejected", in: "/api\x00"},
		{name: "space rejected", in: "/a b"},
		{name: "comma rejected", in: "/a,/b"},
		{name: "query rejected", in: "/a?b"},
		{name: "fragment rejected", in: "/a#b"},
		{name: "percent rejected", in: "/a%2Fb"},
		{name: "quote and angle brackets rejected", in: `/a"<b>`},
		{name: "braces rejected", in: "/{x}"},
		{name: "invalid UTF-8 rejected", in: "/\xff"},
		{name: "overlong rejected", in: "/" + strings.Repeat("a", 2000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := cleanPrefix(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("cleanPrefix(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestStrippedPrefix(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target string // what the client sent
		path   string // r.URL.Path the app got
		want   string
		known  bool
	}{
		{name: "nothing stripped", target: "/users/7", path: "/users/7", known: true},
		{name: "query ignored", target: "/users/7?x=/api", path: "/users/7", known: true},
		{name: "StripPrefix of a prefix", target: "/api/v1/users", path: "/users", want: "/api/v1", known: true},
		{name: "StripPrefix of the prefix alone", target: "/api", path: "", want: "/api", known: true},
		{name: "StripPrefix with its slash", target: "/api/users", path: "users", want: "/api", known: true},
		{name: "escaped prefix", target: "/%61pi/users", path: "/users", want: "/api", known: true},
		{name: "absolute-form target", target: "http://example.org/api/users", path: "/users", want: "/api", known: true},
		{name: "no segment boundary", target: "/apiusers", path: "users", known: false},
		{name: "rewritten, not stripped", target: "/v1/hi", path: "/hello", known: false},
		{name: "stripped prefix that is not clean", target: "//evil.com/users", path: "/users", known: false},
		{name: "no request target", target: "", path: "/users", known: true},
		{name: "a trailing slash removed is no prefix", target: "/users/", path: "/users", known: true},
		{name: "a trailing slash added is no prefix", target: "/users", path: "/users/", known: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RequestURI, r.URL.Path = tc.target, tc.path
			got, known := strippedPrefix(r)
			if got != tc.want || known != tc.known {
				t.Errorf("strippedPrefix(%q -> %q) = %q, %v; want %q, %v", tc.target, tc.path, got, known, tc.want, tc.known)
			}
		})
	}
}

// TestNoGuessWhenServedAlone: an app that is its own server's handler
// never looks for routes below leading segments, so a path a front proxy
// denies ("/admin") cannot be reached as "/x/admin".
func TestNoGuessWhenServedAlone(t *testing.T) {
	s := New(WithLogger(slog.New(slog.DiscardHandler)))
	s.Get("/admin", func(c *Context) error { return c.Text(200, "admin") })
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/x/admin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /x/admin on the app alone: %d, want 404", resp.StatusCode)
	}
}

// TestGuessUnderNonStrippingHost: under a handler that passes full paths
// (as gin and echo do), the app finds its routes below the host's prefix,
// keeps the prefix in redirects, answers 405 for the right path, never
// guesses its root for a path under no route, and warns once.
func TestGuessUnderNonStrippingHost(t *testing.T) {
	var logs bytes.Buffer
	s := New(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	s.Get("/", func(c *Context) error { return c.Text(200, "root") })
	s.Get("/hello", func(c *Context) error { return c.Text(200, "hello") })
	s.Get("/old", func(c *Context) error { return c.Redirect(302, "/hello") })
	host := http.NewServeMux()
	host.Handle("/api/v1/", s) // no StripPrefix: the app gets the full path
	srv := httptest.NewServer(host)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		name, method, path string
		status             int
		body, location     string
	}{
		{name: "an unknown path under the prefix is 404, not the root", method: "GET", path: "/api/v1/nope/", status: 404},
		{name: "a route below the prefix", method: "GET", path: "/api/v1/hello", status: 200, body: "hello"},
		{name: "a redirect keeps the prefix", method: "GET", path: "/api/v1/old", status: 302, location: "/api/v1/hello"},
		{name: "the root under the prefix found", method: "GET", path: "/api/v1/", status: 200, body: "root"},
		{name: "another method is 405", method: "POST", path: "/api/v1/hello", status: 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || tc.body != "" && string(body) != tc.body {
				t.Fatalf("%s %s: %d %q, want %d %q", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.body)
			}
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
		})
	}
	if n := strings.Count(logs.String(), "passes it full paths"); n != 1 {
		t.Errorf("%d warnings, want one:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "http.StripPrefix") {
		t.Errorf("the warning does not say what to do:\n%s", logs.String())
	}
}

// TestGuessDepthBounded: a long path under no route is searched through
// a bounded number of segments only.
func TestGuessDepthBounded(t *testing.T) {
	s := New(WithLogger(slog.New(slog.DiscardHandler)))
	s.Get("/hello", func(c *Context) error { return c.Text(200, "hello") })
	host := http.NewServeMux()
	host.Handle("/", s)
	srv := httptest.NewServer(host)
	defer srv.Close()
	for _, tc := range []struct {
		depth  int
		status int
	}{{maxGuessDepth, 200}, {maxGuessDepth + 1, 404}} {
		resp, err := http.Get(srv.URL + strings.Repeat("/a", tc.depth) + "/hello")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%d leading segments: %d, want %d", tc.depth, resp.StatusCode, tc.status)
		}
	}
}

// BenchmarkResolveMount measures what working out the mount prefix costs
// a request: nothing mounted (the hot path) and under http.StripPrefix.
func BenchmarkResolveMount(b *testing.B) {
	s := New(WithLogger(slog.New(slog.DiscardHandler)))
	alone := httptest.NewRequest("GET", "/hello", nil)
	stripped := httptest.NewRequest("GET", "/api/v1/hello", nil)
	stripped.URL.Path = "/hello"
	for _, bc := range []struct {
		name string
		r    *http.Request
	}{{"unmounted", alone}, {"StripPrefix", stripped}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = s.resolveMount(bc.r)
			}
		})
	}
}
