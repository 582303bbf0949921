// Command drain runs bounded load against a server, sends it SIGTERM
// mid-load, and reports what every client saw: each request the server
// took must complete with 2xx, WebSocket peers must get close 1001 and
// SSE streams must end with the end of the chunked body, not mid-event.
//
//	drain -addr 127.0.0.1:PORT -pid PID   # a running server, such as the quickstart
//	drain -core                           # an in-process Server.RunListener, signalled the same way
//
// Loopback only, bounded in time; it exits 1 when a check fails and
// prints one summary line either way.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

var (
	addr    = flag.String("addr", "", "server address (host:port); empty with -core")
	pid     = flag.Int("pid", 0, "server process to send SIGTERM")
	core    = flag.Bool("core", false, "serve in-process with Server.RunListener and signal this process")
	workers = flag.Int("workers", 32, "keep-alive HTTP/1.1 load workers")
	wsPeers = flag.Int("ws", 8, "WebSocket peers")
	ssePeer = flag.Int("sse", 8, "SSE peers")
	warmup  = flag.Duration("warmup", 1500*time.Millisecond, "load before SIGTERM")
	target  = flag.String("path", "/users/1", "path the load workers GET")
	limit   = flag.Duration("limit", 30*time.Second, "hard bound of the whole run")
)

// tally counts outcomes; every field is an atomic counter.
type tally struct {
	ok               atomic.Int64 // 2xx responses (those after SIGTERM: ok minus the count at SIGTERM)
	non2xx           atomic.Int64 // any other status
	dropped          atomic.Int64 // a request sent on a kept-alive connection got no response
	newConnReset     atomic.Int64 // a request on a brand-new connection got no response
	refused          atomic.Int64 // dial refused after SIGTERM: the server stopped accepting
	otherErrors      atomic.Int64 // anything else, including refusals before SIGTERM
	wsGoingAway      atomic.Int64
	wsOther          atomic.Int64
	sseClean         atomic.Int64
	sseBroken        atomic.Int64
	firstErrs        sync.Map // kind -> first error text
	termSent         atomic.Bool
	serverGone       chan struct{}
	serverGoneClosed sync.Once
}

func (t *tally) note(kind string, err error) { t.firstErrs.LoadOrStore(kind, err.Error()) }

func main() {
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *limit)
	defer cancel()
	t := &tally{serverGone: make(chan struct{})}
	proc := *pid
	var coreDone chan error
	if *core {
		a, done, err := serveCore(ctx)
		if err != nil {
			fmt.Println("FAIL drain: core server:", err)
			os.Exit(1)
		}
		*addr, coreDone, proc = a, done, os.Getpid()
	}
	if *addr == "" || proc == 0 {
		fmt.Println("FAIL drain: need -addr and -pid, or -core")
		os.Exit(2)
	}

	var wg sync.WaitGroup
	for range *workers {
		wg.Go(func() { loadWorker(ctx, t) })
	}
	for range *wsPeers {
		wg.Go(func() { wsPeer(ctx, t) })
	}
	for range *ssePeer {
		wg.Go(func() { ssePeerRun(ctx, t) })
	}

	time.Sleep(*warmup)
	before := t.ok.Load()
	t.termSent.Store(true)
	if err := syscall.Kill(proc, syscall.SIGTERM); err != nil {
		fmt.Println("FAIL drain: SIGTERM:", err)
		os.Exit(1)
	}
	start := time.Now()
	// The server is gone when its process ended, or, in-process, when
	// RunListener returned.
	go func() {
		defer t.serverGoneClosed.Do(func() { close(t.serverGone) })
		if coreDone != nil {
			if err := <-coreDone; err != nil {
				t.note("RunListener", err)
				t.otherErrors.Add(1)
			}
			return
		}
		for syscall.Kill(proc, 0) == nil && ctx.Err() == nil {
			if isZombie(proc) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	select {
	case <-t.serverGone:
	case <-ctx.Done():
	}
	drainTime := time.Since(start)
	cancel() // stop every client still running
	wg.Wait()

	fail := t.non2xx.Load() > 0 || t.dropped.Load() > 0 || t.otherErrors.Load() > 0 ||
		t.wsOther.Load() > 0 || t.sseBroken.Load() > 0 || before < 100 ||
		t.wsGoingAway.Load() != int64(*wsPeers) || t.sseClean.Load() != int64(*ssePeer)
	mode := fmt.Sprintf("quickstart pid %d", proc)
	if *core {
		mode = "core Server.RunListener"
	}
	verdict := "ok  "
	if fail {
		verdict = "FAIL"
	}
	fmt.Printf("%s drain (%s): %d requests 2xx before SIGTERM, %d after; non-2xx %d, dropped on keep-alive %d, reset on a new connection %d, refused after close %d, other errors %d; WebSocket 1001 %d/%d (other %d); SSE clean end %d/%d (broken %d); drained in %v\n",
		verdict, mode, before, t.ok.Load()-before, t.non2xx.Load(), t.dropped.Load(), t.newConnReset.Load(), t.refused.Load(), t.otherErrors.Load(),
		t.wsGoingAway.Load(), *wsPeers, t.wsOther.Load(), t.sseClean.Load(), *ssePeer, t.sseBroken.Load(), drainTime.Round(time.Millisecond))
	t.firstErrs.Range(func(k, v any) bool { fmt.Printf("     first %s: %s\n", k, v); return true })
	if fail {
		os.Exit(1)
	}
}

// loadWorker sends GETs on one keep-alive connection at a time, as fast
// as answers come, reconnecting when the server closes; it stops once
// the server refuses connections after SIGTERM.
func loadWorker(ctx context.Context, t *tally) {
	var conn net.Conn
	var br *bufio.Reader
	served := 0 // responses on conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	req := []byte("GET " + *target + " HTTP/1.1\r\nHost: load\r\n\r\n")
	for ctx.Err() == nil {
		if conn == nil {
			c, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "tcp", *addr)
			if err != nil {
				switch {
				case ctx.Err() != nil:
					return
				case errors.Is(err, syscall.ECONNREFUSED) && t.termSent.Load():
					t.refused.Add(1)
					return
				default:
					t.otherErrors.Add(1)
					t.note("dial", err)
					time.Sleep(10 * time.Millisecond)
					continue
				}
			}
			conn, br, served = c, bufio.NewReader(c), 0
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		_, err := conn.Write(req)
		var resp *http.Response
		if err == nil {
			resp, err = http.ReadResponse(br, nil)
		}
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err != nil {
			switch {
			case ctx.Err() != nil:
			case served > 0:
				t.dropped.Add(1)
				t.note("dropped", err)
			default:
				t.newConnReset.Add(1)
				t.note("reset on a new connection", err)
			}
			conn.Close()
			conn = nil
			continue
		}
		served++
		if resp.StatusCode/100 == 2 {
			t.ok.Add(1)
		} else {
			t.non2xx.Add(1)
			t.note("non-2xx", fmt.Errorf("%s", resp.Status))
		}
		if resp.Close {
			conn.Close()
			conn = nil
		}
	}
}

// wsPeer echoes a message every 20 ms until the server closes; the
// close must be 1001 going away.
func wsPeer(ctx context.Context, t *tally) {
	c, _, err := websocket.Dial(ctx, "ws://"+*addr+"/ws", nil)
	if err != nil {
		t.wsOther.Add(1)
		t.note("ws dial", err)
		return
	}
	defer c.CloseNow()
	for err == nil {
		if err = c.Write(ctx, websocket.MessageText, []byte("ping")); err != nil {
			// The close frame, when one came, is what the server said.
			if _, _, rerr := c.Read(ctx); rerr != nil {
				err = rerr
			}
			break
		}
		if _, _, err = c.Read(ctx); err == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	{
		if websocket.CloseStatus(err) == websocket.StatusGoingAway {
			t.wsGoingAway.Add(1)
		} else {
			t.wsOther.Add(1)
			t.note("ws close", err)
		}
		return
	}
}

// ssePeerRun reads a long event stream until the server ends it: the
// body must end at the end of the chunked encoding, after a whole event.
func ssePeerRun(ctx context.Context, t *tally) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+*addr+"/events?n=1000&interval=20ms", nil)
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err != nil {
		t.sseBroken.Add(1)
		t.note("sse request", err)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		t.sseBroken.Add(1)
		t.note("sse body", err)
	case resp.StatusCode != http.StatusOK || !strings.HasSuffix(string(body), "\n\n") || !strings.Contains(string(body), "id: 1\n"):
		t.sseBroken.Add(1)
		t.note("sse stream", fmt.Errorf("status %d, %d bytes ending %q", resp.StatusCode, len(body), tail(string(body))))
	default:
		t.sseClean.Add(1)
	}
}

func tail(s string) string {
	if len(s) > 40 {
		return s[len(s)-40:]
	}
	return s
}

// serveCore serves the same three routes with the core library alone and
// RunListener, which handles SIGTERM itself.
func serveCore(ctx context.Context) (string, chan error, error) {
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	s.Get("/users/{id}", func(c *hyperlane.Context) error { return c.Text(200, "user "+c.Param("id")) })
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		for {
			typ, b, err := ws.Read(ws.Context())
			if err != nil {
				return err
			}
			if err := ws.Write(ws.Context(), typ, b); err != nil {
				return err
			}
		}
	})
	s.Get("/events", func(c *hyperlane.Context) error {
		es := c.SSE()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for id := 1; ; id++ {
			if es.Send(hyperlane.Event{ID: fmt.Sprint(id), Data: "tick"}) != nil {
				return nil
			}
			select {
			case <-es.Done():
				return nil
			case <-tick.C:
			}
		}
	})
	ln, err := s.Listen(ctx)
	if err != nil {
		return "", nil, err
	}
	done := make(chan error, 1)
	go func() { done <- s.RunListener(context.WithoutCancel(ctx), ln) }()
	return ln.Addr().String(), done, nil
}

// isZombie reports a child process that exited and waits to be reaped by
// the shell that started it.
func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] == 'Z'
}
