//go:build !race

// The race detector makes sync.Pool drop items at random, so allocations
// are counted only in a normal build (go test ./metrics/).

package metrics_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/metrics"
)

func TestMetricsAddNoAllocationOnKnownRoutes(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	metrics.Install(s, metrics.Options{})
	s.Get("/hello", func(c *hyperlane.Context) error { return c.Text(200, "hello") })
	s.Get("/pets/{id}", func(c *hyperlane.Context) error { return c.Text(200, c.Param("id")) },
		hyperlane.Meta(hyperlane.MetaOperationID, "getPet"))
	for _, tc := range []struct{ name, method, path string }{
		{"static text route", "GET", "/hello"},
		{"param route with an operation id", "GET", "/pets/42"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &allocWriter{h: http.Header{}}
			r := httptest.NewRequest(tc.method, tc.path, nil)
			s.ServeHTTP(w, r) // the first request of a label set makes its series
			if n := testing.AllocsPerRun(1000, func() { s.ServeHTTP(w, r) }); n != 0 {
				t.Fatalf("%s %s with metrics: %v allocations per request, want 0", tc.method, tc.path, n)
			}
		})
	}
}
