package adapter_test

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/adapter/mounttest"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// quiet is a logger for servers whose tests provoke errors on purpose.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestHTTP(t *testing.T) {
	trace := func(step string) hyperlane.Handler {
		return func(c *hyperlane.Context) error {
			c.AddHeader("X-Trace", step)
			return nil
		}
	}
	host := hyperlane.New(hyperlane.WithLogger(quiet), hyperlane.WithMaxBodyBytes(4))
	host.RequestMiddleware(trace("server-request"))
	host.ResponseMiddleware(trace("server-response"))
	host.ErrorHandler(func(c *hyperlane.Context, err error) {
		_ = c.Text(http.StatusTeapot, "custom: "+err.Error())
	})

	echo := func(c *hyperlane.Context) error {
		body, err := c.Body()
		if err != nil {
			return err
		}
		c.AddHeader("X-Trace", "handler")
		return c.Text(http.StatusOK, "id="+c.Request().PathValue("id")+" param="+c.Param("id")+" body="+string(body))
	}
	mux := http.NewServeMux()
	mux.Handle("POST /plain/{id}", adapter.HTTP(echo))
	mux.Handle("POST /middleware/{id}", adapter.HTTP(echo,
		adapter.RequestMiddleware(trace("request-1"), trace("request-2")),
		adapter.ResponseMiddleware(trace("response"))))
	mux.Handle("POST /server/{id}", adapter.HTTP(echo, adapter.WithServer(host), adapter.RequestMiddleware(trace("own"))))
	mux.Handle("GET /denied", adapter.HTTP(func(c *hyperlane.Context) error { return c.Text(200, "not reached") },
		adapter.RequestMiddleware(func(c *hyperlane.Context) error { return hyperlane.Error(http.StatusForbidden, "no") }),
		adapter.ResponseMiddleware(trace("response"))))
	mux.Handle("GET /error", adapter.HTTP(func(c *hyperlane.Context) error {
		return hyperlane.Errorf(http.StatusConflict, "busy")
	}))
	mux.Handle("GET /panic", adapter.HTTP(func(c *hyperlane.Context) error { panic("boom") },
		adapter.WithServer(hyperlane.New(hyperlane.WithLogger(quiet)))))

	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		want                       string // contained in the body
		trace                      string // X-Trace values joined by ","
	}{
		{name: "a handler serves a ServeMux route; path values via the request",
			method: "POST", target: "/plain/7", body: "hi", status: 200, want: "id=7 param= body=hi", trace: "handler"},
		{name: "request and response middleware run around it, in order",
			method: "POST", target: "/middleware/7", body: "hi", status: 200,
			trace: "request-1,request-2,handler,response"},
		{name: "WithServer brings the server's middleware first",
			method: "POST", target: "/server/7", body: "hi", status: 200,
			trace: "server-request,own,handler,server-response"},
		{name: "WithServer brings the server's body limit and error handler",
			method: "POST", target: "/server/7", body: "too long", status: http.StatusTeapot, want: "custom: 413"},
		{name: "failing request middleware stops the handler, not response middleware",
			method: "GET", target: "/denied", status: http.StatusForbidden, want: `"detail":"no"`, trace: "response"},
		{name: "an error becomes a problem response",
			method: "GET", target: "/error", status: http.StatusConflict, want: `"detail":"busy"`},
		{name: "a panic becomes a 500",
			method: "GET", target: "/panic", status: http.StatusInternalServerError, want: `"status":500`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body)))
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("%s %s: %d %q, want %d containing %q", tc.method, tc.target, w.Code, w.Body, tc.status, tc.want)
			}
			if tc.trace != "" {
				if got := strings.Join(w.Header()["X-Trace"], ","); got != tc.trace {
					t.Errorf("X-Trace %q, want %q", got, tc.trace)
				}
			}
		})
	}
}

func TestHTTPLeavesTheServerAlone(t *testing.T) {
	host := hyperlane.New()
	host.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "host") })
	adapter.HTTP(func(c *hyperlane.Context) error { return nil }, adapter.WithServer(host),
		adapter.RequestMiddleware(func(c *hyperlane.Context) error { return errors.New("must not run on the host") }))
	w := httptest.NewRecorder()
	host.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 200 || w.Body.String() != "host" {
		t.Errorf("host answered %d %q after HTTP borrowed it", w.Code, w.Body)
	}
}

func TestHTTPStreams(t *testing.T) {
	next := make(chan struct{})
	h := adapter.HTTP(func(c *hyperlane.Context) error {
		c.SetHeader("Content-Type", "text/plain")
		for _, line := range []string{"one\n", "two\n"} {
			if _, err := c.Write([]byte(line)); err != nil {
				return err
			}
			if err := c.Flush(); err != nil {
				return err
			}
			<-next // the client read the line: it was not held in a buffer
		}
		return nil
	})
	base := mounttest.Serve(t, h)
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for _, want := range []string{"one\n", "two\n"} {
		line, err := br.ReadString('\n')
		if err != nil || line != want {
			t.Fatalf("read %q, %v; want %q", line, err, want)
		}
		next <- struct{}{}
	}
}

func TestHTTPRejectsNil(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"nil handler", func() { adapter.HTTP(nil) }},
		{"nil server", func() { adapter.WithServer(nil) }},
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
