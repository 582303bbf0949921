package cluster

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/coder/websocket"
)

// TestMessageReachesEveryInstance: a WebSocket client on instance A and
// an SSE client on instance B both get a chat message sent through
// instance C, first on the instances' own addresses, then through nginx
// with each client pinned to its upstream.
func TestMessageReachesEveryInstance(t *testing.T) {
	c := redisCluster(t)
	for _, tc := range []struct {
		name string
		addr func(n int) string
	}{
		{"on the instances' own addresses", c.instance},
		{"through nginx, pinned to upstreams", c.pinned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			room := fmt.Sprintf("fanout-%d", c.port+len(tc.name))
			ws := joinChat(t, tc.addr(1), "", "ada", room)
			sse := follow(t, tc.addr(2), "", room)
			sender := joinChat(t, tc.addr(3), "", "cy", room)
			text := "hello from C: " + tc.name
			sender.say(t, text)
			ws.waitFor(t, "the message on A's WebSocket", guard, hasText(text))
			sse.waitFor(t, "the message on B's SSE feed", guard, hasText(text))
			if got := sse.texts("cy"); !slices.Equal(got, []string{text}) {
				t.Fatalf("B's feed has %q from cy, want exactly [%q]", got, text)
			}
			if got := ws.texts("cy"); !slices.Equal(got, []string{text}) {
				t.Fatalf("A's socket has %q from cy, want exactly [%q]", got, text)
			}
		})
	}
}

// TestBrowserOriginThroughNginx: a page served through nginx opens the
// chat's socket through nginx with its Origin; nginx passes the Host
// with its port, so the same-origin check lets it in (and a foreign
// page is still refused).
func TestBrowserOriginThroughNginx(t *testing.T) {
	c := redisCluster(t)
	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"http://" + c.lb(), http.StatusSwitchingProtocols},
		{"http://evil.example", http.StatusForbidden},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		h := http.Header{"Origin": {tc.origin}}
		conn, resp, err := websocket.Dial(ctx, "ws://"+c.lb()+"/chat/ws?nick=page&room=origin", &websocket.DialOptions{HTTPHeader: h})
		cancel()
		got := 0
		if resp != nil {
			got = resp.StatusCode
		}
		if err == nil {
			_ = conn.CloseNow()
		}
		if got != tc.want {
			t.Fatalf("Origin %s through nginx: status %d (%v), want %d", tc.origin, got, err, tc.want)
		}
	}
}
