// Package metrics exposes a Hyperlane server's requests, connections and
// hubs to Prometheus.
//
// One call installs it and one handler serves it:
//
//	m := metrics.Install(s, metrics.Options{})
//	s.Get("/metrics", hyperlane.FromHTTP(m.Handler()))
//
// Requests are counted and timed by method, route pattern (never the raw
// path: a scan of random URLs adds no series), status class and OpenAPI
// operationId, so the number of series is bounded by the routes the
// server has. See docs/observability.md for every series and a PromQL
// cheat sheet.
package metrics
