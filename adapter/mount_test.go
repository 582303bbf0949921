package adapter_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestMount(t *testing.T) {
	app := hyperlane.New(hyperlane.WithRedirectTrailingSlash(true))
	app.Get("/prefix", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, c.MountPrefix()) })
	app.Get("/path", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, c.Path()+" "+c.Request().URL.RawPath)
	})
	app.Get("/users/{id}", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, c.Param("id")) })
	app.Get("/dir/", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "dir") })
	app.Get("/to-relative", func(c *hyperlane.Context) error { return c.Redirect(http.StatusSeeOther, "path") })
	app.Get("/to-absolute", func(c *hyperlane.Context) error {
		return c.Redirect(http.StatusSeeOther, "https://example.com/x")
	})

	inner := http.NewServeMux()
	inner.Handle("/inner/", adapter.Mount("/inner", app))
	mux := http.NewServeMux()
	mux.Handle("/api/", adapter.Mount("/api/", app)) // a trailing slash in the prefix is ignored
	mux.Handle("/outer/", adapter.Mount("/outer", inner))
	mux.Handle("/t/{tenant}/v1/", adapter.Mount("/t/{tenant}/v1", app))

	for _, tc := range []struct {
		name     string
		target   string
		status   int
		body     string
		location string
	}{
		{name: "the mount prefix travels with the request", target: "/api/prefix", status: 200, body: "/api"},
		{name: "nested mounts add up their prefixes", target: "/outer/inner/prefix", status: 200, body: "/outer/inner"},
		{name: "a prefix parameter mounts as matched", target: "/t/acme/v1/prefix", status: 200, body: "/t/acme/v1"},
		{name: "a redirect keeps a matched prefix parameter", target: "/t/acme/v1/to-relative", status: 303, location: "/t/acme/v1/path"},
		{name: "the app sees the stripped path", target: "/api/path", status: 200, body: "/path "},
		{name: "an escaped parameter keeps its slash", target: "/api/users/a%2Fb", status: 200, body: "a/b"},
		{name: "an escaped prefix still mounts", target: "/%61pi/users/7", status: 200, body: "7"},
		{name: "a trailing-slash redirect keeps the prefix", target: "/api/dir", status: 308, location: "/api/dir/"},
		{name: "a relative redirect resolves under the prefix", target: "/api/to-relative", status: 303, location: "/api/path"},
		{name: "an absolute redirect is left alone", target: "/api/to-absolute", status: 303, location: "https://example.com/x"},
		{name: "a 404 inside the prefix is Hyperlane's", target: "/api/nope", status: 404, body: `"instance":"/api/nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.target, nil))
			if w.Code != tc.status {
				t.Fatalf("GET %s: status %d, want %d; body %q", tc.target, w.Code, tc.status, w.Body)
			}
			if !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("GET %s: body %q does not contain %q", tc.target, w.Body, tc.body)
			}
			if got := w.Header().Get("Location"); got != tc.location {
				t.Errorf("GET %s: Location %q, want %q", tc.target, got, tc.location)
			}
		})
	}
}

func TestMountOutsideThePrefixIsAPlain404(t *testing.T) {
	app := hyperlane.New()
	app.Get("/", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "app") })
	h := adapter.Mount("/api", app)
	for _, target := range []string{"/", "/apix", "/api%2Fx"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		if w.Code != http.StatusNotFound || strings.Contains(w.Header().Get("Content-Type"), "problem") {
			t.Errorf("GET %s: %d %q, want net/http's plain 404", target, w.Code, w.Header().Get("Content-Type"))
		}
	}
	h = adapter.Mount("/t/{tenant}/api", app)
	for _, target := range []string{"/t", "/t//api", "/t/acme", "/t/acme/apix", "/x/acme/api"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		if w.Code != http.StatusNotFound || strings.Contains(w.Header().Get("Content-Type"), "problem") {
			t.Errorf("GET %s: %d %q, want net/http's plain 404", target, w.Code, w.Header().Get("Content-Type"))
		}
	}
}

func TestMountRejectsBadPrefixes(t *testing.T) {
	app := hyperlane.New()
	for _, tc := range []struct {
		name   string
		prefix string
		h      http.Handler
	}{
		{name: "relative prefix", prefix: "api", h: app},
		{name: "empty segment", prefix: "/a//b", h: app},
		{name: "unclosed parameter", prefix: "/a/{b", h: app},
		{name: "parameter within a segment", prefix: "/a/x{b}", h: app},
		{name: "nil handler", prefix: "/api", h: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, `"`+tc.prefix+`"`) {
					t.Errorf("panic %q does not name the prefix %q", msg, tc.prefix)
				}
			}()
			adapter.Mount(tc.prefix, tc.h)
			t.Error("Mount did not panic")
		})
	}
}

func TestMountAtTheRootIsTheHandlerItself(t *testing.T) {
	app := hyperlane.New()
	for _, prefix := range []string{"", "/"} {
		if h := adapter.Mount(prefix, app); h != http.Handler(app) {
			t.Errorf("Mount(%q, app) = %T, want app itself", prefix, h)
		}
	}
}

// A prefix in another router's parameter syntax would be a literal path
// that no request reaches; it panics as hyperlane.CheckPattern says.
func TestMountRejectsForeignParameterSyntax(t *testing.T) {
	for _, tc := range []struct{ name, prefix, want string }{
		{"gin colon", "/t/:tenant",
			`adapter: mount prefix "/t/:tenant": segment ":tenant" is another router's parameter syntax: write "{tenant}"`},
		{"Flask angle brackets", "/t/<tenant>/",
			`adapter: mount prefix "/t/<tenant>/": segment "<tenant>" is another router's parameter syntax: write "{tenant}"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if msg, _ := recover().(string); msg != tc.want {
					t.Errorf("panic\n%s\nwant\n%s", msg, tc.want)
				}
			}()
			adapter.Mount(tc.prefix, hyperlane.New())
		})
	}
}

// Group.Mount and adapter.Mount follow one prefix rule,
// hyperlane.CleanMountPrefix: a prefix one accepts the other accepts and
// serves the same way over a real socket, and a prefix one refuses the
// other refuses with the same message.
func TestMountPrefixRuleIsShared(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "path="+r.URL.Path+" prefix="+hyperlane.MountPrefix(r))
	})
	panicOf := func(f func()) (msg string) {
		defer func() { msg, _ = recover().(string) }()
		f()
		return ""
	}
	for _, prefix := range []string{"/api", "/api/", "/t/{tenant}/"} {
		t.Run("accepted "+prefix, func(t *testing.T) {
			app := hyperlane.New()
			app.Mount(prefix, echo)
			mux := http.NewServeMux()
			mux.Handle("/", adapter.Mount(prefix, echo))
			viaGroup, viaAdapter := httptest.NewServer(app), httptest.NewServer(mux)
			defer viaGroup.Close()
			defer viaAdapter.Close()
			path := strings.Replace(strings.TrimSuffix(prefix, "/"), "{tenant}", "acme", 1) + "/x"
			a, b := getOver(t, viaGroup.URL+path), getOver(t, viaAdapter.URL+path)
			if a != b || !strings.HasPrefix(a, "200 path=/x prefix=") {
				t.Fatalf("GET %s: Group.Mount answered %q, adapter.Mount %q; want the same 200 path=/x", path, a, b)
			}
		})
	}
	for _, prefix := range []string{"api", "//", "/a//b", "/files/*", "/files/{p:.*}", "/t/:tenant", "/a/x{b}"} {
		t.Run("refused "+prefix, func(t *testing.T) {
			_, err := hyperlane.CleanMountPrefix(prefix)
			if err == nil {
				t.Fatalf("CleanMountPrefix(%q) accepted it", prefix)
			}
			g := panicOf(func() { hyperlane.New().Mount(prefix, echo) })
			a := panicOf(func() { adapter.Mount(prefix, echo) })
			if g != "hyperlane: "+err.Error() || a != "adapter: "+err.Error() {
				t.Fatalf("Group.Mount panicked %q and adapter.Mount %q; want both to say %q", g, a, err)
			}
		})
	}
}

// getOver returns "status body" of a GET of url.
func getOver(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d %s", res.StatusCode, body)
}

// A prefix parameter is read by hyperlane.ParsePattern, the router's
// parser: a {name:regex} whose expression holds braces is a parameter
// too, not a literal segment no request could reach.
func TestMountPrefixParametersAreTheRoutersParameters(t *testing.T) {
	for _, tc := range []struct {
		name, prefix, target, wantPrefix string
	}{
		{"plain parameter", "/t/{tenant}/api", "/t/acme/api/x", "/t/acme/api"},
		{"regex parameter", "/t/{tenant:[a-z]+}/api", "/t/acme/api/x", "/t/acme/api"},
		{"regex with braces", "/t/{id:[0-9]{3}}/api", "/t/123/api/x", "/t/123/api"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := hyperlane.New()
			s.Get("/x", func(c *hyperlane.Context) error {
				return c.Text(http.StatusOK, hyperlane.MountPrefix(c.Request()))
			})
			rec := httptest.NewRecorder()
			adapter.Mount(tc.prefix, s).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.target, nil))
			if rec.Code != http.StatusOK || rec.Body.String() != tc.wantPrefix {
				t.Fatalf("GET %s under %q: %d %q, want 200 %q", tc.target, tc.prefix, rec.Code, rec.Body.String(), tc.wantPrefix)
			}
		})
	}
}
