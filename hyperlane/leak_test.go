package hyperlane_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// leakScale returns how many clients of each kind TestVanishedClients
// runs, and how many are connected at once: 1,000 of each, 200 with
// -short (make test); the e2e suite sets HYPERLANE_LEAK_CLIENTS=10000
// (and the batch with HYPERLANE_LEAK_BATCH) to run the full count.
func leakScale(t *testing.T) (total, batch int) {
	total, batch = 1000, 250
	if testing.Short() {
		total, batch = 200, 100
	}
	if v := os.Getenv("HYPERLANE_LEAK_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("HYPERLANE_LEAK_CLIENTS=%q is not a positive integer", v)
		}
		total = n
	}
	if v := os.Getenv("HYPERLANE_LEAK_BATCH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("HYPERLANE_LEAK_BATCH=%q is not a positive integer", v)
		}
		batch = n
	}
	return total, min(batch, total)
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd on this system: %v", err) // Linux-only measurement
	}
	return len(entries)
}

// vanishingClient connects with a raw socket, proves the stream or
// socket is live, tells live, waits for release, then disappears without
// a WebSocket close frame or an end of stream: with a FIN, or with a
// reset when abort is set.
func vanishingClient(addr, request, until string, abort bool, live func(), release <-chan struct{}) error {
	defer live() // also when it failed, so that the batch goes on
	conn, err := net.DialTimeout("tcp", addr, rtGuard)
	if err != nil {
		return err
	}
	if abort {
		_ = conn.(*net.TCPConn).SetLinger(0) // Close sends RST
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(rtGuard))
	if _, err := conn.Write([]byte(request)); err != nil {
		return err
	}
	br := bufio.NewReader(conn)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("reading %q: %w", until, err)
		}
		if line == until {
			live()
			<-release
			return nil
		}
	}
}

func TestVanishedClientsLeakNothing(t *testing.T) {
	total, batch := leakScale(t)
	s, _ := rtServer()
	s.WebSocket("/ws", echo)
	s.Get("/events", func(c *hyperlane.Context) error {
		es := c.SSE(hyperlane.SSEHeartbeat(0))
		if err := es.Comment("ready"); err != nil {
			return err
		}
		<-es.Done()
		return nil
	})
	addr := rtServe(t, s)
	const (
		wsReq  = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
		sseReq = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"
	)
	kinds := []struct {
		name, request, until string
	}{
		{"WebSocket", wsReq, "\r\n"}, // the end of the 101 response
		{"SSE", sseReq, ":ready\n"},  // the first comment of the stream
	}
	peakG, peakF := 0, 0
	// run connects n clients of each kind, all at once, and makes them
	// vanish together once every one of them is live.
	run := func(n int) {
		var wg, connected sync.WaitGroup
		release := make(chan struct{})
		errs := make(chan error, 2*n)
		for _, k := range kinds {
			for i := range n {
				connected.Add(1)
				wg.Go(func() {
					live := sync.OnceFunc(connected.Done)
					if err := vanishingClient(addr, k.request, k.until, i%2 == 0, live, release); err != nil {
						errs <- fmt.Errorf("%s client %d: %w", k.name, i, err)
					}
				})
			}
		}
		connected.Wait()
		peakG, peakF = max(peakG, runtime.NumGoroutine()), max(peakF, openFDs(t))
		close(release)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	// Warm up: pools, timers and net/http's own goroutines exist before
	// the baseline is taken.
	run(4)
	settled := func(g, f int) bool { return runtime.NumGoroutine() <= g && openFDs(t) <= f }
	rtEventually(t, func() bool { return settled(countGoroutinesSettled(), openFDs(t)) }, "a quiet server")
	baseG, baseF := countGoroutinesSettled(), openFDs(t)
	peakG, peakF = 0, 0
	for done := 0; done < total; done += batch {
		run(min(batch, total-done))
	}
	// Settle: every handler notices its peer is gone and returns.
	deadline := time.Now().Add(60 * time.Second) // a hang guard, not a measure
	for !settled(baseG, baseF) {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("after %d WebSocket and %d SSE clients vanished: %d goroutines (base %d), %d fds (base %d)\n%s",
				total, total, runtime.NumGoroutine(), baseG, openFDs(t), baseF, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d WebSocket + %d SSE clients vanished (%d at a time, half with RST): goroutines %d -> peak %d -> %d, fds %d -> peak %d -> %d",
		total, total, batch, baseG, peakG, runtime.NumGoroutine(), baseF, peakF, openFDs(t))
	// A descriptor an earlier test left open may close meanwhile: count
	// the peak over the lower of the baseline and the settled count.
	if floor := min(baseF, openFDs(t)); peakF < floor+4*batch {
		t.Fatalf("peak of %d fds over a baseline of %d: the %d clients of each kind were not connected at once", peakF, floor, batch)
	}
	// The server still serves.
	resp, err := http.Get("http://" + addr + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
