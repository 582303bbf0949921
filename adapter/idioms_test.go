package adapter_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/adapter/mounttest"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// TestMountIdioms mounts an app with a documented API the ways Go
// developers already write, with no call of this project's, and checks
// through a real socket that routes, streams, redirects, problems, the
// document's servers and both documentation pages keep the prefix.
func TestMountIdioms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		prefix string
		host   func(app http.Handler) http.Handler
	}{
		{
			name:   "ServeMux with http.StripPrefix",
			prefix: "/api/v1",
			host: func(app http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("host")) })
				mux.Handle("/api/v1/", http.StripPrefix("/api/v1", app))
				return mux
			},
		},
		{
			name:   "ServeMux with http.StripPrefix of the prefix and its slash",
			prefix: "/api",
			host: func(app http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/api/", http.StripPrefix("/api/", app))
				return mux
			},
		},
		{
			name:   "chi Mount",
			prefix: "/api/v1",
			host: func(app http.Handler) http.Handler {
				r := chi.NewRouter()
				r.Get("/", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("host")) })
				r.Mount("/api/v1", app)
				return r
			},
		},
		{
			name:   "chi Mount inside Route with a parameter",
			prefix: "/tenants/acme/api",
			host: func(app http.Handler) http.Handler {
				r := chi.NewRouter()
				r.Route("/tenants/{tenant}", func(r chi.Router) { r.Mount("/api", app) })
				return r
			},
		},
		{
			name:   "chi Route with a catch-all handler",
			prefix: "/api/v1",
			host: func(app http.Handler) http.Handler {
				r := chi.NewRouter()
				r.Route("/api/v1", func(r chi.Router) { r.Handle("/*", app) })
				return r
			},
		},
		{
			name:   "chi Mount of http.StripPrefix",
			prefix: "/api",
			host: func(app http.Handler) http.Handler {
				r := chi.NewRouter()
				r.Mount("/api", http.StripPrefix("/api", app))
				return r
			},
		},
		{
			name:   "adapter.Mount keeps working",
			prefix: "/api",
			host: func(app http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/api/", adapter.Mount("/api", app))
				return mux
			},
		},
		{
			name:   "StripPrefix outside adapter.Mount adds up",
			prefix: "/outer/api",
			host: func(app http.Handler) http.Handler {
				mux := http.NewServeMux()
				mux.Handle("/outer/", http.StripPrefix("/outer", adapter.Mount("/api", app)))
				return mux
			},
		},
		{
			name:   "the app alone",
			prefix: "",
			host:   func(app http.Handler) http.Handler { return app },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := mounttest.Serve(t, tc.host(mounttest.APIApp())) + tc.prefix
			mounttest.Check(t, base)
			mounttest.CheckAPI(t, base)
		})
	}
}

// proxy serves a reverse proxy that strips prefix from the path and
// forwards to target, naming the prefix in X-Forwarded-Prefix (value,
// when not empty, instead), as nginx's proxy_pass with a path does.
func proxy(t *testing.T, target, prefix string, values ...string) string {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(to)
		pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, prefix)
		pr.Out.URL.RawPath = ""
		if pr.Out.URL.Path == "" {
			pr.Out.URL.Path = "/"
		}
		pr.Out.Header.Del("X-Forwarded-Prefix") // a client's own is not passed on
		for _, v := range values {
			pr.Out.Header.Add("X-Forwarded-Prefix", v)
		}
	}}
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", rp)
	return mounttest.Serve(t, mux)
}

func TestForwardedPrefixFromTrustedProxy(t *testing.T) {
	t.Parallel()
	app := mounttest.Serve(t, mounttest.APIApp(hyperlane.WithTrustedProxies("127.0.0.1/32", "::1/128")))
	base := proxy(t, app, "/api", "/api") + "/api"
	mounttest.Check(t, base)
	mounttest.CheckAPI(t, base)
}

func TestForwardedPrefixFromUntrustedPeerIgnored(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	app := mounttest.Serve(t, mounttest.APIApp(hyperlane.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))))
	// The proxy is not trusted: the app sees itself at the root.
	mounttest.CheckAPIPrefix(t, proxy(t, app, "/api", "/api")+"/api", "")
	if got := strings.Count(logs.String(), "X-Forwarded-Prefix ignored"); got != 1 {
		t.Errorf("%d warnings about the untrusted header, want one; log:\n%s", got, logs.String())
	}
	if !strings.Contains(logs.String(), "WithTrustedProxies") {
		t.Errorf("the warning does not say what to do:\n%s", logs.String())
	}
}

// TestForwardedPrefixNotCleanIgnored sends, from a trusted proxy, prefixes
// that would turn a Location into another host's, climb out of the
// prefix or split headers: none reaches a Location, a problem instance or
// the document; the app answers as if at the root.
func TestForwardedPrefixNotCleanIgnored(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		values []string
	}{
		{name: "scheme-relative host", values: []string{"//evil.com"}},
		{name: "backslash host", values: []string{"/\\evil.com"}},
		{name: "dot-dot segment", values: []string{"/a/../b"}},
		{name: "dot segment", values: []string{"/a/./b"}},
		{name: "absolute URL", values: []string{"https://evil.com/api"}},
		{name: "relative path", values: []string{"api"}},
		{name: "two values", values: []string{"/api", "/other"}},
		{name: "comma list", values: []string{"/api,/other"}},
		{name: "query", values: []string{"/api?x=1"}},
		{name: "quote and angle bracket", values: []string{`/a"><script>`}},
		{name: "percent escape", values: []string{"/%2F%2Fevil.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app := mounttest.Serve(t, mounttest.APIApp(hyperlane.WithTrustedProxies("127.0.0.1/32", "::1/128"),
				hyperlane.WithLogger(slog.New(slog.DiscardHandler))))
			mounttest.CheckAPIPrefix(t, proxy(t, app, "/api", tc.values...)+"/api", "")
		})
	}
}

// TestForwardedPrefixControlCharacters sends values no HTTP client
// would, straight to ServeHTTP: a CR LF or a NUL in the prefix never
// reaches the Location header.
func TestForwardedPrefixControlCharacters(t *testing.T) {
	s := mounttest.APIApp(hyperlane.WithTrustedProxies("192.0.2.1/32"), hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	for _, v := range []string{"/api\r\nSet-Cookie: x=1", "/api\x00", "/api\t", "/a\x7f"} {
		r := httptest.NewRequest("GET", "/old", nil)
		r.RemoteAddr = "192.0.2.1:1234"
		r.Header["X-Forwarded-Prefix"] = []string{v}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if got := w.Header().Get("Location"); got != "/hello" {
			t.Errorf("X-Forwarded-Prefix %q: Location %q, want /hello", v, got)
		}
	}
}

// TestForwardedPrefixTrustedAddsToStripPrefix: a proxy strips /edge and
// names it; behind it, a ServeMux strips /api: the app is at /edge/api.
func TestForwardedPrefixTrustedAddsToStripPrefix(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", mounttest.APIApp(hyperlane.WithTrustedProxies("127.0.0.1/32", "::1/128"))))
	base := proxy(t, mounttest.Serve(t, mux), "/edge", "/edge") + "/edge/api"
	mounttest.CheckAPIPrefix(t, base, "/edge/api")
}

// TestRewrittenPathWarnsOnce: a host that changes the path in a way that
// is not a prefix strip leaves the prefix unknown: one warning says what
// to do, and the app serves the path it got, unprefixed.
func TestRewrittenPathWarnsOnce(t *testing.T) {
	var logs bytes.Buffer
	app := mounttest.APIApp(hyperlane.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	rewrite := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.Replace(r.URL.Path, "/v1/", "/", 1) + "/"
		r2.URL.Path = strings.TrimSuffix(r2.URL.Path, "/")
		r2.URL.Path = strings.Replace(r2.URL.Path, "/hi", "/hello", 1)
		app.ServeHTTP(w, r2)
	})
	base := mounttest.Serve(t, rewrite)
	for range 3 {
		resp, err := http.Get(base + "/v1/hi")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "hello" {
			t.Fatalf("GET /v1/hi rewritten to /hello: %d %q", resp.StatusCode, body)
		}
	}
	if got := strings.Count(logs.String(), "not a prefix strip"); got != 1 {
		t.Errorf("%d warnings, want one; log:\n%s", got, logs.String())
	}
	for _, want := range []string{"http.StripPrefix", "adapter.Mount"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the warning does not name %s:\n%s", want, logs.String())
		}
	}
}
