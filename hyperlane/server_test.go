package hyperlane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hangGuard bounds every wait in these tests. It is never an assertion
// about speed: reaching it means the behaviour under test is broken.
const hangGuard = 20 * time.Second

// newTestServer returns a quiet Server on a free loopback port.
func newTestServer(opts ...Option) *Server {
	return New(append([]Option{WithAddr("127.0.0.1:0"), WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
}

// serveOnLoopback serves s on its tuned listener until the test ends, and returns
// the address. Connections made before Serve accepts wait in the backlog.
func serveOnLoopback(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := s.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		_ = s.Shutdown(ctx)
		if err := waitErr(t, done); !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

// waitErr receives from c, failing the test at the hang guard.
func waitErr(t *testing.T, c <-chan error) error {
	t.Helper()
	select {
	case err := <-c:
		return err
	case <-time.After(hangGuard):
		t.Fatal("hang guard: no result")
		return nil
	}
}

// waitClosed waits for c to close, failing the test at the hang guard.
func waitClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(hangGuard):
		t.Fatalf("hang guard: %s", what)
	}
}

// waitAddr waits until s is serving and returns its address.
func waitAddr(t *testing.T, s *Server) string {
	t.Helper()
	waitClosed(t, s.Serving(), "server never bound")
	return s.Addr().String()
}

// newClient returns a client that opens a new connection per request.
func newClient() *http.Client {
	return &http.Client{Timeout: hangGuard, Transport: &http.Transport{DisableKeepAlives: true}}
}

// httpGet performs GET url and returns status and body.
func httpGet(c *http.Client, url string) (int, string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// blockingRoute registers GET /block, whose handler reports on entered and
// then waits for release.
func blockingRoute(s *Server, entered chan<- struct{}, release <-chan struct{}) {
	s.Get("/block", func(c *Context) error {
		entered <- struct{}{}
		<-release
		return c.Text(http.StatusOK, "done")
	})
}

func TestAddrIsTheBoundAddress(t *testing.T) {
	t.Parallel()
	s := newTestServer()
	s.Get("/", func(c *Context) error { return c.Text(200, "hi") })
	if s.Addr() != nil {
		t.Fatalf("Addr before serving = %v, want nil", s.Addr())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	addr := waitAddr(t, s)
	if _, port, _ := net.SplitHostPort(addr); port == "0" || port == "" {
		t.Fatalf("Addr = %s, want the real port", addr)
	}
	if code, body, err := httpGet(newClient(), "http://"+addr+"/"); err != nil || code != 200 || body != "hi" {
		t.Fatalf("GET / on Addr: %d %q %v", code, body, err)
	}
	cancel()
	if err := waitErr(t, done); err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
}

// TestServingMarksTheBoundListener: Serving is open before Serve, closed
// once Serve accepts (with Addr set and a request answered on it), and
// never closed by a Serve that a Shutdown refused.
func TestServingMarksTheBoundListener(t *testing.T) {
	t.Parallel()
	s := newTestServer()
	s.Get("/", func(c *Context) error { return c.Text(200, "hi") })
	select {
	case <-s.Serving():
		t.Fatal("Serving closed before Serve")
	default:
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitClosed(t, s.Serving(), "Serving not closed while serving")
	if s.Addr() == nil {
		t.Fatal("Addr nil once Serving closed")
	}
	if code, _, err := httpGet(newClient(), "http://"+s.Addr().String()+"/"); err != nil || code != 200 {
		t.Fatalf("GET / once Serving closed: %d %v", code, err)
	}
	cancel()
	if err := waitErr(t, done); err != nil {
		t.Fatalf("Run = %v", err)
	}

	refused := newTestServer()
	_ = refused.Shutdown(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := refused.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve after Shutdown = %v, want http.ErrServerClosed", err)
	}
	select {
	case <-refused.Serving():
		t.Fatal("Serving closed by a Serve that Shutdown refused")
	default:
	}
}

func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	const n = 5
	s := newTestServer()
	entered, release := make(chan struct{}, n), make(chan struct{})
	blockingRoute(s, entered, release)
	addr := serveOnLoopback(t, s)

	type result struct {
		code int
		body string
		err  error
	}
	results := make(chan result, n)
	client := newClient()
	for range n {
		go func() {
			code, body, err := httpGet(client, "http://"+addr+"/block")
			results <- result{code, body, err}
		}()
	}
	for range n {
		waitClosed(t, firstOf(entered), "requests did not reach the handler")
	}

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		shut <- s.Shutdown(ctx)
	}()
	// ShuttingDown closes once the listener is closed: from then on a new
	// connection is refused while the requests in flight are still held.
	waitClosed(t, s.ShuttingDown(), "Shutdown did not start")
	if c, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dial after Shutdown started: err = %v, want connection refused", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v while requests were in flight", err)
	default:
	}

	close(release)
	for range n {
		r := <-results
		if r.err != nil || r.code != http.StatusOK || r.body != "done" {
			t.Errorf("in-flight request: %d %q %v, want 200 done", r.code, r.body, r.err)
		}
	}
	if err := waitErr(t, shut); err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
}

// firstOf adapts a channel of values to a channel closed after one value.
func firstOf(c <-chan struct{}) <-chan struct{} {
	out := make(chan struct{})
	go func() { <-c; close(out) }()
	return out
}

func TestShutdownCutsHandlersAfterTheGracePeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		viaRun bool
	}{
		{name: "Shutdown with an expiring context returns its error"},
		{name: "Run with WithShutdownTimeout returns the grace period's error", viaRun: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			never := make(chan struct{})
			defer close(never) // lets the stuck handler end with the test
			entered, cut := make(chan struct{}, 1), make(chan struct{})
			grace := 100 * time.Millisecond
			s := newTestServer(WithShutdownTimeout(grace))
			s.Get("/block", func(c *Context) error {
				ctx := c.Context()
				go func() { <-ctx.Done(); close(cut) }()
				entered <- struct{}{}
				<-never // ignores its context: only the cut ends the request
				return nil
			})

			var addr string
			var stop func() error
			if tt.viaRun {
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- s.Run(ctx) }()
				addr = waitAddr(t, s)
				stop = func() error { cancel(); return waitErr(t, done) }
			} else {
				ln, err := s.Listen(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				go s.Serve(ln)
				addr = ln.Addr().String()
				stop = func() error {
					ctx, cancel := context.WithTimeout(context.Background(), grace)
					defer cancel()
					return s.Shutdown(ctx)
				}
			}

			reqErr := make(chan error, 1)
			go func() {
				_, _, err := httpGet(newClient(), "http://"+addr+"/block")
				reqErr <- err
			}()
			waitClosed(t, firstOf(entered), "request did not reach the handler")

			err := stop()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("shutdown = %v, want the grace period's context.DeadlineExceeded", err)
			}
			if err := waitErr(t, reqErr); err == nil {
				t.Error("the stuck request got a response; want its connection closed")
			}
			waitClosed(t, cut, "the stuck request's context was not cancelled")
		})
	}
}

func TestRunLifecycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, s *Server) error
	}{
		{
			name: "a context cancelled before Run returns nil and serves nothing",
			run: func(t *testing.T, s *Server) error {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return s.Run(ctx)
			},
		},
		{
			name: "Shutdown called directly makes Run return nil once drained",
			run: func(t *testing.T, s *Server) error {
				done := make(chan error, 1)
				go func() { done <- s.Run(context.Background()) }()
				addr := waitAddr(t, s)
				if code, _, err := httpGet(newClient(), "http://"+addr+"/"); err != nil || code != 200 {
					t.Fatalf("GET /: %d %v", code, err)
				}
				if err := s.Shutdown(context.Background()); err != nil {
					t.Fatal(err)
				}
				return waitErr(t, done)
			},
		},
		{
			name: "a listen error is returned",
			run: func(t *testing.T, s *Server) error {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer ln.Close()
				err = New(WithAddr(ln.Addr().String())).Run(context.Background())
				if !errors.Is(err, syscall.EADDRINUSE) {
					t.Errorf("Run on a taken port = %v, want EADDRINUSE", err)
				}
				return nil
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer()
			s.Get("/", func(c *Context) error { return c.Text(200, "hi") })
			done := make(chan error, 1)
			go func() { done <- tt.run(t, s) }()
			if err := waitErr(t, done); err != nil {
				t.Fatalf("Run = %v, want nil", err)
			}
		})
	}
}

func TestServeAndShutdownOrder(t *testing.T) {
	listener := func(t *testing.T) net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	t.Run("Serve after Shutdown returns ErrServerClosed and closes the listener", func(t *testing.T) {
		s := newTestServer()
		if err := s.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		ln := listener(t)
		done := make(chan error, 1)
		go func() { done <- s.Serve(ln) }()
		if err := waitErr(t, done); !errors.Is(err, http.ErrServerClosed) {
			t.Fatalf("Serve = %v, want http.ErrServerClosed", err)
		}
		if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("listener still open: %v", err)
		}
	})
	t.Run("Serve twice is an error", func(t *testing.T) {
		s := newTestServer()
		serveOnLoopback(t, s)
		waitAddr(t, s)
		if err := s.Serve(listener(t)); err == nil || !strings.Contains(err.Error(), "Serve called twice") {
			t.Fatalf("second Serve = %v", err)
		}
	})
	t.Run("Shutdown racing Serve never leaves it serving", func(t *testing.T) {
		for range 20 {
			s := newTestServer()
			done := make(chan error, 1)
			go func() { done <- s.Serve(listener(t)) }()
			if err := s.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := waitErr(t, done); !errors.Is(err, http.ErrServerClosed) {
				t.Fatalf("Serve = %v, want http.ErrServerClosed", err)
			}
		}
	})
	t.Run("OnShutdown hooks run once, after the listener closed", func(t *testing.T) {
		s := newTestServer()
		addr := serveOnLoopback(t, s)
		waitAddr(t, s)
		var mu sync.Mutex
		calls, dialErrs := 0, []error{}
		ran := make(chan struct{})
		s.OnShutdown(func() {
			conn, err := net.Dial("tcp", addr)
			if err == nil {
				// A dial to a closed loopback port in the ephemeral range
				// can connect to itself (TCP simultaneous open): that is
				// not the server, which would be another port.
				if conn.LocalAddr().String() == addr {
					err = syscall.ECONNREFUSED
				}
				conn.Close()
			}
			mu.Lock()
			calls++
			dialErrs = append(dialErrs, err)
			mu.Unlock()
			close(ran)
		})
		for range 2 {
			if err := s.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		waitClosed(t, ran, "OnShutdown hook did not run")
		mu.Lock()
		defer mu.Unlock()
		if calls != 1 || !errors.Is(dialErrs[0], syscall.ECONNREFUSED) {
			t.Errorf("hook ran %d times; dial in hook: %v, want refused", calls, dialErrs)
		}
	})
}

func ExampleServer_Shutdown() {
	s := New(WithAddr("127.0.0.1:0"), WithLogger(slog.New(slog.DiscardHandler)))
	s.Get("/", func(c *Context) error { return c.Text(http.StatusOK, "hello") })

	ln, err := s.Listen(context.Background()) // the tuned listener, bound now
	if err != nil {
		fmt.Println(err)
		return
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	// Shutdown waits for in-flight requests, up to its context's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Println("shutdown:", s.Shutdown(ctx))
	fmt.Println("serve:", <-served)
	// Output:
	// 200 hello
	// shutdown: <nil>
	// serve: http: Server closed
}
