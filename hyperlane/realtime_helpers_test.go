package hyperlane_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// rtGuard bounds every wait in the real-time tests. It is a hang guard,
// never a measure of speed: reaching it means the behaviour is broken.
const rtGuard = 20 * time.Second

// rtLog is a slog destination the tests read while servers write.
type rtLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *rtLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *rtLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// rtServer returns a server on a free loopback port whose log lands in
// the returned buffer.
func rtServer(opts ...hyperlane.Option) (*hyperlane.Server, *rtLog) {
	l := new(rtLog)
	base := []hyperlane.Option{hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(slog.New(slog.NewTextHandler(l, nil)))}
	return hyperlane.New(append(base, opts...)...), l
}

// rtServe serves s on loopback until the test ends and returns its
// address ("127.0.0.1:port").
func rtServe(t testing.TB, s *hyperlane.Server) string {
	t.Helper()
	ln, err := s.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), rtGuard)
		defer cancel()
		_ = s.Shutdown(ctx)
		select {
		case err := <-done:
			if !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve returned %v", err)
			}
		case <-time.After(rtGuard):
			t.Error("Serve did not return after Shutdown")
		}
	})
	return ln.Addr().String()
}

// rtCtx returns a context bounded by the hang guard.
func rtCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), rtGuard)
	t.Cleanup(cancel)
	return ctx
}

// rtDial opens a WebSocket to path on addr with coder/websocket's client.
func rtDial(t testing.TB, addr, path string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.Dial(rtCtx(t), "ws://"+addr+path, opts)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", path, err, status)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

// rtWait receives from c within the hang guard.
func rtWait[T any](t testing.TB, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(rtGuard):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// rtEventually polls cond until it holds, failing at the hang guard.
func rtEventually(t testing.TB, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(rtGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countGoroutinesSettled returns the goroutine count once it stopped
// changing, for a baseline taken after warm-up connections ended.
func countGoroutinesSettled() int {
	n, same := runtime.NumGoroutine(), 0
	for same < 5 {
		time.Sleep(10 * time.Millisecond)
		if m := runtime.NumGoroutine(); m == n {
			same++
		} else {
			n, same = m, 0
		}
	}
	return n
}

// rtSettleGoroutines waits until the goroutine count is back to base
// (what was running before the test's connections), and fails with a
// dump of the goroutines left behind when it does not come back.
func rtSettleGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(rtGuard)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines left behind (base %d):\n%s", runtime.NumGoroutine()-base, base, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rtCloseStatus reads from c until it fails and returns the close code
// the server sent.
func rtCloseStatus(t testing.TB, c *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	for {
		_, _, err := c.Read(rtCtx(t))
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Reason
		}
		if strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "closed") {
			return -1, err.Error()
		}
		t.Fatalf("read failed without a close frame: %v", err)
	}
}
