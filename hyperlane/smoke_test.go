package hyperlane

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestSmoke(t *testing.T) {
	s := New()
	s.Get("/", func(c *Context) error { return c.Text(200, "hi") })
	s.Get("/users/{id:\\d+}", func(c *Context) error { return c.JSON(200, map[string]string{"id": c.Param("id")}) })
	s.Get("/files/{path:.*}", func(c *Context) error { return c.Text(200, c.Param("path")) })
	for _, tc := range []struct {
		m, p string
		code int
		body string
	}{
		{"GET", "/", 200, "hi"}, {"HEAD", "/", 200, ""}, {"GET", "/users/12", 200, "{\"id\":\"12\"}\n"},
		{"GET", "/users/ab", 404, ""}, {"POST", "/", 405, ""}, {"GET", "/files/a/b/c", 200, "a/b/c"}, {"OPTIONS", "/", 204, ""},
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(tc.m, tc.p, nil))
		t.Logf("%s %s -> %d %q allow=%q ct=%q", tc.m, tc.p, w.Code, w.Body.String(), w.Header().Get("Allow"), w.Header().Get("Content-Type"))
		if w.Code != tc.code || (tc.body != "" && w.Body.String() != tc.body) {
			t.Errorf("bad")
		}
	}
}

type nopW struct{ h http.Header }

func (w *nopW) Header() http.Header         { return w.h }
func (w *nopW) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopW) WriteHeader(int)             {}

func BenchmarkSmokeStatic(b *testing.B) {
	s := New()
	s.Get("/hello", func(c *Context) error { return c.Text(200, "hello") })
	s.Get("/users/{id}", func(c *Context) error { return c.Text(200, c.Param("id")) })
	r := httptest.NewRequest("GET", "/hello", nil)
	r2 := httptest.NewRequest("GET", "/users/42", nil)
	w := &nopW{h: http.Header{}}
	b.Run("static", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.ServeHTTP(w, r)
		}
	})
	b.Run("param", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.ServeHTTP(w, r2)
		}
	})
}
