package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/hyperlane-go/hyperlane/examples/chat/chatroom"
)

// guard bounds every wait; reaching it means the chat is broken.
const guard = 20 * time.Second

type client struct {
	t    *testing.T
	conn *websocket.Conn
}

// join connects nick to room and returns the client, or the HTTP status
// of a refused handshake.
func join(t *testing.T, base, nick, room string) (*client, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	q := url.Values{"nick": {nick}, "room": {room}}
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws?"+q.Encode(), nil)
	if err != nil {
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &client{t, conn}, http.StatusSwitchingProtocols
}

// refusal dials as a page on origin would (no Origin header when it is
// "") and returns the status and problem detail of a refused handshake,
// or 101 when it was let in.
func refusal(t *testing.T, base, nick, room, origin string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	q := url.Values{"nick": {nick}, "room": {room}}
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws?"+q.Encode(), &websocket.DialOptions{HTTPHeader: h})
	if err == nil {
		_ = conn.CloseNow()
		return http.StatusSwitchingProtocols, "let in"
	}
	if resp == nil {
		t.Fatalf("dial: %v", err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("refusal of %q is %q, want problem+json", nick, ct)
	}
	var p struct {
		Detail string `json:"detail"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	return resp.StatusCode, p.Detail
}

func (c *client) next() chatroom.Message {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	var m chatroom.Message
	if err := wsjson.Read(ctx, c.conn, &m); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

func (c *client) say(text string) {
	c.t.Helper()
	if err := wsjson.Write(context.Background(), c.conn, map[string]string{"text": text}); err != nil {
		c.t.Fatal(err)
	}
}

// expect reads the next message and checks its type, nick and text.
func (c *client) expect(typ, nick, text string) chatroom.Message {
	c.t.Helper()
	m := c.next()
	if m.Type != typ || m.Nick != nick || m.Text != text {
		c.t.Fatalf("got %+v, want type=%s nick=%q text=%q", m, typ, nick, text)
	}
	return m
}

func TestChat(t *testing.T) {
	srv := httptest.NewServer(newApp(slog.New(slog.DiscardHandler)))
	defer srv.Close()

	t.Run("page is served with the browser's WebSocket", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "new WebSocket(") {
			t.Fatalf("page: %s %q", resp.Header.Get("Content-Type"), body[:min(len(body), 80)])
		}
		if strings.Contains(string(body), "innerHTML") {
			t.Fatal("the page must not render messages with innerHTML")
		}
	})

	alice, _ := join(t, srv.URL, "alice", "lobby")
	if m := alice.expect("welcome", "alice", ""); strings.Join(m.Members, ",") != "alice" {
		t.Fatalf("welcome members %v", m.Members)
	}
	alice.expect("join", "alice", "")
	bob, _ := join(t, srv.URL, "bob", "lobby")
	if m := bob.expect("welcome", "bob", ""); strings.Join(m.Members, ",") != "alice,bob" {
		t.Fatalf("welcome members %v", m.Members)
	}
	bob.expect("join", "bob", "")
	alice.expect("join", "bob", "")

	t.Run("message reaches everyone in the room as typed", func(t *testing.T) {
		text := `<b>hi</b> & <script>alert(1)</script>`
		alice.say("  " + text + "\n")
		alice.expect("message", "alice", text)
		bob.expect("message", "alice", text)
	})
	t.Run("other rooms hear nothing", func(t *testing.T) {
		carol, _ := join(t, srv.URL, "carol", "dev")
		carol.expect("welcome", "carol", "")
		carol.expect("join", "carol", "")
		bob.say("lobby only")
		alice.expect("message", "bob", "lobby only")
		bob.expect("message", "bob", "lobby only")
		carol.say("dev only")
		carol.expect("message", "carol", "dev only") // nothing from the lobby came first
	})
	t.Run("too long a message goes back as an error to its sender only", func(t *testing.T) {
		alice.say(strings.Repeat("é", chatroom.MaxText+1))
		alice.expect("error", "", "message longer than 500 characters, not sent")
		alice.say("short")
		bob.expect("message", "alice", "short") // the long one never reached bob
		alice.expect("message", "alice", "short")
	})
	t.Run("frame over the limit closes the socket with 1009", func(t *testing.T) {
		mallory, _ := join(t, srv.URL, "mallory", "dev")
		mallory.expect("welcome", "mallory", "")
		big := `{"text":"` + strings.Repeat("a", chatroom.MaxFrame) + `"}`
		_ = mallory.conn.Write(context.Background(), websocket.MessageText, []byte(big))
		for {
			var m chatroom.Message
			err := wsjson.Read(context.Background(), mallory.conn, &m)
			if err != nil {
				if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
					t.Fatalf("closed with %v, want 1009", err)
				}
				break
			}
		}
	})
	t.Run("bad joins are refused before the handshake", func(t *testing.T) {
		for _, tc := range []struct {
			name, nick, room string
			status           int
		}{
			{"nick taken in the room", "alice", "lobby", http.StatusConflict},
			{"missing nick", "", "lobby", http.StatusBadRequest},
			{"nick with markup", "<img src=x>", "lobby", http.StatusBadRequest},
			{"nick too long", strings.Repeat("n", chatroom.MaxNick+1), "lobby", http.StatusBadRequest},
			{"room with capitals", "dave", "Lobby", http.StatusBadRequest},
		} {
			if _, status := join(t, srv.URL, tc.nick, tc.room); status != tc.status {
				t.Errorf("%s: status %d, want %d", tc.name, status, tc.status)
			}
		}
	})
	t.Run("a foreign page is refused with 403 before the nickname is looked at", func(t *testing.T) {
		for _, nick := range []string{"alice", "newcomer"} {
			if status, detail := refusal(t, srv.URL, nick, "lobby", "https://evil.example"); status != http.StatusForbidden || strings.Contains(detail, "taken") {
				t.Errorf("nick %q from a foreign origin: %d %q, want 403 that says nothing of the nickname", nick, status, detail)
			}
		}
	})
	t.Run("lookalikes of a member are refused with a clear answer", func(t *testing.T) {
		for _, tc := range []struct {
			name, nick, origin string
			status             int
			detail             string
		}{
			{"same nick from the page's own origin is taken", "alice", srv.URL, http.StatusConflict, `nickname "alice" is taken in room "lobby"`},
			{"another case is taken", "Alice", "", http.StatusConflict, `looks too much like "alice"`},
			{"fullwidth letters are taken", "ａｌｉｃｅ", "", http.StatusConflict, `nickname "alice" is taken`},
			{"a zero-width space is refused as invisible", "alice\u200b", "", http.StatusBadRequest, "invisible character (U+200B)"},
			{"a Cyrillic a is refused as mixed script", "\u0430lice", "", http.StatusBadRequest, "mixes Latin and Cyrillic"},
			{"a right-to-left override is refused", "\u202eecila", "", http.StatusBadRequest, "text-direction control"},
		} {
			if status, detail := refusal(t, srv.URL, tc.nick, "lobby", tc.origin); status != tc.status || !strings.Contains(detail, tc.detail) {
				t.Errorf("%s: %d %q, want %d saying %q", tc.name, status, detail, tc.status, tc.detail)
			}
		}
	})
	t.Run("leaving tells the room", func(t *testing.T) {
		if err := bob.conn.Close(websocket.StatusNormalClosure, "bye"); err != nil {
			t.Fatal(err)
		}
		alice.expect("leave", "bob", "")
		// The nickname is free again.
		bob2, status := join(t, srv.URL, "bob", "lobby")
		if status != http.StatusSwitchingProtocols {
			t.Fatalf("rejoin: %d", status)
		}
		if m := bob2.expect("welcome", "bob", ""); strings.Join(m.Members, ",") != "alice,bob" {
			t.Fatalf("members after rejoin %v", m.Members)
		}
	})
}

// send writes one raw message.
func (c *client) send(msg string) {
	c.t.Helper()
	if err := c.conn.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
		c.t.Fatal(err)
	}
}

func TestChatTypedMessages(t *testing.T) {
	srv := httptest.NewServer(newApp(slog.New(slog.DiscardHandler)))
	defer srv.Close()
	ann, _ := join(t, srv.URL, "ann", "lobby")
	ann.expect("welcome", "ann", "")
	ann.expect("join", "ann", "")
	ben, _ := join(t, srv.URL, "ben", "dev")
	ben.expect("welcome", "ben", "")
	ben.expect("join", "ben", "")

	t.Run("message with its type reaches the room", func(t *testing.T) {
		ann.send(`{"type":"message","text":"typed"}`)
		ann.expect("message", "ann", "typed")
	})
	t.Run("invalid messages are answered with an error, and the socket stays", func(t *testing.T) {
		for _, tc := range []struct{ msg, want string }{
			{`{"type":"dance"}`, `"type" must be one of "message", "join", "leave"`},
			{`not json`, "invalid message: not JSON"},
			{`{"type":"join","room":"No Room"}`, "message.room must match the pattern"},
			{`{"type":"message","text":5}`, "message.text must be a string, got number"},
		} {
			ann.send(tc.msg)
			if m := ann.next(); m.Type != "error" || !strings.Contains(m.Text, tc.want) {
				t.Errorf("%s answered %+v, want an error saying %q", tc.msg, m, tc.want)
			}
		}
		ann.send(`{"text":"still here"}`)
		ann.expect("message", "ann", "still here")
	})
	t.Run("join moves to another room, telling both", func(t *testing.T) {
		ann.send(`{"type":"join","room":"dev"}`)
		if m := ann.expect("welcome", "ann", ""); m.Room != "dev" || strings.Join(m.Members, ",") != "ben,ann" {
			t.Fatalf("welcome in dev: %+v", m)
		}
		ben.expect("join", "ann", "")
		ann.expect("join", "ann", "")
		ben.send(`{"type":"message","text":"hi ann"}`)
		ann.expect("message", "ben", "hi ann")
	})
	t.Run("join to a room where the nickname is taken is refused, and nothing moves", func(t *testing.T) {
		other, _ := join(t, srv.URL, "ann", "lobby") // the name is free in the lobby again
		other.expect("welcome", "ann", "")
		ben.expect("message", "ben", "hi ann")
		ben.send(`{"type":"join","room":"lobby"}`)
		if m := ben.next(); m.Type != "welcome" || m.Room != "lobby" {
			t.Fatalf("ben to the lobby: %+v", m)
		}
		// Read ben's own join before other's socket closes with this
		// subtest: its leave would be published after, and could race it.
		ben.expect("join", "ben", "")
		ann.expect("leave", "ben", "")
		ann.send(`{"type":"join","room":"lobby"}`)
		if m := ann.next(); m.Type != "error" || !strings.Contains(m.Text, `is taken in room "lobby"`) {
			t.Fatalf("ann to a lobby with an ann: %+v", m)
		}
	})
	t.Run("leave closes the socket with 1000 and tells the room", func(t *testing.T) {
		ben.send(`{"type":"leave"}`)
		for {
			var m chatroom.Message
			if err := wsjson.Read(context.Background(), ben.conn, &m); err != nil {
				if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
					t.Fatalf("leave: %v, want a 1000 close", err)
				}
				break
			}
		}
	})
}
