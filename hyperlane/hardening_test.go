package hyperlane_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// limitServer serves "/" and "/{name}" on loopback with opts and a
// server-wide request middleware that marks every response.
func limitServer(t *testing.T, opts ...hyperlane.Option) string {
	t.Helper()
	base := []hyperlane.Option{hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(discardLogger())}
	s := hyperlane.New(append(base, opts...)...)
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Seen-By", "middleware")
		return nil
	})
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "root") })
	s.Get("/{name}", func(c *hyperlane.Context) error { return c.Text(200, "name") })
	s.Post("/read", func(c *hyperlane.Context) error {
		b, err := c.Body()
		if err != nil {
			return err
		}
		return c.Text(200, strconv.Itoa(len(b)))
	})
	ln, err := s.Listen(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })
	return ln.Addr().String()
}

// target returns "/" followed by 'a's, n bytes in all.
func target(n int) string { return "/" + strings.Repeat("a", n-1) }

func TestMaxURIBytes(t *testing.T) {
	t.Parallel()
	const limit = 1000
	limited := limitServer(t, hyperlane.WithMaxURIBytes(limit))
	defaults := limitServer(t)
	unlimited := limitServer(t, hyperlane.WithMaxURIBytes(0))
	tests := []struct {
		name   string
		addr   string
		target string
		want   int
	}{
		{name: "a target of exactly the limit is routed", addr: limited, target: target(limit), want: 200},
		{name: "a target one byte over the limit is 414", addr: limited, target: target(limit + 1), want: 414},
		{name: "the query counts toward the limit", addr: limited, target: "/a?q=" + strings.Repeat("b", limit), want: 414},
		{name: "a short target with a short query is routed", addr: limited, target: "/a?q=b", want: 200},
		{name: "the default limit is 8 KiB: at it the request is routed", addr: defaults, target: target(hyperlane.DefaultMaxURIBytes), want: 200},
		{name: "the default limit is 8 KiB: over it the request is 414", addr: defaults, target: target(hyperlane.DefaultMaxURIBytes + 1), want: 414},
		{name: "an over-long absolute-form target is 414", addr: defaults, target: "http://x" + target(hyperlane.DefaultMaxURIBytes), want: 414},
		{name: "0 removes the limit", addr: unlimited, target: target(32 << 10), want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "GET " + tt.target + " HTTP/1.1\r\nHost: x\r\n\r\n"
			resps, bodies, closed := exchange(t, tt.addr, raw)
			if len(resps) != 1 || resps[0].StatusCode != tt.want {
				t.Fatalf("got %d responses %v, want one %d", len(resps), statuses(resps), tt.want)
			}
			if closed {
				t.Error("the connection was closed; a 414 leaves it usable")
			}
			if got := resps[0].Header.Get("X-Seen-By"); got != "middleware" {
				t.Errorf("server-wide middleware did not run: X-Seen-By = %q", got)
			}
			if tt.want != 414 {
				return
			}
			if ct := resps[0].Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want problem+json", ct)
			}
			var p struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal([]byte(bodies[0]), &p); err != nil || p.Status != 414 || !strings.Contains(p.Detail, "over the limit") {
				t.Errorf("problem body %q (err %v) does not explain the 414", bodies[0], err)
			}
		})
	}
}

// head returns a GET request head of exactly n bytes, padded in one header.
func head(n int) string {
	const start, end = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ", "\r\n\r\n"
	return start + strings.Repeat("p", n-len(start)-len(end)) + end
}

func TestMaxHeaderBytesIsExact(t *testing.T) {
	t.Parallel()
	const limit = 16 << 10
	exact := limitServer(t, hyperlane.WithMaxHeaderBytes(limit))
	defaults := limitServer(t)
	tiny := limitServer(t, hyperlane.WithMaxHeaderBytes(100))
	tests := []struct {
		name  string
		addr  string
		bytes int
		want  int
	}{
		{name: "a head of exactly the limit is served", addr: exact, bytes: limit, want: 200},
		{name: "a head one byte over the limit is 431", addr: exact, bytes: limit + 1, want: 431},
		{name: "the default 64 KiB: at it the request is served", addr: defaults, bytes: hyperlane.DefaultMaxHeaderBytes, want: 200},
		{name: "the default 64 KiB: one byte over is 431", addr: defaults, bytes: hyperlane.DefaultMaxHeaderBytes + 1, want: 431},
		{name: "a limit under 4097 bytes is raised to 4097: at the floor served", addr: tiny, bytes: 4097, want: 200},
		{name: "a limit under 4097 bytes is raised to 4097: over it 431", addr: tiny, bytes: 4098, want: 431},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resps, _, closed := exchange(t, tt.addr, head(tt.bytes))
			if len(resps) != 1 || resps[0].StatusCode != tt.want {
				t.Fatalf("got %v, want one %d", statuses(resps), tt.want)
			}
			if tt.want == 431 && !closed {
				t.Error("the connection stayed open after 431")
			}
		})
	}
}

func statuses(resps []*http.Response) []int {
	out := make([]int, len(resps))
	for i, r := range resps {
		out[i] = r.StatusCode
	}
	return out
}

// TestStalledBodyCannotHoldTheConnection: net/http reads what is left of
// a body before it answers, with no deadline of its own. A client that
// stalls its body is cut by the read idle timeout, on any route, a
// missing one included, and one whose stall failed the handler's read
// gets its answer; a client that sends its whole body keeps its
// connection.
func TestStalledBodyCannotHoldTheConnection(t *testing.T) {
	t.Parallel()
	addr := limitServer(t, hyperlane.WithReadIdleTimeout(300*time.Millisecond))
	post := func(path, body string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\n" + body
	}
	t.Run("a stall while the handler reads gets its 400, then the connection closes", func(t *testing.T) {
		conn := dialGuarded(t, addr)
		if _, err := io.WriteString(conn, post("/read", "abc")); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("no answer to a request whose body stalled: %v", err)
		}
		if resp.StatusCode != http.StatusBadRequest || !resp.Close {
			t.Fatalf("got %d, close %v; want 400 and the connection closed", resp.StatusCode, resp.Close)
		}
		// Saying so is not enough: the socket must really end.
		_, _ = io.Copy(io.Discard, resp.Body)
		closedWithin(t, conn, br, 300*time.Millisecond+time.Second)
	})
	tests := []struct {
		name string
		raw  string
	}{
		{name: "a stalled body to a route that ignores it", raw: post("/", "abc")},
		{name: "a stalled body to a missing route", raw: post("/a/b/c", "abc")},
		{name: "a stalled body with no byte of it sent", raw: post("/x", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dialGuarded(t, addr)
			if _, err := io.WriteString(conn, tt.raw); err != nil {
				t.Fatal(err)
			}
			// Whatever is answered, the connection must end.
			_, err := io.Copy(io.Discard, conn)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("hang guard: a stalled, unread body held the connection")
			}
		})
	}
	t.Run("a whole body to a route that ignores it keeps the connection", func(t *testing.T) {
		conn := dialGuarded(t, addr)
		br := bufio.NewReader(conn)
		for i := range 2 {
			if _, err := io.WriteString(conn, post("/", strings.Repeat("b", 4096))); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Close {
				t.Fatalf("request %d: %d, close %v; want 405 on a kept connection", i+1, resp.StatusCode, resp.Close)
			}
		}
	})
}

// dialGuarded opens a raw connection whose reads give up at the hang
// guard.
func dialGuarded(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(rtGuard))
	return conn
}

// TestFileNamesNoFileCanHaveAre404: names the operating system refuses
// outright (longer than a file name may be, a file used as a directory, a
// symbolic link loop) are requests for a file that does not exist, not
// server errors. FuzzFileFS found the first.
func TestFileNamesNoFileCanHaveAre404(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop", filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	s := hyperlane.New(hyperlane.WithLogger(discardLogger()))
	s.Static("/files", dir)
	tests := []struct {
		name, path string
		want       int
	}{
		{name: "a file is served", path: "/files/a.txt", want: 200},
		{name: "a name over 255 bytes", path: "/files/" + strings.Repeat("0", 256), want: 404},
		{name: "a file used as a directory", path: "/files/a.txt/b", want: 404},
		{name: "a symbolic link loop", path: "/files/loop", want: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if w.Code != tt.want {
				t.Fatalf("GET %s: %d %s, want %d", tt.path, w.Code, w.Body, tt.want)
			}
		})
	}
}
