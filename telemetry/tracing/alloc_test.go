//go:build !race

package tracing_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/tracing"
)

func TestInstallOffCostsNoAllocation(t *testing.T) {
	for _, v := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"} {
		t.Setenv(v, "")
	}
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	if _, err := tracing.Install(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	s.Get("/hello", func(c *hyperlane.Context) error { return c.Text(200, "hello") })
	w := &recorder{h: http.Header{}}
	r := httptest.NewRequest("GET", "/hello", nil)
	if n := testing.AllocsPerRun(1000, func() { s.ServeHTTP(w, r) }); n != 0 {
		t.Fatalf("tracing off: %v allocations per request, want 0", n)
	}
}
