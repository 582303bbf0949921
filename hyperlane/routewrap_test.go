package hyperlane

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWrapHandler(t *testing.T) {
	trace := func(name string) RouteOption {
		return WrapHandler(func(next Handler) Handler {
			return func(c *Context) error {
				c.AddHeader("X-Trace", name)
				return next(c)
			}
		})
	}
	hello := func(c *Context) error { c.AddHeader("X-Trace", "handler"); return c.Text(http.StatusOK, "hi") }
	s := New()
	s.Get("/one", hello, trace("outer"), trace("inner"))
	s.Route([]string{"GET", "POST"}, "/both", hello, trace("only"))
	s.Get("/plain", hello)

	for _, tc := range []struct {
		name, method, target, trace string
	}{
		{name: "wrappers run in order, the first outermost", method: "GET", target: "/one", trace: "outer,inner,handler"},
		{name: "each method of a route is wrapped", method: "POST", target: "/both", trace: "only,handler"},
		{name: "other routes are not wrapped", method: "GET", target: "/plain", trace: "handler"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(tc.method, tc.target, nil))
			if got := strings.Join(w.Header()["X-Trace"], ","); got != tc.trace {
				t.Errorf("X-Trace %q, want %q", got, tc.trace)
			}
		})
	}
	for _, ri := range s.Routes() {
		if !strings.HasSuffix(ri.Handler, "TestWrapHandler.func2") {
			t.Errorf("route %s %s: Handler %q, want the wrapped handler's name", ri.Method, ri.Pattern, ri.Handler)
		}
	}
}

func TestWrapHandlerRejectsNil(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		fn         func()
	}{
		{name: "nil wrapper", want: "WrapHandler(nil)", fn: func() { WrapHandler(nil) }},
		{name: "wrapper returning nil", want: `route GET "/x"`, fn: func() {
			New().Get("/x", func(*Context) error { return nil }, WrapHandler(func(Handler) Handler { return nil }))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want one containing %q", msg, tc.want)
				}
			}()
			tc.fn()
		})
	}
}
