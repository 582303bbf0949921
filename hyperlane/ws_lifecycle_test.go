package hyperlane_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// closeCodes collects the codes OnClose reports.
func closeCodes() (chan hyperlane.CloseCode, hyperlane.WebSocketOption) {
	ch := make(chan hyperlane.CloseCode, 100)
	return ch, hyperlane.WSOnClose(func(_ *hyperlane.Context, _ *hyperlane.Conn, code hyperlane.CloseCode, _ string) {
		ch <- code
	})
}

func TestWebSocketKeepAlive(t *testing.T) {
	// Its cases wait out WebSocket timeouts (the 5 s close handshake):
	// overlap them with the other waiting tests, after the serial ones.
	t.Parallel()
	t.Run("live peer answers pings and stays connected", func(t *testing.T) {
		t.Parallel()
		s, _ := rtServer()
		s.WebSocket("/ws", echo, hyperlane.WSPing(10*time.Millisecond, 5*time.Second))
		addr := rtServe(t, s)
		var pings atomic.Int64
		c := rtDial(t, addr, "/ws", &websocket.DialOptions{
			OnPingReceived: func(context.Context, []byte) bool { pings.Add(1); return true },
		})
		msgs := make(chan string, 1)
		go func() {
			for {
				_, b, err := c.Read(context.Background())
				if err != nil {
					return
				}
				msgs <- string(b)
			}
		}()
		rtEventually(t, func() bool { return pings.Load() >= 5 }, "five pings")
		if err := c.Write(rtCtx(t), websocket.MessageText, []byte("still here")); err != nil {
			t.Fatal(err)
		}
		if got := rtWait(t, msgs, "echo"); got != "still here" {
			t.Fatalf("echo %q", got)
		}
	})

	t.Run("peer that never answers pings is dropped", func(t *testing.T) {
		t.Parallel()
		codes, onClose := closeCodes()
		s, _ := rtServer()
		s.WebSocket("/ws", echo, hyperlane.WSPing(10*time.Millisecond, 50*time.Millisecond), onClose)
		addr := rtServe(t, s)
		rtDial(t, addr, "/ws", nil) // never reads, so never sends a pong
		if code := rtWait(t, codes, "OnClose"); code != hyperlane.CloseAbnormal {
			t.Fatalf("OnClose %v, want 1006", code)
		}
	})

	t.Run("handler slow to read is not taken for a dead peer", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		s, _ := rtServer()
		s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
			<-release
			return echo(c, ws)
		}, hyperlane.WSPing(10*time.Millisecond, time.Second))
		addr := rtServe(t, s)
		c := rtDial(t, addr, "/ws", nil)
		msgs := make(chan string, 1)
		go func() { // reads, and so answers pings, until the echo comes
			_, b, _ := c.Read(context.Background())
			msgs <- string(b)
		}()
		if err := c.Write(rtCtx(t), websocket.MessageText, []byte("wait for me")); err != nil {
			t.Fatal(err)
		}
		// The message waits for Read longer than a pong may take; pings
		// pause meanwhile instead of dropping the peer.
		time.Sleep(1500 * time.Millisecond)
		close(release)
		if got := rtWait(t, msgs, "the echo"); got != "wait for me" {
			t.Fatalf("connection dropped while its message waited: echo %q", got)
		}
	})
}

func TestWebSocketWriteTimeout(t *testing.T) {
	writeErr := make(chan error, 1)
	s, _ := rtServer()
	s.WebSocket("/ws", func(_ *hyperlane.Context, ws *hyperlane.Conn) error {
		chunk := make([]byte, 256<<10)
		for {
			if err := ws.WriteBinary(context.Background(), chunk); err != nil {
				writeErr <- err
				return err
			}
		}
	}, hyperlane.WSWriteTimeout(100*time.Millisecond), hyperlane.WSPing(0, time.Second))
	addr := rtServe(t, s)
	rtDial(t, addr, "/ws", nil) // never reads: the socket buffers fill up
	err := rtWait(t, writeErr, "the write to time out")
	if hyperlane.CloseStatus(err) != hyperlane.CloseAbnormal || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write error %v, want an abnormal CloseError caused by the deadline", err)
	}
}

func TestWebSocketReadTimeoutKeepsConnection(t *testing.T) {
	first := make(chan error, 1)
	s, _ := rtServer()
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		ctx, cancel := context.WithTimeout(ws.Context(), 20*time.Millisecond)
		_, _, err := ws.Read(ctx)
		cancel()
		first <- err
		return echo(c, ws)
	})
	c := rtDial(t, rtServe(t, s), "/ws", nil)
	if err := rtWait(t, first, "the first Read"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read returned %v, want its context's deadline", err)
	}
	if err := c.Write(rtCtx(t), websocket.MessageText, []byte("later")); err != nil {
		t.Fatal(err)
	}
	if _, b, err := c.Read(rtCtx(t)); err != nil || string(b) != "later" {
		t.Fatalf("after a timed-out Read: %q, %v", b, err)
	}
}

func TestWebSocketConcurrentWrites(t *testing.T) {
	t.Parallel()
	// 1,600 messages of up to 20 kB take half a minute under -race on two
	// cores; -short (make test) interleaves 8 writers over 200 messages.
	const writers = 8
	each := 200
	if testing.Short() {
		each = 25
	}
	s, _ := rtServer()
	s.WebSocket("/ws", func(_ *hyperlane.Context, ws *hyperlane.Conn) error {
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for g := range writers {
			wg.Go(func() {
				for n := range each {
					pad := strings.Repeat("x", (g*7919+n*104729)%20000)
					if err := ws.WriteText(ws.Context(), fmt.Sprintf("%d %d %s", g, n, pad)); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		return <-errs
	})
	c := rtDial(t, rtServe(t, s), "/ws", nil)
	c.SetReadLimit(-1)
	next := make([]int, writers)
	for range writers * each {
		_, b, err := c.Read(rtCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		var g, n int
		var pad string
		if _, err := fmt.Sscanf(string(b), "%d %d %s", &g, &n, &pad); err != nil && len(b) > 0 && !strings.HasSuffix(string(b), " ") {
			t.Fatalf("garbled message %.40q: %v", b, err)
		}
		if n != next[g] || len(pad) != (g*7919+n*104729)%20000 {
			t.Fatalf("writer %d: got message %d with %d bytes of padding, want message %d", g, n, len(pad), next[g])
		}
		next[g]++
	}
	if code, _ := rtCloseStatus(t, c); code != websocket.StatusNormalClosure {
		t.Fatalf("close %v", code)
	}
}

func TestWebSocketLeavesNoGoroutines(t *testing.T) {
	const clients = 50
	codes, onClose := closeCodes()
	s, _ := rtServer()
	s.WebSocket("/ws", echo, hyperlane.WSPing(time.Second, time.Second), onClose)
	addr := rtServe(t, s)
	// Warm up, so lazily started server machinery is in the baseline.
	warm := rtDial(t, addr, "/ws", nil)
	_ = warm.Close(websocket.StatusNormalClosure, "")
	rtWait(t, codes, "warm-up close")
	base := countGoroutinesSettled()

	for round, vanish := range []func(c *websocket.Conn){
		func(c *websocket.Conn) { _ = c.CloseNow() },                                     // TCP closed, no close frame
		func(c *websocket.Conn) { _ = c.Close(websocket.StatusGoingAway, "tab closed") }, // polite goodbye
	} {
		conns := make([]*websocket.Conn, clients)
		for i := range conns {
			conns[i] = rtDial(t, addr, "/ws", nil)
			if err := conns[i].Write(rtCtx(t), websocket.MessageText, []byte("hi")); err != nil {
				t.Fatal(err)
			}
			if _, _, err := conns[i].Read(rtCtx(t)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for _, c := range conns {
			wg.Go(func() { vanish(c) })
		}
		wg.Wait()
		for range clients {
			rtWait(t, codes, fmt.Sprintf("round %d: every handler to end", round))
		}
		rtSettleGoroutines(t, base)
	}
}

func TestWebSocketShutdown(t *testing.T) {
	t.Parallel()
	t.Run("peers get 1001 and Shutdown waits for handlers", func(t *testing.T) {
		codes, onClose := closeCodes()
		s, _ := rtServer()
		s.WebSocket("/ws", echo, onClose)
		s.WebSocket("/writer", func(_ *hyperlane.Context, ws *hyperlane.Conn) error {
			<-ws.Done() // a handler that only writes learns of the close here
			return ws.Err()
		}, onClose)
		addr := rtServe(t, s)
		a := rtDial(t, addr, "/ws", nil)
		b := rtDial(t, addr, "/writer", nil)
		done := make(chan error, 1)
		go func() { done <- s.Shutdown(rtCtx(t)) }()
		for _, c := range []*websocket.Conn{a, b} {
			if code, reason := rtCloseStatus(t, c); code != websocket.StatusGoingAway {
				t.Fatalf("client saw %v %q, want 1001", code, reason)
			}
		}
		if err := rtWait(t, done, "Shutdown"); err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
		if n := len(codes); n != 2 {
			t.Fatalf("Shutdown returned with %d of 2 handlers finished", n)
		}
	})

	t.Run("peer that ignores the close is dropped when the grace period ends", func(t *testing.T) {
		codes, onClose := closeCodes()
		s, _ := rtServer()
		connected := make(chan struct{})
		s.WebSocket("/ws", echo, onClose, hyperlane.WSOnConnect(func(*hyperlane.Context, *hyperlane.Conn) { close(connected) }))
		addr := rtServe(t, s)
		rtDial(t, addr, "/ws", nil) // never reads, so never answers the close
		// The client's handshake can finish before the server tracks the
		// connection: a Shutdown begun in between has nothing to wait for.
		rtWait(t, connected, "the server to open the connection")
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err := s.Shutdown(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown returned %v, want the grace period's deadline", err)
		}
		if code := rtWait(t, codes, "the handler to end"); code != hyperlane.CloseGoingAway {
			t.Fatalf("OnClose %v, want 1001", code)
		}
	})

	t.Run("upgrade after shutdown began gets 503", func(t *testing.T) {
		s, _ := rtServer()
		s.WebSocket("/ws", echo)
		hold := make(chan struct{})
		entered := make(chan struct{})
		s.RequestMiddleware(func(c *hyperlane.Context) error {
			if c.Query("hold") != "" {
				close(entered)
				<-hold
			}
			return nil
		})
		addr := rtServe(t, s)
		resp := make(chan int, 1)
		go func() {
			_, r, _ := websocket.Dial(context.Background(), "ws://"+addr+"/ws?hold=1", nil)
			if r == nil {
				resp <- 0
				return
			}
			resp <- r.StatusCode
		}()
		rtWait(t, entered, "the request")
		done := make(chan error, 1)
		go func() { done <- s.Shutdown(rtCtx(t)) }()
		<-s.ShuttingDown()
		close(hold)
		if got := rtWait(t, resp, "the response"); got != 503 {
			t.Fatalf("status %d, want 503", got)
		}
		rtWait(t, done, "Shutdown")
	})
}
