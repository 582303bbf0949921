package hyperlane_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// TestRunDrainsBusyKeepAliveClients: when Run shuts down while
// keep-alive clients send requests back to back, none of them loses a
// request it sent on an open connection: each gets its answer (the last
// ones with Connection: close) and then finds the port closed.
func TestRunDrainsBusyKeepAliveClients(t *testing.T) {
	const workers = 8
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(discardLogger()))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	rtEventually(t, func() bool { return s.Addr() != nil }, "the server to listen")
	addr := s.Addr().String()

	var answered, dropped, closes atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range workers {
		wg.Go(func() {
			for {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					return // refused: the server stopped accepting
				}
				_ = conn.SetDeadline(time.Now().Add(rtGuard))
				br := bufio.NewReader(conn)
				for {
					select {
					case <-stop:
						conn.Close()
						return
					default:
					}
					if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
						dropped.Add(1)
						break
					}
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						dropped.Add(1)
						break
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					if resp.StatusCode != 200 {
						t.Errorf("status %d", resp.StatusCode)
					}
					answered.Add(1)
					if resp.Close {
						closes.Add(1)
						break
					}
				}
				conn.Close()
			}
		})
	}
	rtEventually(t, func() bool { return answered.Load() >= 1000 }, "load to run")
	cancel()
	if err := rtWait(t, done, "Run to return"); err != nil {
		t.Fatalf("Run = %v", err)
	}
	close(stop)
	wg.Wait()
	if dropped.Load() != 0 {
		t.Fatalf("%d requests sent on open keep-alive connections got no answer (%d answered)", dropped.Load(), answered.Load())
	}
	if closes.Load() == 0 {
		t.Fatal("no response said Connection: close while draining")
	}
}
