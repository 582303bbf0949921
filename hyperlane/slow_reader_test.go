package hyperlane_test

import (
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// TestStalledReadersAreDroppedOthersUnaffected: an SSE client and a
// WebSocket client that stop reading are dropped by the write deadline
// (the server's WithWriteIdleTimeout for SSE, WSWriteTimeout for
// WebSocket), while clients of the same routes that keep reading go on
// receiving.
func TestStalledReadersAreDroppedOthersUnaffected(t *testing.T) {
	t.Parallel()
	const deadline = 200 * time.Millisecond
	payload := strings.Repeat("x", 16<<10)
	var mu sync.Mutex
	ended := map[string]error{} // by the client's name, from the X-Client header
	gone := make(chan string, 4)
	finish := func(name string, err error) {
		mu.Lock()
		ended[name] = err
		mu.Unlock()
		gone <- name
	}

	s, _ := rtServer(hyperlane.WithWriteIdleTimeout(deadline))
	s.Get("/events", func(c *hyperlane.Context) error {
		es := c.SSE(hyperlane.SSEHeartbeat(0))
		for {
			if err := es.Send(hyperlane.Event{Data: payload}); err != nil {
				finish(c.Header("X-Client"), err)
				return nil
			}
			time.Sleep(time.Millisecond)
		}
	})
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		for {
			if err := ws.WriteText(ws.Context(), payload); err != nil {
				finish(c.Header("X-Client"), err)
				return err
			}
			time.Sleep(time.Millisecond)
		}
	}, hyperlane.WSWriteTimeout(deadline), hyperlane.WSPing(0, time.Second))
	addr := rtServe(t, s)

	// The stalled clients send their request and never read again; a
	// small receive buffer makes the server's writes block sooner.
	stall := func(name, request string) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
		if _, err := conn.Write([]byte(strings.Replace(request, "\r\n\r\n", "\r\nX-Client: "+name+"\r\n\r\n", 1))); err != nil {
			t.Fatal(err)
		}
	}
	stall("stalled-sse", "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	stall("stalled-ws", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")

	// The healthy clients read all along and count what arrives.
	var sseCount, wsCount counter
	_, sse := sseClient(t, "http://"+addr+"/events", "X-Client", "healthy-sse")
	go func() {
		for {
			line, err := sse.ReadString('\n')
			if err != nil {
				return
			}
			if strings.HasPrefix(line, "data: ") {
				sseCount.add()
			}
		}
	}()
	ws := rtDial(t, addr, "/ws", &websocket.DialOptions{HTTPHeader: map[string][]string{"X-Client": {"healthy-ws"}}})
	ws.SetReadLimit(-1)
	go func() {
		for {
			if _, _, err := ws.Read(rtCtx(t)); err != nil {
				return
			}
			wsCount.add()
		}
	}()

	for range 2 {
		rtWait(t, gone, "a stalled client to be dropped")
	}
	mu.Lock()
	sseErr, wsErr := ended["stalled-sse"], ended["stalled-ws"]
	_, healthyGone := ended["healthy-sse"]
	_, healthyWSGone := ended["healthy-ws"]
	mu.Unlock()
	if healthyGone || healthyWSGone {
		t.Fatalf("a reading client was dropped: %v", ended)
	}
	if !errors.Is(sseErr, hyperlane.ErrClientGone) || !errors.Is(sseErr, os.ErrDeadlineExceeded) {
		t.Errorf("stalled SSE client ended with %v, want ErrClientGone from the write deadline", sseErr)
	}
	if hyperlane.CloseStatus(wsErr) != hyperlane.CloseAbnormal || !errors.Is(wsErr, os.ErrDeadlineExceeded) {
		t.Errorf("stalled WebSocket client ended with %v, want an abnormal close from the write deadline", wsErr)
	}
	// Both healthy streams keep flowing after the stalled ones are gone.
	sseAt, wsAt := sseCount.get(), wsCount.get()
	rtEventually(t, func() bool { return sseCount.get() >= sseAt+50 && wsCount.get() >= wsAt+50 },
		"50 more messages on each healthy stream")
}

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) add() { c.mu.Lock(); c.n++; c.mu.Unlock() }
func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
