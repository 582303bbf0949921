package middleware_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

func TestSecurityHeaders(t *testing.T) {
	const none = "<none>"
	tests := []struct {
		name string
		cfg  middleware.SecurityConfig
		url  string // https:// URLs arrive over TLS
		path string // route; "/" when empty
		want map[string]string
	}{
		{
			name: "defaults over plain HTTP: no HSTS", url: "http://example.com/",
			want: map[string]string{
				"X-Content-Type-Options":    "nosniff",
				"X-Frame-Options":           "DENY",
				"Referrer-Policy":           "strict-origin-when-cross-origin",
				"Strict-Transport-Security": none,
				"Content-Security-Policy":   none,
			},
		},
		{
			name: "defaults over TLS add a one-year HSTS", url: "https://example.com/",
			want: map[string]string{
				"X-Content-Type-Options":    "nosniff",
				"Strict-Transport-Security": "max-age=31536000",
			},
		},
		{
			name: "HSTS options", url: "https://example.com/",
			cfg:  middleware.SecurityConfig{HSTSMaxAge: 2 * 365 * 24 * time.Hour, HSTSIncludeSubdomains: true, HSTSPreload: true},
			want: map[string]string{"Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload"},
		},
		{
			name: "negative HSTS max age leaves HSTS out", url: "https://example.com/",
			cfg:  middleware.SecurityConfig{HSTSMaxAge: -1},
			want: map[string]string{"Strict-Transport-Security": none, "X-Frame-Options": "DENY"},
		},
		{
			name: "configured values replace defaults", url: "http://example.com/",
			cfg: middleware.SecurityConfig{
				FrameOptions:          "SAMEORIGIN",
				ReferrerPolicy:        "no-referrer",
				ContentSecurityPolicy: "default-src 'self'",
			},
			want: map[string]string{
				"X-Frame-Options":         "SAMEORIGIN",
				"Referrer-Policy":         "no-referrer",
				"Content-Security-Policy": "default-src 'self'",
			},
		},
		{
			name: "Omit leaves a header out", url: "http://example.com/",
			cfg:  middleware.SecurityConfig{FrameOptions: middleware.Omit, ContentTypeOptions: middleware.Omit},
			want: map[string]string{"X-Frame-Options": none, "X-Content-Type-Options": none, "Referrer-Policy": "strict-origin-when-cross-origin"},
		},
		{
			name: "a handler's own CSP wins", url: "http://example.com/docs", path: "/docs",
			cfg:  middleware.SecurityConfig{ContentSecurityPolicy: "default-src 'none'"},
			want: map[string]string{"Content-Security-Policy": "script-src 'self' https://cdn.example", "X-Frame-Options": "SAMEORIGIN"},
		},
		{
			name: "a header set by earlier middleware is kept", url: "http://example.com/early", path: "/early",
			want: map[string]string{"Referrer-Policy": "no-referrer"},
		},
		{
			name: "error responses carry the headers", url: "http://example.com/missing", path: "/missing",
			want: map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := hyperlane.New(hyperlane.WithLogger(quiet))
			middleware.Install(s,
				middleware.Middleware{Request: func(c *hyperlane.Context) error {
					if c.Path() == "/early" {
						c.SetHeader("Referrer-Policy", "no-referrer")
					}
					return nil
				}},
				middleware.SecurityHeaders(tt.cfg))
			s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
			s.Get("/early", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
			s.Get("/docs", func(c *hyperlane.Context) error {
				c.SetHeader("Content-Security-Policy", "script-src 'self' https://cdn.example")
				c.SetHeader("X-Frame-Options", "SAMEORIGIN")
				return c.HTML(200, "<h1>docs</h1>")
			})
			w := do(s, httptest.NewRequest("GET", tt.url, nil))
			for k, v := range tt.want {
				got, present := w.Header()[k]
				switch {
				case v == none && present:
					t.Errorf("%s: %q, want none", k, got)
				case v != none && (len(got) != 1 || got[0] != v):
					t.Errorf("%s: %q, want exactly %q", k, got, v)
				}
			}
		})
	}
}

func TestSecurityHeadersOnStreamedResponse(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.SecurityHeaders())
	s.Get("/stream", func(c *hyperlane.Context) error {
		if _, err := c.RawWriter().Write([]byte("raw")); err != nil {
			return err
		}
		return nil
	})
	w := do(s, httptest.NewRequest("GET", "/stream", nil))
	if w.Body.String() != "raw" || w.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("body %q, X-Frame-Options %q", w.Body.String(), w.Header().Get("X-Frame-Options"))
	}
}
