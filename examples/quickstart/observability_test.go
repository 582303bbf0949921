package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// serveApp serves the quickstart on a real loopback listener, as the
// binary does, so that readiness follows the server's life.
func serveApp(t *testing.T) (*hyperlane.Server, string, <-chan error) {
	t.Helper()
	s := newApp(slog.New(slog.DiscardHandler), hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithShutdownTimeout(5*time.Second))
	ln, err := s.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	return s, "http://" + ln.Addr().String(), done
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetricsEndpointLabelsPetsByRouteAndOperation(t *testing.T) {
	s, base, done := serveApp(t)
	defer func() { _ = s.Shutdown(context.Background()); <-done }()
	get(t, base+"/pets/1")
	get(t, base+"/pets/2")
	code, body := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`hyperlane_http_requests_total{method="GET",operation="getPet",route="/pets/{id}",status="2xx"} 2`,
		`hyperlane_hub_subscribers{hub="chat"} 0`,
		`hyperlane_ready 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if _, spec := get(t, base+"/openapi.json"); strings.Contains(spec, `"/metrics"`) || strings.Contains(spec, `"/health/ready"`) {
		t.Error("the OpenAPI document lists /metrics or /health/ready; they are for operators, not API clients")
	}
}

func TestReadinessFallsOnceDrainedAndLivenessStays(t *testing.T) {
	s, base, done := serveApp(t)
	if code, body := get(t, base+"/health/ready"); code != 200 || !strings.Contains(body, `"ready"`) {
		t.Fatalf("/health/ready while serving: %d %s, want 200 ready", code, body)
	}
	if err := s.Drain(context.Background()); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	// The listener is closed: ask the handler itself, as a probe on a
	// connection still open during the drain would.
	for path, want := range map[string]int{"/health/ready": 503, "/health/live": 200} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != want {
			t.Errorf("%s after the drain: %d %s, want %d", path, w.Code, w.Body, want)
		}
	}
}
