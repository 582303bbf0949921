package metrics_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/metrics"
)

// allocWriter is a reused no-op ResponseWriter.
type allocWriter struct{ h http.Header }

func (w *allocWriter) Header() http.Header         { return w.h }
func (w *allocWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *allocWriter) WriteHeader(int)             {}

// BenchmarkServe compares one request through the server without and
// with the metrics installed (in memory, no socket), the static and the
// param route:
//
//	go test -run '^$' -bench Serve -count 10 ./metrics/ | benchstat -col /metrics -
func BenchmarkServe(b *testing.B) {
	for _, withMetrics := range []bool{false, true} {
		s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
		name := "metrics=off"
		if withMetrics {
			metrics.Install(s, metrics.Options{})
			name = "metrics=on"
		}
		s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "Hello, World!") })
		s.Get("/users/{id}", func(c *hyperlane.Context) error { return c.Text(200, c.Param("id")) })
		for _, path := range []string{"/", "/users/42"} {
			b.Run(name+"/path="+path, func(b *testing.B) {
				w := &allocWriter{h: http.Header{}}
				r := httptest.NewRequest("GET", path, nil)
				b.ReportAllocs()
				for b.Loop() {
					s.ServeHTTP(w, r)
				}
			})
		}
	}
}
