package hyperlane_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// bodyCloseIdle is the read idle timeout of the servers below: every
// bound is this plus a second.
const bodyCloseIdle = 500 * time.Millisecond

// bodyCloseServer serves, on loopback, routes that read a body, refuse
// one before reading it, or ignore it, with a short read idle timeout
// and a 1 KiB body limit.
func bodyCloseServer(t *testing.T, opts ...hyperlane.Option) string {
	t.Helper()
	base := []hyperlane.Option{
		hyperlane.WithAddr("127.0.0.1:0"),
		hyperlane.WithLogger(discardLogger()),
		hyperlane.WithReadIdleTimeout(bodyCloseIdle),
		hyperlane.WithMaxBodyBytes(1024),
	}
	s := hyperlane.New(append(base, opts...)...)
	s.Get("/health", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	s.Post("/read", func(c *hyperlane.Context) error {
		b, err := c.Body()
		if err != nil {
			return err
		}
		return c.Text(200, strconv.Itoa(len(b)))
	})
	s.Post("/json", func(c *hyperlane.Context) error {
		var v map[string]any
		if err := c.BindJSON(&v); err != nil {
			return err
		}
		return c.JSON(200, v)
	})
	// An auth check that answers before anyone looks at the body.
	s.Post("/pets", func(c *hyperlane.Context) error {
		return hyperlane.Error(http.StatusUnauthorized, "missing credentials")
	})
	// A stream that begins without looking at the body.
	s.Post("/stream", func(c *hyperlane.Context) error {
		w := c.RawWriter()
		w.WriteHeader(http.StatusOK)
		_, err := io.WriteString(w, "streamed")
		return err
	})
	ln, err := s.Listen(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })
	return ln.Addr().String()
}

// bridgeServer serves, through plain net/http, a Hyperlane handler
// turned into an http.Handler that answers 401 without reading the body.
func bridgeServer(t *testing.T) string {
	t.Helper()
	s := hyperlane.New(hyperlane.WithLogger(discardLogger()), hyperlane.WithReadIdleTimeout(bodyCloseIdle))
	var h http.Handler
	s.Group("/bridge", func(g *hyperlane.Group) {
		h = g.Handler(func(c *hyperlane.Context) error {
			return hyperlane.Error(http.StatusUnauthorized, "missing credentials")
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// closedWithin reads the raw connection after the answer until the
// server ends it (EOF or a reset) and reports how long that took; it
// fails the test when the connection is still open after bound.
func closedWithin(t *testing.T, conn net.Conn, br *bufio.Reader, bound time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(bound))
	_, err := io.Copy(io.Discard, br)
	took := time.Since(start)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server answered but the connection was still open %v later", bound)
	}
	return took
}

// TestFailedBodyReadClosesTheConnection: whatever became of the body (a
// stall, over the limit declared or sent, broken chunking, refused or
// ignored by the handler), the client gets its answer and the server
// then really closes the socket, within the read idle timeout.
func TestFailedBodyReadClosesTheConnection(t *testing.T) {
	addr, bridged := bodyCloseServer(t), bridgeServer(t)
	head := func(path, ct, framing string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + ct + "\r\n" + framing + "\r\n"
	}
	overChunked := head("/read", "text/plain", "Transfer-Encoding: chunked\r\n") +
		strings.Repeat("100\r\n"+strings.Repeat("z", 256)+"\r\n", 8) // 2 KiB, then silence
	tests := []struct {
		name    string
		raw     string
		want    int
		bridged bool // served by Group.Handler under net/http
	}{
		{name: "a body stalled after 1 of 1000 bytes is 400, then closed",
			raw: head("/read", "text/plain", "Content-Length: 1000\r\n") + "a", want: 400},
		{name: "a declared length over the limit is 413, then closed",
			raw: head("/read", "text/plain", "Content-Length: 4096\r\n") + "abc", want: 413},
		{name: "chunks over the limit, then silence, are 413, then closed",
			raw: overChunked, want: 413},
		{name: "a malformed chunk is 400, then closed",
			raw: head("/read", "text/plain", "Transfer-Encoding: chunked\r\n") + "zz\r\nabc", want: 400},
		{name: "a stalled body refused before reading is 415, then closed",
			raw: head("/json", "text/plain", "Content-Length: 1000\r\n") + "{", want: 415},
		{name: "a stalled body the handler never reads gets its 401, then closed",
			raw: head("/pets", "application/json", "Content-Length: 1000\r\n") + "{", want: 401},
		{name: "a body waiting for 100-continue that the handler refuses gets its 401, then closed",
			raw: head("/pets", "application/json", "Content-Length: 1000\r\nExpect: 100-continue\r\n"), want: 401},
		{name: "a stalled chunked body the handler never reads gets its 401, then closed",
			raw: head("/pets", "application/json", "Transfer-Encoding: chunked\r\n") + "5\r\n{\"a\":", want: 401},
		{name: "a stalled body to a stream that never reads it gets the stream, then closed",
			raw: head("/stream", "text/plain", "Content-Length: 1000\r\n") + "a", want: 200},
		{name: "a stalled body to a bridged handler that never reads it gets its 401, then closed",
			raw: head("/", "application/json", "Content-Length: 1000\r\n") + "{", want: 401, bridged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := addr
			if tt.bridged {
				target = bridged
			}
			conn := dialGuarded(t, target)
			sent := time.Now()
			if _, err := io.WriteString(conn, tt.raw); err != nil {
				t.Fatal(err)
			}
			bound := bodyCloseIdle + time.Second
			_ = conn.SetReadDeadline(sent.Add(bound))
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("no answer within %v: %v", bound, err)
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			resp.Body.Close()
			answered := time.Since(sent)
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.want)
			}
			took := closedWithin(t, conn, br, bound)
			t.Logf("answered after %v, closed %v later", answered.Round(time.Millisecond), took.Round(time.Millisecond))
		})
	}
}

// TestStalledSendersCannotTakeEveryConnection: four clients that stall
// their bodies on a server of four connections are answered and cut
// within the read idle timeout, and the server then answers others.
func TestStalledSendersCannotTakeEveryConnection(t *testing.T) {
	t.Parallel()
	addr := bodyCloseServer(t, hyperlane.WithMaxConns(4))
	bound := bodyCloseIdle + time.Second
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		conn := dialGuarded(t, addr)
		if _, err := io.WriteString(conn, "POST /read HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\na"); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			_ = conn.SetReadDeadline(start.Add(2 * bound))
			_, err := io.Copy(io.Discard, conn)
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout():
				errs <- fmt.Errorf("a stalled sender still held its connection after %v", 2*bound)
			case time.Since(start) > bound:
				errs <- fmt.Errorf("a stalled sender was cut after %v, over %v", time.Since(start), bound)
			}
		})
	}
	conn := dialGuarded(t, addr)
	if _, err := io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(start.Add(2 * bound))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("/health got no answer while four senders stalled: %v", err)
	}
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != 200 || took > 2*bound {
		t.Fatalf("/health: %d after %v, want 200 within %v", resp.StatusCode, took, 2*bound)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("/health answered after %v", took.Round(time.Millisecond))
}
