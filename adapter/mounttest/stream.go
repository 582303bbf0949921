package mounttest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// registerStreams adds the WebSocket and SSE routes of App, each once
// as Hyperlane's own and once as a net/http handler on a Hyperlane route.
func registerStreams(s *hyperlane.Server) {
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		for {
			msg, err := ws.ReadText(ws.Context())
			if err != nil {
				return err
			}
			if err := ws.WriteText(ws.Context(), "echo: "+msg); err != nil {
				return err
			}
		}
	})
	s.Get("/events", func(c *hyperlane.Context) error {
		es := c.SSE()
		for i := 1; i <= 3; i++ {
			if err := es.Send(hyperlane.Event{ID: fmt.Sprint(i), Data: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		// Stay open: a client sees the events only if they were flushed
		// through every layer, not held until the response ends.
		<-es.Done()
		return nil
	})
	s.Get("/http/ws", adapter.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return // Accept answered the client
		}
		defer ws.CloseNow()
		for {
			typ, msg, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			if err := ws.Write(r.Context(), typ, append([]byte("echo: "), msg...)); err != nil {
				return
			}
		}
	})))
	s.Get("/http/events", adapter.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		rc := http.NewResponseController(w)
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			if err := rc.Flush(); err != nil {
				return
			}
		}
		// Stay open: a client sees the events only if they were flushed
		// through every layer, not held until the response ends.
		<-r.Context().Done()
	})))
}

// checkStreams runs the WebSocket and SSE checks against base.
func checkStreams(t *testing.T, base *url.URL) {
	t.Run("WebSocket echo", func(t *testing.T) { checkWebSocket(t, base, "/ws") })
	t.Run("net/http WebSocket on a Hyperlane route", func(t *testing.T) { checkWebSocket(t, base, "/http/ws") })
	t.Run("SSE stream", func(t *testing.T) { checkSSE(t, base, "/events") })
	t.Run("net/http SSE stream on a Hyperlane route", func(t *testing.T) { checkSSE(t, base, "/http/events") })
}

// checkWebSocket dials path under base and exchanges two messages.
func checkWebSocket(t *testing.T, base *url.URL, path string) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	u := *base
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	u.Path += path
	ws, resp, err := websocket.Dial(ctx, u.String(), nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP status %d)", u.String(), err, status)
	}
	defer ws.CloseNow()
	for _, msg := range []string{"ping", "through the mount"} {
		if err := ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatalf("write: %v", err)
		}
		typ, got, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if typ != websocket.MessageText || string(got) != "echo: "+msg {
			t.Errorf("read %v %q, want text %q", typ, got, "echo: "+msg)
		}
	}
	if err := ws.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Errorf("close: %v", err)
	}
}

// checkSSE reads the events 1, 2 and 3 from path under base while the
// stream is still open, then leaves.
func checkSSE(t *testing.T, base *url.URL, path string) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, Content-Type %q; want 200 text/event-stream", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	var data []string
	for len(data) < 3 && sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
			data = append(data, strings.TrimSpace(v))
		}
	}
	if got := strings.Join(data, ","); got != "1,2,3" {
		t.Errorf("events %q (read error %v), want 1,2,3 while the stream is open", got, sc.Err())
	}
}
