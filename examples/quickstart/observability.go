package main

import (
	"net/http"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/metrics"
)

// registerObservability adds what operators scrape and probe:
//
//	GET /metrics       Prometheus: requests by route and operation, connections, streams, the chat hub
//	GET /health/live   liveness: 200 while the process answers at all
//	GET /health/ready  readiness: 200 while serving, 503 once a drain began
//
// None of them is a typed operation, so the OpenAPI document leaves them
// out, as it does the UIs. (GET /health, with uptime and goroutines, is
// in core.go.)
func registerObservability(s *hyperlane.Server, m *metrics.Metrics, chat metrics.Hub) {
	m.WatchHub("chat", chat)
	s.Get("/metrics", m.Serve)
	s.Get("/health/live", func(c *hyperlane.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	s.Get("/health/ready", func(c *hyperlane.Context) error {
		if !c.Server().Ready() {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
}
