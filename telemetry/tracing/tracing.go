// Package tracing gives a Hyperlane server OpenTelemetry traces: a server
// span per request named by its route pattern, W3C traceparent in and
// out, and a child span per WebSocket session and SSE stream.
//
// Install reads the standard OTEL_* environment variables and does
// nothing, at no cost per request, when none asks for traces:
//
//	shutdown, err := tracing.Install(ctx, s)
//	if err != nil { ... }
//	defer shutdown(context.Background())
//
// Trace installs with a TracerProvider of your own instead. See
// docs/observability.md.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Enabled reports whether the environment asks for traces: an OTLP
// endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER is "otlp",
// and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none turns
// them off.
func Enabled() bool {
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER"))) {
	case "none":
		return false
	case "otlp":
		return true
	case "":
	default:
		return false // an exporter this package does not build
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Install turns tracing on for s when Enabled: it builds an OTLP/HTTP
// exporter and a batching TracerProvider from the OTEL_* variables
// (endpoint, headers, timeout, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_*), makes it
// and the W3C trace-context and baggage propagator the global ones (so
// that spans your handlers start with otel.Tracer nest under the
// request's), and calls Trace. Call it before serving. shutdown flushes
// the spans still queued; call it after the server stopped. When tracing
// is off, Install changes nothing and shutdown does nothing.
func Install(ctx context.Context, s *hyperlane.Server) (shutdown func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	if !Enabled() {
		return noop, nil
	}
	if err := unsupportedProtocol(); err != nil {
		return noop, err
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return noop, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return noop, fmt.Errorf("tracing: resource from OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	res, err = resource.Merge(resource.Default(), res)
	if err != nil {
		return noop, fmt.Errorf("tracing: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(prop)
	Trace(s, tp, prop)
	return func(ctx context.Context) error {
		if err := tp.Shutdown(ctx); err != nil {
			return fmt.Errorf("tracing: flushing spans: %w", err)
		}
		return nil
	}, nil
}

// unsupportedProtocol refuses an OTLP protocol this package does not
// speak, rather than sending HTTP/protobuf to a gRPC port.
func unsupportedProtocol() error {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		switch v := strings.TrimSpace(os.Getenv(name)); v {
		case "", "http/protobuf":
		default:
			return fmt.Errorf("tracing: %s=%q: only http/protobuf is supported", name, v)
		}
		if os.Getenv(name) != "" {
			return nil // the traces variable wins over the general one
		}
	}
	return nil
}

// Trace traces every request of s with tp, reading and writing trace
// context with prop (traceparent and tracestate for
// propagation.TraceContext). Call it before serving.
func Trace(s *hyperlane.Server, tp trace.TracerProvider, prop propagation.TextMapPropagator) {
	t := &tracer{tracer: tp.Tracer(instrumentation), prop: prop}
	s.Use(t.wrap)
	s.Observe(hyperlane.Observer{End: t.end})
}
