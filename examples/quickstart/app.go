package main

import (
	"log/slog"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/metrics"
)

// newApp builds the quickstart server; tests call it to serve in memory.
func newApp(logger *slog.Logger, opts ...hyperlane.Option) *hyperlane.Server {
	s := hyperlane.New(append([]hyperlane.Option{hyperlane.WithLogger(logger)}, opts...)...)
	m := metrics.Install(s, metrics.Options{})
	registerCore(s)
	chat := registerRealtime(s)
	registerPets(s)
	registerObservability(s, m, chat)
	return s
}
