package main

import (
	"log/slog"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// newApp builds the quickstart server; tests call it to serve in memory.
func newApp(logger *slog.Logger, opts ...hyperlane.Option) *hyperlane.Server {
	s := hyperlane.New(append([]hyperlane.Option{hyperlane.WithLogger(logger)}, opts...)...)
	registerCore(s)
	registerRealtime(s)
	registerPets(s)
	return s
}
