package hyperlane_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// A WebSocket endpoint is one call; the handler reads and writes
// messages until it returns, which closes the connection with 1000.
func ExampleGroup_WebSocket() {
	s := hyperlane.New()
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		for {
			msg, err := ws.ReadText(ws.Context())
			if err != nil {
				return err // the peer closed: not logged as a failure
			}
			if err := ws.WriteText(ws.Context(), "echo: "+msg); err != nil {
				return err
			}
		}
	}, hyperlane.WSReadLimit(64<<10), hyperlane.WSPing(20*time.Second, 10*time.Second))

	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	if err != nil {
		panic(err)
	}
	defer conn.CloseNow()
	_ = conn.Write(ctx, websocket.MessageText, []byte("hello"))
	_, reply, _ := conn.Read(ctx)
	fmt.Println(string(reply))
	// Output: echo: hello
}

// An event stream sends events until the client leaves, the server shuts
// down, or the handler is done; a reconnecting client resumes after the
// last ID it saw.
func ExampleContext_SSE() {
	s := hyperlane.New()
	s.Get("/events", func(c *hyperlane.Context) error {
		es := c.SSE()
		last, _ := strconv.Atoi(es.LastEventID())
		for i := last + 1; i <= last+2; i++ {
			err := es.Send(hyperlane.Event{ID: strconv.Itoa(i), Event: "tick", Data: map[string]int{"n": i}})
			if err != nil {
				return nil // the client is gone or the server shuts down
			}
		}
		return nil
	})

	req := httptest.NewRequest("GET", "/events", nil)
	req.Header.Set("Last-Event-ID", "41")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	fmt.Println(w.Header().Get("Content-Type"))
	fmt.Print(w.Body.String())
	// Output:
	// text/event-stream
	// id: 42
	// event: tick
	// data: {"n":42}
	//
	// id: 43
	// event: tick
	// data: {"n":43}
}
