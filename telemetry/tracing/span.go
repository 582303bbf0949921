package tracing

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// instrumentation names this package as the spans' instrumentation scope.
const instrumentation = "github.com/hyperlane-go/hyperlane/telemetry/tracing"

// The attributes beyond OpenTelemetry's HTTP conventions.
const (
	// AttrOperationID holds the OpenAPI operationId of the route.
	AttrOperationID = attribute.Key("hyperlane.operation_id")
	// AttrRequestID holds the id middleware.RequestID gave the request.
	AttrRequestID = attribute.Key("hyperlane.request_id")
	// AttrMessagesReceived and AttrMessagesSent count a stream's
	// messages: WebSocket messages each way, SSE events sent.
	AttrMessagesReceived = attribute.Key("hyperlane.stream.messages_received")
	AttrMessagesSent     = attribute.Key("hyperlane.stream.messages_sent")
)

// The HTTP semantic-convention keys the spans carry.
const (
	keyMethod     = attribute.Key("http.request.method")
	keyRoute      = attribute.Key("http.route")
	keyStatus     = attribute.Key("http.response.status_code")
	keyPath       = attribute.Key("url.path")
	keyScheme     = attribute.Key("url.scheme")
	keyServer     = attribute.Key("server.address")
	keyServerPort = attribute.Key("server.port")
	keyClient     = attribute.Key("client.address")
	keyClientPort = attribute.Key("client.port")
	keyProto      = attribute.Key("network.protocol.version")
	keyUserAgent  = attribute.Key("user_agent.original")
	keyMethodOrig = attribute.Key("http.request.method_original")
)

type tracer struct {
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
}

// wrap starts the request's server span around the whole pipeline,
// continuing the caller's trace, and writes the span's context into the
// response headers (traceparent), so that a client can find the trace.
func (t *tracer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		method := methodName(r.Method)
		attrs := make([]attribute.KeyValue, 0, 10)
		attrs = append(attrs, keyMethod.String(method), keyPath.String(r.URL.Path), keyScheme.String(scheme(r)),
			keyProto.String(strconv.Itoa(r.ProtoMajor)+"."+strconv.Itoa(r.ProtoMinor)))
		attrs = appendHostPort(attrs, keyServer, keyServerPort, r.Host)
		attrs = appendHostPort(attrs, keyClient, keyClientPort, r.RemoteAddr)
		if method != r.Method {
			attrs = append(attrs, keyMethodOrig.String(r.Method))
		}
		if ua := r.UserAgent(); ua != "" {
			attrs = append(attrs, keyUserAgent.String(ua))
		}
		ctx, span := t.tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
		defer span.End()
		t.prop.Inject(ctx, propagation.HeaderCarrier(w.Header()))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// end names the span by the matched route, now known, and records the
// answer; a request that became a WebSocket or an event stream gets a
// child span from its start to its end with the messages counted.
func (t *tracer) end(c *hyperlane.Context) {
	span := trace.SpanFromContext(c.Context())
	if !span.IsRecording() {
		return
	}
	method := methodName(c.Method())
	status := c.StatusCode()
	if status == 0 {
		status = http.StatusOK
	}
	if route := c.RoutePattern(); route != "" {
		span.SetName(method + " " + route)
		span.SetAttributes(keyRoute.String(route))
	}
	span.SetAttributes(keyStatus.Int(status))
	if op := c.OperationID(); op != "" {
		span.SetAttributes(AttrOperationID.String(op))
	}
	if id := middleware.RequestIDFrom(c); id != "" {
		span.SetAttributes(AttrRequestID.String(id))
	}
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	if st, ok := c.StreamStats(); ok {
		_, child := t.tracer.Start(c.Context(), string(st.Kind)+" "+c.RoutePattern(),
			trace.WithSpanKind(trace.SpanKindInternal), trace.WithTimestamp(st.Began))
		child.SetAttributes(AttrMessagesReceived.Int64(int64(st.Received)), AttrMessagesSent.Int64(int64(st.Sent)))
		child.End(trace.WithTimestamp(time.Now()))
	}
}

// methodName returns the method as OpenTelemetry records it: a standard
// method as is, any other as "_OTHER".
func methodName(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "_OTHER"
}

// appendHostPort adds host and port as the conventions split them: the
// address without its port, and the port as a number when there is one.
func appendHostPort(attrs []attribute.KeyValue, hostKey, portKey attribute.Key, hostport string) []attribute.KeyValue {
	if hostport == "" {
		return attrs
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return append(attrs, hostKey.String(hostport)) // no port
	}
	attrs = append(attrs, hostKey.String(host))
	if n, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, portKey.Int(n))
	}
	return attrs
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}
