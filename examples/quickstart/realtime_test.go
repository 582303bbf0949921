package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/examples/chat/chatroom"
)

const realtimeGuard = 20 * time.Second

func newRealtimeServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newApp(slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return srv
}

func guardCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), realtimeGuard)
	t.Cleanup(cancel)
	return ctx
}

func TestEchoSocket(t *testing.T) {
	srv := newRealtimeServer(t)
	for _, tc := range []struct {
		name    string
		mode    websocket.CompressionMode
		typ     websocket.MessageType
		msg     string
		deflate bool
	}{
		{"text echo without compression", websocket.CompressionDisabled, websocket.MessageText, "hello", false},
		{"binary echo without compression", websocket.CompressionDisabled, websocket.MessageBinary, "\x00\x01\xff", false},
		{"large text echo with permessage-deflate", websocket.CompressionNoContextTakeover, websocket.MessageText, strings.Repeat("deflate me ", 2000), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, resp, err := websocket.Dial(guardCtx(t), "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", &websocket.DialOptions{CompressionMode: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			if got := strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate"); got != tc.deflate {
				t.Fatalf("deflate negotiated %v, want %v", got, tc.deflate)
			}
			c.SetReadLimit(-1)
			if err := c.Write(guardCtx(t), tc.typ, []byte(tc.msg)); err != nil {
				t.Fatal(err)
			}
			typ, b, err := c.Read(guardCtx(t))
			if err != nil || typ != tc.typ || string(b) != tc.msg {
				t.Fatalf("echo %v %d bytes, %v", typ, len(b), err)
			}
		})
	}
}

// readStream returns the events of an SSE response body until it ends.
func readStream(t *testing.T, body io.Reader) []string {
	t.Helper()
	var events []string
	var cur strings.Builder
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		if sc.Text() == "" {
			events = append(events, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(sc.Text() + "\n")
	}
	return events
}

func TestEvents(t *testing.T) {
	srv := newRealtimeServer(t)
	get := func(t *testing.T, path, lastID string) *http.Response {
		req, _ := http.NewRequestWithContext(guardCtx(t), "GET", srv.URL+path, nil)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for _, tc := range []struct {
		name, path, lastID string
		status             int
		events             []string
	}{
		{"ids 1..n with retry on the first, then done", "/events?n=3&interval=10ms", "", 200, []string{
			"id: 1\nretry: 500\ndata: {\"n\":1,\"of\":3}\n", "id: 2\ndata: {\"n\":2,\"of\":3}\n", "id: 3\ndata: {\"n\":3,\"of\":3}\n",
			"event: done\ndata: {\"sent\":3,\"of\":3}\n"}},
		{"resumes after Last-Event-ID", "/events?n=3&interval=10ms", "2", 200, []string{
			"event: resumed\ndata: {\"after\":2,\"remaining\":1}\n", "id: 3\nretry: 500\ndata: {\"n\":3,\"of\":3}\n",
			"event: done\ndata: {\"sent\":1,\"of\":3}\n"}},
		{"drop ends the stream early", "/events?n=5&interval=10ms&drop=2", "", 200, []string{
			"id: 1\nretry: 500\ndata: {\"n\":1,\"of\":5}\n", "id: 2\ndata: {\"n\":2,\"of\":5}\n"}},
		{"client with every event gets 204", "/events?n=3", "3", 204, nil},
		{"malformed Last-Event-ID is 422", "/events?n=3", "x", 422, nil},
		{"n out of range is 422", "/events?n=0", "", 422, nil},
		{"interval too short is 400", "/events?interval=1ns", "", 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, tc.path, tc.lastID)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if got := readStream(t, resp.Body); strings.Join(got, "|") != strings.Join(tc.events, "|") {
				t.Fatalf("events\n%q\nwant\n%q", got, tc.events)
			}
		})
	}

	t.Run("metrics stream has live numbers", func(t *testing.T) {
		resp := get(t, "/metrics/stream", "")
		r := bufio.NewReader(resp.Body)
		var data string
		for data == "" {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
				data = d
			}
		}
		var m map[string]float64
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatal(err)
		}
		if m["goroutines"] < 1 || m["heap_bytes"] < 1 || m["requests_served"] < 1 || m["uptime_seconds"] <= 0 {
			t.Fatalf("metrics %v", m)
		}
	})
}

func TestChatRoutes(t *testing.T) {
	srv := newRealtimeServer(t)
	resp, err := http.Get(srv.URL + "/chat")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/chat: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	c, _, err := websocket.Dial(guardCtx(t), "ws"+strings.TrimPrefix(srv.URL, "http")+"/chat/ws?nick=ada", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	_, b, err := c.Read(guardCtx(t))
	var m chatroom.Message
	if err != nil || json.Unmarshal(b, &m) != nil || m.Type != "welcome" || m.Room != "lobby" {
		t.Fatalf("welcome: %s %v", b, err)
	}

	// "ada" is taken now: a page of another site asking for it gets the
	// origin's 403, never the chat's 409 (which would tell it who is in).
	for _, tc := range []struct {
		name, origin string
		status       int
	}{
		{"a foreign origin asking for a taken nick gets 403", "https://evil.example", http.StatusForbidden},
		{"the page's own origin asking for it gets 409", srv.URL, http.StatusConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {tc.origin}}}
			c, resp, err := websocket.Dial(guardCtx(t), "ws"+strings.TrimPrefix(srv.URL, "http")+"/chat/ws?nick=ada", opts)
			if err == nil {
				c.CloseNow()
				t.Fatal("let in")
			}
			if resp == nil {
				t.Fatalf("dial: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}
