package metrics_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/metrics"
)

// One call installs the metrics, one route serves them.
func ExampleInstall() {
	s := hyperlane.New()
	m := metrics.Install(s, metrics.Options{})
	s.Get("/metrics", m.Serve)
	s.Get("/pets/{id}", func(c *hyperlane.Context) error {
		return c.JSON(200, map[string]string{"id": c.Param("id")})
	}, hyperlane.Meta(hyperlane.MetaOperationID, "getPet")) // openapi.Get sets it for you

	for _, path := range []string{"/pets/1", "/pets/2", "/no/such/page"} {
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "hyperlane_http_requests_total{") {
			fmt.Println(line)
		}
	}
	// Output:
	// hyperlane_http_requests_total{method="GET",operation="",route="unmatched",status="4xx"} 1
	// hyperlane_http_requests_total{method="GET",operation="getPet",route="/pets/{id}",status="2xx"} 2
}
