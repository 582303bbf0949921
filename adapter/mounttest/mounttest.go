// Package mounttest checks that a Hyperlane app keeps its behaviour when
// it is mounted under a path prefix in another router: routing, errors,
// redirects and streams. Host a fresh App under a prefix, serve the host,
// and let Check exercise it through a real socket:
//
//	mux := http.NewServeMux()
//	mux.Handle("/api/", adapter.Mount("/api", mounttest.App()))
//	srv := httptest.NewServer(mux)
//	defer srv.Close()
//	mounttest.Check(t, srv.URL+"/api")
//
// The adapter package proves ServeMux, chi and a bare http.Server with it;
// the e2e module proves gin and echo. Use it for any other host router.
// APIApp and CheckAPI do the same for an app with a documented API: the
// document's servers, /swagger, /rapidoc, problems and redirects.
package mounttest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// App returns a fresh reference app with the routes Check exercises:
//
//	GET  /                 "root"
//	GET  /hello            "hello"               a static route
//	GET  /users/{id}       "user <id>"           a parameter
//	GET  /files/{path:.*}  "<path>"              a catch-all
//	POST /items            201 "created"         any other method: 405 with Allow
//	GET  /old              302 to /hello         a redirect
//	GET  /ws               WebSocket             echoes text messages, prefixed "echo: "
//	GET  /events           SSE                   events 1, 2, 3, then stays open
//	GET  /http/ws          /ws by a net/http handler (adapter.FromHTTP)
//	GET  /http/events      /events by a net/http handler (adapter.FromHTTP)
//
// Everything else is Hyperlane's 404. opts configure the server.
func App(opts ...hyperlane.Option) *hyperlane.Server {
	s := hyperlane.New(opts...)
	text := func(body string) hyperlane.Handler {
		return func(c *hyperlane.Context) error { return c.Text(http.StatusOK, body) }
	}
	s.Get("/", text("root"))
	s.Get("/hello", text("hello"))
	s.Get("/users/{id}", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "user "+c.Param("id"))
	})
	s.Get("/files/{path:.*}", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, c.Param("path"))
	})
	s.Post("/items", func(c *hyperlane.Context) error {
		return c.Text(http.StatusCreated, "created")
	})
	s.Get("/old", func(c *hyperlane.Context) error {
		return c.Redirect(http.StatusFound, "/hello")
	})
	registerStreams(s)
	return s
}

// timeout bounds every exchange of Check, as a guard against a hang only.
const timeout = 10 * time.Second

// Check exercises App mounted at base, the absolute URL of its prefix
// (such as "http://127.0.0.1:8080/api"), one subtest per behaviour.
func Check(t *testing.T, base string) {
	t.Helper()
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || u.Host == "" {
		t.Fatalf("mounttest: base %q is not an absolute URL: %v", base, err)
	}
	prefix := u.Path
	client := &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	following := &http.Client{Timeout: timeout}

	for _, tc := range []struct {
		name     string
		client   *http.Client
		method   string
		path     string // appended to base
		status   int
		body     string            // exact, when set
		header   map[string]string // exact values, when set
		location string            // exact Location, when set
	}{
		{name: "static route", method: "GET", path: "/hello", status: 200, body: "hello"},
		{name: "prefix with slash is the app root", method: "GET", path: "/", status: 200, body: "root"},
		{name: "prefix without slash reaches the app root", client: following, method: "GET", path: "", status: 200, body: "root"},
		{name: "parameter route", method: "GET", path: "/users/42", status: 200, body: "user 42"},
		{name: "escaped parameter is unescaped", method: "GET", path: "/users/a%20b", status: 200, body: "user a b"},
		{name: "catch-all takes the rest of the path", method: "GET", path: "/files/a/b/c.txt", status: 200, body: "a/b/c.txt"},
		{name: "catch-all keeps an escaped slash", method: "GET", path: "/files/a%2Fb", status: 200, body: "a/b"},
		{name: "HEAD is served by the GET route", method: "HEAD", path: "/hello", status: 200},
		{name: "POST route", method: "POST", path: "/items", status: 201, body: "created"},
		{name: "unknown path is Hyperlane's 404", method: "GET", path: "/nope", status: 404,
			header: map[string]string{"Content-Type": "application/problem+json"}},
		{name: "wrong method is 405 with Allow", method: "GET", path: "/items", status: 405,
			header: map[string]string{"Allow": "POST, OPTIONS", "Content-Type": "application/problem+json"}},
		{name: "OPTIONS lists the methods", method: "OPTIONS", path: "/items", status: 204,
			header: map[string]string{"Allow": "POST, OPTIONS"}},
		{name: "redirect keeps the prefix", method: "GET", path: "/old", status: 302, location: prefix + "/hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client
			if c == nil {
				c = client
			}
			req, err := http.NewRequest(tc.method, base+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s: status %d, want %d; body %q", tc.method, tc.path, resp.StatusCode, tc.status, body)
			}
			if tc.body != "" && string(body) != tc.body {
				t.Errorf("%s %s: body %q, want %q", tc.method, tc.path, body, tc.body)
			}
			for k, v := range tc.header {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s %s: %s %q, want %q", tc.method, tc.path, k, got, v)
				}
			}
			if tc.location != "" && resp.Header.Get("Location") != tc.location {
				t.Errorf("%s %s: Location %q, want %q", tc.method, tc.path, resp.Header.Get("Location"), tc.location)
			}
		})
	}
	checkStreams(t, u)
}

// Serve runs h on a plain http.Server on a loopback port until the test
// ends, and returns its base URL: the bare host for Check.
func Serve(t testing.TB, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}
