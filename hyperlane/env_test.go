package hyperlane_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestFromEnv(t *testing.T) {
	t.Run("HYPERLANE_ADDR overrides the options before it and the server answers there", func(t *testing.T) {
		addr := freeAddr(t)
		t.Setenv("HYPERLANE_ADDR", addr)
		s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:1"), hyperlane.FromEnv(), hyperlane.WithLogger(discardLogger()))
		s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "from env") })
		ctx, cancel := context.WithCancel(context.Background())
		ln, err := s.Listen(ctx) // what Run does first, so the port is bound now
		if err != nil {
			t.Fatal(err)
		}
		if ln.Addr().String() != addr {
			t.Fatalf("listening on %s, want HYPERLANE_ADDR %s", ln.Addr(), addr)
		}
		done := make(chan error, 1)
		go func() { done <- s.RunListener(ctx, ln) }()
		client := &http.Client{}
		defer client.CloseIdleConnections()
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "from env" {
			t.Fatalf("got %q", b)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run after a graceful drain = %v, want nil", err)
		}
	})
	t.Run("an option after FromEnv overrides the variable", func(t *testing.T) {
		t.Setenv("HYPERLANE_ADDR", "127.0.0.1:1")
		want := freeAddr(t)
		s := hyperlane.New(hyperlane.FromEnv(), hyperlane.WithAddr(want))
		ln, err := s.Listen(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		if got := ln.Addr().String(); got != want {
			t.Fatalf("listening on %s, want %s", got, want)
		}
	})
	t.Run("an invalid variable is returned by Run, Listen and Serve, naming it", func(t *testing.T) {
		t.Setenv("HYPERLANE_MAX_CONNS", "ten")
		s := hyperlane.New(hyperlane.FromEnv(), hyperlane.WithAddr(freeAddr(t)))
		check := func(what string, err error) {
			t.Helper()
			var ce *hyperlane.ConfigError
			if !errors.As(err, &ce) || ce.Env != "HYPERLANE_MAX_CONNS" ||
				!strings.Contains(err.Error(), `HYPERLANE_MAX_CONNS (config key "max_conns"): invalid integer "ten"`) {
				t.Fatalf("%s = %v, want a ConfigError naming HYPERLANE_MAX_CONNS", what, err)
			}
		}
		check("Run", s.Run(context.Background()))
		_, err := s.Listen(context.Background())
		check("Listen", err)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		check("Serve", s.Serve(ln))
		if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			t.Fatal("Serve refused to start but left the listener open")
		}
	})
}
