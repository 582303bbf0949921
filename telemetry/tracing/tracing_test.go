package tracing_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
	"github.com/hyperlane-go/hyperlane/telemetry/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

const guard = 20 * time.Second

// traced serves a server traced into an in-memory exporter.
func traced(t *testing.T) (*hyperlane.Server, *tracetest.InMemoryExporter, func() string) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	tracing.Trace(s, tp, propagation.TraceContext{})
	middleware.Install(s, middleware.RequestID())
	s.Get("/pets/{id}", func(c *hyperlane.Context) error {
		// A span the handler starts nests under the request's.
		_, child := tp.Tracer("app").Start(c.Context(), "load pet")
		child.End()
		if c.Param("id") == "0" {
			return hyperlane.Error(http.StatusInternalServerError, "db down")
		}
		return c.JSON(200, map[string]string{"id": c.Param("id")})
	}, hyperlane.Meta(hyperlane.MetaOperationID, "getPet"))
	s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
		for range 2 {
			m, err := ws.ReadText(c.Context())
			if err != nil {
				return err
			}
			if err := ws.WriteText(c.Context(), m); err != nil {
				return err
			}
		}
		return nil
	})
	s.Get("/events", func(c *hyperlane.Context) error {
		es := c.SSE()
		for range 3 {
			if err := es.Send(hyperlane.Event{Data: "tick"}); err != nil {
				return err
			}
		}
		return nil
	})
	ln, err := s.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		_ = s.Shutdown(ctx)
		<-done
	})
	return s, exp, func() string { return ln.Addr().String() }
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

// byName finds the one span named name.
func byName(t *testing.T, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	for _, s := range spans {
		if s.Name == name {
			return s
		}
	}
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	t.Fatalf("no span %q among %q", name, names)
	return tracetest.SpanStub{}
}

func TestSpanPerRequestContinuesTheCallersTrace(t *testing.T) {
	_, exp, addr := traced(t)
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	req, _ := http.NewRequest("GET", "http://"+addr()+"/pets/7", nil)
	req.Header.Set("traceparent", parent)
	req.Header.Set("X-Request-Id", "req-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	spans := exp.GetSpans()
	server := byName(t, spans, "GET /pets/{id}")
	if server.SpanKind != trace.SpanKindServer {
		t.Errorf("span kind %v, want server", server.SpanKind)
	}
	if got := server.SpanContext.TraceID().String(); got != "0af7651916cd43dd8448eb211c80319c" {
		t.Errorf("trace id %s, want the caller's", got)
	}
	if got := server.Parent.SpanID().String(); got != "b7ad6b7169203331" || !server.Parent.IsRemote() {
		t.Errorf("parent span %s (remote %v), want the caller's b7ad6b7169203331", got, server.Parent.IsRemote())
	}
	a := attrs(server)
	for k, want := range map[attribute.Key]string{
		"http.route": "/pets/{id}", "http.request.method": "GET", "url.path": "/pets/7",
		"hyperlane.operation_id": "getPet", "hyperlane.request_id": "req-123",
	} {
		if got := a[k].AsString(); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := a["client.address"].AsString(); got != "127.0.0.1" || a["client.port"].AsInt64() == 0 {
		t.Errorf("client.address %q client.port %v, want 127.0.0.1 and the client's port", got, a["client.port"])
	}
	if got := a["http.response.status_code"].AsInt64(); got != 200 {
		t.Errorf("http.response.status_code = %d, want 200", got)
	}
	child := byName(t, spans, "load pet")
	if child.Parent.SpanID() != server.SpanContext.SpanID() {
		t.Errorf("the handler's span has parent %s, want the request span %s", child.Parent.SpanID(), server.SpanContext.SpanID())
	}
	out := resp.Header.Get("traceparent")
	if want := "00-0af7651916cd43dd8448eb211c80319c-" + server.SpanContext.SpanID().String() + "-01"; out != want {
		t.Errorf("response traceparent %q, want %q (the request span)", out, want)
	}
}

func TestSpanMarksServerErrorsAndUnmatchedPaths(t *testing.T) {
	_, exp, addr := traced(t)
	for _, p := range []string{"/pets/0", "/no/such/path"} {
		resp, err := http.Get("http://" + addr() + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	spans := exp.GetSpans()
	failed := byName(t, spans, "GET /pets/{id}")
	if failed.Status.Code.String() != "Error" || attrs(failed)["http.response.status_code"].AsInt64() != 500 {
		t.Errorf("500: status %v code %v, want Error and 500", failed.Status, attrs(failed)["http.response.status_code"])
	}
	unmatched := byName(t, spans, "GET")
	a := attrs(unmatched)
	if _, ok := a["http.route"]; ok || a["http.response.status_code"].AsInt64() != 404 {
		t.Errorf("unmatched: attributes %v, want no http.route and status 404", a)
	}
}

func TestStreamSpansCountMessages(t *testing.T) {
	_, exp, addr := traced(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := ws.Write(ctx, websocket.MessageText, []byte("hi")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ws.Read(ctx); err != nil {
			t.Fatal(err)
		}
	}
	_, _, _ = ws.Read(ctx) // the server's close
	_ = ws.Close(websocket.StatusNormalClosure, "")

	resp, err := http.Get("http://" + addr() + "/events")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Count(string(body), "data: tick") != 3 {
		t.Fatalf("stream body %q, want 3 events", body)
	}

	deadline := time.Now().Add(guard)
	for len(exp.GetSpans()) < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // the WebSocket's spans end after its close handshake
	}
	spans := exp.GetSpans()
	for _, tc := range []struct {
		name, parent   string
		received, sent int64
	}{
		{"websocket /ws", "GET /ws", 2, 2},
		{"sse /events", "GET /events", 0, 3},
	} {
		s := byName(t, spans, tc.name)
		p := byName(t, spans, tc.parent)
		a := attrs(s)
		if s.Parent.SpanID() != p.SpanContext.SpanID() || a[tracing.AttrMessagesReceived].AsInt64() != tc.received ||
			a[tracing.AttrMessagesSent].AsInt64() != tc.sent || !s.EndTime.After(s.StartTime) {
			t.Errorf("%s: parent %s, attributes %v, %v..%v; want child of %q with %d received and %d sent",
				tc.name, s.Parent.SpanID(), a, s.StartTime, s.EndTime, tc.parent, tc.received, tc.sent)
		}
	}
}

func TestInstallIsOffWithoutOTELVariables(t *testing.T) {
	for _, v := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED"} {
		t.Setenv(v, "")
	}
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"no variable: off", nil, false},
		{"an OTLP endpoint: on", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true},
		{"a traces endpoint: on", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true},
		{"OTEL_TRACES_EXPORTER=otlp: on", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{"OTEL_TRACES_EXPORTER=none wins over an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, false},
		{"OTEL_SDK_DISABLED=true wins over an endpoint", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if got := tracing.Enabled(); got != tt.want {
				t.Errorf("Enabled() = %v, want %v", got, tt.want)
			}
		})
	}

	// Off: Install adds nothing, so a request carries no trace header.
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	shutdown, err := tracing.Install(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	req, _ := http.NewRequest("GET", "/", nil)
	req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	w := &recorder{h: http.Header{}}
	s.ServeHTTP(w, req)
	if got := w.h.Get("traceparent"); got != "" {
		t.Errorf("tracing off, yet the response carries traceparent %q", got)
	}
}

func TestInstallRefusesGRPC(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	if _, err := tracing.Install(context.Background(), s); err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL") {
		t.Errorf("Install with protocol grpc: %v, want an error naming OTEL_EXPORTER_OTLP_PROTOCOL", err)
	}
}

type recorder struct{ h http.Header }

func (w *recorder) Header() http.Header         { return w.h }
func (w *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (w *recorder) WriteHeader(int)             {}
