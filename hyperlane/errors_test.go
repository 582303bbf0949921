package hyperlane_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestProblemDetails(t *testing.T) {
	cause := errors.New("db: row locked")
	tests := []struct {
		name string
		err  error
		code int
		want map[string]any // exact JSON members of the body
	}{
		{"Error", hyperlane.Error(http.StatusNotFound, "no pet 7"), 404, map[string]any{
			"type": "about:blank", "title": "Not Found", "status": 404.0, "detail": "no pet 7", "instance": "/pets/7"}},
		{"Errorf formats and keeps %w as the hidden cause", hyperlane.Errorf(http.StatusConflict, "pet %d: %w", 7, cause), 409, map[string]any{
			"type": "about:blank", "title": "Conflict", "status": 409.0, "detail": "pet 7", "instance": "/pets/7"}},
		{"a full HTTPError", &hyperlane.HTTPError{
			Type: "https://example.org/probs/invalid", Title: "Invalid pet", Status: 422, Detail: "2 fields are invalid",
			Instance: "/requests/abc",
			Errors: []hyperlane.ErrorDetail{
				{Location: "body.name", Message: "is required"},
				{Location: "query.limit", Message: "must be at most 100", Value: 500.0},
			},
			Header: http.Header{"Retry-After": {"5"}},
		}, 422, map[string]any{
			"type": "https://example.org/probs/invalid", "title": "Invalid pet", "status": 422.0, "detail": "2 fields are invalid",
			"instance": "/requests/abc",
			"errors": []any{
				map[string]any{"location": "body.name", "message": "is required"},
				map[string]any{"location": "query.limit", "message": "must be at most 100", "value": 500.0},
			}}},
		{"a wrapped HTTPError", fmt.Errorf("loading: %w", hyperlane.Error(http.StatusGone, "gone")), 410, map[string]any{
			"type": "about:blank", "title": "Gone", "status": 410.0, "detail": "gone", "instance": "/pets/7"}},
		{"a status outside 4xx and 5xx becomes 500", hyperlane.Error(200, "odd"), 500, map[string]any{
			"type": "about:blank", "title": "Internal Server Error", "status": 500.0, "detail": "odd", "instance": "/pets/7"}},
		{"http.MaxBytesError is 413", &http.MaxBytesError{Limit: 9}, 413, map[string]any{
			"type": "about:blank", "title": "Request Entity Too Large", "status": 413.0, "detail": "request body larger than 9 bytes", "instance": "/pets/7"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := quiet()
			s.Get("/pets/{id}", func(c *hyperlane.Context) error {
				c.SetHeader("Content-Length", "999") // stale: must not survive the error
				return tc.err
			})
			w := do(s, "GET", "/pets/7", "")
			problem(t, w)
			var got map[string]any
			_ = json.Unmarshal(w.Body.Bytes(), &got)
			if w.Code != tc.code || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %d %v\nwant %d %v", w.Code, got, tc.code, tc.want)
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Content-Length") == "999" {
				t.Fatalf("headers %v", w.Header())
			}
			if strings.Contains(w.Body.String(), "row locked") {
				t.Fatal("cause leaked")
			}
		})
	}
	t.Run("extra headers of the error are sent", func(t *testing.T) {
		s := quiet()
		s.Get("/", func(c *hyperlane.Context) error {
			return &hyperlane.HTTPError{Status: 503, Header: http.Header{"Retry-After": {"5"}}}
		})
		if w := do(s, "GET", "/", ""); w.Header().Get("Retry-After") != "5" {
			t.Fatalf("headers %v", w.Header())
		}
	})
	t.Run("Error and Unwrap", func(t *testing.T) {
		err := hyperlane.Errorf(http.StatusConflict, "pet %d: %w", 7, cause)
		if !errors.Is(err, cause) || err.Error() != "409 Conflict: pet 7" {
			t.Fatalf("Error() = %q, Is(cause) = %v", err.Error(), errors.Is(err, cause))
		}
		if got := hyperlane.Error(404, "").Error(); got != "404 Not Found" {
			t.Fatalf("Error() = %q", got)
		}
	})
}

func TestOtherErrorsAre500WithoutTheirText(t *testing.T) {
	s, logs := newLogged()
	s.Get("/boom", func(c *hyperlane.Context) error {
		return fmt.Errorf("query failed: %w", errors.New("password=hunter2"))
	})
	s.Get("/5xx", func(c *hyperlane.Context) error {
		return hyperlane.Errorf(http.StatusBadGateway, "upstream: %w", errors.New("dial tcp 10.0.0.9"))
	})
	w := do(s, "GET", "/boom", "")
	p := problem(t, w)
	if w.Code != 500 || p.Detail != "" || strings.Contains(w.Body.String(), "hunter2") {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	if l := logs.String(); !strings.Contains(l, "request failed") || !strings.Contains(l, "password=hunter2") || !strings.Contains(l, "path=/boom") {
		t.Fatalf("the error was not logged: %s", l)
	}
	do(s, "GET", "/5xx", "")
	if l := logs.String(); !strings.Contains(l, "cause=\"dial tcp 10.0.0.9\"") || !strings.Contains(l, "status=502") {
		t.Fatalf("a 5xx HTTPError was not logged with its cause: %s", l)
	}
}

func TestErrorHandlerReplacesTheMapping(t *testing.T) {
	s := quiet()
	var seen error
	s.ErrorHandler(func(c *hyperlane.Context, err error) {
		seen = err
		_ = c.Text(http.StatusTeapot, "custom: "+err.Error())
	})
	s.Get("/", func(c *hyperlane.Context) error { return errors.New("plain") })
	w := do(s, "GET", "/", "")
	if w.Code != http.StatusTeapot || w.Body.String() != "custom: plain" || seen == nil {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	if w := do(s, "GET", "/missing", ""); w.Code != http.StatusTeapot || !strings.Contains(w.Body.String(), "404") {
		t.Fatalf("404s go through the error handler too: %d %q", w.Code, w.Body)
	}

	t.Run("a panicking error handler falls back to the default", func(t *testing.T) {
		s, logs := newLogged()
		s.ErrorHandler(func(c *hyperlane.Context, err error) { panic("handler bug") })
		s.Get("/", func(c *hyperlane.Context) error { return hyperlane.Error(409, "taken") })
		w := do(s, "GET", "/", "")
		if w.Code != 409 || !strings.Contains(logs.String(), "panic in error handler") {
			t.Fatalf("got %d, logs %s", w.Code, logs)
		}
	})
}

// keepAliveExchange sends each raw request on one connection, reads its
// response, and fails if the server closed the connection in between.
func keepAliveExchange(t *testing.T, url string, paths ...string) []*http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // hang guard
	br := bufio.NewReader(conn)
	var out []*http.Response
	for _, p := range paths {
		if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", p); err != nil {
			t.Fatalf("writing request for %s: %v", p, err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading response for %s on the same connection: %v", p, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(string(b)))
		if resp.Close {
			t.Fatalf("%s: the server asked to close the connection", p)
		}
		out = append(out, resp)
	}
	return out
}

func TestPanicsBecome500AndTheConnectionLives(t *testing.T) {
	s, logs := newLogged()
	type hooked struct {
		path string
		val  any
	}
	hooks := make(chan hooked, 10)
	s.PanicHook(func(c *hyperlane.Context, rec any) { hooks <- hooked{c.Path(), rec} })
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		if c.Query("in") == "request" {
			panic("request middleware exploded")
		}
		return nil
	})
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		if c.Query("in") == "response" {
			var m map[string]int
			//lint:ignore SA5000 deliberate: the test needs a runtime.Error panic, not a string one
			m["x"] = 1
		}
		c.SetHeader("X-Response-Middleware", "ran")
		return nil
	})
	s.Get("/panic", func(c *hyperlane.Context) error {
		c.SetBodyString("partial output that must not be sent")
		panic("handler exploded")
	})
	s.Get("/ok", say("still serving"))
	srv := httptest.NewServer(s)
	defer srv.Close()

	resps := keepAliveExchange(t, srv.URL, "/panic", "/ok", "/ok?in=request", "/ok?in=response", "/ok")
	for i, want := range []int{500, 200, 500, 500, 200} {
		if resps[i].StatusCode != want {
			t.Fatalf("response %d: status %d, want %d", i, resps[i].StatusCode, want)
		}
	}
	for _, i := range []int{0, 2, 3} {
		b, _ := io.ReadAll(resps[i].Body)
		if resps[i].Header.Get("Content-Type") != "application/problem+json" || strings.Contains(string(b), "exploded") ||
			strings.Contains(string(b), "partial") || !strings.Contains(string(b), `"status":500`) {
			t.Fatalf("response %d: %v %s", i, resps[i].Header, b)
		}
	}
	if b, _ := io.ReadAll(resps[4].Body); string(b) != "still serving" {
		t.Fatalf("last response %q", b)
	}
	if resps[0].Header.Get("X-Response-Middleware") != "ran" || resps[2].Header.Get("X-Response-Middleware") != "ran" {
		t.Fatal("response middleware did not run after a panic")
	}

	want := []hooked{{"/panic", "handler exploded"}, {"/ok", "request middleware exploded"}}
	for _, w := range want {
		if got := <-hooks; got != w {
			t.Fatalf("PanicHook got %+v, want %+v", got, w)
		}
	}
	if got := <-hooks; !strings.Contains(fmt.Sprint(got.val), "assignment to entry in nil map") {
		t.Fatalf("PanicHook for the response middleware got %+v", got)
	}
	l := logs.String()
	for _, want := range []string{"panic serving request", "handler exploded", "request middleware exploded", "nil map", "errors_test.go", "goroutine"} {
		if !strings.Contains(l, want) {
			t.Errorf("log lacks %q (panic with stack):\n%s", want, l)
		}
	}
	if n := strings.Count(l, "handler exploded"); n != 1 {
		t.Errorf("the panic was logged %d times, want once", n)
	}
}

func TestErrorAfterCommitIsOnlyLogged(t *testing.T) {
	s, logs := newLogged()
	s.Get("/", func(c *hyperlane.Context) error {
		c.SetBodyString("streamed")
		if err := c.Flush(); err != nil {
			return err
		}
		return errors.New("failed mid-stream")
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "streamed" {
		t.Fatalf("the stream was altered: %d %q", resp.StatusCode, b)
	}
	if l := logs.String(); !strings.Contains(l, "failed mid-stream") || !strings.Contains(l, "after the response was sent") {
		t.Fatalf("logs: %s", l)
	}
}

func TestErrorfDetailLeavesOutTheCause(t *testing.T) {
	cause := errors.New("pq: password authentication failed")
	other := errors.New("dial tcp 10.0.0.9:5432")
	tests := []struct {
		name, format string
		args         []any
		detail       string
	}{
		{name: "a cause at the end goes with its colon", format: "loading user: %w", args: []any{cause}, detail: "loading user"},
		{name: "arguments before the cause are formatted", format: "loading user %d: %w", args: []any{7, cause}, detail: "loading user 7"},
		{name: "a cause in the middle leaves one space", format: "decode %w at offset %d", args: []any{cause, 9}, detail: "decode at offset 9"},
		{name: "text after a cause keeps its colon", format: "loading %w: retry later", args: []any{cause}, detail: "loading: retry later"},
		{name: "a cause first takes the separator after it", format: "%w: retrying", args: []any{cause}, detail: "retrying"},
		{name: "a cause alone leaves no detail", format: "%w", args: []any{cause}, detail: ""},
		{name: "two causes are both left out", format: "primary: %w, replica: %w", args: []any{cause, other}, detail: "primary, replica"},
		{name: "an indexed %w is left out", format: "%[2]s: %[1]w", args: []any{cause, "user"}, detail: "user"},
		{name: "a flagged %+w is left out", format: "query: %+w", args: []any{cause}, detail: "query"},
		{name: "an error shown with %v is sent on purpose", format: "bad input: %v", args: []any{cause}, detail: "bad input: pq: password authentication failed"},
		{name: "a literal %%w is text", format: "100%%w: %w", args: []any{cause}, detail: "100%w"},
		{name: "no error argument formats as fmt does", format: "no pet %d", args: []any{7}, detail: "no pet 7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			he := hyperlane.Errorf(http.StatusInternalServerError, tc.format, tc.args...)
			if he.Detail != tc.detail {
				t.Fatalf("Detail = %q, want %q", he.Detail, tc.detail)
			}
			for _, a := range tc.args {
				if e, ok := a.(error); ok && errors.Is(he, e) != strings.Contains(tc.format, "w") {
					t.Fatalf("errors.Is(he, %v) = %v for %q; Err = %v", e, errors.Is(he, e), tc.format, he.Err)
				}
			}
		})
	}
	t.Run("the single cause is Err itself, for errors.As", func(t *testing.T) {
		var pe *net.OpError
		he := hyperlane.Errorf(http.StatusBadGateway, "upstream: %w", &net.OpError{Op: "dial", Err: cause})
		if !errors.As(he, &pe) || he.Err != error(pe) {
			t.Fatalf("errors.As found %v; Err = %v", pe, he.Err)
		}
	})
}

// TestErrorfCauseNeverReachesTheClient: whatever the status, the text of
// a %w cause stays out of the response and goes to the log, a 5xx at
// Error level and a 4xx at Debug level. Issue 11 §4.
func TestErrorfCauseNeverReachesTheClient(t *testing.T) {
	const secret = "s3cr3t-pa55word"
	dbErr := fmt.Errorf("pq: password authentication failed for user %q (password %q)", "app", secret)
	logs := new(logBuffer)
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"),
		hyperlane.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	s.Get("/user", func(c *hyperlane.Context) error {
		return hyperlane.Errorf(http.StatusInternalServerError, "loading user: %w", dbErr)
	})
	s.Get("/middle", func(c *hyperlane.Context) error {
		return hyperlane.Errorf(http.StatusBadGateway, "upstream %w after %d tries", dbErr, 3)
	})
	s.Get("/bad", func(c *hyperlane.Context) error { return hyperlane.Errorf(http.StatusBadRequest, "token: %w", dbErr) })
	s.Get("/rewrapped", func(c *hyperlane.Context) error {
		return fmt.Errorf("handler: %w", hyperlane.Errorf(http.StatusServiceUnavailable, "%w", dbErr))
	})
	addr := liveAddr(t, s)
	tests := []struct {
		path, detail string
		status       int
		level        string
	}{
		{path: "/user", status: 500, detail: "loading user", level: "ERROR"},
		{path: "/middle", status: 502, detail: "upstream after 3 tries", level: "ERROR"},
		{path: "/bad", status: 400, detail: "token", level: "DEBUG"},
		{path: "/rewrapped", status: 503, detail: "", level: "ERROR"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := rawGet(t, addr, tc.path)
			if strings.Contains(body, secret) || strings.Contains(body, "pq:") {
				t.Fatalf("GET %s: the cause reached the client: %s", tc.path, body)
			}
			var p hyperlane.HTTPError
			if err := json.Unmarshal([]byte(body), &p); err != nil || resp.StatusCode != tc.status || p.Detail != tc.detail {
				t.Fatalf("GET %s: %d %s (%v), want %d with detail %q", tc.path, resp.StatusCode, body, err, tc.status, tc.detail)
			}
			var line string
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, "path="+tc.path+" ") {
					line = l
				}
			}
			if !strings.Contains(line, secret) || !strings.Contains(line, "level="+tc.level) {
				t.Fatalf("GET %s: the cause was not logged at %s: %q", tc.path, tc.level, line)
			}
		})
	}
}
