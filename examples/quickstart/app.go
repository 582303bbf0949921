package main

import (
	"log/slog"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/metrics"
)

// newApp builds the quickstart server for one process; tests call it to
// serve in memory.
func newApp(logger *slog.Logger, opts ...hyperlane.Option) *hyperlane.Server {
	s, err := newClusterApp(logger, &cluster{}, opts...)
	if err != nil {
		panic(err) // cannot happen without a broker
	}
	return s
}

// newClusterApp builds the quickstart server whose real-time routes share
// cl's broker with the other instances; it fails when the broker does not
// answer.
func newClusterApp(logger *slog.Logger, cl *cluster, opts ...hyperlane.Option) (*hyperlane.Server, error) {
	conn, err := cl.connect(logger)
	if err != nil {
		return nil, err
	}
	s := hyperlane.New(append([]hyperlane.Option{hyperlane.WithLogger(logger)}, opts...)...)
	m := metrics.Install(s, metrics.Options{})
	registerCore(s)
	api := registerPets(s)
	chat := registerRealtime(s, api, conn)
	registerObservability(s, m, chat)
	return s, nil
}
