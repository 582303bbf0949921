package hyperlane_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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

// TestContextUsedAfterHandlerReturnedIsANoOp calls every method of a
// Context kept past its handler: none panics, none reaches the request
// the pooled state serves next, each says so (ErrContextReleased or a
// zero value), and the server logs the misuse once, with a stack.
func TestContextUsedAfterHandlerReturnedIsANoOp(t *testing.T) {
	s, logs := newLogged()
	var kept *hyperlane.Context
	var keptWriter http.ResponseWriter
	var keptRequest *http.Request
	s.Post("/keep/{id}", func(c *hyperlane.Context) error {
		kept, keptWriter, keptRequest = c, c.BufferedWriter(), c.Request()
		c.Set("user", "alice")
		return c.Text(200, "kept")
	})
	s.Post("/next/{id}", func(c *hyperlane.Context) error {
		// The state kept's handle pointed to serves this request now.
		if fault := lateUses(t, kept, keptWriter, keptRequest); fault != "" {
			return c.Text(500, fault)
		}
		_, user := c.Get("user")
		body, err := c.Body()
		return c.Text(200, fmt.Sprintf("id=%s user=%v body=%s %v", c.Param("id"), user, body, err))
	})
	if w := do(s, "POST", "/keep/1", `{"a":1}`, "Content-Type", "application/json"); w.Body.String() != "kept" {
		t.Fatalf("keeping request answered %d %q", w.Code, w.Body)
	}
	w := do(s, "POST", "/next/2", "next body")
	if want := "id=2 user=false body=next body <nil>"; w.Code != 200 || w.Body.String() != want {
		t.Fatalf("next request answered %d %q, want 200 %q", w.Code, w.Body, want)
	}
	for _, h := range []string{"X-Late", "X-Late-Add", "Location", "Set-Cookie"} {
		if v := w.Header().Get(h); v != "" {
			t.Fatalf("the stale Context wrote %s: %q into the next request", h, v)
		}
	}
	if fault := lateUses(t, kept, keptWriter, keptRequest); fault != "" { // and again between requests
		t.Fatal(fault)
	}
	if n := strings.Count(logs.String(), "Context used after its handler returned;"); n != 1 {
		t.Fatalf("misuse logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "lateUses") {
		t.Fatalf("misuse log has no warning with the stack of the late call:\n%s", logs)
	}
}

// lateUses calls every method on a released Context and returns what
// went wrong, or "": a panic, or a result that is not the released one.
func lateUses(t *testing.T, c *hyperlane.Context, keptWriter http.ResponseWriter, keptRequest *http.Request) (fault string) {
	t.Helper()
	released := func(name string, err error) {
		if fault == "" && !errors.Is(err, hyperlane.ErrContextReleased) {
			fault = fmt.Sprintf("late %s returned %v, want ErrContextReleased", name, err)
		}
	}
	zero := func(name string, ok bool) {
		if fault == "" && !ok {
			fault = fmt.Sprintf("late %s returned a value of the live request", name)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			fault = fmt.Sprintf("late use panicked: %v", p)
		}
	}()
	zero("Param", c.Param("id") == "")
	zero("Params", c.Params() == nil)
	zero("Method", c.Method() == "")
	zero("Path", c.Path() == "")
	zero("RoutePattern", c.RoutePattern() == "")
	zero("Query", c.Query("q") == "" && len(c.QueryValues()) == 0)
	zero("Header", c.Header("Content-Type") == "")
	zero("Cookie", c.Cookie("s") == "")
	zero("RemoteAddr", c.RemoteAddr() == "")
	zero("ClientIP", c.ClientIP() == "")
	zero("MountPrefix", c.MountPrefix() == "")
	v, ok := c.Get("user")
	zero("Get", v == nil && !ok)
	c.Set("user", "mallory")
	c.Attributes(func(string, any) { zero("Attributes", false) })
	c.Abort()
	zero("IsAborted", !c.IsAborted())
	zero("StatusCode", c.StatusCode() == 0)
	zero("Committed", !c.Committed())
	zero("ResponseBody", c.ResponseBody() == nil)
	r := c.Request()
	zero("Request", r != nil && r.Method == http.MethodGet && r.URL.Path == "/" && len(r.Header) == 0 && r.Context().Err() != nil)
	zero("Context", c.Context().Err() != nil && errors.Is(context.Cause(c.Context()), hyperlane.ErrContextReleased))
	select {
	case <-c.Done():
	default:
		zero("Done", false)
	}
	zero("Server", c.Server() != nil)
	zero("Logger", c.Logger() != nil)
	c.ResponseHeader().Set("X-Late", "1")
	c.SetHeader("X-Late", "1").AddHeader("X-Late-Add", "1").DelHeader("Content-Type").
		SetCookie(&http.Cookie{Name: "late", Value: "1"}).SetBody([]byte("late")).SetBodyString("late").
		Status(599).SetBodyLimit(1)
	c.SetRequest(httptest.NewRequest("GET", "/late", nil))
	c.HandleError(errors.New("late"))
	n, err := keptRequest.Body.Read(make([]byte, 64))
	released("Request().Body.Read", err)
	zero("Request().Body.Read", n == 0)
	zero("Request().Body.Close", keptRequest.Body.Close() == nil)
	b, err := c.Body()
	released("Body", err)
	zero("Body", b == nil)
	var into map[string]any
	released("BindJSON", c.BindJSON(&into))
	n, err = c.Write([]byte("late"))
	released("Write", err)
	zero("Write", n == 0)
	released("Text", c.Text(200, "late"))
	released("HTML", c.HTML(200, "late"))
	released("JSON", c.JSON(200, "late"))
	released("Blob", c.Blob(200, "text/plain", []byte("late")))
	released("NoContent", c.NoContent(204))
	released("Redirect", c.Redirect(302, "/late"))
	released("WriteProblem", c.WriteProblem(hyperlane.Error(418, "late")))
	released("File", c.File("context_test.go"))
	released("FileFS", c.FileFS(os.DirFS("."), "context_test.go"))
	released("Send", c.Send())
	released("Flush", c.Flush())
	es := c.SSE()
	released("SSE", es.Send(hyperlane.Event{Data: "late"}))
	_, err = c.RawWriter().Write([]byte("late"))
	released("Writer", err)
	for _, rw := range []http.ResponseWriter{c.BufferedWriter(), keptWriter} {
		rw.Header().Set("X-Late", "1")
		rw.WriteHeader(599)
		_, err = rw.Write([]byte("late"))
		released("ResponseWriter", err)
		released("ResponseController", http.NewResponseController(rw).Flush())
	}
	d := c.Detach()
	zero("Detach", d.Method == "" && d.Path == "" && d.Header == nil && d.Context().Err() != nil)
	return fault
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
