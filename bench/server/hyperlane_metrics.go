package main

import (
	"context"

	"github.com/hyperlane-go/hyperlane/telemetry/metrics"
)

func init() { contenders["hyperlane+metrics"] = serveHyperlaneMetrics }

// serveHyperlaneMetrics is the hyperlane contender with Prometheus
// metrics installed (telemetry/metrics) and served at /metrics, to show
// what counting and timing every request by route costs.
func serveHyperlaneMetrics(addr string) error {
	s := newHyperlane(addr)
	m := metrics.Install(s, metrics.Options{})
	s.Get("/metrics", m.Serve)
	return s.Run(context.Background())
}
