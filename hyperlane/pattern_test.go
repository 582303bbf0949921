package hyperlane

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestCompilePattern(t *testing.T) {
	tests := []struct {
		name, pattern string
		want          compiledPattern
	}{
		{"static path", "/a/b", compiledPattern{chi: "/a/b", shape: "/a/b", static: true}},
		{"root", "/", compiledPattern{chi: "/", shape: "/", static: true}},
		{"param", "/u/{id}", compiledPattern{chi: "/u/{id}", shape: "/u/{:}"}},
		{"regex anchored to the whole segment", "/u/{id:\\d+}", compiledPattern{chi: "/u/{id:^(?:\\d+)$}", shape: "/u/{:\\d+}"}},
		{"alternation grouped before anchoring", "/u/{x:a|b}", compiledPattern{chi: "/u/{x:^(?:a|b)$}", shape: "/u/{:a|b}"}},
		{"tail catch-all", "/f/{path:.*}", compiledPattern{chi: "/f/*", shape: "/f/*", tailName: "path"}},
		{"anchored tail catch-all", "/f/{path:^.*$}", compiledPattern{chi: "/f/*", shape: "/f/*", tailName: "path"}},
		{"chi star", "/f/*", compiledPattern{chi: "/f/*", shape: "/f/*", tailName: "*"}},
		{"param names erased from the shape", "/a/{x}/b/{y:[a-z]+}", compiledPattern{chi: "/a/{x}/b/{y:^(?:[a-z]+)$}", shape: "/a/{:}/b/{:[a-z]+}"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := compilePattern(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("compilePattern(%q) = %+v, want %+v", tc.pattern, got, tc.want)
			}
		})
	}
}

// registrationPanic registers a route and returns the panic message, or
// "" when it did not panic.
func registrationPanic(register func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	register()
	return ""
}

func nop(*Context) error { return nil }

func TestInvalidPatternPanicsNamingIt(t *testing.T) {
	tests := []struct{ name, pattern, reason string }{
		{"empty", "", "must begin with '/'"},
		{"no leading slash", "users", "must begin with '/'"},
		{"unclosed brace", "/users/{id", "missing '}'"},
		{"stray closing brace", "/users/id}", "unbalanced '}'"},
		{"empty parameter name", "/users/{}", "invalid parameter name"},
		{"regex without a name", "/users/{:\\d+}", "invalid parameter name"},
		{"bad parameter name", "/users/{user.id}", "invalid parameter name"},
		{"duplicate parameter name", "/a/{id}/b/{id}", "duplicate parameter"},
		{"parameter inside a segment", "/users/x{id}", "whole path segment"},
		{"parameter followed by text", "/users/{id}.json", "whole path segment"},
		{"catch-all not last", "/files/{path:.*}/raw", "catch-all {path} must be the last segment"},
		{"star not last", "/files/*/raw", "'*' must be the whole last segment"},
		{"star inside a segment", "/files/a*", "'*' must be the whole last segment"},
		{"invalid regex", "/users/{id:[0-9}", "invalid regular expression"},
		{"invalid regex syntax", "/users/{id:(a}", "invalid regular expression"},
		{"empty regex", "/users/{id:}", "empty regular expression"},
		{"regex with a slash", "/users/{id:a/b}", "cannot contain '/'"},
		{"empty segment", "/a//b", "empty path segment"},
		{"space", "/a b", "space character"},
		{"query in pattern", "/a?b=1", "no query or fragment"},
		{"fragment in pattern", "/a#top", "no query or fragment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := registrationPanic(func() { New().Get(tc.pattern, nop) })
			if msg == "" {
				t.Fatalf("Get(%q) did not panic", tc.pattern)
			}
			if !strings.Contains(msg, fmt.Sprintf("%q", tc.pattern)) || !strings.Contains(msg, tc.reason) {
				t.Fatalf("panic %q does not name pattern %q and %q", msg, tc.pattern, tc.reason)
			}
		})
	}
}

func TestInvalidRouteRegistrationPanics(t *testing.T) {
	tests := []struct {
		name     string
		register func(s *Server)
		want     []string // substrings of the panic
	}{
		{"unsupported method", func(s *Server) { s.Route([]string{"BREW"}, "/pot", nop) }, []string{`"/pot"`, "BREW", "unsupported method"}},
		{"nil handler", func(s *Server) { s.Get("/x", nil) }, []string{`"/x"`, "nil handler"}},
		{"group prefix without slash", func(s *Server) { s.Group("api", func(*Group) {}) }, []string{`"api"`}},
		{"group prefix ending in slash", func(s *Server) { s.Group("/api/", func(*Group) {}) }, []string{`"/api/"`}},
		{"bad pattern inside a group names the full pattern", func(s *Server) {
			s.Group("/api", func(g *Group) { g.Get("/{id", nop) })
		}, []string{`"/api/{id"`}},
		{"mount prefix without slash", func(s *Server) { s.Mount("m", http.NotFoundHandler()) }, []string{`"m"`, "must begin with '/'"}},
		{"mount with a nil handler", func(s *Server) { s.Mount("/m/", nil) }, []string{`"/m/"`, "nil handler"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := registrationPanic(func() { tc.register(New()) })
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Fatalf("panic %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestDuplicateRoutePanics(t *testing.T) {
	tests := []struct {
		name        string
		first, then func(s *Server)
		dup         string // the earlier pattern named in the panic; "" when allowed
	}{
		{"same method and pattern",
			func(s *Server) { s.Get("/users/{id}", nop) },
			func(s *Server) { s.Get("/users/{id}", nop) }, "/users/{id}"},
		{"same shape with other parameter names",
			func(s *Server) { s.Get("/users/{id}", nop) },
			func(s *Server) { s.Get("/users/{uid}", nop) }, "/users/{id}"},
		{"same regex with other parameter names",
			func(s *Server) { s.Get("/n/{a:\\d+}", nop) },
			func(s *Server) { s.Get("/n/{b:\\d+}", nop) }, "/n/{a:\\d+}"},
		{"tail catch-all and chi star are the same route",
			func(s *Server) { s.Get("/f/{path:.*}", nop) },
			func(s *Server) { s.Get("/f/*", nop) }, "/f/{path:.*}"},
		{"Any then Get",
			func(s *Server) { s.Any("/x", nop) },
			func(s *Server) { s.Get("/x", nop) }, "/x"},
		{"static route twice through a group",
			func(s *Server) { s.Get("/api/x", nop) },
			func(s *Server) { s.Group("/api", func(g *Group) { g.Get("/x", nop) }) }, "/api/x"},
		{"same pattern, other method is allowed",
			func(s *Server) { s.Get("/users/{id}", nop) },
			func(s *Server) { s.Put("/users/{uid}", nop) }, ""},
		{"param and regex param are different routes",
			func(s *Server) { s.Get("/n/{id}", nop) },
			func(s *Server) { s.Get("/n/{id:\\d+}", nop) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New()
			tc.first(s)
			msg := registrationPanic(func() { tc.then(s) })
			if tc.dup == "" {
				if msg != "" {
					t.Fatalf("unexpected panic %q", msg)
				}
				return
			}
			if !strings.Contains(msg, "duplicate of "+fmt.Sprintf("%q", tc.dup)) {
				t.Fatalf("panic %q does not name the earlier %q", msg, tc.dup)
			}
		})
	}
}

func TestStaticRoutesLiveInTheMap(t *testing.T) {
	s := New()
	s.Get("/users/me", nop)
	s.Post("/users/me", nop)
	s.Get("/users/{id}", nop)
	s.Get("/files/{p:.*}", nop)
	sr := s.router.static.paths["/users/me"]
	if sr == nil || sr[idxGet] == nil || sr[methodIndex("POST")] == nil {
		t.Fatal("static route /users/me is not in the static map for GET and POST")
	}
	if len(s.router.static.paths) != 1 {
		t.Fatalf("static map holds %d paths, want only /users/me", len(s.router.static.paths))
	}
	c := testContext(nil)
	if r := s.router.find(c, idxGet, "/users/me"); r != sr[idxGet] {
		t.Fatal("find did not return the static route")
	}
}

func TestParsePattern(t *testing.T) {
	tests := []struct {
		name, pattern string
		params        []string
		tail          string
		openAPI       string // "": not describable
	}{
		{"static path has no parameters", "/a/b", nil, "", "/a/b"},
		{"root", "/", nil, "", "/"},
		{"trailing slash kept", "/a/", nil, "", "/a/"},
		{"plain parameter", "/u/{id}", []string{"id"}, "", "/u/{id}"},
		{"regex dropped from the OpenAPI path", "/u/{id:\\d{3}}/p/{x:a|b}", []string{"id", "x"}, "", "/u/{id}/p/{x}"},
		{"colon inside a static segment is literal", "/v1/items:batchGet", nil, "", "/v1/items:batchGet"},
		{"named tail cannot be described", "/f/{path:.*}", []string{"path"}, "path", ""},
		{"anchored tail", "/f/{path:^.*$}", []string{"path"}, "path", ""},
		{"bare star is a tail named *", "/f/*", []string{"*"}, "*", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePattern(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if p.String() != tc.pattern {
				t.Errorf("String() = %q, want %q", p.String(), tc.pattern)
			}
			if got := p.Params(); !slices.Equal(got, tc.params) {
				t.Errorf("Params() = %q, want %q", got, tc.params)
			}
			if got := p.Tail(); got != tc.tail {
				t.Errorf("Tail() = %q, want %q", got, tc.tail)
			}
			path, ok := p.OpenAPIPath()
			if ok != (tc.openAPI != "") || path != tc.openAPI {
				t.Errorf("OpenAPIPath() = %q, %v, want %q", path, ok, tc.openAPI)
			}
			var text []string
			for _, s := range p.Segments() {
				text = append(text, s.Text)
			}
			if got := "/" + strings.Join(text, "/"); got != tc.pattern {
				t.Errorf("segments rejoin to %q, want %q", got, tc.pattern)
			}
		})
	}
}

func TestParsePatternErrorIsCheckPatterns(t *testing.T) {
	for _, pattern := range []string{"", "a", "/:id", "/a/{id", "/{x:.*}/b", "/a//b", "/{id:int}"} {
		_, err := ParsePattern(pattern)
		want := CheckPattern(pattern)
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("ParsePattern(%q) error %v, CheckPattern says %v; want the same non-nil error", pattern, err, want)
		}
	}
}

func TestZeroPatternDoesNotPanic(t *testing.T) {
	var p Pattern
	if p.Tail() != "" || p.Params() != nil || len(p.Segments()) != 0 {
		t.Fatalf("zero Pattern: tail %q, params %q, segments %v; want none", p.Tail(), p.Params(), p.Segments())
	}
	if _, _, _, ok := p.finalParam(); ok {
		t.Fatal("zero Pattern has an indexed final parameter")
	}
}
