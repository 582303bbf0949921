package hyperlane_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestStatsCountConnectionsAndStreamsBackToZero(t *testing.T) {
	s, _ := rtServer()
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		_, err := ws.ReadText(c.Context())
		return err
	})
	streaming := make(chan struct{})
	s.Get("/events", func(c *hyperlane.Context) error {
		es := c.SSE()
		close(streaming)
		<-es.Done()
		return nil
	})
	addr := rtServe(t, s)
	if st := s.Stats(); st != (hyperlane.Stats{}) {
		t.Fatalf("idle server: Stats = %+v, want all zero", st)
	}

	// Two keep-alive HTTP connections.
	var conns []net.Conn
	for range 2 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		if _, err := http.ReadResponse(bufio.NewReader(conn), nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Stats().OpenConns; got != 2 {
		t.Errorf("OpenConns = %d with two keep-alive connections answered, want 2", got)
	}

	ws := rtDial(t, addr, "/ws", nil)
	rtEventually(t, func() bool { return s.Stats().WebSockets == 1 }, "WebSockets == 1")
	if got := s.Stats().OpenConns; got != 2 {
		t.Errorf("OpenConns = %d with a WebSocket open besides, want 2 (the WebSocket counts apart)", got)
	}

	ctx, cancel := context.WithCancel(rtCtx(t))
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rtWait(t, streaming, "the stream")
	if got := s.Stats().EventStreams; got != 1 {
		t.Errorf("EventStreams = %d with one stream open, want 1", got)
	}

	cancel()
	resp.Body.Close()
	_ = ws.Write(rtCtx(t), websocket.MessageText, []byte("bye"))
	_ = ws.Close(websocket.StatusNormalClosure, "")
	for _, c := range conns {
		c.Close()
	}
	http.DefaultClient.CloseIdleConnections()
	rtEventually(t, func() bool { st := s.Stats(); return st.OpenConns == 0 && st.WebSockets == 0 && st.EventStreams == 0 },
		"every gauge back to 0")
}

func TestStatsCountWaitsAtTheConnectionLimit(t *testing.T) {
	s, _ := rtServer(hyperlane.WithMaxConns(1))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	addr := rtServe(t, s)
	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if _, err := first.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := http.ReadResponse(bufio.NewReader(first), nil); err != nil {
		t.Fatal(err)
	}
	rtEventually(t, func() bool { st := s.Stats(); return st.AtConnLimit && st.ConnLimitWaits == 1 },
		"the server waiting at the limit of 1")
	if st := s.Stats(); st.MaxConns != 1 || st.OpenConns != 1 {
		t.Errorf("Stats = %+v, want MaxConns 1 and OpenConns 1", st)
	}

	second := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			second <- 0
			return
		}
		resp.Body.Close()
		second <- resp.StatusCode
	}()
	first.Close()
	if code := rtWait(t, second, "the second client"); code != 200 {
		t.Fatalf("second client got %d once the first left, want 200", code)
	}
	if st := s.Stats(); st.ConnLimitWaits < 1 {
		t.Errorf("ConnLimitWaits = %d, want at least 1", st.ConnLimitWaits)
	}
}

func TestReadyOnlyWhileServingAndNotDraining(t *testing.T) {
	t.Parallel()
	s, _ := rtServer()
	if s.Ready() {
		t.Error("Ready before Serve, want false")
	}
	rtServe(t, s)
	rtWait(t, s.Serving(), "Serving")
	if !s.Ready() {
		t.Error("not Ready while serving, want true")
	}
	done := make(chan error, 1)
	go func() { done <- s.Drain(context.Background()) }()
	rtEventually(t, func() bool { return !s.Ready() }, "Ready false once the drain began")
	if !s.Stats().Draining {
		t.Error("Stats.Draining false during the drain")
	}
	rtWait(t, done, "Drain")
	if s.Ready() {
		t.Error("Ready after Drain, want false")
	}
}

// TestReadinessProbeMidDrainOverASocket is the load balancer's view: a
// probe on a connection kept alive from before the drain, sent while a
// slow request still holds the drain open, is answered 503 (and told to
// close), so the balancer takes the instance out before it is gone.
func TestReadinessProbeMidDrainOverASocket(t *testing.T) {
	t.Parallel()
	s, _ := rtServer()
	s.Get("/ready", func(c *hyperlane.Context) error {
		if !s.Ready() {
			return c.Text(http.StatusServiceUnavailable, "draining")
		}
		return c.Text(http.StatusOK, "ready")
	})
	entered, release := make(chan struct{}), make(chan struct{})
	s.Get("/slow", func(c *hyperlane.Context) error {
		close(entered)
		<-release
		return c.Text(http.StatusOK, "done")
	})
	addr := rtServe(t, s)

	probe, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	_ = probe.SetDeadline(time.Now().Add(rtGuard))
	br := bufio.NewReader(probe)
	ask := func() *http.Response {
		t.Helper()
		if _, err := io.WriteString(probe, "GET /ready HTTP/1.1\r\nHost: lb\r\n\r\n"); err != nil {
			t.Fatalf("probe write: %v", err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("probe read: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp
	}
	if resp := ask(); resp.StatusCode != http.StatusOK {
		t.Fatalf("probe before the drain: %d, want 200", resp.StatusCode)
	}

	slow := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err == nil {
			_ = resp.Body.Close()
		}
		slow <- err
	}()
	rtWait(t, entered, "the slow request")
	drained := make(chan error, 1)
	go func() { drained <- s.Drain(context.Background()) }()
	rtEventually(t, func() bool { return !s.Ready() }, "the drain to begin")

	resp := ask() // the same connection, mid-drain
	if resp.StatusCode != http.StatusServiceUnavailable || !resp.Close {
		t.Errorf("probe mid-drain: %d, Connection close %v; want 503 and close", resp.StatusCode, resp.Close)
	}
	select {
	case err := <-drained:
		t.Fatalf("Drain returned (%v) while a request was still being answered", err)
	default:
	}
	close(release)
	if err := rtWait(t, slow, "the slow request's answer"); err != nil {
		t.Errorf("the slow request failed during the drain: %v", err)
	}
	if err := rtWait(t, drained, "Drain"); err != nil {
		t.Errorf("Drain: %v", err)
	}
}
