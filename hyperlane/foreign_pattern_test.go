package hyperlane

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

// Patterns in another router's syntax used to register a literal route
// that 404s on every request; they panic at registration, showing the
// form to write. The message is asserted whole.
func TestForeignPatternSyntaxPanicsShowingTheForm(t *testing.T) {
	tests := []struct {
		name, pattern, want string
	}{
		{"gin colon parameter", "/users/:id",
			`hyperlane: route GET "/users/:id": segment ":id" is another router's parameter syntax: write "{id}"`},
		{"gin colon parameter in the middle", "/users/:id/posts",
			`hyperlane: route GET "/users/:id/posts": segment ":id" is another router's parameter syntax: write "{id}"`},
		{"gin catch-all", "/static/*filepath",
			`hyperlane: route GET "/static/*filepath": segment "*filepath" is another router's parameter syntax: write "{filepath:.*}" (or "*") as the last segment`},
		{"Flask angle parameter", "/users/<id>",
			`hyperlane: route GET "/users/<id>": segment "<id>" is another router's parameter syntax: write "{id}"`},
		{"Flask typed angle parameter", "/users/<int:id>",
			`hyperlane: route GET "/users/<int:id>": segment "<int:id>" is another router's parameter syntax: write "{id}"`},
		{"Flask path converter", "/files/<path:p>",
			`hyperlane: route GET "/files/<path:p>": segment "<path:p>" is another router's parameter syntax: write "{p:.*}" as the last segment`},
		{"a lone colon segment", "/a/:",
			`hyperlane: route GET "/a/:": segment ":" begins with ":", which is not a parameter here: a parameter is written {name}, {name:regex} or {name:.*}`},
		{"ServeMux wildcard", "/files/{path...}",
			`hyperlane: route GET "/files/{path...}": invalid parameter name "path...": net/http ServeMux syntax; write {path:.*} as the last segment`},
		{"ServeMux end anchor", "/posts/{$}",
			`hyperlane: route GET "/posts/{$}": invalid parameter name "$": {$} is net/http ServeMux syntax; a pattern here already matches the exact path`},
		{"ASP.NET catch-all", "/files/{*path}",
			`hyperlane: route GET "/files/{*path}": invalid parameter name "*path": write {path:.*} as the last segment`},
		{"optional parameter", "/users/{id?}",
			`hyperlane: route GET "/users/{id?}": invalid parameter name "id?": parameters are not optional; register the pattern with and without the segment`},
		{"type constraint int", "/users/{id:int}",
			`hyperlane: route GET "/users/{id:int}": {id:int} is a type constraint from another router, but after ':' comes a regular expression (this one would only match the text "int"): write {id:[0-9]+}`},
		{"type constraint uuid", "/users/{id:uuid}",
			`hyperlane: route GET "/users/{id:uuid}": {id:uuid} is a type constraint from another router, but after ':' comes a regular expression (this one would only match the text "uuid"): write {id}`},
		{"unbalanced opening brace", "/users/{id",
			`hyperlane: route GET "/users/{id": missing '}' for parameter at offset 7: a parameter is written {name}`},
		{"unbalanced closing brace", "/users/id}",
			`hyperlane: route GET "/users/id}": unbalanced '}' at offset 9: a parameter is written {name}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if msg := registrationPanic(func() { New().Get(tc.pattern, nop) }); msg != tc.want {
				t.Fatalf("Get(%q) panicked with\n%s\nwant\n%s", tc.pattern, msg, tc.want)
			}
		})
	}
}

// Every way of registering a route goes through the same check.
func TestForeignPatternSyntaxPanicsOnEveryRegistrationPath(t *testing.T) {
	ws := func(*Context, *Conn) error { return nil }
	tests := []struct {
		name     string
		register func(s *Server)
		want     string
	}{
		{"Route", func(s *Server) { s.Route([]string{"POST"}, "/u/:id", nop) },
			`hyperlane: route POST "/u/:id": segment ":id" is another router's parameter syntax: write "{id}"`},
		{"Any", func(s *Server) { s.Any("/u/:id", nop) },
			`hyperlane: route GET "/u/:id": segment ":id" is another router's parameter syntax: write "{id}"`},
		{"Group prefix, before any route", func(s *Server) { s.Group("/t/:tenant", func(*Group) {}) },
			`hyperlane: group prefix "/t/:tenant": segment ":tenant" is another router's parameter syntax: write "{tenant}"`},
		{"route in a group", func(s *Server) { s.Group("/api", func(g *Group) { g.Delete("/u/<id>", nop) }) },
			`hyperlane: route DELETE "/api/u/<id>": segment "<id>" is another router's parameter syntax: write "{id}"`},
		{"Mount", func(s *Server) { s.Mount("/t/:tenant", http.NotFoundHandler()) },
			`hyperlane: mount prefix "/t/:tenant": segment ":tenant" is another router's parameter syntax: write "{tenant}"`},
		{"StaticFS", func(s *Server) { s.StaticFS("/assets/:v", fstest.MapFS{}) },
			`hyperlane: route GET "/assets/:v/{path:.*}": segment ":v" is another router's parameter syntax: write "{v}"`},
		{"WebSocket", func(s *Server) { s.WebSocket("/ws/:room", ws) },
			`hyperlane: route GET "/ws/:room": segment ":room" is another router's parameter syntax: write "{room}"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if msg := registrationPanic(func() { tc.register(New()) }); msg != tc.want {
				t.Fatalf("panicked with\n%s\nwant\n%s", msg, tc.want)
			}
		})
	}
}

// A colon inside a segment is literal: Google-style custom methods such
// as /v1/items:batchGet keep working, over a real socket, beside a
// parameter route whose value may hold a colon.
func TestColonInsideASegmentIsLiteral(t *testing.T) {
	s := New()
	s.Post("/v1/items:batchGet", func(c *Context) error { return c.Text(200, "batch") })
	s.Post("/v1/items/{id}", func(c *Context) error { return c.Text(200, "item "+c.Param("id")) })
	srv := httptest.NewServer(s)
	defer srv.Close()
	for path, want := range map[string]string{
		"/v1/items:batchGet": "batch",
		"/v1/items/a:b":      "item a:b",
	} {
		resp, err := http.Post(srv.URL+path, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != want {
			t.Fatalf("POST %s: %d %q, want 200 %q", path, resp.StatusCode, body, want)
		}
	}
}
