package broadcast_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// The server does not know the hub: the one line of wiring is the
// server's generic shutdown hook. A handler that only waits on its
// subscription (not on the connection) then ends with the shutdown, and
// the WebSocket client sees its connection close.
func TestBroadcastClosesOnShutdown(t *testing.T) {
	hub := broadcast.New(broadcast.Options[string]{})
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	s.OnShutdown(func() { _ = hub.Close() })
	ended := make(chan error, 1)
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		sub := hub.Subscribe("lobby")
		_ = hub.SendTo(sub.ID(), "subscribed")
		for m := range sub.C() {
			if err := ws.WriteText(ws.Context(), m); err != nil {
				break
			}
		}
		ended <- sub.Err()
		return nil
	})
	ln, err := s.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	c, _, err := websocket.Dial(guardCtx(t), "ws://"+ln.Addr().String()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if _, msg, err := c.Read(guardCtx(t)); err != nil || string(msg) != "subscribed" {
		t.Fatalf("first message %q, %v", msg, err)
	}

	if err := s.Shutdown(guardCtx(t)); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case err := <-ended:
		if !errors.Is(err, broadcast.ErrClosed) {
			t.Fatalf("the handler's subscription ended with %v, want ErrClosed", err)
		}
	case <-guardCtx(t).Done():
		t.Fatal("the handler's subscription did not end with the shutdown")
	}
	if _, _, err := c.Read(guardCtx(t)); err == nil {
		t.Fatal("the client's connection is still open after the shutdown")
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
}
