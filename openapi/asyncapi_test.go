package openapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// feedEvents are the events of a typed SSE stream in the document tests.
type feedEvents struct {
	Tick *heard `event:"tick"`
	Done *oops  `event:"done"`
}

// asyncDoc decodes the AsyncAPI JSON document served at target.
func asyncDoc(t *testing.T, h http.Handler, target string) map[string]any {
	t.Helper()
	w := do(t, h, request{target: target})
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s %s", target, w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// dig walks a decoded document along keys; nil where one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func refs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		out = append(out, dig(e, "$ref").(string))
	}
	return out
}

func TestAsyncAPIDocumentDescribesSocketsStreamsAndRooms(t *testing.T) {
	s, api := newAPI(t, openapi.Config{Title: "Rooms", Version: "2.0.0",
		SecuritySchemes: []openapi.SecurityScheme{openapi.Bearer("token", "JWT", "A token.")}})
	openapi.WebSocket(api, "/rooms/{room}", serveRoom, append(roomOptions(true), openapi.OperationID("room"), openapi.Security("token"))...)
	openapi.Get(api, "/heard", func(*hyperlane.Context, *struct{}) (*heard, error) { return &heard{}, nil })
	openapi.SSE(api, "/feed", func(*hyperlane.Context, *struct {
		Since int `query:"since"`
	}, *openapi.Sender[feedEvents]) error {
		return nil
	})
	openapi.Room(api, "rooms/{room}", "heard", broadcast.New(broadcast.Options[heard]{}), openapi.OperationID("roomHub"))

	doc := asyncDoc(t, s, "/asyncapi.json")
	if doc["asyncapi"] != "3.0.0" || dig(doc, "info", "title") != "Rooms" || dig(doc, "info", "version") != "2.0.0" {
		t.Fatalf("head: %v %v", doc["asyncapi"], doc["info"])
	}
	if dig(doc, "servers", "ws", "protocol") != "ws" || dig(doc, "servers", "http", "protocol") != "http" || dig(doc, "servers", "ws", "host") != "example.com" {
		t.Errorf("servers %v: want ws and http on the request's host", doc["servers"])
	}
	room := dig(doc, "channels", "room")
	if dig(room, "address") != "/rooms/{room}" || dig(room, "parameters", "room") == nil || dig(room, "bindings", "ws", "query", "properties", "nick", "minLength") != 2.0 {
		t.Errorf("room channel: %v", room)
	}
	if got := refs(dig(doc, "operations", "roomReceive", "messages")); !slices.Equal(got, []string{
		"#/channels/room/messages/join", "#/channels/room/messages/say", "#/channels/room/messages/leave"}) {
		t.Errorf("receive messages %v", got)
	}
	if got := refs(dig(doc, "operations", "roomSend", "messages")); !slices.Equal(got, []string{
		"#/channels/room/messages/heard", "#/channels/room/messages/error"}) {
		t.Errorf("send messages %v", got)
	}
	if dig(doc, "operations", "roomReceive", "action") != "receive" || dig(doc, "operations", "roomSend", "action") != "send" {
		t.Error("a socket has a receive and a send operation")
	}
	if got := refs(dig(doc, "operations", "roomSend", "security")); !slices.Equal(got, []string{"#/components/securitySchemes/token"}) ||
		dig(doc, "components", "securitySchemes", "token", "type") != "http" || dig(doc, "components", "securitySchemes", "token", "scheme") != "bearer" {
		t.Errorf("security %v, schemes %v", got, dig(doc, "components", "securitySchemes"))
	}
	// The payload of "heard" is the very schema the OpenAPI document
	// gives the same Go type.
	if dig(doc, "components", "messages", "room.send.heard", "payload", "$ref") != "#/components/schemas/Heard" {
		t.Errorf("heard payload %v", dig(doc, "components", "messages", "room.send.heard"))
	}
	var oa map[string]any
	if err := json.Unmarshal(do(t, s, request{target: "/openapi.json"}).Body.Bytes(), &oa); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(dig(doc, "components", "schemas", "Heard"))
	o, _ := json.Marshal(dig(oa, "components", "schemas", "Heard"))
	if string(a) != string(o) || len(a) < 10 {
		t.Errorf("Heard differs between the documents:\nasyncapi %s\nopenapi  %s", a, o)
	}
	join := dig(doc, "components", "messages", "room.receive.join", "payload", "allOf")
	if list, _ := join.([]any); len(list) != 2 || dig(list[1], "properties", "type", "const") != "join" {
		t.Errorf("join payload: want its schema and the discriminator's value, got %v", join)
	}
	if dig(doc, "channels", "room", "messages", "join", "$ref") != "#/components/messages/room.receive.join" {
		t.Errorf("channel messages %v", dig(doc, "channels", "room", "messages"))
	}
	// The SSE operation: a channel on the http server, one message per event.
	feed := dig(doc, "channels", "listFeed")
	if dig(feed, "address") != "/feed" || refs(dig(feed, "servers"))[0] != "#/servers/http" {
		t.Errorf("feed channel %v", feed)
	}
	if got := refs(dig(doc, "operations", "listFeedSend", "messages")); !slices.Equal(got, []string{"#/channels/listFeed/messages/tick", "#/channels/listFeed/messages/done"}) {
		t.Errorf("feed messages %v", got)
	}
	if dig(doc, "operations", "listFeedSend", "bindings", "http", "query", "properties", "since", "type") != "integer" {
		t.Errorf("feed query %v", dig(doc, "operations", "listFeedSend", "bindings"))
	}
	// The room of the hub.
	if dig(doc, "channels", "roomHub", "address") != "rooms/{room}" || dig(doc, "operations", "roomHubSend", "action") != "send" {
		t.Errorf("room hub: %v", dig(doc, "channels", "roomHub"))
	}
	// YAML says the same.
	y := do(t, s, request{target: "/asyncapi.yaml"})
	if y.Code != 200 || !strings.HasPrefix(y.Body.String(), "asyncapi: \"3.0.0\"\ninfo:\n") || !strings.Contains(y.Body.String(), "\n  roomReceive:\n") {
		t.Errorf("YAML: %d %.200s", y.Code, y.Body)
	}
}

func TestAsyncAPIFollowsPrefixAndMount(t *testing.T) {
	s, api := newAPI(t, openapi.Config{Prefix: "/v2"})
	g := openapi.NewGroup(api, "/live")
	openapi.WebSocket(g, "/rooms/{room}", serveRoom, roomOptions(false)...)
	mux := http.NewServeMux()
	mux.Handle("/api/", adapter.Mount("/api", s))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/api/v2/asyncapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	if dig(doc, "servers", "ws", "pathname") != "/api" || dig(doc, "servers", "ws", "host") != host {
		t.Fatalf("servers %v: want pathname /api (the mount) on %s", doc["servers"], host)
	}
	address, _ := dig(doc, "channels", "getLiveRoom", "address").(string)
	if address != "/v2/live/rooms/{room}" {
		t.Fatalf("channels %v", doc["channels"])
	}
	// The documented address, under the server's pathname, is where the
	// socket answers.
	c := dial(t, "ws://"+host+"/api"+strings.Replace(address, "{room}", "lobby", 1)+"?nick=ada")
	send(t, c, `{"type":"say","text":"mounted"}`)
	if m := read(t, c); m["text"] != "mounted" {
		t.Fatalf("answer %v", m)
	}
}

func TestAsyncAPICommandPrintsTheDocument(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.WebSocket(api, "/rooms/{room}", serveRoom, roomOptions(false)...)
	want, err := api.AsyncAPI("json")
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range s.Commands() {
		if cmd.Name != "asyncapi" {
			continue
		}
		var out strings.Builder
		if err := cmd.Run(context.Background(), []string{"--format", "json"}, &out); err != nil || out.String() != string(want) {
			t.Fatalf("asyncapi --format json: %v\n%.300s", err, out.String())
		}
		if err := cmd.Run(context.Background(), []string{"--format", "xml"}, &out); err == nil {
			t.Fatal("--format xml was accepted")
		}
		return
	}
	t.Fatal("no asyncapi command")
}

func TestDocumentEventsNeedsItsRoute(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.DocumentEvents[feedEvents](api, "/plain", openapi.Request(struct {
		Room string `query:"room"`
	}{}))
	if w := do(t, s, request{target: "/asyncapi.json"}); w.Code != 500 {
		t.Fatalf("a document describing a missing route: %d, want 500", w.Code)
	}
	s.Get("/plain", func(c *hyperlane.Context) error { return nil })
	doc := asyncDoc(t, s, "/asyncapi.json")
	if dig(doc, "operations", "listPlainSend", "bindings", "http", "query", "properties", "room", "type") != "string" {
		t.Errorf("plain stream: %v", dig(doc, "operations"))
	}
}

func TestSocketSecurityAndDefaultMessage(t *testing.T) {
	scheme := openapi.APIKey("key", "header", "X-Key", "")
	scheme.Check = func(c *hyperlane.Context) error {
		if c.Header("X-Key") != "sesame" {
			return hyperlane.Error(http.StatusUnauthorized, "no key")
		}
		return nil
	}
	s, api := newAPI(t, openapi.Config{SecuritySchemes: []openapi.SecurityScheme{scheme}})
	hooked := false
	openapi.WebSocket(api, "/rooms/{room}", serveRoom, append(roomOptions(false), openapi.Security("key"), openapi.DefaultMessage("say"),
		openapi.SocketOptions(hyperlane.WSBeforeUpgrade(func(*hyperlane.Context) error { hooked = true; return nil })))...)
	srv := httptest.NewServer(s)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/rooms/lobby?nick=ada"
	_, resp, err := websocket.Dial(context.Background(), url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized || hooked {
		t.Fatalf("without the key: %v %v (hook ran: %v), want a 401 before any hook", err, resp, hooked)
	}
	c, _, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{HTTPHeader: http.Header{"X-Key": {"sesame"}}})
	if err != nil || !hooked {
		t.Fatalf("with the key: %v (hook ran: %v)", err, hooked)
	}
	defer c.CloseNow()
	send(t, c, `{"text":"no type"}`)
	if m := read(t, c); m["kind"] != "say" || m["text"] != "no type" {
		t.Fatalf("an object without the discriminator: %v, want it taken as say", m)
	}
}

func TestSocketRawMessagesEcho(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.WebSocket(api, "/echo", func(_ *hyperlane.Context, _ *struct{}, sock *openapi.Socket) error {
		for {
			v, err := sock.Receive(sock.Conn().Context())
			if err != nil {
				return err
			}
			if err := sock.Send(v); err != nil {
				return err
			}
		}
	}, openapi.Receives[string]("text"), openapi.Receives[[]byte]("binary"), openapi.Sends[string]("text"), openapi.Sends[[]byte]("binary"))
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := dial(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/echo")
	for _, m := range []struct {
		typ  websocket.MessageType
		data string
	}{{websocket.MessageText, "not JSON at all {"}, {websocket.MessageBinary, "\x00\xff"}} {
		if err := c.Write(context.Background(), m.typ, []byte(m.data)); err != nil {
			t.Fatal(err)
		}
		typ, b, err := c.Read(context.Background())
		if err != nil || typ != m.typ || string(b) != m.data {
			t.Fatalf("echo of %v %q: %v %q %v", m.typ, m.data, typ, b, err)
		}
	}
	doc := asyncDoc(t, s, "/asyncapi.json")
	if dig(doc, "components", "messages", "listEcho.receive.binary", "contentType") != "application/octet-stream" ||
		dig(doc, "components", "messages", "listEcho.receive.text", "contentType") != "text/plain" {
		t.Errorf("raw messages: %v", dig(doc, "components", "messages"))
	}
}

func TestAsyncAPIViewer(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"index.js": "window.AsyncApiStandalone={render(){}};", "default.min.css": "body{}"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := newAPI(t, openapi.Config{AsyncAPIDir: dir})
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", s))
	w := do(t, mux, request{target: "/api/asyncapi"})
	page, csp := w.Body.String(), w.Header().Get("Content-Security-Policy")
	if w.Code != 200 || !strings.Contains(page, `data-url="/api/asyncapi.json"`) || strings.Contains(page, "https://") {
		t.Fatalf("page %d:\n%s", w.Code, page)
	}
	if !strings.Contains(csp, "script-src 'self' 'unsafe-eval' 'sha256-") || strings.Contains(csp, "https://") || strings.Contains(csp, "'unsafe-inline'; img") && !strings.Contains(csp, "style-src 'self' 'unsafe-inline'") {
		t.Errorf("CSP %q", csp)
	}
	for file, ct := range map[string]string{"index.js": "text/javascript; charset=utf-8", "default.min.css": "text/css; charset=utf-8"} {
		if !strings.Contains(page, `"asyncapi/`+file+`?v=`) {
			t.Errorf("the page does not load asyncapi/%s", file)
		}
		w := do(t, mux, request{target: "/api/asyncapi/" + file})
		if w.Code != 200 || w.Header().Get("Content-Type") != ct {
			t.Errorf("GET %s: %d %s", file, w.Code, w.Header().Get("Content-Type"))
		}
	}
	if w := do(t, mux, request{target: "/api/asyncapi/LICENSE"}); w.Code != 404 {
		t.Errorf("another file: %d, want 404", w.Code)
	}
	// Without the directory: the pinned CDN files, checked by SRI.
	s2, _ := newAPI(t, openapi.Config{})
	w = do(t, s2, request{target: "/asyncapi"})
	if !strings.Contains(w.Body.String(), `integrity="`+openapi.DefaultAsyncAPIScriptSRI+`"`) || !strings.Contains(w.Header().Get("Content-Security-Policy"), "https://cdn.jsdelivr.net") {
		t.Errorf("CDN page:\n%s\n%s", w.Body, w.Header().Get("Content-Security-Policy"))
	}
	// A directory without the files stops New, naming it.
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "Config.AsyncAPIDir") {
			t.Fatalf("panic %v", r)
		}
	}()
	newAPI(t, openapi.Config{AsyncAPIDir: t.TempDir()})
}
