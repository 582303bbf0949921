package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	chimw "github.com/go-chi/chi/v5/middleware"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// chi's own net/http middleware works unchanged through Server.Use.
// RealIP is deprecated (it trusts spoofable headers from every client):
// it stays here only as a compatibility test; the docs recommend
// Context.ClientIP with WithTrustedProxies.
func TestChiMiddlewareThroughUse(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	//lint:ignore SA1019 compatibility test of chi middleware that rewrites RemoteAddr
	s.Use(chimw.RequestID, chimw.RealIP)
	s.Get("/who", func(c *hyperlane.Context) error {
		return c.Text(200, chimw.GetReqID(c.Context())+" "+c.RemoteAddr())
	})

	tests := []struct {
		name       string
		header     map[string]string
		wantID     string // exact id; "" means chi generated one
		wantRemote string
	}{
		{
			name:       "RequestID generates an id visible to the handler",
			wantRemote: "192.0.2.1:1234", // httptest's peer
		},
		{
			name:       "RequestID keeps an incoming X-Request-Id",
			header:     map[string]string{"X-Request-Id": "from-proxy-42"},
			wantID:     "from-proxy-42",
			wantRemote: "192.0.2.1:1234",
		},
		{
			name:       "RealIP takes X-Real-IP",
			header:     map[string]string{"X-Real-IP": "203.0.113.7"},
			wantRemote: "203.0.113.7",
		},
		{
			name:       "RealIP takes the first X-Forwarded-For hop",
			header:     map[string]string{"X-Forwarded-For": "198.51.100.9, 10.0.0.1"},
			wantRemote: "198.51.100.9",
		},
		{
			name:       "RealIP ignores a value that is not an IP",
			header:     map[string]string{"X-Real-IP": "not-an-ip"},
			wantRemote: "192.0.2.1:1234",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/who", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := do(s, r)
			id, remote, _ := strings.Cut(w.Body.String(), " ")
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body.String())
			}
			if tt.wantID != "" && id != tt.wantID {
				t.Errorf("request id %q, want %q", id, tt.wantID)
			}
			if tt.wantID == "" && !strings.Contains(id, "/") { // chi's ids are host/random-counter
				t.Errorf("request id %q is not one chi generated", id)
			}
			if remote != tt.wantRemote {
				t.Errorf("RemoteAddr %q, want %q", remote, tt.wantRemote)
			}
		})
	}
}
