// Command quickstart is the showcase app that `make run` starts: every
// Hyperlane feature on one server, listening on HYPERLANE_ADDR
// (default 127.0.0.1:60000).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	addr := os.Getenv("HYPERLANE_ADDR")
	if addr == "" {
		addr = "127.0.0.1:60000"
	}
	s := newApp(logger, hyperlane.WithAddr(addr))
	if err := s.Run(context.Background()); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
