package middleware_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

func TestCORS(t *testing.T) {
	exact := middleware.CORSConfig{
		AllowedOrigins: []string{"https://app.example.com", "https://*.example.org"},
		AllowedMethods: []string{"GET", "PUT", "DELETE"},
		AllowedHeaders: []string{"Content-Type", "Authorization"},
		ExposedHeaders: []string{"X-Total-Count", "X-Request-Id"},
		MaxAge:         time.Hour,
	}
	creds := exact
	creds.AllowCredentials = true
	star := middleware.CORSConfig{AllowedOrigins: []string{"*"}, ExposedHeaders: []string{"X-Total-Count"}}
	anyHeader := middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}, AllowedHeaders: []string{"*"}, AllowCredentials: true}
	defaults := middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}}
	noCache := middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}, MaxAge: -1}

	const none = "<none>"
	tests := []struct {
		name      string
		cfg       middleware.CORSConfig
		method    string
		header    map[string]string
		status    int
		handler   bool              // the route handler ran
		want      map[string]string // header -> value, or none for absent
		wantVary  []string
		wantNoVar bool // no Vary header at all
	}{
		{
			name: "allowed origin gets allow-origin, expose headers and Vary", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "https://app.example.com"},
			status: 200, handler: true,
			want: map[string]string{
				"Access-Control-Allow-Origin":      "https://app.example.com",
				"Access-Control-Expose-Headers":    "X-Total-Count, X-Request-Id",
				"Access-Control-Allow-Credentials": none,
				"Access-Control-Allow-Methods":     none,
			},
			wantVary: []string{"Origin"},
		},
		{
			name: "disallowed origin gets no CORS headers, only Vary", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "https://evil.example"},
			status: 200, handler: true,
			want: map[string]string{
				"Access-Control-Allow-Origin":   none,
				"Access-Control-Expose-Headers": none,
			},
			wantVary: []string{"Origin"},
		},
		{
			name: "same-origin request without Origin still varies on it", cfg: exact,
			method: "GET", status: 200, handler: true,
			want:     map[string]string{"Access-Control-Allow-Origin": none},
			wantVary: []string{"Origin"},
		},
		{
			name: "subdomain pattern matches one label", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "https://api.example.org"},
			status: 200, handler: true,
			want: map[string]string{"Access-Control-Allow-Origin": "https://api.example.org"},
		},
		{
			name: "subdomain pattern matches nested labels", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "https://a.b.example.org"},
			status: 200, handler: true,
			want: map[string]string{"Access-Control-Allow-Origin": "https://a.b.example.org"},
		},
		{
			name: "subdomain pattern does not match the bare domain", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "https://example.org"},
			status: 200, handler: true,
			want: map[string]string{"Access-Control-Allow-Origin": none},
		},
		{
			name: "subdomain pattern does not match another scheme", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "http://api.example.org"},
			status: 200, handler: true,
			want: map[string]string{"Access-Control-Allow-Origin": none},
		},
		{
			name: "subdomain pattern does not match a look-alike suffix", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "https://evilexample.org"},
			status: 200, handler: true,
			want: map[string]string{"Access-Control-Allow-Origin": none},
		},
		{
			name: "subdomain pattern does not match a host smuggling a path", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "https://evil.com/.example.org"},
			status: 200, handler: true,
			want: map[string]string{"Access-Control-Allow-Origin": none},
		},
		{
			name: "exact origin with another port is not allowed", cfg: exact,
			method: "GET", header: map[string]string{"Origin": "https://app.example.com:8443"},
			status: 200, handler: true,
			want: map[string]string{"Access-Control-Allow-Origin": none},
		},
		{
			name: "credentials reflect the origin and say true", cfg: creds,
			method: "GET", header: map[string]string{"Origin": "https://app.example.com"},
			status: 200, handler: true,
			want: map[string]string{
				"Access-Control-Allow-Origin":      "https://app.example.com",
				"Access-Control-Allow-Credentials": "true",
			},
			wantVary: []string{"Origin"},
		},
		{
			name: "wildcard sends * to every origin without Vary", cfg: star,
			method: "GET", header: map[string]string{"Origin": "https://anyone.example"},
			status: 200, handler: true,
			want: map[string]string{
				"Access-Control-Allow-Origin":      "*",
				"Access-Control-Expose-Headers":    "X-Total-Count",
				"Access-Control-Allow-Credentials": none,
			},
			wantNoVar: true,
		},
		{
			name: "wildcard sends * without an Origin too, so caches need no Vary", cfg: star,
			method: "GET", status: 200, handler: true,
			want:      map[string]string{"Access-Control-Allow-Origin": "*"},
			wantNoVar: true,
		},
		{
			name: "preflight from an allowed origin is answered and aborted", cfg: exact,
			method: "OPTIONS",
			header: map[string]string{
				"Origin":                         "https://app.example.com",
				"Access-Control-Request-Method":  "PUT",
				"Access-Control-Request-Headers": "content-type, authorization",
			},
			status: 204, handler: false,
			want: map[string]string{
				"Access-Control-Allow-Origin":  "https://app.example.com",
				"Access-Control-Allow-Methods": "GET, PUT, DELETE",
				"Access-Control-Allow-Headers": "Content-Type, Authorization",
				"Access-Control-Max-Age":       "3600",
			},
			wantVary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
		{
			name: "preflight for a simple method is allowed even when not listed", cfg: exact,
			method: "OPTIONS",
			header: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
			status: 204, handler: false,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"},
		},
		{
			name: "preflight from a disallowed origin gets no CORS headers", cfg: exact,
			method: "OPTIONS",
			header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
			status: 204, handler: false,
			want: map[string]string{
				"Access-Control-Allow-Origin":  none,
				"Access-Control-Allow-Methods": none,
				"Access-Control-Max-Age":       none,
			},
			wantVary: []string{"Origin"},
		},
		{
			name: "preflight for a method not allowed gets no CORS headers", cfg: exact,
			method: "OPTIONS",
			header: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PATCH"},
			status: 204, handler: false,
			want: map[string]string{"Access-Control-Allow-Origin": none, "Access-Control-Allow-Methods": none},
		},
		{
			name: "preflight with a header not allowed gets no CORS headers", cfg: exact,
			method: "OPTIONS",
			header: map[string]string{
				"Origin":                         "https://app.example.com",
				"Access-Control-Request-Method":  "PUT",
				"Access-Control-Request-Headers": "content-type, x-secret",
			},
			status: 204, handler: false,
			want: map[string]string{"Access-Control-Allow-Origin": none, "Access-Control-Allow-Headers": none},
		},
		{
			name: "preflight with any header allowed echoes the requested ones", cfg: anyHeader,
			method: "OPTIONS",
			header: map[string]string{
				"Origin":                         "https://app.example.com",
				"Access-Control-Request-Method":  "GET",
				"Access-Control-Request-Headers": "x-one, x-two",
			},
			status: 204, handler: false,
			want: map[string]string{
				"Access-Control-Allow-Origin":      "https://app.example.com",
				"Access-Control-Allow-Headers":     "x-one, x-two",
				"Access-Control-Allow-Credentials": "true",
			},
		},
		{
			name: "preflight with defaults allows simple methods, common headers, ten minutes", cfg: defaults,
			method: "OPTIONS",
			header: map[string]string{
				"Origin":                         "https://app.example.com",
				"Access-Control-Request-Method":  "GET",
				"Access-Control-Request-Headers": "content-type",
			},
			status: 204, handler: false,
			want: map[string]string{
				"Access-Control-Allow-Methods": "GET, HEAD, POST",
				"Access-Control-Allow-Headers": "Accept, Content-Type, X-Requested-With",
				"Access-Control-Max-Age":       "600",
			},
		},
		{
			name: "negative max age disables preflight caching", cfg: noCache,
			method: "OPTIONS",
			header: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
			status: 204, handler: false,
			want: map[string]string{"Access-Control-Max-Age": "0"},
		},
		{
			name: "wildcard preflight answers *", cfg: star,
			method: "OPTIONS",
			header: map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "GET"},
			status: 204, handler: false,
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": none},
		},
		{
			name: "plain OPTIONS without Access-Control-Request-Method reaches the handler", cfg: exact,
			method: "OPTIONS", header: map[string]string{"Origin": "https://app.example.com"},
			status: 200, handler: true,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": none},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := hyperlane.New(hyperlane.WithLogger(quiet))
			middleware.Install(s, middleware.CORS(tt.cfg))
			ran := false
			s.Any("/r", func(c *hyperlane.Context) error { ran = true; return c.Text(200, "ok") })
			r := httptest.NewRequest(tt.method, "/r", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := do(s, r)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if ran != tt.handler {
				t.Errorf("handler ran: %v, want %v", ran, tt.handler)
			}
			for k, v := range tt.want {
				got, present := w.Header()[k]
				switch {
				case v == none && present:
					t.Errorf("%s: %q, want none", k, got)
				case v != none && w.Header().Get(k) != v:
					t.Errorf("%s: %q, want %q", k, w.Header().Get(k), v)
				}
			}
			vary := strings.Join(w.Header().Values("Vary"), ", ")
			for _, v := range tt.wantVary {
				if !strings.Contains(vary, v) {
					t.Errorf("Vary %q lacks %s", vary, v)
				}
			}
			if tt.wantNoVar && vary != "" {
				t.Errorf("Vary %q, want none", vary)
			}
		})
	}
}

func TestCORSHeadersOnErrorResponses(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.CORS(middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}}))
	s.Get("/fail", func(c *hyperlane.Context) error { return hyperlane.Error(409, "conflict") })
	for _, path := range []string{"/fail", "/missing"} {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Origin", "https://app.example.com")
		w := do(s, r)
		if w.Code < 400 || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Errorf("%s: %d with Allow-Origin %q; an error must stay readable by the page", path, w.Code, w.Header().Get("Access-Control-Allow-Origin"))
		}
	}
}

func TestCORSPreflightOnPathWithoutOptionsRoute(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.CORS(middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"DELETE"}}))
	s.Delete("/items/{id}", func(c *hyperlane.Context) error { return c.NoContent(204) })
	r := httptest.NewRequest("OPTIONS", "/items/7", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "DELETE")
	w := do(s, r)
	if w.Code != 204 || w.Header().Get("Access-Control-Allow-Methods") != "DELETE" {
		t.Errorf("status %d, Allow-Methods %q", w.Code, w.Header().Get("Access-Control-Allow-Methods"))
	}
}

func TestCORSDoesNotDuplicateVary(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s,
		middleware.Middleware{Request: func(c *hyperlane.Context) error { c.AddHeader("Vary", "Accept, Origin"); return nil }},
		middleware.CORS(middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}}))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "ok") })
	w := do(s, httptest.NewRequest("GET", "/", nil))
	if got := w.Header().Values("Vary"); len(got) != 1 || got[0] != "Accept, Origin" {
		t.Errorf("Vary %q, want [\"Accept, Origin\"]", got)
	}
}

func TestCORSRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  middleware.CORSConfig
		want string // substring of the panic
	}{
		{"no origins", middleware.CORSConfig{}, "at least one"},
		{"star with credentials", middleware.CORSConfig{AllowedOrigins: []string{"*"}, AllowCredentials: true}, `"*" cannot be combined with AllowCredentials`},
		{"origin with a path", middleware.CORSConfig{AllowedOrigins: []string{"https://a.example/"}}, `"https://a.example/"`},
		{"origin without scheme", middleware.CORSConfig{AllowedOrigins: []string{"a.example"}}, `"a.example"`},
		{"star in the middle", middleware.CORSConfig{AllowedOrigins: []string{"https://a.*.example"}}, `"https://a.*.example"`},
		{"two stars", middleware.CORSConfig{AllowedOrigins: []string{"https://*.*.example"}}, "more than one"},
		{"empty method", middleware.CORSConfig{AllowedOrigins: []string{"*"}, AllowedMethods: []string{""}}, "empty method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := panicMessage(func() { middleware.CORS(tt.cfg) })
			if !strings.Contains(msg, tt.want) {
				t.Errorf("panic %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}
