package hyperlane_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestContextRequestSide(t *testing.T) {
	s := quiet()
	var got map[string]string
	s.Post("/orgs/{org}/repos/{repo:[a-z]+}", func(c *hyperlane.Context) error {
		ck := c.Cookie("session")
		got = map[string]string{
			"Method":       c.Method(),
			"Path":         c.Path(),
			"Param":        c.Param("org") + "/" + c.Param("repo"),
			"Param(none)":  c.Param("none"),
			"Params":       fmt.Sprint(c.Params()),
			"Query":        c.Query("q"),
			"Query(none)":  c.Query("none"),
			"QueryValues":  strings.Join(c.QueryValues()["tag"], ","),
			"Header":       c.Header("x-custom"),
			"Header(none)": c.Header("X-None"),
			"Cookie":       ck,
			"Cookie(none)": c.Cookie("none"),
			"RemoteAddr":   c.RemoteAddr(),
			"Request":      c.Request().Host,
			"Context":      fmt.Sprint(c.Context() == c.Request().Context()),
			"RoutePattern": c.RoutePattern(),
		}
		return nil
	})
	r := httptest.NewRequest("POST", "/orgs/go%20lang/repos/chi?q=find&tag=a&tag=b", nil)
	r.Header.Set("X-Custom", "yes")
	r.AddCookie(&http.Cookie{Name: "session", Value: "s3cr3t"})
	r.RemoteAddr = "192.0.2.7:5555"
	s.ServeHTTP(httptest.NewRecorder(), r)

	want := map[string]string{
		"Method":       "POST",
		"Path":         "/orgs/go lang/repos/chi",
		"Param":        "go lang/chi",
		"Param(none)":  "",
		"Params":       "[{org go lang} {repo chi}]",
		"Query":        "find",
		"Query(none)":  "",
		"QueryValues":  "a,b",
		"Header":       "yes",
		"Header(none)": "",
		"Cookie":       "s3cr3t",
		"Cookie(none)": "",
		"RemoteAddr":   "192.0.2.7:5555",
		"Request":      "example.com",
		"Context":      "true",
		"RoutePattern": "/orgs/{org}/repos/{repo:[a-z]+}",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
}

func TestContextDoneWhenClientGoesAway(t *testing.T) {
	s := quiet()
	started, done := make(chan struct{}), make(chan error, 1)
	s.Get("/wait", func(c *hyperlane.Context) error {
		close(started)
		select {
		case <-c.Done():
			done <- c.Context().Err()
		case <-time.After(10 * time.Second): // hang guard only
			done <- fmt.Errorf("Done never closed")
		}
		return nil
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/wait", nil)
	go func() {
		<-started
		cancel()
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	if err := <-done; err != context.Canceled {
		t.Fatalf("after the client left, Context().Err() = %v", err)
	}
}

func TestAttributes(t *testing.T) {
	type user struct{ Name string }
	s := quiet()
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.Set("user", user{"ada"})
		c.Set("count", 3)
		return nil
	})
	s.Get("/", func(c *hyperlane.Context) error {
		u, ok := hyperlane.Attr[user](c, "user")
		n, nok := hyperlane.Attr[int](c, "count")
		_, wrongType := hyperlane.Attr[string](c, "count")
		_, missing := hyperlane.Attr[int](c, "missing")
		raw, rawOK := c.Get("count")
		_, getMissing := c.Get("missing")
		keys := 0
		c.Attributes(func(string, any) { keys++ })
		return c.Text(200, fmt.Sprintf("%v %v %v %v %v %v %v %v %v %v", u.Name, ok, n, nok, wrongType, missing, raw, rawOK, getMissing, keys))
	})
	if got := do(s, "GET", "/", "").Body.String(); got != "ada true 3 true false false 3 true false 2" {
		t.Fatalf("attributes: %q", got)
	}
	s2 := quiet()
	s2.Get("/", func(c *hyperlane.Context) error {
		_, leaked := c.Get("user")
		c.Set("user", "x")
		return c.Text(200, fmt.Sprint(leaked))
	})
	for i := range 3 {
		if got := do(s2, "GET", "/", "").Body.String(); got != "false" {
			t.Fatalf("request %d saw an attribute of an earlier request", i)
		}
	}
}

func TestPooledContextIsResetBetweenRequests(t *testing.T) {
	s := quiet()
	s.Get("/a/{id}", func(c *hyperlane.Context) error {
		c.SetHeader("X-A", "1")
		c.Abort() // aborting in the handler must not leak either
		return c.Text(201, "a "+c.Param("id"))
	})
	s.Get("/b", func(c *hyperlane.Context) error {
		return c.Text(200, fmt.Sprintf("params=%d status=%d aborted=%v body=%q", len(c.Params()), c.StatusCode(), c.IsAborted(), c.ResponseBody()))
	})
	for range 5 {
		do(s, "GET", "/a/1", "")
		w := do(s, "GET", "/b", "")
		if got := w.Body.String(); got != `params=0 status=200 aborted=false body=""` || w.Header().Get("X-A") != "" {
			t.Fatalf("state leaked into the next request: %q", got)
		}
	}
}

func TestContextUsedAfterHandlerReturnedPanics(t *testing.T) {
	s := quiet()
	var kept *hyperlane.Context
	s.Get("/", func(c *hyperlane.Context) error { kept = c; return nil })
	do(s, "GET", "/", "")
	for _, use := range []struct {
		name string
		fn   func()
	}{
		{"Param", func() { kept.Param("x") }},
		{"Text", func() { _ = kept.Text(200, "late") }},
		{"Request", func() { kept.Request() }},
		{"Set", func() { kept.Set("k", 1) }},
	} {
		t.Run(use.name, func(t *testing.T) {
			msg := func() (msg string) {
				defer func() { msg = fmt.Sprint(recover()) }()
				use.fn()
				return ""
			}()
			if !strings.Contains(msg, "Context used after its handler returned") {
				t.Fatalf("late %s: panic %q", use.name, msg)
			}
		})
	}
}

func TestUseWrapsThePipelineWithNetHTTPMiddleware(t *testing.T) {
	s := quiet(hyperlane.WithTrustedProxies("10.0.0.0/8"))
	var order []string
	// RealIP is deprecated (it believes spoofable headers from anyone) and
	// kept here only to prove chi middleware that rewrites the request works.
	//lint:ignore SA1019 compatibility test: docs recommend ClientIP with WithTrustedProxies
	s.Use(middleware.RequestID, middleware.RealIP)
	s.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			order = append(order, "use")
			w.Header().Set("X-Wrapped", "yes")
			next.ServeHTTP(w, r)
		})
	})
	s.RequestMiddleware(func(c *hyperlane.Context) error { order = append(order, "request"); return nil })
	s.Get("/", func(c *hyperlane.Context) error {
		order = append(order, "handler")
		return c.Text(200, middleware.GetReqID(c.Context())+" "+c.RemoteAddr())
	})
	w := do(s, "GET", "/", "", "X-Real-IP", "203.0.113.9")
	body := w.Body.String()
	if !strings.HasSuffix(body, " 203.0.113.9") || len(body) <= len(" 203.0.113.9") {
		t.Fatalf("RequestID and RealIP did not reach the handler: %q", body)
	}
	if w.Header().Get("X-Wrapped") != "yes" || strings.Join(order, ",") != "use,request,handler" {
		t.Fatalf("order %v, X-Wrapped %q", order, w.Header().Get("X-Wrapped"))
	}
	if w := do(s, "GET", "/missing", ""); w.Code != 404 || w.Header().Get("X-Wrapped") != "yes" {
		t.Fatalf("Use middleware must wrap routing too: %d %q", w.Code, w.Header().Get("X-Wrapped"))
	}
}
