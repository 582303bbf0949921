package main

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// TestStalledSendersDoNotTakeTheServer runs the quickstart as the binary
// configures it, from HYPERLANE_READ_IDLE_TIMEOUT=2s and
// HYPERLANE_MAX_CONNS=4: four clients that send one byte of a
// 1000-byte body to POST /echo and then fall silent take every
// connection, yet /health answers within 4 s and each stalled socket is
// closed within 3 s.
func TestStalledSendersDoNotTakeTheServer(t *testing.T) {
	t.Setenv("HYPERLANE_READ_IDLE_TIMEOUT", "2s")
	t.Setenv("HYPERLANE_MAX_CONNS", "4")
	env, err := hyperlane.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	// The same options the cli gives the binary (cli.Settings.Options).
	set := cli.Settings{Addr: "127.0.0.1:0", Config: env, Logger: slog.New(slog.DiscardHandler)}
	s := newApp(set.Logger, set.Options()...)
	ln, err := s.Listen(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })
	addr := ln.Addr().String()

	const closeBound, healthBound = 3 * time.Second, 4 * time.Second
	start := time.Now()
	var wg sync.WaitGroup
	defer wg.Wait() // no report from a sender after the test ends
	for i := range 4 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		raw := "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
		if _, err := io.WriteString(conn, raw); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			// Read the answer and on to the end of the connection; a
			// deadline beyond the bound tells a held socket apart.
			_ = conn.SetReadDeadline(start.Add(2 * closeBound))
			_, err := io.Copy(io.Discard, conn)
			took := time.Since(start)
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout():
				t.Errorf("stalled sender %d: socket still open after %v", i+1, 2*closeBound)
			case took > closeBound:
				t.Errorf("stalled sender %d: socket closed after %v, want within %v", i+1, took, closeBound)
			default:
				t.Logf("stalled sender %d: socket closed after %v", i+1, took.Round(time.Millisecond))
			}
		})
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(start.Add(2 * healthBound))
	if _, err := io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("/health got no answer while four senders stalled: %v", err)
	}
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != http.StatusOK || took > healthBound {
		t.Errorf("/health: %d after %v, want 200 within %v", resp.StatusCode, took, healthBound)
	} else {
		t.Logf("/health answered after %v", took.Round(time.Millisecond))
	}
}
