package hyperlane_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// TestWebSocketChecksRunBeforeHook sends raw handshakes over a socket and
// checks the order of the handshake's checks: every refusal of the
// server's own (426, 400, 403) comes before WSBeforeUpgrade, so the hook's
// side effect (a counter here, a "nickname taken" answer in the chat)
// never happens for such a request, above all a cross-site one.
func TestWebSocketChecksRunBeforeHook(t *testing.T) {
	s, _ := rtServer()
	var calls atomic.Int32
	hook := hyperlane.WSBeforeUpgrade(func(c *hyperlane.Context) error {
		calls.Add(1)
		if c.Query("nick") == "taken" {
			return hyperlane.Error(http.StatusConflict, "nickname taken")
		}
		return nil
	})
	s.WebSocket("/ws", echo, hook, hyperlane.WSSubprotocols("chat.v1"))
	s.WebSocket("/open", echo, hook, hyperlane.WSOrigins("*.example.com"))
	addr := rtServe(t, s)

	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	request := func(method, proto, path string, extra ...string) string {
		req := method + " " + path + " " + proto + "\r\nHost: " + addr + "\r\n" +
			"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
		for _, h := range extra {
			req += h + "\r\n"
		}
		return req + "\r\n"
	}
	handshake := func(proto, path string, extra ...string) string {
		return request("GET", proto, path, extra...)
	}
	for _, tc := range []struct {
		name     string
		raw      string
		status   int
		hookRuns bool
	}{
		{"foreign Origin is 403 and the hook does not run",
			handshake("HTTP/1.1", "/ws", "Sec-WebSocket-Key: "+key, "Origin: https://evil.example"), 403, false},
		{"foreign Origin is 403 even where the hook would answer 409",
			handshake("HTTP/1.1", "/ws?nick=taken", "Sec-WebSocket-Key: "+key, "Origin: https://evil.example"), 403, false},
		{"Origin null is 403 and the hook does not run",
			handshake("HTTP/1.1", "/ws?nick=taken", "Sec-WebSocket-Key: "+key, "Origin: null"), 403, false},
		{"origin outside the allowed patterns is 403 and the hook does not run",
			handshake("HTTP/1.1", "/open", "Sec-WebSocket-Key: "+key, "Origin: https://example.com.evil.net"), 403, false},
		{"missing key is 400 and the hook does not run",
			handshake("HTTP/1.1", "/ws"), 400, false},
		{"HTTP/1.0 is 426 problem and the hook does not run",
			handshake("HTTP/1.0", "/ws", "Sec-WebSocket-Key: "+key), 426, false},
		{"a HEAD with the upgrade headers is 426 and the hook does not run",
			request("HEAD", "HTTP/1.1", "/ws", "Sec-WebSocket-Key: "+key), 426, false},
		{"a plain GET is 426 and the hook does not run",
			"GET /ws HTTP/1.1\r\nHost: " + addr + "\r\n\r\n", 426, false},
		{"same origin runs the hook and its answer is sent",
			handshake("HTTP/1.1", "/ws?nick=taken", "Sec-WebSocket-Key: "+key, "Origin: http://"+addr), 409, true},
		{"same origin runs the hook, then upgrades",
			handshake("HTTP/1.1", "/ws", "Sec-WebSocket-Key: "+key, "Origin: http://"+addr), 101, true},
		{"no Origin (not a browser) runs the hook",
			handshake("HTTP/1.1", "/ws", "Sec-WebSocket-Key: "+key), 101, true},
		{"an allowed cross origin runs the hook",
			handshake("HTTP/1.1", "/open", "Sec-WebSocket-Key: "+key, "Origin: https://chat.example.com"), 101, true},
		{"a subprotocol the route does not speak does not refuse; the hook runs",
			handshake("HTTP/1.1", "/ws", "Sec-WebSocket-Key: "+key, "Sec-WebSocket-Protocol: other.v9"), 101, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(rtGuard))
			if _, err := conn.Write([]byte(tc.raw)); err != nil {
				t.Fatal(err)
			}
			method, _, _ := strings.Cut(tc.raw, " ") // a HEAD answer has no body to read
			resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 101 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("refusal is %q, want application/problem+json", resp.Header.Get("Content-Type"))
			}
			// The hook runs on the request's goroutine before the answer
			// is written, so its count is settled once the answer is read.
			if ran := calls.Load() != before; ran != tc.hookRuns {
				t.Fatalf("hook ran: %v, want %v", ran, tc.hookRuns)
			}
		})
	}
}
