package openapi_test

import (
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

type (
	unexportedPath struct {
		id int64 `path:"id"`
	}
	unexportedQuery struct {
		Name  string `query:"name"`
		limit int    `query:"limit"`
	}
	unexportedHeaderOut struct {
		Name string `json:"name"`
		rate int    `header:"X-Rate" json:"-"`
	}
)

// Registration mistakes panic naming the mistake; the messages are
// asserted whole.
func TestRegistrationMistakesSayWhatIsWrong(t *testing.T) {
	_ = unexportedPath{}.id
	_ = unexportedQuery{}.limit
	_ = unexportedHeaderOut{}.rate
	tests := []struct {
		name     string
		register func(api *openapi.API)
		want     string
	}{
		{"a gin-style parameter in a typed operation",
			func(api *openapi.API) { openapi.Get(api, "/pets/:id", handler[pathID, named]) },
			`openapi: GET /pets/:id: segment ":id" is another router's parameter syntax: write "{id}"`},
		{"an echo-style parameter in Document",
			func(api *openapi.API) { openapi.Document(api, "GET", "/ws/<room>") },
			`openapi: Document GET /ws/<room>: segment "<room>" is another router's parameter syntax: write "{room}"`},
		{"the same typed operation twice",
			func(api *openapi.API) {
				openapi.Get(api, "/pets/{id}", handler[pathID, named])
				openapi.Get(api, "/pets/{id}", handler[pathID, named])
			},
			`openapi: GET /pets/{id}: duplicate route GET /pets/{id}: it is already registered, as operation "getPet"`},
		{"the same route twice with other operation ids",
			func(api *openapi.API) {
				openapi.Get(api, "/pets/{id}", handler[pathID, named], openapi.OperationID("a"))
				openapi.Get(api, "/pets/{id}", handler[pathID, named], openapi.OperationID("b"))
			},
			`openapi: GET /pets/{id}: duplicate route GET /pets/{id}: it is already registered, as operation "a"`},
		{"an unexported path field",
			func(api *openapi.API) { openapi.Get(api, "/pets/{id}", handler[unexportedPath, named]) },
			`openapi: GET /pets/{id}: field openapi_test.unexportedPath.id is tagged path:"id" but is unexported, so it can never be set; export it (Id)`},
		{"an unexported query field",
			func(api *openapi.API) { openapi.Get(api, "/pets", handler[unexportedQuery, named]) },
			`openapi: GET /pets: field openapi_test.unexportedQuery.limit is tagged query:"limit" but is unexported, so it can never be set; export it (Limit)`},
		{"an unexported output header field",
			func(api *openapi.API) { openapi.Get(api, "/pets", handler[none, unexportedHeaderOut]) },
			`openapi: GET /pets: field openapi_test.unexportedHeaderOut.rate is tagged header:"X-Rate" but is unexported, so it can never be set; export it (Rate)`},
		{"a body documented on a 204, which HTTP sends without one",
			func(api *openapi.API) {
				openapi.Delete(api, "/pets/{id}", handler[pathID, none], openapi.Response(204, named{}, "deleted"))
			},
			`openapi: DELETE /pets/{id}: Response(204, openapi_test.named, ...): a 204 has no body in HTTP; pass nil as the body`},
		{"a group documenting a body on a 304",
			func(api *openapi.API) { openapi.NewGroup(api, "/pets", openapi.Response(304, named{}, "unchanged")) },
			`openapi.NewGroup "/pets": Response(304, openapi_test.named, ...): a 304 has no body in HTTP; pass nil as the body`},
		{"Status(204) on an output with a body, which would never be sent",
			func(api *openapi.API) { openapi.Get(api, "/pets/{id}", handler[pathID, named], openapi.Status(204)) },
			`openapi: GET /pets/{id}: Status(204) with the output openapi_test.named, which has a body: a 204 has none in HTTP, so the body would never reach the client; use a status that has a body or an output without one`},
		{"a typed operation on the document's path",
			func(api *openapi.API) { openapi.Get(api, "/openapi.json", handler[none, named]) },
			`hyperlane: route GET "/openapi.json": duplicate of "/openapi.json", registered by openapi.New; move it with openapi.Config.JSONPath, or turn it off with openapi.Disabled`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, api := newAPI(t, openapi.Config{})
			if msg := panics(t, func() { tt.register(api) }); msg != tt.want {
				t.Errorf("panic\n%s\nwant\n%s", msg, tt.want)
			}
		})
	}
}

// A user route on a path openapi.New serves panics naming openapi.New
// and the Config field that moves the path, in either order.
func TestUserRouteOnADocumentPathNamesTheConfigField(t *testing.T) {
	nop := func(*hyperlane.Context) error { return nil }
	paths := []struct{ path, field string }{
		{"/openapi.json", "JSONPath"},
		{"/openapi.yaml", "YAMLPath"},
		{"/openapi-3.0.json", "JSON30Path"},
		{"/openapi-3.0.yaml", "YAML30Path"},
		{"/swagger", "SwaggerPath"},
		{"/rapidoc", "RapiDocPath"},
	}
	for _, p := range paths {
		t.Run("route after openapi.New on "+p.path, func(t *testing.T) {
			s, _ := newAPI(t, openapi.Config{})
			msg := panics(t, func() { s.Get(p.path, nop) })
			want := `hyperlane: route GET "` + p.path + `": duplicate of "` + p.path +
				`", registered by openapi.New; move it with openapi.Config.` + p.field + `, or turn it off with openapi.Disabled`
			if msg != want {
				t.Errorf("panic\n%s\nwant\n%s", msg, want)
			}
		})
		t.Run("route before openapi.New on "+p.path, func(t *testing.T) {
			s := hyperlane.New()
			s.Get(p.path, nop)
			msg := panics(t, func() { openapi.New(s, openapi.Config{}) })
			want := `openapi.New: Config.` + p.field + ` "` + p.path + `": hyperlane: route GET "` + p.path +
				`": duplicate of "` + p.path + `" (move it with openapi.Config.` + p.field + `, or turn it off with openapi.Disabled)`
			if msg != want {
				t.Errorf("panic\n%s\nwant\n%s", msg, want)
			}
		})
	}
	t.Run("a catch-all under the Swagger UI path", func(t *testing.T) {
		s := hyperlane.New()
		s.Get("/swagger/*", nop)
		msg := panics(t, func() { openapi.New(s, openapi.Config{}) })
		want := `openapi.New: Config.SwaggerPath "/swagger/{file:.*}": hyperlane: route GET "/swagger/{file:.*}": duplicate of "/swagger/*" (move it with openapi.Config.SwaggerPath, or turn it off with openapi.Disabled)`
		if msg != want {
			t.Errorf("panic\n%s\nwant\n%s", msg, want)
		}
	})
	t.Run("a moved path frees the default one", func(t *testing.T) {
		s := hyperlane.New()
		s.Get("/openapi.json", nop)
		openapi.New(s, openapi.Config{JSONPath: "/api/openapi.json"})
	})
}
