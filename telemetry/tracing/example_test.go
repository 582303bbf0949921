package tracing_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/tracing"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Trace with a TracerProvider of your own, here one that records in
// memory; in production, tracing.Install builds it from OTEL_* variables.
func ExampleTrace() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())

	s := hyperlane.New()
	tracing.Trace(s, tp, propagation.TraceContext{})
	s.Get("/pets/{id}", func(c *hyperlane.Context) error { return c.Text(200, "a pet") })

	r := httptest.NewRequest("GET", "/pets/7", nil)
	r.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)

	span := exp.GetSpans()[0]
	fmt.Println(span.Name)
	fmt.Println(span.SpanContext.TraceID()) // the caller's trace goes on
	for _, a := range span.Attributes {
		if a.Key == "http.route" {
			fmt.Println(a.Key, a.Value.AsString())
		}
	}
	// Output:
	// GET /pets/{id}
	// 0af7651916cd43dd8448eb211c80319c
	// http.route /pets/{id}
}
