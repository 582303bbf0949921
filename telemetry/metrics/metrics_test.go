package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
	"github.com/hyperlane-go/hyperlane/telemetry/metrics"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// guard bounds every wait; reaching it means the behaviour is broken.
const guard = 20 * time.Second

// newServer returns a server with a few routes and metrics installed,
// serving on loopback until the test ends.
func newServer(t *testing.T, opts ...hyperlane.Option) (*hyperlane.Server, *metrics.Metrics, string) {
	t.Helper()
	s := hyperlane.New(append([]hyperlane.Option{hyperlane.WithAddr("127.0.0.1:0"),
		hyperlane.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	m := metrics.Install(s, metrics.Options{})
	s.Get("/metrics", m.Serve)
	s.Get("/hello", func(c *hyperlane.Context) error { return c.Text(200, "hello") })
	s.Get("/pets/{id}", func(c *hyperlane.Context) error {
		if c.Param("id") == "0" {
			return hyperlane.Error(http.StatusNotFound, "no pet 0")
		}
		return c.JSON(200, map[string]string{"id": c.Param("id")})
	}, hyperlane.Meta(hyperlane.MetaOperationID, "getPet"))
	s.Post("/fail", func(c *hyperlane.Context) error { return errors.New("boom") })
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
	return s, m, "http://" + ln.Addr().String()
}

func do(t *testing.T, method, url string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// scrape returns /metrics as Prometheus serves it to a scraper.
func scrape(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

func TestRequestSeriesByRouteStatusClassAndOperation(t *testing.T) {
	_, _, base := newServer(t)
	do(t, "GET", base+"/pets/1")
	do(t, "GET", base+"/pets/2")
	do(t, "GET", base+"/pets/0")
	do(t, "GET", base+"/hello")
	do(t, "POST", base+"/fail")
	do(t, "BREW", base+"/hello")
	body := scrape(t, base)
	for _, want := range []string{
		`hyperlane_http_requests_total{method="GET",operation="getPet",route="/pets/{id}",status="2xx"} 2`,
		`hyperlane_http_requests_total{method="GET",operation="getPet",route="/pets/{id}",status="4xx"} 1`,
		`hyperlane_http_requests_total{method="GET",operation="",route="/hello",status="2xx"} 1`,
		`hyperlane_http_requests_total{method="POST",operation="",route="/fail",status="5xx"} 1`,
		`hyperlane_http_requests_total{method="_OTHER",operation="",route="unmatched",status="4xx"} 1`,
		`hyperlane_http_request_duration_seconds_count{method="GET",operation="getPet",route="/pets/{id}",status="2xx"} 2`,
		`hyperlane_http_response_size_bytes_sum{method="GET",operation="",route="/hello",status="2xx"} 5`,
		`hyperlane_http_request_size_bytes_count{method="GET",operation="",route="/hello",status="2xx"} 1`,
		`hyperlane_http_requests_in_flight 1`, // the scrape itself
		`hyperlane_connections_open `,
		`hyperlane_connections_max 0`,
		`hyperlane_connection_limit_waits_total 0`,
		`hyperlane_websocket_connections 0`,
		`hyperlane_sse_streams 0`,
		`hyperlane_ready 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, `route="/pets/1"`) {
		t.Error("/metrics holds a raw path as a route label")
	}
}

func TestRandomPathsAddNoSeries(t *testing.T) {
	_, m, base := newServer(t)
	do(t, "GET", base+"/no/such/path") // the unmatched series exists from here on
	before := testutil.CollectAndCount(m.Registry())
	for i := range 1000 {
		path := fmt.Sprintf("/%x/%d/%s", rand.Uint64(), i, strings.Repeat("z", i%50))
		if code := do(t, "GET", base+path); code != 404 {
			t.Fatalf("GET %s: %d, want 404", path, code)
		}
	}
	if after := testutil.CollectAndCount(m.Registry()); after != before {
		t.Errorf("1,000 random 404 paths took the series from %d to %d, want no new series", before, after)
	}
	body := scrape(t, base)
	if !strings.Contains(body, `hyperlane_http_requests_total{method="GET",operation="",route="unmatched",status="4xx"} 1001`) {
		t.Errorf("the 1,001 unmatched requests are not counted under route=\"unmatched\"")
	}
}

func TestGaugesBackToZeroAfterLoad(t *testing.T) {
	s, m, base := newServer(t)
	release := make(chan struct{})
	entered := make(chan struct{}, 64)
	s.Get("/slow", func(c *hyperlane.Context) error {
		entered <- struct{}{}
		<-release
		return c.Text(200, "done")
	})
	const n = 16
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { do(t, "GET", base+"/slow") })
	}
	for range n {
		select {
		case <-entered:
		case <-time.After(guard):
			t.Fatal("the slow requests did not all arrive")
		}
	}
	if got := gauge(t, m, "hyperlane_http_requests_in_flight"); got != n {
		t.Errorf("in flight = %v with %d requests held, want %d", got, n, n)
	}
	if got := gauge(t, m, "hyperlane_connections_open"); got != n {
		t.Errorf("connections_open = %v with %d requests held, want %d", got, n, n)
	}
	close(release)
	wg.Wait()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(guard)
	for gauge(t, m, "hyperlane_http_requests_in_flight") != 0 || gauge(t, m, "hyperlane_connections_open") != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("in flight %v, connections %v after the load ended, want 0 and 0",
				gauge(t, m, "hyperlane_http_requests_in_flight"), gauge(t, m, "hyperlane_connections_open"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// gauge reads one unlabelled gauge from the registry.
func gauge(t *testing.T, m *metrics.Metrics, name string) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return value(mf.GetMetric()[0])
		}
	}
	t.Fatalf("no series %s", name)
	return 0
}

func value(m *dto.Metric) float64 {
	if g := m.GetGauge(); g != nil {
		return g.GetValue()
	}
	return m.GetCounter().GetValue()
}

func TestWatchHub(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	m := metrics.Install(s, metrics.Options{})
	h := broadcast.New(broadcast.Options[string]{Buffer: 1})
	m.WatchHub("chat", h)
	h.Subscribe("lobby")
	h.Subscribe("lobby")
	for range 3 {
		_ = h.Publish("lobby", "x")
	}
	want := `
# HELP hyperlane_hub_dropped_messages_total Messages the DropOldest slow-consumer policy discarded.
# TYPE hyperlane_hub_dropped_messages_total counter
hyperlane_hub_dropped_messages_total{hub="chat"} 4
# HELP hyperlane_hub_rooms Rooms with at least one subscriber.
# TYPE hyperlane_hub_rooms gauge
hyperlane_hub_rooms{hub="chat"} 1
# HELP hyperlane_hub_subscribers Subscriptions open over all rooms.
# TYPE hyperlane_hub_subscribers gauge
hyperlane_hub_subscribers{hub="chat"} 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"hyperlane_hub_dropped_messages_total", "hyperlane_hub_rooms", "hyperlane_hub_subscribers"); err != nil {
		t.Error(err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `"chat"`) {
			t.Errorf("watching a second hub named chat: recovered %v, want a panic naming it", r)
		}
	}()
	m.WatchHub("chat", h)
}

func TestLint(t *testing.T) {
	_, m, base := newServer(t)
	do(t, "GET", base+"/hello")
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
