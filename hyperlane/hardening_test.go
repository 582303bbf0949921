package hyperlane_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

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
