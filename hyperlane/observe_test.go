package hyperlane_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// seen is what an Observer's End read from one finished request.
type seen struct {
	pattern, op, method string
	status              int
	reqBytes, respBytes int64
	started             bool
	stream              hyperlane.StreamStats
	isStream            bool
}

// observed serves s with an observer that sends what End saw on the
// returned channel.
func observed(t *testing.T, s *hyperlane.Server) (string, <-chan seen) {
	t.Helper()
	ch := make(chan seen, 16)
	var began sync.Map // *hyperlane.Context -> true, from Begin to End
	s.Observe(hyperlane.Observer{
		Begin: func(c *hyperlane.Context) { began.Store(c, true) },
		End: func(c *hyperlane.Context) {
			st, ok := c.StreamStats()
			_, didBegin := began.LoadAndDelete(c)
			ch <- seen{pattern: c.RoutePattern(), op: c.OperationID(), method: c.Method(), status: c.StatusCode(),
				reqBytes: c.RequestBytes(), respBytes: c.ResponseBytes(), started: !c.Started().IsZero() && didBegin,
				stream: st, isStream: ok}
		},
	})
	return rtServe(t, s), ch
}

func TestObserverSeesTheFinishedRequest(t *testing.T) {
	s, _ := rtServer()
	s.Get("/static", func(c *hyperlane.Context) error { return c.Text(200, "hello") })
	s.Get("/pets/{id}", func(c *hyperlane.Context) error { return c.JSON(200, map[string]string{"id": c.Param("id")}) },
		hyperlane.Meta(hyperlane.MetaOperationID, "getPet"))
	s.Post("/echo", func(c *hyperlane.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		return c.Blob(201, "text/plain", b)
	})
	s.Get("/streamed", func(c *hyperlane.Context) error {
		if err := c.Send(); err != nil {
			return err
		}
		_, err := c.Write([]byte("0123456789"))
		return err
	})
	addr, ch := observed(t, s)
	tests := []struct {
		name, method, path, body string
		want                     seen
	}{
		{"a static route is seen by its pattern", "GET", "/static", "",
			seen{pattern: "/static", method: "GET", status: 200, respBytes: 5}},
		{"a param route is seen by its pattern and operation id, not its path", "GET", "/pets/42", "",
			seen{pattern: "/pets/{id}", op: "getPet", method: "GET", status: 200, respBytes: int64(len(`{"id":"42"}` + "\n"))}},
		{"request and response bodies are sized", "POST", "/echo", "abcdefgh",
			seen{pattern: "/echo", method: "POST", status: 201, reqBytes: 8, respBytes: 8}},
		{"a streamed body is sized too", "GET", "/streamed", "",
			seen{pattern: "/streamed", method: "GET", status: 200, respBytes: 10}},
		{"an unmatched path has no pattern", "GET", "/no/such/path", "",
			seen{method: "GET", status: 404}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, "http://"+addr+tt.path, strings.NewReader(tt.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			got := rtWait(t, ch, "End")
			if !got.started {
				t.Errorf("Begin did not run or Started is zero")
			}
			got.started = false
			if tt.want.status == 404 {
				got.respBytes = 0 // the problem body's size is not this test's business
			}
			if got != tt.want {
				t.Errorf("End saw %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestObserverSeesStreams(t *testing.T) {
	s, _ := rtServer()
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		for range 3 {
			msg, err := ws.ReadText(c.Context())
			if err != nil {
				return err
			}
			if err := ws.WriteText(c.Context(), msg); err != nil {
				return err
			}
		}
		return ws.WriteText(c.Context(), "bye")
	})
	s.Get("/events", func(c *hyperlane.Context) error {
		es := c.SSE()
		for range 2 {
			if err := es.Send(hyperlane.Event{Data: "x"}); err != nil {
				return err
			}
		}
		return nil
	})
	addr, ch := observed(t, s)

	ws := rtDial(t, addr, "/ws", nil)
	for range 3 {
		if err := ws.Write(rtCtx(t), websocket.MessageText, []byte("hi")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ws.Read(rtCtx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := ws.Read(rtCtx(t)); err != nil { // "bye"
		t.Fatal(err)
	}
	_ = ws.Close(websocket.StatusNormalClosure, "")
	got := rtWait(t, ch, "End of the WebSocket")
	if !got.isStream || got.stream.Kind != hyperlane.StreamWebSocket || got.stream.Received != 3 || got.stream.Sent != 4 ||
		got.pattern != "/ws" || got.status != http.StatusSwitchingProtocols || time.Since(got.stream.Began) < 0 {
		t.Errorf("WebSocket: End saw %+v, want a websocket stream of 3 received and 4 sent on /ws, status 101", got)
	}

	resp, err := http.Get("http://" + addr + "/events")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	got = rtWait(t, ch, "End of the event stream")
	if !got.isStream || got.stream.Kind != hyperlane.StreamSSE || got.stream.Sent != 2 || got.respBytes != int64(len(body)) {
		t.Errorf("SSE: End saw %+v, want an sse stream of 2 events and %d bytes", got, len(body))
	}
}

func TestObserveWithNothingPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "neither Begin nor End") {
			t.Errorf("recovered %v, want a panic naming the empty Observer", r)
		}
	}()
	s, _ := rtServer()
	s.Observe(hyperlane.Observer{})
}

func TestObserverPanicIsLoggedAndTheServerGoesOn(t *testing.T) {
	s, log := rtServer()
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	s.Observe(hyperlane.Observer{End: func(*hyperlane.Context) { panic("observer bug") }})
	addr := rtServe(t, s)
	for range 2 {
		code, _ := getText(t, "http://"+addr+"/")
		if code != 200 {
			t.Fatalf("status %d after an observer panicked, want 200", code)
		}
	}
	if !strings.Contains(log.String(), "observer bug") {
		t.Errorf("log %q does not name the observer's panic", log.String())
	}
}

func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
