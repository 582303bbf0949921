package micro

import (
	"bufio"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var routerName = flag.String("router", "chi", "peer to benchmark: chi, servemux, gin, echo or httprouter")

// apiRoute is one GitHub API route in both syntaxes, with a request path.
type apiRoute struct {
	method  string
	pattern string // {name} syntax: chi, ServeMux
	colon   string // :name syntax: gin, echo, httprouter
	path    string // concrete path, "v-name" for each parameter
	params  []string
}

// githubRoutes reads the route list Hyperlane's own tests use.
func githubRoutes(tb testing.TB) []apiRoute {
	tb.Helper()
	f, err := os.Open("../../hyperlane/testdata/github-api-routes.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []apiRoute
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		method, path, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok {
			continue
		}
		rt := apiRoute{method: method, colon: path}
		segs := strings.Split(path, "/")
		pat := slices.Clone(segs)
		for i, seg := range segs {
			if name, ok := strings.CutPrefix(seg, ":"); ok {
				pat[i], segs[i] = "{"+name+"}", "v-"+name
				rt.params = append(rt.params, name)
			}
		}
		rt.pattern, rt.path = strings.Join(pat, "/"), strings.Join(segs, "/")
		out = append(out, rt)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestPeersResolveGitHubAPI proves every peer routes each of the 203
// GitHub API requests to its own handler with the right parameters, so
// the github benchmark compares routers doing the same work.
func TestPeersResolveGitHubAPI(t *testing.T) {
	routes := githubRoutes(t)
	if len(routes) != 203 {
		t.Fatalf("loaded %d routes, want 203", len(routes))
	}
	for name, p := range peers {
		t.Run(name, func(t *testing.T) {
			h := p.github(routes, true)
			for i, rt := range routes {
				want := itoa(i)
				for _, n := range rt.params {
					want += " " + n + "=v-" + n
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(rt.method, rt.path, nil))
				if w.Code != http.StatusOK || w.Body.String() != want {
					t.Errorf("%s %s = %d %q, want %q", rt.method, rt.path, w.Code, w.Body, want)
				}
			}
		})
	}
}

// TestPeersAnswerSimpleCases proves the simple cases answer what
// Hyperlane's answer.
func TestPeersAnswerSimpleCases(t *testing.T) {
	for name, p := range peers {
		h := p.simple()
		for _, tc := range []struct{ path, want string }{
			{"/hello", "hello"},
			{"/users/42", "42"},
			{"/json", `{"message":"Hello, World!"}`},
		} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != tc.want {
				t.Errorf("%s: GET %s = %d %q, want %q", name, tc.path, w.Code, w.Body, tc.want)
			}
		}
	}
}

// BenchmarkRouter runs the cases of hyperlane/bench_test.go on the peer
// named by -router.
func BenchmarkRouter(b *testing.B) {
	p, ok := peers[*routerName]
	if !ok {
		b.Fatalf("unknown -router %q", *routerName)
	}
	h := p.simple()
	for _, bc := range []struct{ name, path string }{
		{"static", "/hello"},
		{"param", "/users/42"},
		{"json", "/json"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			serveLoop(b, h, []*http.Request{httptest.NewRequest(http.MethodGet, bc.path, nil)})
		})
	}
	routes := githubRoutes(b)
	gh := p.github(routes, false)
	reqs := make([]*http.Request, len(routes))
	for i, rt := range routes {
		reqs[i] = httptest.NewRequest(rt.method, rt.path, nil)
	}
	b.Run("github", func(b *testing.B) { serveLoop(b, gh, reqs) })
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
