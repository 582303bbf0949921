//go:build !race

// The race detector makes sync.Pool drop items at random, so allocations
// are counted only in a normal build (go test ./hyperlane/).

package hyperlane

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

type allocWriter struct{ h http.Header }

func (w *allocWriter) Header() http.Header         { return w.h }
func (w *allocWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *allocWriter) WriteHeader(int)             {}

func TestServeDoesNotAllocate(t *testing.T) {
	s := New(WithLogger(slog.New(slog.DiscardHandler)))
	// Header.Set allocates its []string and boxing a string allocates, so
	// the middleware does neither.
	s.RequestMiddleware(func(c *Context) error { c.Set("n", 1); return nil })
	s.ResponseMiddleware(func(c *Context) error { _ = c.StatusCode(); return nil })
	s.Get("/hello", func(c *Context) error { return c.Text(200, "hello") })
	s.Get("/users/{id}", func(c *Context) error { return c.Text(200, c.Param("id")) })
	s.Get("/nums/{n:\\d+}", func(c *Context) error { return c.Text(200, c.Param("n")) })
	s.Get("/files/{path:.*}", func(c *Context) error { return c.Text(200, c.Param("path")) })
	s.Post("/raw", func(c *Context) error {
		c.Status(201).SetBodyString("raw")
		return nil
	})
	for _, tc := range []struct{ name, method, path string }{
		{"static text route", "GET", "/hello"},
		{"HEAD on a static route", "HEAD", "/hello"},
		{"param route", "GET", "/users/42"},
		{"regex param route", "GET", "/nums/42"},
		{"tail catch-all route", "GET", "/files/a/b/c.txt"},
		{"chained setters", "POST", "/raw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &allocWriter{h: http.Header{}}
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if n := testing.AllocsPerRun(1000, func() { s.ServeHTTP(w, r) }); n != 0 {
				t.Fatalf("%s %s: %v allocations per request, want 0", tc.method, tc.path, n)
			}
		})
	}
}
