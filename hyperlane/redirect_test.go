package hyperlane_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// liveAddr serves s on a loopback socket until the test ends.
func liveAddr(t *testing.T, s *hyperlane.Server) string {
	t.Helper()
	ln, err := s.Listen(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })
	return ln.Addr().String()
}

// rawGet sends "GET target" as written, on its own connection: Go's
// client would clean paths such as "//evil.com" or "/a/../b".
func rawGet(t *testing.T, addr, target string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n", target); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", target, err)
	}
	return resp, string(b)
}

// offHost reports why a browser following loc would leave the host that
// sent it, or "" when it stays. Browsers drop tabs and newlines, trim
// leading controls and spaces, and read "\" as "/".
func offHost(loc string) string {
	s := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		if r == '\\' {
			return '/'
		}
		return r
	}, loc)
	s = strings.TrimLeft(s, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return "not a path on this host"
	}
	if u, err := url.Parse(s); err == nil && (u.Scheme != "" || u.Host != "") {
		return "scheme " + u.Scheme + " host " + u.Host
	}
	return ""
}

// TestRedirectRelativeStaysOnHost: a relative target resolved against a
// request path that begins like a host ("//evil.com", "/\evil.com") is
// still a path on this host, as net/http's http.Redirect answers it.
// Issue 11 §3.
func TestRedirectRelativeStaysOnHost(t *testing.T) {
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(discardLogger()))
	s.Get("/{rest:.*}", func(c *hyperlane.Context) error { return c.Redirect(http.StatusFound, "login") })
	inner := hyperlane.New(hyperlane.WithLogger(discardLogger()))
	inner.Get("/{rest:.*}", func(c *hyperlane.Context) error { return c.Redirect(http.StatusFound, c.Query("to")) })
	s.Mount("/app", inner)
	addr := liveAddr(t, s)
	tests := []struct {
		name, target, want string // want "" checks only that the host is kept
	}{
		{name: "a double slash is not a host", target: "//evil.com/x", want: "/evil.com/login"},
		{name: "a triple slash is not a host", target: "///evil.com/x", want: "/evil.com/login"},
		{name: "many slashes are not a host", target: "/////evil.com/a/b", want: "/evil.com/a/login"},
		{name: "a backslash is not a host", target: `/\evil.com/x`},
		{name: "two backslashes are not a host", target: `/\\evil.com/x`},
		{name: "encoded slashes stay encoded", target: "/%2F%2Fevil.com/x", want: "/%2F%2Fevil.com/login"},
		{name: "encoded backslashes stay encoded", target: "/%5C%5Cevil.com/x", want: "/%5C%5Cevil.com/login"},
		{name: "an absolute-form request target", target: "http://evil.com//evil.com/x", want: "/evil.com/login"},
		{name: "an ordinary path", target: "/users/7/view", want: "/users/7/login"},
		{name: "mounted: relative under the prefix", target: "/app//evil.com/x?to=login", want: "/app//evil.com/login"},
		{name: "mounted: path-absolute under the prefix", target: "/app/x?to=/login", want: "/app/login"},
		{name: "a target beginning with // is a path", target: "/app/x?to=//evil.com/y", want: "/app/evil.com/y"},
		{name: `a target beginning with /\ is a path`, target: "/app/x?to=/%5Cevil.com/y", want: "/app/evil.com/y"},
		{name: "a target with a scheme is sent as given", target: "/app/x?to=https://example.org/y", want: "https://example.org/y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := rawGet(t, addr, tc.target)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("GET %s: %d, want 302", tc.target, resp.StatusCode)
			}
			if why := offHost(loc); why != "" && !strings.HasPrefix(tc.want, "https:") {
				t.Fatalf("GET %s: Location %q leaves the host: %s", tc.target, loc, why)
			}
			if tc.want != "" && loc != tc.want {
				t.Fatalf("GET %s: Location %q, want %q", tc.target, loc, tc.want)
			}
		})
	}
}
