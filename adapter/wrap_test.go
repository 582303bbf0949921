package adapter_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	chimw "github.com/go-chi/chi/v5/middleware"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

type ctxKey string

// tracer adds name to X-Trace on the way in and on the way out.
func tracer(name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Trace", name+">")
			next.ServeHTTP(w, r)
			w.Header().Add("X-Trace", "<"+name)
		})
	}
}

// statusLog records the status and body size its writer saw, as logging
// middleware does, into the response header X-Seen.
func statusLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		w.Header().Set("X-Seen", fmt.Sprintf("%d %d", rec.status, rec.n))
	})
}

type recorder struct {
	http.ResponseWriter
	status, n int
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }
func (r *recorder) Write(p []byte) (int, error) {
	r.n += len(p)
	return r.ResponseWriter.Write(p)
}

// shout upper-cases the body through a writer wrapper, as a transforming
// middleware (compression, templating) does.
func shout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(upper{w}, r)
	})
}

type upper struct{ http.ResponseWriter }

func (u upper) Write(p []byte) (int, error) { return u.ResponseWriter.Write(bytes.ToUpper(p)) }

func TestWrap(t *testing.T) {
	hello := func(c *hyperlane.Context) error {
		c.AddHeader("X-Trace", "handler")
		user, _ := c.Request().Context().Value(ctxKey("user")).(string)
		return c.Text(http.StatusOK, "hello "+c.Param("name")+user)
	}
	withUser := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey("user"), " (ada)")))
		})
	}
	deny := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "denied", http.StatusUnauthorized)
		})
	}
	paramCheck := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if chi.URLParam(r, "name") != r.PathValue("name") || adapter.ContextFrom(r).Param("name") != r.PathValue("name") {
				http.Error(w, "parameters differ", http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	dropContext := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.Background()))
		})
	}

	s := hyperlane.New(hyperlane.WithLogger(quiet))
	var after string
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		user, _ := c.Request().Context().Value(ctxKey("user")).(string)
		after = fmt.Sprintf("%d %q%s", c.StatusCode(), c.ResponseBody(), user)
		return nil
	})
	s.Get("/order/{name}", adapter.Wrap(hello, tracer("a"), tracer("b")))
	s.Get("/context/{name}", adapter.Wrap(hello, withUser))
	s.Get("/denied/{name}", adapter.Wrap(hello, tracer("a"), deny))
	s.Get("/params/{name}", adapter.Wrap(hello, paramCheck))
	s.Get("/seen/{name}", adapter.Wrap(hello, statusLog))
	s.Get("/seen-error", adapter.Wrap(func(c *hyperlane.Context) error {
		return hyperlane.Error(http.StatusConflict, "taken")
	}, statusLog))
	s.Get("/shout/{name}", adapter.Wrap(hello, shout))
	s.Get("/shout-http", adapter.Wrap(adapter.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "from net/http")
	})), shout))
	s.Get("/dropped", adapter.Wrap(hello, dropContext))
	s.Get("/with/{name}", hello, adapter.With(tracer("a"), tracer("b")))
	s.Group("/group", func(g *hyperlane.Group) {
		guard := adapter.With(deny)
		g.Get("/a", hello, guard)
		g.Get("/b", hello, guard)
	})

	for _, tc := range []struct {
		name   string
		target string
		status int
		body   string // prefix of the body
		header string // "Name: value", when set
		after  string // what response middleware saw, when set
	}{
		{name: "the first middleware is the outermost", target: "/order/bob", status: 200, body: "hello bob",
			header: "X-Trace: a>,b>,handler,<b,<a"},
		{name: "a request replaced by middleware reaches the handler and response middleware",
			target: "/context/bob", status: 200, body: "hello bob (ada)", after: `200 "hello bob (ada)" (ada)`},
		{name: "middleware that answers stops the handler; response middleware sees its answer",
			target: "/denied/bob", status: 401, body: "denied", header: "X-Trace: a>,<a", after: `401 "denied\n"`},
		{name: "route parameters read the same through chi, PathValue and the Context",
			target: "/params/bob", status: 200, body: "hello bob"},
		{name: "writer-wrapping middleware sees the handler's status and body",
			target: "/seen/bob", status: 200, body: "hello bob", header: "X-Seen: 200 9"},
		{name: "writer-wrapping middleware sees an error's problem response",
			target: "/seen-error", status: 409, body: "{", header: "X-Seen: 409 "},
		{name: "a transforming writer changes the body before response middleware",
			target: "/shout/bob", status: 200, body: "HELLO BOB", after: `200 "HELLO BOB"`},
		{name: "a transforming writer changes a wrapped net/http handler's body and keeps its status",
			target: "/shout-http", status: 202, body: "FROM NET/HTTP"},
		{name: "middleware that drops the request context gets a clear 500",
			target: "/dropped", status: 500, body: "adapter: a middleware dropped the request context"},
		{name: "With wraps a route the same way", target: "/with/bob", status: 200, body: "hello bob",
			header: "X-Trace: a>,b>,handler,<b,<a"},
		{name: "With guards every route of a group", target: "/group/a", status: 401, body: "denied"},
		{name: "With guards every route of a group, each", target: "/group/b", status: 401, body: "denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after = ""
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.target, nil))
			if w.Code != tc.status || !strings.HasPrefix(w.Body.String(), tc.body) {
				t.Errorf("GET %s: %d %q, want %d %q", tc.target, w.Code, w.Body, tc.status, tc.body)
			}
			if name, value, ok := strings.Cut(tc.header, ": "); ok {
				if got := strings.Join(w.Header()[name], ","); !strings.HasPrefix(got, value) {
					t.Errorf("%s %q, want %q", name, got, value)
				}
			}
			if tc.after != "" && after != tc.after {
				t.Errorf("response middleware saw %s, want %s", after, tc.after)
			}
		})
	}
}

func TestWrapReplacedBody(t *testing.T) {
	// A middleware replaces the body, as request decompression does; the
	// handler reads the new one through the Context, under the body limit.
	replace := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r2 := r.Clone(r.Context())
			r2.Body, r2.ContentLength = zr, -1
			next.ServeHTTP(w, r2)
		})
	}
	s := hyperlane.New(hyperlane.WithMaxBodyBytes(64))
	s.Post("/", adapter.Wrap(func(c *hyperlane.Context) error {
		var v map[string]string
		if err := c.BindJSON(&v); err != nil {
			return err
		}
		return c.Text(http.StatusOK, v["name"])
	}, replace))

	for _, tc := range []struct {
		name   string
		json   string
		status int
		body   string
	}{
		{name: "the handler reads the replaced body", json: `{"name":"ada"}`, status: 200, body: "ada"},
		{name: "the replaced body is held to the limit", json: `{"name":"` + strings.Repeat("a", 100) + `"}`, status: 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = io.WriteString(zw, tc.json)
			_ = zw.Close()
			if buf.Len() > 64 {
				t.Fatalf("the compressed body, %d bytes, is itself over the limit", buf.Len())
			}
			w := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/", &buf)
			req.Header.Set("Content-Type", "application/json")
			s.ServeHTTP(w, req)
			if w.Code != tc.status || tc.body != "" && w.Body.String() != tc.body {
				t.Errorf("%d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
		})
	}
}

func TestWrapWithChiMiddleware(t *testing.T) {
	s := hyperlane.New()
	page := strings.Repeat("hyperlane ", 100)
	s.Get("/page", adapter.Wrap(func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, page)
	}, chimw.RequestID, chimw.Compress(5, "text/plain"), chimw.SetHeader("X-Frame-Options", "DENY")))
	s.Get("/admin", adapter.Wrap(func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "admin "+chimw.GetReqID(c.Request().Context()))
	}, chimw.RequestID, chimw.BasicAuth("test", map[string]string{"ada": "secret"})))

	t.Run("Compress gzips the handler's body", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/page", nil)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("X-Frame-Options") != "DENY" {
			t.Fatalf("headers %v", w.Header())
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil || string(body) != page {
			t.Errorf("gunzipped %d bytes, %v; want the page", len(body), err)
		}
	})
	for _, tc := range []struct {
		name   string
		user   string
		status int
		body   string
	}{
		{name: "BasicAuth rejects a stranger", user: "eve", status: 401},
		{name: "BasicAuth admits a user; the request ID set by middleware reaches the handler", user: "ada", status: 200, body: "admin "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/admin", nil)
			r.SetBasicAuth(tc.user, "secret")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.status || !strings.HasPrefix(w.Body.String(), tc.body) {
				t.Errorf("%d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
			if tc.status == 200 && len(w.Body.String()) <= len(tc.body) {
				t.Errorf("no request ID in %q", w.Body)
			}
		})
	}
}

func TestWrapPanicsPassThroughMiddleware(t *testing.T) {
	recovered := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					http.Error(w, fmt.Sprint("recovered: ", v), http.StatusServiceUnavailable)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	boom := func(c *hyperlane.Context) error { panic("boom") }
	s.Get("/recovered", adapter.Wrap(boom, recovered))
	s.Get("/unrecovered", adapter.Wrap(boom, tracer("a")))
	for _, tc := range []struct {
		name, target string
		status       int
	}{
		{name: "a recoverer in the middleware catches the panic", target: "/recovered", status: 503},
		{name: "without one, Hyperlane's recovery answers 500", target: "/unrecovered", status: 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.target, nil))
			if w.Code != tc.status {
				t.Errorf("%d %q, want %d", w.Code, w.Body, tc.status)
			}
		})
	}
}

func TestWrapRejectsNil(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"nil handler", func() { adapter.Wrap(nil) }},
		{"nil middleware", func() { adapter.Wrap(func(*hyperlane.Context) error { return nil }, nil) }},
		{"nil middleware in With", func() { adapter.With(tracer("a"), nil) }},
		{"nil FromHTTP handler", func() { adapter.FromHTTP(nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "nil") {
					t.Errorf("panic %q, want one naming the nil argument", msg)
				}
			}()
			tc.fn()
		})
	}
}
