package middleware_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

// quiet is a logger for servers whose logs a test does not read.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// do serves one request in memory.
func do(s *hyperlane.Server, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestInstallRunsLayersOutermostFirst(t *testing.T) {
	var trace []string
	layer := func(name string) middleware.Middleware {
		return middleware.Middleware{
			Request:  func(c *hyperlane.Context) error { trace = append(trace, name+".request"); return nil },
			Response: func(c *hyperlane.Context) error { trace = append(trace, name+".response"); return nil },
		}
	}
	tests := []struct {
		name string
		mws  []middleware.Middleware
		want []string
	}{
		{
			name: "request halves in order, response halves reversed",
			mws:  []middleware.Middleware{layer("a"), layer("b")},
			want: []string{"a.request", "b.request", "handler", "b.response", "a.response"},
		},
		{
			name: "a nil half is skipped",
			mws: []middleware.Middleware{
				layer("a"),
				{Request: func(c *hyperlane.Context) error { trace = append(trace, "onlyreq"); return nil }},
				{Response: func(c *hyperlane.Context) error { trace = append(trace, "onlyresp"); return nil }},
			},
			want: []string{"a.request", "onlyreq", "handler", "onlyresp", "a.response"},
		},
		{
			name: "nothing to install",
			want: []string{"handler"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trace = nil
			s := hyperlane.New(hyperlane.WithLogger(quiet))
			middleware.Install(s, tt.mws...)
			s.Get("/", func(c *hyperlane.Context) error { trace = append(trace, "handler"); return nil })
			do(s, httptest.NewRequest("GET", "/", nil))
			if !slices.Equal(trace, tt.want) {
				t.Errorf("ran %v, want %v", trace, tt.want)
			}
		})
	}
}

func TestInstallOnGroup(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	s.Group("/api", func(g *hyperlane.Group) {
		middleware.Install(g, middleware.RequestID())
		g.Get("/x", func(c *hyperlane.Context) error { return c.Text(200, middleware.RequestIDFrom(c)) })
	})
	s.Get("/y", func(c *hyperlane.Context) error { return c.Text(200, "y") })

	w := do(s, httptest.NewRequest("GET", "/api/x", nil))
	if id := w.Header().Get("X-Request-Id"); id == "" || w.Body.String() != id {
		t.Errorf("group route: header %q, body %q; want the same non-empty id", id, w.Body.String())
	}
	if id := do(s, httptest.NewRequest("GET", "/y", nil)).Header().Get("X-Request-Id"); id != "" {
		t.Errorf("route outside the group got request id %q", id)
	}
}

func TestConstructorsRejectTwoConfigs(t *testing.T) {
	tests := []struct {
		name string
		make func()
	}{
		{"RequestID", func() { middleware.RequestID(middleware.RequestIDConfig{}, middleware.RequestIDConfig{}) }},
		{"SecurityHeaders", func() { middleware.SecurityHeaders(middleware.SecurityConfig{}, middleware.SecurityConfig{}) }},
		{"Compress", func() { middleware.Compress(middleware.CompressConfig{}, middleware.CompressConfig{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := panicMessage(tt.make)
			if msg != "middleware: "+tt.name+" takes at most one config" {
				t.Errorf("panic %q", msg)
			}
		})
	}
}

// panicMessage runs fn and returns what it panicked with, or "".
func panicMessage(fn func()) (msg string) {
	defer func() {
		if rec := recover(); rec != nil {
			msg, _ = rec.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	fn()
	return ""
}

// nopWriter is a ResponseWriter that keeps nothing, so benchmarks count
// only the middleware's own work.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

func BenchmarkMiddleware(b *testing.B) {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	cases := []struct {
		name string
		mw   middleware.Middleware
	}{
		{"RequestID", middleware.RequestID()},
		{"AccessLog", middleware.AccessLog(logger)},
		{"CORS", middleware.CORS(middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}})},
		{"SecurityHeaders", middleware.SecurityHeaders()},
		{"Compress/small", middleware.Compress()},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			s := hyperlane.New(hyperlane.WithLogger(quiet))
			middleware.Install(s, bc.mw)
			s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "hello") })
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Origin", "https://app.example.com")
			r.Header.Set("Accept-Encoding", "gzip")
			w := &nopWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				s.ServeHTTP(w, r)
			}
		})
	}
}
