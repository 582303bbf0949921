package hyperlane_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// do serves one request in memory. header holds name, value pairs.
func do(h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// problem decodes a problem+json response, failing the test when the
// response is not one.
func problem(t *testing.T, w *httptest.ResponseRecorder) hyperlane.HTTPError {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json (body %q)", ct, w.Body)
	}
	var p hyperlane.HTTPError
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", w.Body, err)
	}
	if p.Status != w.Code {
		t.Fatalf("problem status %d, response status %d", p.Status, w.Code)
	}
	return p
}

// logBuffer is a slog destination that tests read while servers write.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLogged returns a server whose log lines land in the returned buffer.
func newLogged(opts ...hyperlane.Option) (*hyperlane.Server, *logBuffer) {
	lb := new(logBuffer)
	l := slog.New(slog.NewTextHandler(lb, nil))
	return hyperlane.New(append([]hyperlane.Option{hyperlane.WithLogger(l)}, opts...)...), lb
}

// quiet returns a server that logs nowhere.
func quiet(opts ...hyperlane.Option) *hyperlane.Server {
	s, _ := newLogged(opts...)
	return s
}

// say returns a handler answering text s.
func say(s string) hyperlane.Handler {
	return func(c *hyperlane.Context) error { return c.Text(http.StatusOK, s) }
}

func TestMethodHelpers(t *testing.T) {
	s := quiet()
	s.Get("/get", say("get"))
	s.Head("/head", func(c *hyperlane.Context) error { return c.SetHeader("X-Head", "yes").NoContent(200) })
	s.Post("/post", say("post"))
	s.Put("/put", say("put"))
	s.Patch("/patch", say("patch"))
	s.Delete("/delete", say("delete"))
	s.Options("/options", say("options"))
	s.Route([]string{"get", "Post"}, "/route", func(c *hyperlane.Context) error { return c.Text(200, "route "+c.Method()) })
	s.Any("/any", func(c *hyperlane.Context) error { return c.Text(200, "any "+c.Method()) })

	tests := []struct {
		name, method, path string
		code               int
		body               string
	}{
		{"Get serves GET", "GET", "/get", 200, "get"},
		{"Get also serves HEAD", "HEAD", "/get", 200, "get"},
		{"Head serves HEAD", "HEAD", "/head", 200, ""},
		{"Post serves POST", "POST", "/post", 200, "post"},
		{"Put serves PUT", "PUT", "/put", 200, "put"},
		{"Patch serves PATCH", "PATCH", "/patch", 200, "patch"},
		{"Delete serves DELETE", "DELETE", "/delete", 200, "delete"},
		{"Options serves OPTIONS", "OPTIONS", "/options", 200, "options"},
		{"Route takes methods in any case", "GET", "/route", 200, "route GET"},
		{"Route registers each method", "POST", "/route", 200, "route POST"},
		{"Route leaves other methods out", "PUT", "/route", 405, ""},
		{"Post does not serve GET", "GET", "/post", 405, ""},
		{"Head does not serve GET", "GET", "/head", 405, ""},
	}
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"} {
		tests = append(tests, struct {
			name, method, path string
			code               int
			body               string
		}{"Any serves " + m, m, "/any", 200, "any " + m})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(s, tc.method, tc.path, "")
			if w.Code != tc.code {
				t.Fatalf("%s %s = %d %q, want %d", tc.method, tc.path, w.Code, w.Body, tc.code)
			}
			if tc.code == 200 && w.Body.String() != tc.body {
				t.Errorf("body = %q, want %q", w.Body, tc.body)
			}
		})
	}
	if got := do(s, "HEAD", "/head", "").Header().Get("X-Head"); got != "yes" {
		t.Errorf("HEAD /head did not reach the Head handler: X-Head = %q", got)
	}
}

func TestRouteResolution(t *testing.T) {
	s := quiet()
	param := func(names ...string) hyperlane.Handler {
		return func(c *hyperlane.Context) error {
			out := c.RoutePattern()
			for _, n := range names {
				out += " " + n + "=" + c.Param(n)
			}
			return c.Text(200, out)
		}
	}
	s.Get("/users/me", param())
	s.Get("/users/{id}", param("id"))
	s.Put("/users/{id}", param("id"))
	s.Get("/users/{id}/posts/{post}", param("id", "post"))
	s.Get("/nums/{n:\\d+}", param("n"))
	s.Get("/nums/{word}", param("word"))
	s.Get("/codes/{code:\\d{3}}", param("code"))
	s.Get("/ab/{x:a|b}", param("x"))
	s.Get("/files/{path:.*}", param("path"))
	s.Get("/anchored/{path:^.*$}", param("path"))
	s.Get("/static/*", param("*"))
	s.Get("/static/fixed", param())
	s.Get("/esc/{name}", param("name"))
	s.Get("/esc/{name}/tail/{rest:.*}", param("name", "rest"))
	s.Get("/a/b", param())

	tests := []struct {
		name, method, path string
		want               string // "" for 404
	}{
		{"static route", "GET", "/users/me", "/users/me"},
		{"param route beside a static one", "GET", "/users/42", "/users/{id} id=42"},
		{"static path falls through to a param route of another method", "PUT", "/users/me", "/users/{id} id=me"},
		{"HEAD on a static route is served by GET", "HEAD", "/users/me", "/users/me"},
		{"HEAD on a param route is served by GET", "HEAD", "/users/42", "/users/{id} id=42"},
		{"two params", "GET", "/users/7/posts/x-1", "/users/{id}/posts/{post} id=7 post=x-1"},
		{"param never matches an empty segment", "GET", "/users//posts/x", ""},
		{"param does not cross a slash", "GET", "/users/1/2", ""},
		{"regex route takes digits", "GET", "/nums/12", "/nums/{n:\\d+} n=12"},
		{"regex route rejects letters, param takes them", "GET", "/nums/abc", "/nums/{word} word=abc"},
		{"regex must match the whole segment", "GET", "/nums/1a", "/nums/{word} word=1a"},
		{"regex with braces", "GET", "/codes/404", "/codes/{code:\\d{3}} code=404"},
		{"regex with braces rejects a longer segment", "GET", "/codes/4040", ""},
		{"alternation matches a whole segment", "GET", "/ab/a", "/ab/{x:a|b} x=a"},
		{"alternation does not match a prefix", "GET", "/ab/apple", ""},
		{"alternation does not match a suffix", "GET", "/ab/xb", ""},
		{"tail catch-all captures slashes", "GET", "/files/css/site/main.css", "/files/{path:.*} path=css/site/main.css"},
		{"tail catch-all may be empty", "GET", "/files/", "/files/{path:.*} path="},
		{"tail catch-all needs its slash", "GET", "/files", ""},
		{"anchored tail catch-all", "GET", "/anchored/a/b", "/anchored/{path:^.*$} path=a/b"},
		{"chi star read as Param(\"*\")", "GET", "/static/js/app.js", "/static/* *=js/app.js"},
		{"static beats chi star", "GET", "/static/fixed", "/static/fixed"},
		{"%2F inside a param is unescaped into the value", "GET", "/esc/a%2Fb", "/esc/{name} name=a/b"},
		{"escaped unicode param", "GET", "/esc/caf%C3%A9", "/esc/{name} name=café"},
		{"escaped space param", "GET", "/esc/a%20b", "/esc/{name} name=a b"},
		{"escapes in param and tail", "GET", "/esc/x%2Fy/tail/p%2Fq/r", "/esc/{name}/tail/{rest:.*} name=x/y rest=p/q/r"},
		{"%2F does not split a static path", "GET", "/a%2Fb", ""},
		{"unknown path", "GET", "/nope", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(s, tc.method, tc.path, "")
			if tc.want == "" {
				if w.Code != http.StatusNotFound {
					t.Fatalf("%s %s = %d %q, want 404", tc.method, tc.path, w.Code, w.Body)
				}
				return
			}
			if w.Code != 200 || w.Body.String() != tc.want {
				t.Fatalf("%s %s = %d %q, want 200 %q", tc.method, tc.path, w.Code, w.Body, tc.want)
			}
		})
	}
}

func TestParamsInPatternOrder(t *testing.T) {
	s := quiet()
	s.Get("/o/{org}/r/{repo}/{rest:.*}", func(c *hyperlane.Context) error {
		var parts []string
		for _, p := range c.Params() {
			parts = append(parts, p.Key+"="+p.Value)
		}
		return c.Text(200, strings.Join(parts, ","))
	})
	if got := do(s, "GET", "/o/go/r/chi/a/b", "").Body.String(); got != "org=go,repo=chi,rest=a/b" {
		t.Fatalf("Params = %q", got)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	s := quiet()
	s.Get("/items/{id}", say("get"))
	s.Delete("/items/{id}", say("delete"))
	s.Post("/only-post", say("post"))

	t.Run("unknown path is 404 problem+json", func(t *testing.T) {
		w := do(s, "GET", "/missing?q=1", "")
		p := problem(t, w)
		if w.Code != 404 || p.Title != "Not Found" || p.Instance != "/missing" || !strings.Contains(p.Detail, "/missing") {
			t.Fatalf("got %d %+v", w.Code, p)
		}
	})
	t.Run("wrong method is 405 problem+json with Allow", func(t *testing.T) {
		w := do(s, "PUT", "/items/3", "")
		p := problem(t, w)
		if w.Code != 405 || p.Title != "Method Not Allowed" {
			t.Fatalf("got %d %+v", w.Code, p)
		}
		if got := w.Header().Get("Allow"); got != "GET, HEAD, DELETE, OPTIONS" {
			t.Fatalf("Allow = %q", got)
		}
	})
	t.Run("method unknown to the router is 405 on a known path", func(t *testing.T) {
		w := do(s, "PROPFIND", "/only-post", "")
		if w.Code != 405 || w.Header().Get("Allow") != "POST, OPTIONS" {
			t.Fatalf("got %d Allow %q", w.Code, w.Header().Get("Allow"))
		}
	})
	t.Run("method unknown to the router is 404 on an unknown path", func(t *testing.T) {
		if w := do(s, "PROPFIND", "/nope", ""); w.Code != 404 {
			t.Fatalf("got %d", w.Code)
		}
	})
	t.Run("OPTIONS is answered 204 with Allow", func(t *testing.T) {
		w := do(s, "OPTIONS", "/items/3", "")
		if w.Code != 204 || w.Body.Len() != 0 || w.Header().Get("Allow") != "GET, HEAD, DELETE, OPTIONS" {
			t.Fatalf("got %d %q Allow %q", w.Code, w.Body, w.Header().Get("Allow"))
		}
	})
	t.Run("OPTIONS on an unknown path is 404", func(t *testing.T) {
		if w := do(s, "OPTIONS", "/nope", ""); w.Code != 404 {
			t.Fatalf("got %d", w.Code)
		}
	})
	t.Run("an explicit OPTIONS route replaces the automatic answer", func(t *testing.T) {
		s := quiet()
		s.Get("/x", say("x"))
		s.Options("/x", say("mine"))
		if w := do(s, "OPTIONS", "/x", ""); w.Code != 200 || w.Body.String() != "mine" {
			t.Fatalf("got %d %q", w.Code, w.Body)
		}
	})
	t.Run("request middleware runs for 404 and 405", func(t *testing.T) {
		s := quiet()
		s.Get("/x", say("x"))
		s.RequestMiddleware(func(c *hyperlane.Context) error { c.SetHeader("X-Seen", "1"); return nil })
		for _, r := range [][2]string{{"GET", "/nope"}, {"POST", "/x"}, {"OPTIONS", "/x"}} {
			if w := do(s, r[0], r[1], ""); w.Header().Get("X-Seen") != "1" {
				t.Errorf("%s %s: request middleware did not run", r[0], r[1])
			}
		}
	})
}

func TestHeadOverRealServer(t *testing.T) {
	s := quiet()
	big := strings.Repeat("x", 5000)
	s.Get("/small", say("hello"))
	s.Get("/big", say(big))
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, tc := range []struct {
		name, path string
		length     int64
	}{
		{"small body", "/small", 5},
		{"body beyond net/http's buffer", "/big", 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Head(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(b) != 0 {
				t.Fatalf("HEAD = %d with %d body bytes", resp.StatusCode, len(b))
			}
			if resp.ContentLength != tc.length || resp.Header.Get("Content-Length") != strconv.FormatInt(tc.length, 10) {
				t.Fatalf("Content-Length = %d (%q), want %d", resp.ContentLength, resp.Header.Get("Content-Length"), tc.length)
			}
		})
	}
}

func TestTrailingSlash(t *testing.T) {
	register := func(s *hyperlane.Server) {
		s.Get("/a", say("a"))
		s.Get("/b/", say("b/"))
		s.Post("/post", say("post"))
		s.Get("/esc/{name}", func(c *hyperlane.Context) error { return c.Text(200, c.Param("name")) })
		s.Get("/{x}/{y}", say("xy"))
	}
	strict := quiet()
	register(strict)
	redirect := quiet(hyperlane.WithRedirectTrailingSlash(true))
	register(redirect)

	tests := []struct {
		name     string
		s        *hyperlane.Server
		method   string
		path     string
		code     int
		location string
	}{
		{"strict: extra slash is 404", strict, "GET", "/a/", 404, ""},
		{"strict: missing slash is 404", strict, "GET", "/b", 404, ""},
		{"strict: exact paths match", strict, "GET", "/b/", 200, ""},
		{"redirect: extra slash removed with 308", redirect, "GET", "/a/", 308, "/a"},
		{"redirect: missing slash added with 308", redirect, "GET", "/b", 308, "/b/"},
		{"redirect keeps the query", redirect, "GET", "/a/?q=1&r=2", 308, "/a?q=1&r=2"},
		{"redirect keeps escapes", redirect, "GET", "/esc/a%2Fb/", 308, "/esc/a%2Fb"},
		{"redirect for HEAD to a GET route", redirect, "HEAD", "/a/", 308, "/a"},
		{"no redirect to a route of another method", redirect, "POST", "/a/", 404, ""},
		{"redirect for the route's own method", redirect, "POST", "/post/", 308, "/post"},
		{"no redirect when nothing matches", redirect, "GET", "/zzz/", 404, ""},
		{"never redirects to another host", redirect, "GET", "//evil.example/", 404, ""},
		{"exact match is served", redirect, "GET", "/a", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(tc.s, tc.method, tc.path, "")
			if w.Code != tc.code || w.Header().Get("Location") != tc.location {
				t.Fatalf("%s %s = %d Location %q, want %d %q", tc.method, tc.path, w.Code, w.Header().Get("Location"), tc.code, tc.location)
			}
		})
	}
}

func routesTestHandler(c *hyperlane.Context) error { return nil }

func TestRoutes(t *testing.T) {
	s := quiet()
	s.Get("/users/{id}", routesTestHandler, hyperlane.Meta("summary", "Find a user"), hyperlane.Meta("tags", []string{"users"}))
	s.Group("/api", func(g *hyperlane.Group) {
		g.Post("/items", routesTestHandler)
	})
	s.Route([]string{"PUT", "PATCH"}, "/x", routesTestHandler)

	got := s.Routes()
	const name = "github.com/hyperlane-go/hyperlane/hyperlane_test.routesTestHandler"
	want := []hyperlane.RouteInfo{
		{Method: "GET", Pattern: "/users/{id}", Handler: name, Meta: map[string]any{"summary": "Find a user", "tags": []string{"users"}}},
		{Method: "POST", Pattern: "/api/items", Handler: name},
		{Method: "PUT", Pattern: "/x", Handler: name},
		{Method: "PATCH", Pattern: "/x", Handler: name},
	}
	if len(got) != len(want) {
		t.Fatalf("Routes() = %+v", got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Method != w.Method || g.Pattern != w.Pattern || g.Handler != w.Handler || len(g.Meta) != len(w.Meta) {
			t.Errorf("route %d = %+v, want %+v", i, g, w)
		}
	}
	if got[0].Meta["summary"] != "Find a user" || !slices.Equal(got[0].Meta["tags"].([]string), []string{"users"}) {
		t.Errorf("Meta = %v", got[0].Meta)
	}
	got[0].Pattern = "/changed"
	if s.Routes()[0].Pattern != "/users/{id}" {
		t.Error("Routes() exposes the router's own records")
	}
}

// discard is a reusable ResponseWriter that drops the body.
type discard struct{ h http.Header }

func (w *discard) Header() http.Header         { return w.h }
func (w *discard) Write(b []byte) (int, error) { return len(b), nil }
func (w *discard) WriteHeader(int)             {}

type benchUser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// BenchmarkServe compares Hyperlane with bare chi on the same routes, in
// memory with a reused writer; run with -benchmem.
func BenchmarkServe(b *testing.B) {
	s := quiet()
	s.Get("/hello", func(c *hyperlane.Context) error { return c.Text(200, "hello") })
	s.Get("/users/{id}", func(c *hyperlane.Context) error { return c.Text(200, c.Param("id")) })
	s.Get("/json/{id}", func(c *hyperlane.Context) error {
		return c.JSON(200, benchUser{ID: c.Param("id"), Name: "gopher"})
	})
	m := chi.NewMux()
	m.Get("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "hello")
	})
	m.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, chi.URLParam(r, "id"))
	})
	m.Get("/json/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(benchUser{ID: chi.URLParam(r, "id"), Name: "gopher"})
	})
	for _, bc := range []struct{ name, path string }{
		{"static", "/hello"},
		{"param", "/users/42"},
		{"json", "/json/42"},
	} {
		r := httptest.NewRequest("GET", bc.path, nil)
		for _, impl := range []struct {
			name string
			h    http.Handler
		}{{"hyperlane", s}, {"chi", m}} {
			b.Run(bc.name+"/"+impl.name, func(b *testing.B) {
				w := &discard{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					impl.h.ServeHTTP(w, r)
				}
			})
		}
	}
}
