package hyperlane_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// apiRoute is one route of the GitHub API set with a request for it.
type apiRoute struct {
	method  string
	pattern string   // Hyperlane syntax
	path    string   // a concrete request path
	params  []string // parameter names in order
}

// loadGitHubRoutes reads testdata/github-api-routes.txt ("METHOD
// /path/:name" per line), converts ":name" to "{name}" and builds a
// request path with the value "v-name" for each parameter.
func loadGitHubRoutes(tb testing.TB) []apiRoute {
	tb.Helper()
	f, err := os.Open("testdata/github-api-routes.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var routes []apiRoute
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		method, path, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok {
			continue
		}
		r := apiRoute{method: method}
		var pat, concrete []string
		for _, seg := range strings.Split(path, "/") {
			if name, isParam := strings.CutPrefix(seg, ":"); isParam {
				pat, concrete = append(pat, "{"+name+"}"), append(concrete, "v-"+name)
				r.params = append(r.params, name)
				continue
			}
			pat, concrete = append(pat, seg), append(concrete, seg)
		}
		r.pattern, r.path = strings.Join(pat, "/"), strings.Join(concrete, "/")
		routes = append(routes, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return routes
}

func TestGitHubAPIRoutes(t *testing.T) {
	routes := loadGitHubRoutes(t)
	if len(routes) != 203 {
		t.Fatalf("loaded %d routes, want 203", len(routes))
	}
	s := quiet()
	for i, r := range routes {
		s.Route([]string{r.method}, r.pattern, func(c *hyperlane.Context) error {
			out := strconv.Itoa(i)
			for _, p := range c.Params() {
				out += " " + p.Key + "=" + p.Value
			}
			return c.Text(200, out)
		})
	}
	for i, r := range routes {
		want := strconv.Itoa(i)
		for _, p := range r.params {
			want += " " + p + "=v-" + p
		}
		w := do(s, r.method, r.path, "")
		if w.Code != 200 || w.Body.String() != want {
			t.Errorf("%s %s (route %d, %s) = %d %q, want %q", r.method, r.path, i, r.pattern, w.Code, w.Body, want)
		}
	}
}

// BenchmarkGitHubAPI requests all 203 routes of the GitHub API per
// operation, on Hyperlane and on bare chi.
func BenchmarkGitHubAPI(b *testing.B) {
	routes := loadGitHubRoutes(b)
	s := quiet()
	m := chi.NewMux()
	reqs := make([]*http.Request, len(routes))
	for i, r := range routes {
		s.Route([]string{r.method}, r.pattern, func(c *hyperlane.Context) error { return nil })
		m.MethodFunc(r.method, r.pattern, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
		reqs[i] = httptest.NewRequest(r.method, r.path, nil)
	}
	for _, impl := range []struct {
		name string
		h    http.Handler
	}{{"hyperlane", s}, {"chi", m}} {
		b.Run(impl.name, func(b *testing.B) {
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range reqs {
					impl.h.ServeHTTP(w, r)
				}
			}
		})
	}
}
