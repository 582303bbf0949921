package hyperlane

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// deadlineListener hands out connections that count the non-zero write
// deadlines set on them.
type deadlineListener struct {
	net.Listener
	sets atomic.Int32
}

func (l *deadlineListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &deadlineConn{Conn: c, l: l}, nil
}

type deadlineConn struct {
	net.Conn
	l *deadlineListener
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	if !t.IsZero() {
		c.l.sets.Add(1)
	}
	return c.Conn.SetWriteDeadline(t)
}

func TestFinalWriteDeadlineIsRenewedOnlyWhenHalfIsGone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		idle time.Duration
		// pause leaves less than half of idle before the deadline, by the
		// exact clock or by the coarse one, which counts clockSlack ahead.
		pause time.Duration
	}{
		{"short timeout, exact clock", 400 * time.Millisecond, 250 * time.Millisecond},
		{"long timeout, coarse clock", coarseTimeout, coarseTimeout/2 - clockSlack + 200*time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) { testFinalWriteDeadline(t, tc.idle, tc.pause) })
	}
}

func testFinalWriteDeadline(t *testing.T, idle, pause time.Duration) {
	s := New(WithWriteIdleTimeout(idle), WithLogger(slog.New(slog.DiscardHandler)))
	s.Get("/text", func(c *Context) error { return c.Text(http.StatusOK, "buffered") })
	s.Get("/stream", func(c *Context) error {
		if err := c.Text(http.StatusOK, "first"); err != nil {
			return err
		}
		if err := c.Send(); err != nil {
			return err
		}
		_, err := c.Write([]byte(" second"))
		return err
	})
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &deadlineListener{Listener: inner}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(t.Context()) })

	// One client connection, reused for every request.
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}, Timeout: 10 * time.Second}
	steps := []struct {
		name  string
		path  string
		pause time.Duration // before the request
		more  bool          // whether new write deadlines are set
	}{
		{"the first buffered response arms the deadline", "/text", 0, true},
		{"the next ones, well within the deadline, leave it", "/text", 0, false},
		{"and so does a third", "/text", 0, false},
		{"a streamed response renews it before each write", "/stream", 0, true},
		{"after a stream the next buffered response renews it", "/text", 0, true},
		{"then leaves it again", "/text", 0, false},
		{"once less than half is left it is renewed", "/text", pause, true},
	}
	for _, st := range steps {
		time.Sleep(st.pause)
		before := ln.sets.Load()
		resp, err := client.Get("http://" + inner.Addr().String() + st.path)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", st.name, resp.StatusCode)
		}
		if got := ln.sets.Load() > before; got != st.more {
			t.Errorf("%s: new write deadlines = %v, want %v (%d before, %d after)", st.name, got, st.more, before, ln.sets.Load())
		}
	}
}
