package middleware_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

// hangGuard bounds every wait in these tests; it is never a performance
// assertion, only a way to fail instead of hanging.
const hangGuard = 10 * time.Second

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(hangGuard):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// budgets routes /slow* through a tiny budget and everything else through
// a generous one, on one server, so fast requests never race the clock.
func budgets(next http.Handler) http.Handler {
	tight := middleware.Timeout(10 * time.Millisecond)(next)
	loose := middleware.Timeout(time.Minute)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/slow") {
			tight.ServeHTTP(w, r)
			return
		}
		loose.ServeHTTP(w, r)
	})
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	lateDone := make(chan error, 1)
	causes := make(chan error, 1)

	s := hyperlane.New(hyperlane.WithLogger(quiet))
	s.Use(budgets)
	middleware.Install(s, middleware.RequestID())
	s.Post("/fast", func(c *hyperlane.Context) error {
		c.SetHeader("X-Fast", "yes")
		return c.Text(201, "done")
	})
	s.Get("/headers-only", func(c *hyperlane.Context) error {
		c.RawWriter().Header().Set("X-Only", "header")
		return nil
	})
	s.Get("/slow/honours", func(c *hyperlane.Context) error {
		<-c.Done()
		causes <- context.Cause(c.Context())
		return c.Context().Err()
	})
	s.Get("/slow/ignores", func(c *hyperlane.Context) error {
		<-release // long past the budget
		c.SetHeader("X-Late", "yes")
		c.Status(200).SetBodyString("late")
		lateDone <- c.Send()
		return nil
	})

	tests := []struct {
		name       string
		method     string
		path       string
		status     int
		body       string // exact body, or a substring for problems
		header     string // a header that must be set
		noHeader   string // a header that must be absent
		problem    bool
		afterwards func(t *testing.T)
	}{
		{name: "fast handler passes through untouched", method: "POST", path: "/fast", status: 201, body: "done", header: "X-Fast"},
		{name: "headers alone are kept", method: "GET", path: "/headers-only", status: 200, header: "X-Only"},
		{
			name: "handler that honours its context gets 503 problem", method: "GET", path: "/slow/honours",
			status: 503, problem: true, body: `"status":503`,
			afterwards: func(t *testing.T) {
				select {
				case cause := <-causes:
					if !errors.Is(cause, context.DeadlineExceeded) || !strings.Contains(cause.Error(), "timeout") {
						t.Errorf("context cause %v, want a timeout wrapping DeadlineExceeded", cause)
					}
				case <-time.After(hangGuard):
					t.Fatal("handler never saw its context cancelled")
				}
			},
		},
		{
			name: "late writes of a handler that ignores its context are discarded", method: "GET", path: "/slow/ignores",
			status: 503, problem: true, body: "longer than 10ms", noHeader: "X-Late",
			afterwards: func(t *testing.T) {
				close(release)
				select {
				case err := <-lateDone:
					if !errors.Is(err, http.ErrHandlerTimeout) {
						t.Errorf("late Send returned %v, want http.ErrHandlerTimeout", err)
					}
				case <-time.After(hangGuard):
					t.Fatal("late handler never finished")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if tt.problem {
				if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type %q", ct)
				}
				var p hyperlane.HTTPError
				if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != 503 || p.Instance != tt.path {
					t.Errorf("problem %+v (%v) from %q", p, err, w.Body.String())
				}
				if !strings.Contains(w.Body.String(), tt.body) {
					t.Errorf("body %q lacks %q", w.Body.String(), tt.body)
				}
			} else if w.Body.String() != tt.body {
				t.Errorf("body %q, want %q", w.Body.String(), tt.body)
			}
			if tt.header != "" && w.Header().Get(tt.header) == "" {
				t.Errorf("header %s missing", tt.header)
			}
			if tt.noHeader != "" && w.Header().Get(tt.noHeader) != "" {
				t.Errorf("header %s leaked from the late handler", tt.noHeader)
			}
			if tt.afterwards != nil {
				tt.afterwards(t)
			}
		})
	}
}

// TestTimeoutLateHandlersDoNotCorruptLaterRequests runs handlers that
// ignore their context and keep writing after their 503 was sent, while
// other requests reuse the same server, connections and Context pool.
// Run with -race: any write to a recycled Context or a finished
// ResponseWriter is reported.
func TestTimeoutLateHandlersDoNotCorruptLaterRequests(t *testing.T) {
	const slow, fast = 8, 64
	release := make(chan struct{})
	var late sync.WaitGroup
	late.Add(slow)

	s := hyperlane.New(hyperlane.WithLogger(quiet))
	s.Use(budgets)
	middleware.Install(s, middleware.RequestID())
	s.Get("/slow/{n}", func(c *hyperlane.Context) error {
		defer late.Done()
		<-release
		for i := range 100 {
			c.Set("junk", i)
			c.SetHeader("X-Junk", fmt.Sprint(i))
			_, _ = fmt.Fprintf(c, "junk %d from %s;", i, c.Param("n"))
		}
		_ = c.Flush()
		_, _ = c.Write([]byte("more junk"))
		return nil
	})
	s.Get("/echo/{n}", func(c *hyperlane.Context) error {
		if _, ok := c.Get("junk"); ok {
			return hyperlane.Error(500, "attribute leaked from another request")
		}
		return c.Text(200, c.Param("n")+" "+middleware.RequestIDFrom(c))
	})
	ts := httptest.NewServer(s)
	defer ts.Close()
	client := ts.Client()

	get := func(path string) (*http.Response, string, error) {
		res, err := client.Get(ts.URL + path)
		if err != nil {
			return nil, "", err
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b), err
	}

	var wg sync.WaitGroup
	errs := make(chan error, slow+fast)
	for i := range slow {
		wg.Go(func() {
			res, body, err := get(fmt.Sprintf("/slow/%d", i))
			switch {
			case err != nil:
				errs <- err
			case res.StatusCode != 503 || strings.Contains(body, "junk") || res.Header.Get("X-Junk") != "":
				errs <- fmt.Errorf("slow %d: %d %q", i, res.StatusCode, body)
			}
		})
	}
	wg.Wait() // every slow request has its 503; the handlers still wait

	close(release) // late handlers write now, while fresh requests run
	for i := range fast {
		wg.Go(func() {
			res, body, err := get(fmt.Sprintf("/echo/%d", i))
			if err != nil {
				errs <- err
				return
			}
			id := res.Header.Get("X-Request-Id")
			if res.StatusCode != 200 || body != fmt.Sprintf("%d %s", i, id) || res.Header.Get("X-Junk") != "" {
				errs <- fmt.Errorf("fast %d: %d %q (id %q, X-Junk %q)", i, res.StatusCode, body, id, res.Header.Get("X-Junk"))
			}
		})
	}
	wg.Wait()
	lateDone := make(chan struct{})
	go func() { late.Wait(); close(lateDone) }()
	wait(t, lateDone, "late handlers")
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTimeoutStreamStartedInTimeIsNotReplaced(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	s.Use(budgets)
	s.Get("/slow/stream", func(c *hyperlane.Context) error {
		c.SetHeader("Content-Type", "text/plain")
		c.SetBodyString("first;")
		if err := c.Flush(); err != nil {
			return err
		}
		<-c.Done() // the budget runs out mid-stream
		_, err := c.Write([]byte("last"))
		return err
	})
	ts := httptest.NewServer(s)
	defer ts.Close()
	res, err := ts.Client().Get(ts.URL + "/slow/stream")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "first;last" {
		t.Errorf("got %d %q; a response under way must finish, not turn into a 503", res.StatusCode, body)
	}
}

func TestTimeoutLetsLongLivedRequestsThrough(t *testing.T) {
	tests := []struct {
		name     string
		header   map[string]string
		deadline bool
	}{
		{name: "ordinary request gets a deadline", deadline: true},
		{name: "event stream has none", header: map[string]string{"Accept": "text/event-stream"}},
		{name: "WebSocket upgrade has none", header: map[string]string{"Connection": "keep-alive, Upgrade", "Upgrade": "websocket"}},
		{name: "Upgrade without Connection: upgrade gets a deadline", header: map[string]string{"Upgrade": "websocket"}, deadline: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var has bool
			h := middleware.Timeout(time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, has = r.Context().Deadline()
			}))
			r := httptest.NewRequest("GET", "/", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if has != tt.deadline {
				t.Errorf("deadline %v, want %v", has, tt.deadline)
			}
		})
	}
}

func TestTimeoutWritesNothingWhenTheClientIsGone(t *testing.T) {
	finished := make(chan struct{})
	h := middleware.Timeout(time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(finished)
		<-r.Context().Done()
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "GET", "/", nil))
	if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("wrote %q with %v to a client that is gone", w.Body.String(), w.Header())
	}
	wait(t, finished, "handler")
}

func TestTimeoutPropagatesPanics(t *testing.T) {
	h := middleware.Timeout(time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	}))
	var rec any
	func() {
		defer func() { rec = recover() }()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	if rec != "boom" {
		t.Errorf("recovered %v, want the handler's panic", rec)
	}
}

// deadlineRecorder records connection deadlines set through it.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	mu   sync.Mutex
	read time.Time
}

func (d *deadlineRecorder) SetReadDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.read = t
	return nil
}

func (d *deadlineRecorder) SetWriteDeadline(time.Time) error { return nil }

func TestTimeoutForwardsDeadlinesOnlyWhileTheRequestIsOurs(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	served := make(chan struct{})
	errs := make(chan error, 2)
	h := middleware.Timeout(10 * time.Millisecond)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		errs <- rc.SetReadDeadline(at)
		<-served // Timeout has answered 503 and returned
		errs <- rc.SetReadDeadline(at.Add(time.Hour))
	}))
	w := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(w, httptest.NewRequest("POST", "/", nil))
	close(served)
	for i, want := range []error{nil, http.ErrHandlerTimeout} {
		select {
		case err := <-errs:
			if !errors.Is(err, want) {
				t.Errorf("SetReadDeadline #%d: %v, want %v", i+1, err, want)
			}
		case <-time.After(hangGuard):
			t.Fatal("handler never finished")
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.read.Equal(at) {
		t.Errorf("read deadline %v, want %v (set in time, and never after)", w.read, at)
	}
	if w.Code != 503 {
		t.Errorf("status %d, want 503", w.Code)
	}
}

func TestTimeoutHijack(t *testing.T) {
	tests := []struct {
		name    string
		late    bool // hijack after Timeout answered
		wantErr error
		reached bool
	}{
		{name: "hijack within the budget reaches the connection", reached: true},
		{name: "hijack after the deadline fails", late: true, wantErr: http.ErrHandlerTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served := make(chan struct{})
			errc := make(chan error, 1)
			budget := time.Minute
			if tt.late {
				budget = 10 * time.Millisecond
			}
			h := middleware.Timeout(budget)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.late {
					<-served
				}
				_, _, err := http.NewResponseController(w).Hijack()
				errc <- err
			}))
			w := &hijackRecorder{ResponseRecorder: httptest.NewRecorder()}
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			close(served)
			select {
			case err := <-errc:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Hijack: %v, want %v", err, tt.wantErr)
				}
			case <-time.After(hangGuard):
				t.Fatal("handler never finished")
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.reached != tt.reached {
				t.Errorf("real writer hijacked: %v, want %v", w.reached, tt.reached)
			}
		})
	}
}

// hijackRecorder records whether Hijack reached it.
type hijackRecorder struct {
	*httptest.ResponseRecorder
	mu      sync.Mutex
	reached bool
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reached = true
	return nil, nil, nil
}

func TestTimeoutRejectsNonPositiveDuration(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		if msg := panicMessage(func() { middleware.Timeout(d) }); !strings.Contains(msg, "positive duration") {
			t.Errorf("Timeout(%v): panic %q", d, msg)
		}
	}
}

func BenchmarkTimeout(b *testing.B) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	s.Use(middleware.Timeout(time.Minute))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "hello") })
	r := httptest.NewRequest("GET", "/", nil)
	w := &nopWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		s.ServeHTTP(w, r)
	}
}
