package hyperlane_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// echo sends every message back with its type until the peer leaves.
func echo(c *hyperlane.Context, ws *hyperlane.Conn) error {
	for {
		typ, b, err := ws.Read(ws.Context())
		if err != nil {
			return err
		}
		if err := ws.Write(ws.Context(), typ, b); err != nil {
			return err
		}
	}
}

func TestWebSocketEcho(t *testing.T) {
	s, _ := rtServer()
	s.WebSocket("/ws", echo)
	s.WebSocket("/json", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		var v map[string]any
		if err := ws.ReadJSON(ws.Context(), &v); err != nil {
			return err
		}
		v["seen"] = true
		return ws.WriteJSON(ws.Context(), v)
	})
	addr := rtServe(t, s)

	for _, tc := range []struct {
		name string
		typ  websocket.MessageType
		msg  []byte
	}{
		{"text message comes back as text", websocket.MessageText, []byte("héllo, hyperlane")},
		{"binary message comes back as binary", websocket.MessageBinary, []byte{0, 1, 2, 0xff, 0xfe}},
		{"empty text message comes back", websocket.MessageText, []byte{}},
		{"large message below the limit comes back whole", websocket.MessageBinary, bytes.Repeat([]byte("0123456789abcdef"), 32<<10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := rtDial(t, addr, "/ws", nil)
			c.SetReadLimit(-1)
			if err := c.Write(rtCtx(t), tc.typ, tc.msg); err != nil {
				t.Fatal(err)
			}
			typ, got, err := c.Read(rtCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if typ != tc.typ || !bytes.Equal(got, tc.msg) {
				t.Fatalf("got %v %d bytes, want %v %d bytes", typ, len(got), tc.typ, len(tc.msg))
			}
			if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
				t.Fatalf("close handshake: %v", err)
			}
		})
	}

	t.Run("JSON message is decoded and encoded", func(t *testing.T) {
		c := rtDial(t, addr, "/json", nil)
		if err := wsjson.Write(rtCtx(t), c, map[string]any{"n": 7}); err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := wsjson.Read(rtCtx(t), c, &got); err != nil {
			t.Fatal(err)
		}
		if got["n"] != 7.0 || got["seen"] != true {
			t.Fatalf("got %v", got)
		}
		if code, _ := rtCloseStatus(t, c); code != websocket.StatusNormalClosure {
			t.Fatalf("handler returned nil: got close %v, want 1000", code)
		}
	})
}

func TestWebSocketRejectsNonHandshakes(t *testing.T) {
	s, _ := rtServer()
	s.WebSocket("/ws", echo)
	addr := rtServe(t, s)
	upgrade := map[string]string{
		"Connection": "Upgrade", "Upgrade": "websocket",
		"Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
	}
	with := func(k, v string) map[string]string {
		h := map[string]string{}
		for kk, vv := range upgrade {
			h[kk] = vv
		}
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
		return h
	}
	for _, tc := range []struct {
		name       string
		method     string
		header     map[string]string
		status     int
		wantHeader [2]string
	}{
		{"plain GET gets 426 with Upgrade: websocket", "GET", nil, 426, [2]string{"Upgrade", "websocket"}},
		{"HEAD gets 426", "HEAD", nil, 426, [2]string{"Upgrade", "websocket"}},
		{"Upgrade header without Connection: upgrade gets 426", "GET", with("Connection", "keep-alive"), 426, [2]string{"Upgrade", "websocket"}},
		{"old protocol version gets 426 naming version 13", "GET", with("Sec-WebSocket-Version", "8"), 426, [2]string{"Sec-WebSocket-Version", "13"}},
		{"missing key gets 400", "GET", with("Sec-WebSocket-Key", ""), 400, [2]string{}},
		{"malformed key gets 400", "GET", with("Sec-WebSocket-Key", "short"), 400, [2]string{}},
		{"POST is not routed to the socket", "POST", upgrade, 405, [2]string{"Allow", "GET, HEAD, OPTIONS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, "http://"+addr+"/ws", nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.status, body)
			}
			if tc.wantHeader[0] != "" && resp.Header.Get(tc.wantHeader[0]) != tc.wantHeader[1] {
				t.Fatalf("%s: %q, want %q", tc.wantHeader[0], resp.Header.Get(tc.wantHeader[0]), tc.wantHeader[1])
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q, want problem+json", ct)
			}
		})
	}
}

func TestWebSocketMessageRules(t *testing.T) {
	closed := make(chan hyperlane.CloseCode, 1)
	s, _ := rtServer()
	s.WebSocket("/ws", echo, hyperlane.WSReadLimit(1024),
		hyperlane.WSOnClose(func(_ *hyperlane.Context, _ *hyperlane.Conn, code hyperlane.CloseCode, _ string) { closed <- code }))
	addr := rtServe(t, s)

	for _, tc := range []struct {
		name string
		typ  websocket.MessageType
		msg  []byte
		want websocket.StatusCode
	}{
		{"message over the read limit closes with 1009", websocket.MessageBinary, make([]byte, 1025), websocket.StatusMessageTooBig},
		{"text over the read limit closes with 1009", websocket.MessageText, bytes.Repeat([]byte("a"), 4096), websocket.StatusMessageTooBig},
		{"text that is not UTF-8 closes with 1007", websocket.MessageText, []byte("ok \xff\xfe not ok"), websocket.StatusInvalidFramePayloadData},
		{"truncated UTF-8 sequence closes with 1007", websocket.MessageText, []byte("caf\xc3"), websocket.StatusInvalidFramePayloadData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := rtDial(t, addr, "/ws", nil)
			// One message at the limit still passes.
			if err := c.Write(rtCtx(t), websocket.MessageBinary, make([]byte, 1024)); err != nil {
				t.Fatal(err)
			}
			if _, b, err := c.Read(rtCtx(t)); err != nil || len(b) != 1024 {
				t.Fatalf("message at the limit: %d bytes, %v", len(b), err)
			}
			if err := c.Write(rtCtx(t), tc.typ, tc.msg); err != nil {
				t.Fatal(err)
			}
			if code, reason := rtCloseStatus(t, c); code != tc.want {
				t.Fatalf("close %v %q, want %v", code, reason, tc.want)
			}
			if got := rtWait(t, closed, "OnClose"); got != hyperlane.CloseCode(tc.want) {
				t.Fatalf("OnClose got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWebSocketCloseCodes(t *testing.T) {
	type closeInfo struct {
		code   hyperlane.CloseCode
		reason string
	}
	closed := make(chan closeInfo, 1)
	onClose := hyperlane.WSOnClose(func(_ *hyperlane.Context, _ *hyperlane.Conn, code hyperlane.CloseCode, reason string) {
		closed <- closeInfo{code, reason}
	})
	readErr := make(chan error, 1)
	s, log := rtServer()
	s.WebSocket("/nil", func(*hyperlane.Context, *hyperlane.Conn) error { return nil }, onClose)
	s.WebSocket("/error", func(*hyperlane.Context, *hyperlane.Conn) error { return errors.New("database on fire") }, onClose)
	s.WebSocket("/panic", func(*hyperlane.Context, *hyperlane.Conn) error { panic("handler panicked") }, onClose)
	s.WebSocket("/custom", func(_ *hyperlane.Context, ws *hyperlane.Conn) error {
		return ws.Close(4001, "come back later")
	}, onClose)
	s.WebSocket("/read", func(_ *hyperlane.Context, ws *hyperlane.Conn) error {
		_, _, err := ws.Read(ws.Context())
		readErr <- err
		return err
	}, onClose)
	addr := rtServe(t, s)

	for _, tc := range []struct {
		name       string
		path       string
		wantCode   websocket.StatusCode
		wantReason string
		wantLog    string
	}{
		{"handler returning nil closes with 1000", "/nil", 1000, "", ""},
		{"handler returning an error closes with 1011 and logs it", "/error", 1011, "internal error", "database on fire"},
		{"handler panicking closes with 1011 and logs the panic", "/panic", 1011, "internal error", "handler panicked"},
		{"handler closing with its own code sends it", "/custom", 4001, "come back later", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := rtDial(t, addr, tc.path, nil)
			code, reason := rtCloseStatus(t, c)
			if code != tc.wantCode || reason != tc.wantReason {
				t.Fatalf("client saw %v %q, want %v %q", code, reason, tc.wantCode, tc.wantReason)
			}
			got := rtWait(t, closed, "OnClose")
			if got.code != hyperlane.CloseCode(tc.wantCode) || got.reason != tc.wantReason {
				t.Fatalf("OnClose got %v %q", got.code, got.reason)
			}
			if tc.wantLog != "" {
				rtEventually(t, func() bool { return strings.Contains(log.String(), tc.wantLog) }, "log line "+tc.wantLog)
			}
		})
	}

	t.Run("client closing with a code reaches the handler and OnClose", func(t *testing.T) {
		c := rtDial(t, addr, "/read", nil)
		if err := c.Close(4002, "bye now"); err != nil {
			t.Fatalf("close handshake: %v", err)
		}
		err := rtWait(t, readErr, "handler's Read")
		var ce *hyperlane.CloseError
		if !errors.As(err, &ce) || ce.Code != 4002 || ce.Reason != "bye now" {
			t.Fatalf("handler's Read returned %v, want CloseError 4002", err)
		}
		if got := rtWait(t, closed, "OnClose"); got.code != 4002 || got.reason != "bye now" {
			t.Fatalf("OnClose got %v %q", got.code, got.reason)
		}
		if strings.Contains(log.String(), "bye now") {
			t.Fatalf("a peer's close was logged as a handler failure:\n%s", log)
		}
	})

	t.Run("close codes that cannot be sent are refused", func(t *testing.T) {
		got := make(chan error, 1)
		s2, _ := rtServer()
		s2.WebSocket("/", func(_ *hyperlane.Context, ws *hyperlane.Conn) error {
			got <- ws.Close(hyperlane.CloseAbnormal, "")
			return nil
		})
		c := rtDial(t, rtServe(t, s2), "/", nil)
		if err := rtWait(t, got, "Close"); err == nil || !strings.Contains(err.Error(), "1006") {
			t.Fatalf("Close(1006) returned %v, want an error naming the code", err)
		}
		if code, _ := rtCloseStatus(t, c); code != 1000 {
			t.Fatalf("client saw %v, want 1000", code)
		}
	})
}

func TestWebSocketOrigin(t *testing.T) {
	s, _ := rtServer()
	s.WebSocket("/same", echo)
	s.WebSocket("/open", echo, hyperlane.WSOrigins("*.example.com", "https://app.example.org"))
	addr := rtServe(t, s)
	for _, tc := range []struct {
		name, path, origin string
		status             int
	}{
		{"no Origin (not a browser) is accepted", "/same", "", 101},
		{"same origin is accepted", "/same", "http://" + addr, 101},
		{"cross origin is refused by default", "/same", "https://evil.example", 403},
		{"Origin null is refused", "/same", "null", 403},
		{"host pattern allows a matching origin", "/open", "https://chat.example.com", 101},
		{"host pattern does not allow another domain", "/open", "https://example.com.evil.net", 403},
		{"scheme pattern allows its scheme", "/open", "https://app.example.org", 101},
		{"scheme pattern refuses another scheme", "/open", "http://app.example.org", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			c, resp, err := websocket.Dial(rtCtx(t), "ws://"+addr+tc.path, &websocket.DialOptions{HTTPHeader: h})
			if c != nil {
				defer c.CloseNow()
			}
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, tc.status, err)
			}
			if tc.status == 403 && resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("refusal is not problem+json: %q", resp.Header.Get("Content-Type"))
			}
		})
	}
	t.Run("malformed pattern panics at registration", func(t *testing.T) {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "[a-") {
				t.Fatalf("recovered %v, want a panic naming the pattern", r)
			}
		}()
		hyperlane.WSOrigins("[a-")
	})
}

func TestWebSocketBeforeUpgrade(t *testing.T) {
	s, _ := rtServer()
	statuses := make(chan int, 2)
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		statuses <- c.StatusCode()
		return nil
	})
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.Set("user", c.Query("user"))
		c.SetHeader("X-Request-Id", "req-42")
		return nil
	})
	kept := make(chan *hyperlane.Conn, 1)
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		kept <- ws
		user, _ := ws.Get("user")
		return ws.WriteText(ws.Context(), fmt.Sprintf("hello %v from %s", user, ws.RemoteAddr()))
	}, hyperlane.WSBeforeUpgrade(func(c *hyperlane.Context) error {
		if c.Query("user") == "" {
			return hyperlane.Error(http.StatusUnauthorized, "log in first")
		}
		return nil
	}))
	addr := rtServe(t, s)

	t.Run("hook error rejects with its status before the handshake", func(t *testing.T) {
		_, resp, err := websocket.Dial(rtCtx(t), "ws://"+addr+"/ws", nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("dial: %v, response %v; want 401", err, resp)
		}
		if resp.Header.Get("X-Request-Id") != "req-42" {
			t.Fatal("request middleware did not run before the hook")
		}
		if got := rtWait(t, statuses, "response middleware"); got != http.StatusUnauthorized {
			t.Fatalf("response middleware saw %d, want 401", got)
		}
	})
	t.Run("accepted socket sees the middleware's attributes and the peer address", func(t *testing.T) {
		c, resp, err := websocket.Dial(rtCtx(t), "ws://"+addr+"/ws?user=ada", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if resp.Header.Get("X-Request-Id") != "req-42" {
			t.Fatal("the 101 response lacks the middleware's header")
		}
		_, b, err := c.Read(rtCtx(t))
		if err != nil || !strings.HasPrefix(string(b), "hello ada from 127.0.0.1:") {
			t.Fatalf("got %q, %v", b, err)
		}
		// Answer the server's close frame, so its handshake ends at once
		// rather than after its close timeout.
		if code, _ := rtCloseStatus(t, c); code != websocket.StatusNormalClosure {
			t.Fatalf("handler returned nil: close %v, want 1000", code)
		}
		if got := rtWait(t, statuses, "response middleware"); got != http.StatusSwitchingProtocols {
			t.Fatalf("response middleware saw %d after the socket closed, want 101", got)
		}
		if v, ok := (<-kept).Get("user"); ok {
			t.Fatalf("Get after the handler returned found %v in a recycled Context", v)
		}
	})
}

func TestWebSocketNegotiation(t *testing.T) {
	s, _ := rtServer()
	s.WebSocket("/ws", func(_ *hyperlane.Context, ws *hyperlane.Conn) error {
		if err := ws.WriteText(ws.Context(), "subprotocol="+ws.Subprotocol()); err != nil {
			return err
		}
		return echo(nil, ws)
	}, hyperlane.WSSubprotocols("chat.v2", "chat.v1"), hyperlane.WSCompression(true))
	s.WebSocket("/plain", echo)
	addr := rtServe(t, s)
	big := strings.Repeat("the same words again and again, ", 1000)

	for _, tc := range []struct {
		name     string
		path     string
		opts     *websocket.DialOptions
		wantProt string
		wantExt  bool
	}{
		{"server's preferred shared subprotocol is chosen and deflate negotiated", "/ws",
			&websocket.DialOptions{Subprotocols: []string{"chat.v1", "chat.v2"}, CompressionMode: websocket.CompressionContextTakeover}, "chat.v2", true},
		{"client without subprotocols still connects", "/ws",
			&websocket.DialOptions{CompressionMode: websocket.CompressionNoContextTakeover}, "", true},
		{"client without deflate gets plain frames", "/ws", &websocket.DialOptions{Subprotocols: []string{"chat.v1"}}, "chat.v1", false},
		{"route without compression does not negotiate it", "/plain",
			&websocket.DialOptions{CompressionMode: websocket.CompressionContextTakeover}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, resp, err := websocket.Dial(rtCtx(t), "ws://"+addr+tc.path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			c.SetReadLimit(-1)
			if ext := resp.Header.Get("Sec-WebSocket-Extensions"); strings.Contains(ext, "permessage-deflate") != tc.wantExt {
				t.Fatalf("Sec-WebSocket-Extensions %q, want deflate=%v", ext, tc.wantExt)
			}
			if c.Subprotocol() != tc.wantProt {
				t.Fatalf("client subprotocol %q, want %q", c.Subprotocol(), tc.wantProt)
			}
			if tc.path == "/ws" {
				if _, b, err := c.Read(rtCtx(t)); err != nil || string(b) != "subprotocol="+tc.wantProt {
					t.Fatalf("server saw %q, %v", b, err)
				}
			}
			if err := c.Write(rtCtx(t), websocket.MessageText, []byte(big)); err != nil {
				t.Fatal(err)
			}
			if _, b, err := c.Read(rtCtx(t)); err != nil || string(b) != big {
				t.Fatalf("echo of %d bytes: %d bytes, %v", len(big), len(b), err)
			}
		})
	}
}

func TestWebSocketInGroup(t *testing.T) {
	s, _ := rtServer()
	s.Group("/api", func(g *hyperlane.Group) {
		g.RequestMiddleware(func(c *hyperlane.Context) error {
			if c.Header("Authorization") != "Bearer ok" {
				return hyperlane.Error(http.StatusUnauthorized, "no token")
			}
			return nil
		})
		g.WebSocket("/ws", echo)
	})
	addr := rtServe(t, s)
	if _, resp, err := websocket.Dial(rtCtx(t), "ws://"+addr+"/api/ws", nil); err == nil || resp.StatusCode != 401 {
		t.Fatalf("group middleware did not reject: %v", err)
	}
	c := rtDial(t, addr, "/api/ws", &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer ok"}}})
	if err := wsjson.Write(rtCtx(t), c, "x"); err != nil {
		t.Fatal(err)
	}
	var got json.RawMessage
	if err := wsjson.Read(rtCtx(t), c, &got); err != nil || string(got) != `"x"` {
		t.Fatalf("got %s, %v", got, err)
	}
	var info *hyperlane.RouteInfo
	for _, ri := range s.Routes() {
		if ri.Pattern == "/api/ws" {
			info = &ri
		}
	}
	if info == nil || info.Method != http.MethodGet || info.Meta["websocket"] != true || !strings.HasSuffix(info.Handler, ".echo") {
		t.Fatalf("route info %+v, want a GET marked websocket naming the handler", info)
	}
}

func TestWebSocketRouteOptions(t *testing.T) {
	s := hyperlane.New()
	s.WebSocket("/ws", func(*hyperlane.Context, *hyperlane.Conn) error { return nil },
		hyperlane.WSRouteOptions(hyperlane.Meta("room", "lobby")))
	routes := s.Routes()
	if len(routes) != 1 || routes[0].Meta["room"] != "lobby" || routes[0].Meta["websocket"] != true {
		t.Fatalf("routes %+v; want one GET /ws with its own and the option's metadata", routes)
	}
}

func TestWebSocketBeforeUpgradeHooksChainInOrder(t *testing.T) {
	s, _ := rtServer()
	var ran []string
	hook := func(name string) hyperlane.WebSocketOption {
		return hyperlane.WSBeforeUpgrade(func(c *hyperlane.Context) error {
			ran = append(ran, name)
			if c.Query("stop") == name {
				return hyperlane.Error(http.StatusForbidden, "stopped by "+name)
			}
			return nil
		})
	}
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error { return nil }, hook("first"), hook("second"))
	addr := rtServe(t, s)
	for _, tc := range []struct {
		name, query, ran string
		status           int
	}{
		{"both run, in order", "", "first,second", http.StatusSwitchingProtocols},
		{"the first error answers, the next hook does not run", "?stop=first", "first", http.StatusForbidden},
		{"the second's error answers too", "?stop=second", "first,second", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ran = nil
			c, resp, _ := websocket.Dial(rtCtx(t), "ws://"+addr+"/ws"+tc.query, nil)
			if c != nil {
				_ = c.CloseNow()
			}
			if resp == nil || resp.StatusCode != tc.status || strings.Join(ran, ",") != tc.ran {
				t.Fatalf("response %v, hooks ran %v; want %d after %s", resp, ran, tc.status, tc.ran)
			}
		})
	}
}
