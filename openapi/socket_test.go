package openapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// The messages of the test room.
type (
	roomIn struct {
		Room string `path:"room" pattern:"^[a-z]+$"`
		Nick string `query:"nick" required:"true" minLength:"2"`
	}
	joinMsg struct {
		Type string `json:"type"`
		Seat int    `json:"seat" minimum:"1" maximum:"9"`
	}
	sayMsg struct {
		Text string `json:"text" required:"true" minLength:"1" maxLength:"20"`
	}
	leaveMsg struct{}
	heard    struct {
		Type string `json:"type" const:"heard"`
		Kind string `json:"kind"`
		Nick string `json:"nick"`
		Text string `json:"text,omitempty"`
		Seat int    `json:"seat,omitempty"`
	}
	oops struct {
		Type   string `json:"type" const:"error"`
		Reason string `json:"reason"`
	}
)

// serveRoom answers each message with what it heard; leave ends it.
func serveRoom(_ *hyperlane.Context, in *roomIn, s *openapi.Socket) error {
	for {
		v, err := s.Receive(s.Conn().Context())
		if err != nil {
			return err
		}
		h := heard{Type: "heard", Nick: in.Nick}
		switch m := v.(type) {
		case joinMsg:
			h.Kind, h.Seat = "join", m.Seat
		case sayMsg:
			h.Kind, h.Text = "say", m.Text
		case leaveMsg:
			return s.Close(hyperlane.CloseNormal, "bye "+in.Room)
		}
		if err := s.Send(h); err != nil {
			return err
		}
	}
}

func roomOptions(answer bool) []openapi.Option {
	opts := []openapi.Option{
		openapi.Discriminator("type"),
		openapi.Receives[joinMsg]("join"), openapi.Receives[sayMsg]("say"), openapi.Receives[leaveMsg]("leave"),
		openapi.Sends[heard]("heard"), openapi.Sends[oops]("error"),
	}
	if answer {
		opts = append(opts, openapi.OnInvalidMessage(func(e *openapi.InvalidMessageError) oops {
			return oops{Type: "error", Reason: e.Error()}
		}))
	}
	return opts
}

// socketServer serves a typed room at /rooms/{room} (closing on invalid
// messages) and /answer/{room} (answering them).
func socketServer(t *testing.T, prefix string) (*openapi.API, string) {
	t.Helper()
	s, api := newAPI(t, openapi.Config{Title: "Rooms", Version: "1.0.0", Prefix: prefix})
	openapi.WebSocket(api, "/rooms/{room}", serveRoom, append(roomOptions(false), openapi.Summary("A room"))...)
	openapi.WebSocket(api, "/answer/{room}", serveRoom, roomOptions(true)...)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return api, strings.TrimPrefix(srv.URL, "http://")
}

func dial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v (response %v)", url, err, resp)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

func send(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	if err := c.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("write %s: %v", msg, err)
	}
}

func read(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	_, b, err := c.Read(context.Background())
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return m
}

func TestSocketDispatchesEachMessageType(t *testing.T) {
	_, addr := socketServer(t, "")
	c := dial(t, "ws://"+addr+"/rooms/lobby?nick=ada")
	send(t, c, `{"type":"join","seat":3}`)
	if m := read(t, c); m["kind"] != "join" || m["seat"] != 3.0 || m["nick"] != "ada" {
		t.Fatalf("join answered %v", m)
	}
	send(t, c, `{"type":"say","text":"hello"}`)
	if m := read(t, c); m["kind"] != "say" || m["text"] != "hello" {
		t.Fatalf("say answered %v", m)
	}
	send(t, c, `{"type":"leave"}`)
	_, _, err := c.Read(context.Background())
	if code := websocket.CloseStatus(err); code != websocket.StatusNormalClosure {
		t.Fatalf("leave: read error %v, want a 1000 close", err)
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) && ce.Reason != "bye lobby" {
		t.Fatalf("close reason %q", ce.Reason)
	}
}

func TestSocketInvalidMessageClosesWith1007(t *testing.T) {
	_, addr := socketServer(t, "")
	long := strings.Repeat("x", 300)
	cases := []struct{ name, msg, reason string }{
		{"not JSON", `{"type":`, `invalid message: not JSON`},
		{"unknown discriminator", `{"type":"dance"}`, `invalid message: "type" must be one of "join", "say", "leave"`},
		{"no discriminator", `{"text":"hi"}`, `invalid message: "type" must be one of`},
		{"not an object", `[1]`, `invalid message: "type" must be one of`},
		{"schema refuses", `{"type":"join","seat":12}`, `invalid message "join": the payload does not match its schema: message.seat must be at most 9`},
		{"required missing", `{"type":"say"}`, `invalid message "say": the payload does not match its schema: message.text is required`},
		{"reason cut to 123 bytes", `{"type":"say","text":"` + long + `","` + long + `":1}`, `invalid message "say": the payload does not match its schema: message.text must be at most 20 characters long`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, "ws://"+addr+"/rooms/lobby?nick=ada")
			send(t, c, tc.msg)
			_, _, err := c.Read(context.Background())
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusInvalidFramePayloadData {
				t.Fatalf("read error %v, want a 1007 close", err)
			}
			if !strings.HasPrefix(ce.Reason, tc.reason) || len(ce.Reason) > 123 {
				t.Fatalf("reason %q (%d bytes), want it to begin %q within 123 bytes", ce.Reason, len(ce.Reason), tc.reason)
			}
		})
	}
}

func TestSocketInvalidMessageAnsweredKeepsSocket(t *testing.T) {
	_, addr := socketServer(t, "")
	c := dial(t, "ws://"+addr+"/answer/lobby?nick=bob")
	for _, bad := range []string{`nope`, `{"type":"dance"}`, `{"type":"join","seat":0}`} {
		send(t, c, bad)
		m := read(t, c)
		if m["type"] != "error" || !strings.HasPrefix(m["reason"].(string), "invalid message") {
			t.Fatalf("%s answered %v, want an error message", bad, m)
		}
	}
	send(t, c, `{"type":"say","text":"still here"}`)
	if m := read(t, c); m["text"] != "still here" {
		t.Fatalf("after the errors: %v", m)
	}
}

func TestSocketHandshakeIsBoundBeforeTheUpgrade(t *testing.T) {
	_, addr := socketServer(t, "")
	for _, tc := range []struct{ name, target, want string }{
		{"missing query", "/rooms/lobby", "query.nick"},
		{"short nick", "/rooms/lobby?nick=a", "query.nick"},
		{"bad path", "/rooms/LOBBY?nick=ada", "path.room"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := websocket.Dial(context.Background(), "ws://"+addr+tc.target, nil)
			if err == nil || resp == nil || resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("dial: %v, response %v; want a 422", err, resp)
			}
			var p hyperlane.HTTPError
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || len(p.Errors) == 0 || p.Errors[0].Location != tc.want {
				t.Fatalf("problem %+v (%v), want an error at %s", p, err, tc.want)
			}
		})
	}
}

func TestSocketSendRefusesUndeclaredTypes(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	got := make(chan error, 1)
	openapi.WebSocket(api, "/s", func(_ *hyperlane.Context, _ *struct{}, sock *openapi.Socket) error {
		got <- sock.Send(sayMsg{Text: "x"})
		return nil
	}, openapi.Sends[heard]("heard"))
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := dial(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/s")
	_, _, _ = c.Read(context.Background())
	if err := <-got; err == nil || !strings.Contains(err.Error(), "not a declared outgoing message") {
		t.Fatalf("Send of an undeclared type: %v", err)
	}
}

func TestSocketRegistrationMistakesPanic(t *testing.T) {
	h := func(*hyperlane.Context, *struct{}, *openapi.Socket) error { return nil }
	for _, tc := range []struct {
		name string
		opts []openapi.Option
		want string
	}{
		{"no messages", nil, "no message declared"},
		{"two receives without discriminator", []openapi.Option{openapi.Receives[joinMsg]("join"), openapi.Receives[sayMsg]("say")}, "without a Discriminator"},
		{"answer type not sent", []openapi.Option{openapi.Receives[joinMsg]("join"), openapi.OnInvalidMessage(func(*openapi.InvalidMessageError) oops { return oops{} })}, "which no Sends declares"},
		{"same name twice", []openapi.Option{openapi.Sends[heard]("x"), openapi.Sends[oops]("x")}, `message name "x" declared twice`},
		{"status", []openapi.Option{openapi.Sends[heard]("x"), openapi.Status(200)}, "not for a WebSocket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, api := newAPI(t, openapi.Config{})
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), tc.want) {
					t.Fatalf("panic %v, want one with %q", r, tc.want)
				}
			}()
			openapi.WebSocket(api, "/s", h, tc.opts...)
		})
	}
}

func TestSocketRouteCarriesItsOperationID(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	g := openapi.NewGroup(api, "/live", openapi.OperationIDPrefix("live"))
	openapi.WebSocket(g, "/rooms/{room}", serveRoom, append(roomOptions(false), openapi.OperationID("room"))...)
	for _, r := range s.Routes() {
		if r.Pattern == "/live/rooms/{room}" {
			if r.Method != http.MethodGet || r.Meta[hyperlane.MetaOperationID] != "liveRoom" || r.Meta["websocket"] != true {
				t.Fatalf("route %+v: want a GET WebSocket route with operation id liveRoom", r)
			}
			return
		}
	}
	t.Fatalf("no route /live/rooms/{room} in %v", s.Routes())
}

func TestSocketIDsAreUniqueWithOperations(t *testing.T) {
	_, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/x", func(*hyperlane.Context, *struct{}) (*heard, error) { return nil, nil }, openapi.OperationID("x"))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `operation id "x" is already used`) {
			t.Fatalf("panic %v", r)
		}
	}()
	openapi.WebSocket(api, "/ws/{room}", serveRoom, append(roomOptions(false), openapi.OperationID("x"))...)
}

func TestSocketRateLimitedBeforeTheUpgrade(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	limiter := middleware.NewRateLimiter(middleware.RateLimitConfig{
		Rate: middleware.Rate{Limit: 1, Period: time.Hour}, Key: middleware.KeyByHeader("X-Who"),
	})
	openapi.WebSocket(api, "/rooms/{room}", serveRoom, append(roomOptions(false), openapi.RateLimited(limiter))...)
	srv := httptest.NewServer(s)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/rooms/lobby?nick=ada"
	opts := &websocket.DialOptions{HTTPHeader: http.Header{"X-Who": {"ada"}}}
	c, _, err := websocket.Dial(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("first handshake: %v", err)
	}
	_ = c.CloseNow()
	_, resp, err := websocket.Dial(context.Background(), url, opts)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second handshake: %v %v, want a 429", err, resp)
	}
}
