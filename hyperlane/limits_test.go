package hyperlane

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// dialRaw opens a plain TCP connection to addr, closed with the test.
func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(hangGuard))
	return c
}

// readResponse reads one HTTP response from a raw connection.
func readResponse(t *testing.T, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response body: %v", err)
	}
	return resp, string(b)
}

func TestReadHeaderTimeoutClosesSlowHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		request    string
		wantClosed bool
	}{
		{name: "headers that never end are cut", request: "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n", wantClosed: true},
		{name: "complete headers are served", request: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	}
	s := newTestServer(WithReadHeaderTimeout(200 * time.Millisecond))
	s.Get("/", func(c *Context) error { return c.Text(200, "ok") })
	addr := serveOnLoopback(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, addr)
			if _, err := io.WriteString(c, tt.request); err != nil {
				t.Fatal(err)
			}
			if !tt.wantClosed {
				if resp, body := readResponse(t, bufio.NewReader(c)); resp.StatusCode != 200 || body != "ok" {
					t.Fatalf("got %d %q", resp.StatusCode, body)
				}
				return
			}
			n, err := c.Read(make([]byte, 512))
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout():
				t.Fatal("hang guard: the server kept a slow-header connection open")
			case n > 0:
				t.Fatalf("server answered a request whose headers never ended")
			case !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET):
				t.Fatalf("read: %v, want the connection closed", err)
			}
		})
	}
}

func TestMaxHeaderBytes(t *testing.T) {
	t.Parallel()
	// net/http allows 4 KiB of slack above the limit for the request line.
	const limit = 1 << 10
	tests := []struct {
		name     string
		header   int
		wantCode int
	}{
		{name: "headers under the limit are served", header: limit / 2, wantCode: 200},
		{name: "headers over the limit get 431", header: limit + 8<<10, wantCode: http.StatusRequestHeaderFieldsTooLarge},
	}
	s := newTestServer(WithMaxHeaderBytes(limit))
	s.Get("/", func(c *Context) error { return c.Text(200, "ok") })
	addr := serveOnLoopback(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
			req.Header.Set("X-Big", strings.Repeat("a", tt.header))
			resp, err := newClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantCode)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 1 << 10
	tests := []struct {
		name      string
		request   string
		wantCode  int
		wantBody  string
		wantClose bool
	}{
		{name: "a body under the limit is read", request: withLength(strings.Repeat("a", 1000)), wantCode: 200, wantBody: "1000"},
		{name: "a body of exactly the limit is read", request: withLength(strings.Repeat("a", limit)), wantCode: 200, wantBody: "1024"},
		{name: "a declared length over the limit gets 413", request: withLength(strings.Repeat("a", 2*limit)), wantCode: 413, wantClose: true},
		{name: "a chunked body over the limit gets 413", request: asChunks(strings.Repeat("a", 512), 8), wantCode: 413, wantClose: true},
	}
	s := newTestServer(WithMaxBodyBytes(limit))
	s.Post("/", func(c *Context) error {
		b, err := c.Body()
		if err != nil {
			return err
		}
		return c.Text(200, strconv.Itoa(len(b)))
	})
	addr := serveOnLoopback(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, addr) // a keep-alive client: the server decides
			if _, err := io.WriteString(c, tt.request); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(c)
			resp, body := readResponse(t, br)
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.wantCode)
			}
			// http.ReadResponse turns "Connection: close" into resp.Close.
			if resp.Close != tt.wantClose {
				t.Errorf("Connection: close sent: %v, want %v (the unread rest of a body over the limit makes the connection unusable)", resp.Close, tt.wantClose)
			}
			if !tt.wantClose {
				if body != tt.wantBody {
					t.Errorf("body %q, want %q", body, tt.wantBody)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			var p HTTPError
			if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != 413 || !strings.Contains(p.Detail, "1024") {
				t.Errorf("problem %s (%v), want status 413 naming the limit", body, err)
			}
			if _, err := io.ReadAll(br); err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("after the 413 the connection is not closed: %v", err)
			}
		})
	}
}

// withLength is a POST request with a Content-Length body.
func withLength(body string) string {
	return fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// asChunks is a POST request whose body is n chunks of chunk.
func asChunks(chunk string, n int) string {
	var b strings.Builder
	b.WriteString("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	for range n {
		fmt.Fprintf(&b, "%x\r\n%s\r\n", len(chunk), chunk)
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

func TestReadIdleTimeout(t *testing.T) {
	t.Parallel()
	const idle = 500 * time.Millisecond
	tests := []struct {
		name    string
		length  int
		send    func(c net.Conn) error
		wantErr bool
	}{
		{
			name:   "a body that stalls longer than the timeout is cut",
			length: 100,
			send: func(c net.Conn) error {
				_, err := io.WriteString(c, "0123456789") // then nothing
				return err
			},
			wantErr: true,
		},
		{
			name:   "a body that trickles in with short pauses is read whole, however long it takes",
			length: 48,
			send: func(c net.Conn) error {
				// 48 pauses of idle/20: the whole body takes about twice
				// the timeout, no single pause comes near it.
				for range 48 {
					time.Sleep(idle / 20)
					if _, err := c.Write([]byte{'x'}); err != nil {
						return err
					}
				}
				return nil
			},
		},
	}
	type result struct {
		n   int
		err error
	}
	results := make(chan result, 1)
	s := newTestServer(WithReadIdleTimeout(idle))
	s.Post("/", func(c *Context) error {
		b, err := io.ReadAll(c.Request().Body)
		results <- result{len(b), err}
		return c.Text(200, "read")
	})
	addr := serveOnLoopback(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, addr)
			fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", tt.length)
			if err := tt.send(c); err != nil {
				t.Fatal(err)
			}
			var r result
			select {
			case r = <-results:
			case <-time.After(hangGuard):
				t.Fatal("hang guard: the handler is still reading")
			}
			if tt.wantErr {
				if !errors.Is(r.err, os.ErrDeadlineExceeded) {
					t.Errorf("handler read error %v, want a deadline error", r.err)
				}
				return
			}
			if r.err != nil || r.n != tt.length {
				t.Errorf("handler read %d bytes, err %v; want all %d", r.n, r.err, tt.length)
			}
			if resp, _ := readResponse(t, bufio.NewReader(c)); resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
}

func TestWriteIdleTimeoutKeepsMovingStreams(t *testing.T) {
	t.Parallel()
	const idle = 300 * time.Millisecond
	const ticks = 12
	werr := make(chan error, 1)
	s := newTestServer(WithWriteIdleTimeout(idle))
	s.Get("/stream", func(c *Context) error {
		c.SetHeader("Content-Type", "text/plain")
		var err error
		// ticks pauses of idle/6: the stream lasts twice the timeout.
		for i := 0; i < ticks && err == nil; i++ {
			if _, err = fmt.Fprintf(c, "tick %d\n", i); err == nil {
				err = c.Flush()
			}
			time.Sleep(idle / 6)
		}
		werr <- err
		return nil
	})
	addr := serveOnLoopback(t, s)
	code, body, err := httpGet(newClient(), "http://"+addr+"/stream")
	if err != nil || code != 200 {
		t.Fatalf("GET /stream: %d %v", code, err)
	}
	if got := strings.Count(body, "tick"); got != ticks {
		t.Errorf("client got %d ticks, want %d: %q", got, ticks, body)
	}
	if err := waitErr(t, werr); err != nil {
		t.Errorf("stream write failed: %v", err)
	}
}

func TestWriteIdleTimeoutDropsAClientThatStopsReading(t *testing.T) {
	t.Parallel()
	const idle = 300 * time.Millisecond
	werr := make(chan error, 1)
	// Small socket buffers fill quickly once the client stops reading.
	s := newTestServer(WithWriteIdleTimeout(idle), WithBufferSizes(0, 16<<10))
	chunk := []byte(strings.Repeat("x", 64<<10))
	s.Get("/flood", func(c *Context) error {
		for {
			_, err := c.Write(chunk)
			if err == nil {
				err = c.Flush()
			}
			if err != nil {
				werr <- err
				return nil
			}
		}
	})
	addr := serveOnLoopback(t, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := io.WriteString(c, "GET /flood HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// The client never reads: the server's write must fail on its
	// deadline instead of blocking for ever.
	if err := waitErr(t, werr); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("server write error %v, want a deadline error", err)
	}
}

func TestMaxConnsQueuesExtraConnections(t *testing.T) {
	t.Parallel()
	s := newTestServer(WithMaxConns(2))
	var active, peak atomic.Int32
	entered := make(chan string, 3)
	release := map[string]chan struct{}{"1": make(chan struct{}), "2": make(chan struct{}), "3": make(chan struct{})}
	s.Get("/hold/{id}", func(c *Context) error {
		n := active.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		entered <- c.Param("id")
		<-release[c.Param("id")]
		active.Add(-1)
		return c.Text(200, "held "+c.Param("id"))
	})
	addr := serveOnLoopback(t, s)
	t.Cleanup(func() { // before the server's cleanup, which drains
		for _, c := range release {
			select {
			case <-c:
			default:
				close(c)
			}
		}
	})
	request := func(c net.Conn, id string) *bufio.Reader {
		if _, err := fmt.Fprintf(c, "GET /hold/%s HTTP/1.1\r\nHost: x\r\n\r\n", id); err != nil {
			t.Fatal(err)
		}
		return bufio.NewReader(c)
	}
	// notEntered gives a wrongly admitted request time to show up. A correct
	// server passes whatever the timing; the pause only bounds how long a
	// broken one has to expose itself.
	notEntered := func(when string) {
		select {
		case id := <-entered:
			t.Fatalf("%s: request %s was served beyond the limit of 2 connections", when, id)
		case <-time.After(300 * time.Millisecond):
		}
	}

	c1, c2 := dialRaw(t, addr), dialRaw(t, addr)
	r1 := request(c1, "1")
	request(c2, "2")
	got := map[string]bool{}
	for range 2 {
		select {
		case id := <-entered:
			got[id] = true
		case <-time.After(hangGuard):
			t.Fatal("hang guard: the first two requests were not served")
		}
	}
	// The kernel completes the third handshake; the connection waits in the
	// accept backlog rather than being reset.
	c3 := dialRaw(t, addr)
	r3 := request(c3, "3")
	notEntered("two requests held")

	close(release["1"])
	if resp, body := readResponse(t, r1); resp.StatusCode != 200 || body != "held 1" {
		t.Fatalf("request 1: %d %q", resp.StatusCode, body)
	}
	// The slot belongs to the connection: idle keep-alive time included.
	notEntered("connection 1 idle")
	c1.Close()
	select {
	case id := <-entered:
		if id != "3" {
			t.Fatalf("entered %s, want 3", id)
		}
	case <-time.After(hangGuard):
		t.Fatal("hang guard: the waiting connection was not served after a slot freed")
	}
	close(release["3"])
	if resp, body := readResponse(t, r3); resp.StatusCode != 200 || body != "held 3" {
		t.Fatalf("request 3: %d %q", resp.StatusCode, body)
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("peak concurrent handlers %d, want 2", p)
	}
}
