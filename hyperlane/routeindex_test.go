package hyperlane

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestParamIndexHoldsOnlyFinalPlainParameters(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		prefix  string // "": not indexed
	}{
		{"a final parameter after a static prefix", "/users/{id}", "/users/"},
		{"a deeper static prefix", "/orgs/acme/repos/{repo}", "/orgs/acme/repos/"},
		{"a parameter under the root", "/{slug}", "/"},
		{"a regex final segment", "/users/{id:[0-9]+}", ""},
		{"a parameter before the last segment", "/users/{id}/posts", ""},
		{"two parameters", "/repos/{owner}/{repo}", ""},
		{"a catch-all", "/files/*", ""},
		{"a named catch-all", "/files/{rest:.*}", ""},
		{"a static path", "/users/me", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New()
			s.Get(tc.pattern, nop)
			var got []string
			for prefix := range s.router.params.routes[idxGet] {
				got = append(got, prefix)
			}
			var want []string
			if tc.prefix != "" {
				want = append(want, tc.prefix)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("indexed prefixes %q, want %q", got, want)
			}
		})
	}
}

func TestParamIndexLeavesRegexPrefixesToTheTree(t *testing.T) {
	for _, tc := range []struct {
		name     string
		patterns []string
	}{
		{"regex registered first", []string{"/users/{id:[0-9]+}", "/users/{name}"}},
		{"regex registered after", []string{"/users/{name}", "/users/{id:[0-9]+}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New()
			for _, p := range tc.patterns {
				s.Get(p, nop)
			}
			s.Delete("/users/{name}", nop) // another method: withdrawn too
			for mi := range numMethods {
				if len(s.router.params.routes[mi]) != 0 {
					t.Fatalf("%s: /users/ is indexed beside a regex route", methods[mi])
				}
			}
			c := testContext(newTestRequest("/users/42"))
			if r := s.router.find(c, idxGet, "/users/42"); r == nil || r.info.Pattern != "/users/{id:[0-9]+}" {
				t.Fatalf("GET /users/42 found %v, want the regex route", r)
			}
		})
	}
}

// indexTestPatterns have every shape that competes with an indexed
// /prefix/{name} route in chi's ranking.
var indexTestPatterns = []string{
	"/users/{id}", "/users/me", "/users/me/settings", "/users/{id}/posts",
	"/users/{id}/posts/{post}", "/{section}/42", "/{section}/{item}",
	"/files/*", "/files/{name}", "/files/docs/{rest:.*}", "/v1/{rest:.*}",
	"/v1/users/{id}", "/tags/{tag:[a-z]+}", "/tags/{name}", "/a/b/c/{d}",
	"/a/{b}/c/{d}", "/{slug}", "/", "/users/4/x", "/users/42x/y",
}

// TestIndexesAnswerAsTheTree resolves many paths through the router and
// through chi's tree alone, for each method: the same route and
// parameters every time.
func TestIndexesAnswerAsTheTree(t *testing.T) {
	s := New()
	for i, p := range indexTestPatterns {
		s.Get(p, nop)
		if i%3 == 0 {
			s.Post(p, nop)
		}
		if i%4 == 0 {
			s.Head(p, nop)
		}
	}
	paths := []string{"/", "//", "/users/", "/users/42", "/users/me", "/users/me/", "/users/4",
		"/users/42x", "/users/42/posts", "/users/42/posts/7", "/x/42", "/x/43", "/files/",
		"/files/a", "/files/a/b", "/files/docs/x", "/v1/", "/v1/users/1", "/v1/users/",
		"/tags/abc", "/tags/ABC", "/tags/", "/a/b/c/d", "/a/x/c/d", "/a/b/c/", "/slug",
		"/users/%2F", "/users/a%20b", "/users//", "/users/42/"}
	rng := rand.New(rand.NewPCG(1, 2))
	segs := []string{"users", "me", "42", "x", "files", "docs", "v1", "tags", "abc", "a", "b", "c", "", "%2F"}
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			b.WriteString("/" + segs[rng.IntN(len(segs))])
		}
		paths = append(paths, b.String())
	}
	for _, path := range paths {
		for _, m := range []string{"GET", "HEAD", "POST", "PUT"} {
			compareWithTree(t, s, m, path)
		}
	}
}

// FuzzIndexesAnswerAsTheTree is TestIndexesAnswerAsTheTree on arbitrary
// paths.
func FuzzIndexesAnswerAsTheTree(f *testing.F) {
	for _, seed := range []string{"/users/42", "/users/me", "/tags/abc", "/x/42", "/files/a", "/v1/users/%2F"} {
		f.Add("GET", seed)
	}
	s := New()
	for _, p := range indexTestPatterns {
		s.Get(p, nop)
		s.Post(p, nop)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		if !strings.HasPrefix(path, "/") || methodIndex(method) < 0 {
			return
		}
		compareWithTree(t, s, method, path)
	})
}

// compareWithTree fails when the router's answer for method and path,
// route and parameters, differs from treeFind's.
func compareWithTree(t *testing.T, s *Server, method, path string) {
	t.Helper()
	mi := methodIndex(method)
	req := newTestRequest("/")
	req.URL.RawPath = path // routing path and escaping as sent

	got := testContext(req)
	gotRoute := s.router.find(got, mi, path)

	want := testContext(req)
	wantRoute := treeFind(s, want, mi, path)
	if gotRoute != wantRoute {
		t.Fatalf("%s %q: router found %s, tree %s", method, path, routeName(gotRoute), routeName(wantRoute))
	}
	if !slices.Equal(got.params, want.params) {
		t.Fatalf("%s %q: router params %v, tree %v", method, path, got.params, want.params)
	}
}

// treeFind is the router without the parameter index: static paths from
// their map (a static GET route answers HEAD before any HEAD route with
// parameters, as in ServeMux), everything else from chi's tree.
func treeFind(s *Server, c *Context, mi int, path string) *route {
	if sr := s.router.static.find(path); sr != nil {
		if sr[mi] != nil {
			return sr[mi]
		}
		if mi == idxHead && sr[idxGet] != nil {
			return sr[idxGet]
		}
	}
	r := s.router.lookup(&c.rctx, mi, path)
	if r == nil && mi == idxHead {
		r = s.router.lookup(&c.rctx, idxGet, path)
	}
	if r != nil {
		c.setParams(c.rctx.URLParams.Keys, c.rctx.URLParams.Values, r.tailName)
	}
	return r
}

func routeName(r *route) string {
	if r == nil {
		return "nothing"
	}
	return r.info.Method + " " + r.info.Pattern
}

func newTestRequest(path string) *http.Request {
	return httptest.NewRequest(http.MethodGet, path, nil)
}

// testContext is a live Context around r, outside any server, for tests
// that drive the router directly.
func testContext(r *http.Request) *Context {
	c := &Context{contextState: &contextState{r: r}}
	c.owner.Store(c)
	return c
}
