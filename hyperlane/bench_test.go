package hyperlane_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// BenchmarkRouter holds the router cases that make bench-micro compares,
// by name, with the same cases on chi, ServeMux, gin and httprouter in
// bench/micro: static GET /hello, param GET /users/{id}, json GET /json,
// and github, all 203 routes of the GitHub API once per operation (their
// resolution is proven by TestGitHubAPIRoutes). One no-op writer is
// reused, so the figures are the framework's own cost.
func BenchmarkRouter(b *testing.B) {
	s := hyperlane.New()
	s.Get("/hello", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "hello") })
	s.Get("/users/{id}", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, c.Param("id")) })
	s.Get("/json", func(c *hyperlane.Context) error {
		return c.JSON(http.StatusOK, benchMessage{Message: "Hello, World!"})
	})
	for _, bc := range []struct{ name, path string }{
		{"static", "/hello"},
		{"param", "/users/42"},
		{"json", "/json"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			serveLoop(b, s, []*http.Request{httptest.NewRequest(http.MethodGet, bc.path, nil)})
		})
	}

	gh := hyperlane.New()
	var reqs []*http.Request
	for _, r := range benchGitHubRoutes(b) {
		gh.Route([]string{r.method}, r.pattern, func(c *hyperlane.Context) error { return nil })
		reqs = append(reqs, httptest.NewRequest(r.method, r.path, nil))
	}
	b.Run("github", func(b *testing.B) { serveLoop(b, gh, reqs) })
}

type benchMessage struct {
	Message string `json:"message"`
}

func serveLoop(b *testing.B, h http.Handler, reqs []*http.Request) {
	w := &nopWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range reqs {
			h.ServeHTTP(w, r)
		}
	}
}

// nopWriter is a reusable ResponseWriter that drops what it is given.
// Like net/http's own writer it is an io.StringWriter.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header               { return w.h }
func (w *nopWriter) Write(b []byte) (int, error)       { return len(b), nil }
func (w *nopWriter) WriteString(s string) (int, error) { return len(s), nil }
func (w *nopWriter) WriteHeader(int)                   {}

// benchRoute is a GitHub API route in Hyperlane's syntax with a concrete
// request path for it.
type benchRoute struct{ method, pattern, path string }

// benchGitHubRoutes reads testdata/github-api-routes.txt, one "METHOD
// /a/:name" a line.
func benchGitHubRoutes(tb testing.TB) []benchRoute {
	tb.Helper()
	f, err := os.Open("testdata/github-api-routes.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []benchRoute
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		method, path, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok {
			continue
		}
		segs := strings.Split(path, "/")
		pat := make([]string, len(segs))
		for i, seg := range segs {
			pat[i] = seg
			if name, ok := strings.CutPrefix(seg, ":"); ok {
				pat[i], segs[i] = "{"+name+"}", "v-"+name
			}
		}
		out = append(out, benchRoute{method, strings.Join(pat, "/"), strings.Join(segs, "/")})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
