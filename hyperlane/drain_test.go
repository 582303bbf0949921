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
	t.Parallel()
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

// TestGroupHandlerDrainsLikeARoute: once the server drains, a request
// through Group.Handler mounted in a plain http.Server gets the same
// answer as one through a route: "Connection: close", then EOF on the
// keep-alive socket. Before the drain both keep the connection open.
func TestGroupHandlerDrainsLikeARoute(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(discardLogger()))
	s.Get("/route", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	bridge := s.Handler(func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	mux := http.NewServeMux()
	mux.Handle("/route", s)
	mux.Handle("/bridge", bridge)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	plain := &http.Server{Handler: mux}
	go func() { _ = plain.Serve(ln) }()
	defer plain.Close()

	type peer struct {
		name, path string
		conn       net.Conn
		br         *bufio.Reader
	}
	peers := []*peer{{name: "route", path: "/route"}, {name: "Group.Handler", path: "/bridge"}}
	get := func(p *peer) *http.Response {
		t.Helper()
		if _, err := io.WriteString(p.conn, "GET "+p.path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatalf("%s: write: %v", p.name, err)
		}
		resp, err := http.ReadResponse(p.br, nil)
		if err != nil {
			t.Fatalf("%s: read: %v", p.name, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", p.name, resp.StatusCode)
		}
		return resp
	}
	for _, p := range peers {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(rtGuard))
		p.conn, p.br = conn, bufio.NewReader(conn)
		if resp := get(p); resp.Close {
			t.Fatalf("%s: Connection: close before the drain", p.name)
		}
	}
	if err := s.Drain(context.Background()); err != nil {
		t.Fatalf("Drain = %v", err)
	}
	for _, p := range peers {
		if resp := get(p); !resp.Close {
			t.Errorf("%s: keep-alive request after Drain began got no Connection: close", p.name)
			continue
		}
		if n, err := p.br.ReadByte(); err != io.EOF {
			t.Errorf("%s: after Connection: close read %q, %v; want EOF on the socket", p.name, n, err)
		}
	}
}
