package adapter_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/adapter/mounttest"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// events is an SSE handler that sends 1, 2 and 3 and then stays open
// until the client leaves: a client sees the events only if every layer
// let them through at once.
func events(c *hyperlane.Context) error {
	es := c.SSE()
	for i := 1; i <= 3; i++ {
		if err := es.Send(hyperlane.Event{Data: fmt.Sprint(i)}); err != nil {
			return err
		}
	}
	<-es.Done()
	return nil
}

// readEvents reads three events from url while the stream is open.
func readEvents(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang guard only
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("%d %q, want an event stream", resp.StatusCode, ct)
	}
	sc := bufio.NewScanner(resp.Body)
	var data []string
	for len(data) < 3 && sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			data = append(data, v)
		}
	}
	if got := strings.Join(data, ","); got != "1,2,3" {
		t.Errorf("events %q (%v), want 1,2,3", got, sc.Err())
	}
}

func TestStreamsThroughEveryAdapter(t *testing.T) {
	s := hyperlane.New()
	s.Get("/wrapped/events", adapter.Wrap(events, statusLog, shout))
	s.Get("/with/events", events, adapter.With(tracer("a")))
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		msg, err := ws.ReadText(ws.Context())
		if err != nil {
			return err
		}
		return ws.WriteText(ws.Context(), "echo: "+msg)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /http/events", adapter.HTTP(events))
	mux.Handle("/app/", adapter.Mount("/app", s))
	base := mounttest.Serve(t, mux)

	for _, path := range []string{"/http/events", "/app/wrapped/events", "/app/with/events"} {
		t.Run("SSE "+path, func(t *testing.T) { readEvents(t, base+path) })
	}
	t.Run("WebSocket through Mount and a net/http host", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang guard only
		defer cancel()
		ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/app/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		if err := ws.Write(ctx, websocket.MessageText, []byte("hi")); err != nil {
			t.Fatal(err)
		}
		if _, msg, err := ws.Read(ctx); err != nil || string(msg) != "echo: hi" {
			t.Errorf("read %q, %v", msg, err)
		}
	})
}

// TestWithGuardsAWebSocketRoute: net/http middleware given through
// WSRouteOptions runs before the handshake; its refusal is an ordinary
// HTTP answer and no connection opens, and what it passes on upgrades.
func TestWithGuardsAWebSocketRoute(t *testing.T) {
	requireToken := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Token") != "secret" {
				http.Error(w, "no token", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	s := hyperlane.New()
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		return ws.WriteText(ws.Context(), "welcome")
	}, hyperlane.WSRouteOptions(adapter.With(requireToken)))
	url := "ws" + strings.TrimPrefix(mounttest.Serve(t, s), "http") + "/ws"

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang guard only
	defer cancel()
	_, resp, err := websocket.Dial(ctx, url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: %v, %v; want a 401 and no connection", resp, err)
	}
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"X-Token": {"secret"}}})
	if err != nil {
		t.Fatalf("with the token: %v", err)
	}
	defer ws.CloseNow()
	if _, msg, err := ws.Read(ctx); err != nil || string(msg) != "welcome" {
		t.Errorf("read %q, %v; want welcome", msg, err)
	}
}
