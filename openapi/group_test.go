package openapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

type gPet struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type gPetID struct {
	ID int64 `path:"id" minimum:"1"`
}

type gNewPet struct {
	Name string `json:"name" minLength:"2"`
}

type gOrgPet struct {
	Org string `path:"org" minLength:"2"`
	ID  int64  `path:"id" minimum:"1"`
}

func getGPet(_ *hyperlane.Context, in *gPetID) (*gPet, error) {
	return &gPet{ID: in.ID, Name: "Rex"}, nil
}

func createGPet(_ *hyperlane.Context, in *gNewPet) (*gPet, error) {
	return &gPet{ID: 1, Name: in.Name}, nil
}

func getOrgPet(_ *hyperlane.Context, in *gOrgPet) (*gPet, error) {
	return &gPet{ID: in.ID, Name: in.Org}, nil
}

func noContent(*hyperlane.Context, *struct{}) (*struct{}, error) { return nil, nil }

// groupedAPI is the API of the group tests: a key scheme enforced by its
// Check, a bearer scheme, and groups that set and override defaults.
func groupedAPI(t testing.TB) (*hyperlane.Server, *openapi.API) {
	key := openapi.APIKey("key", "header", "X-Key", "")
	key.Check = func(c *hyperlane.Context) error {
		if c.Header("X-Key") != "k" {
			return hyperlane.Errorf(http.StatusUnauthorized, "wrong key")
		}
		return nil
	}
	bearer := openapi.Bearer("bearer", "JWT", "")
	bearer.Check = func(c *hyperlane.Context) error {
		if c.Header("Authorization") != "Bearer t" {
			return hyperlane.Errorf(http.StatusUnauthorized, "wrong token")
		}
		return nil
	}
	s, api := newAPI(t, openapi.Config{Title: "Groups", SecuritySchemes: []openapi.SecurityScheme{key, bearer}})
	openapi.Get(api, "/health", noContent)

	pets := openapi.NewGroup(api, "/pets", openapi.Tags("pets"), openapi.Security("key"), openapi.OperationIDPrefix("store"))
	openapi.Get(pets, "/{id}", getGPet)
	openapi.Post(pets, "", createGPet, openapi.Tags("write"), openapi.Security("bearer", "pets:write"))
	openapi.Get(pets, "/{id}/public", getGPet, openapi.NoSecurity(), openapi.OperationID("publicPet"))

	admin := openapi.NewGroup(pets, "/admin", openapi.Tags("admin", "pets"), openapi.OperationIDPrefix("admin"), openapi.Errors(http.StatusForbidden))
	openapi.Delete(admin, "/{id}", noContentID, openapi.OperationID("purge"))

	open := openapi.NewGroup(pets, "/open", openapi.NoSecurity(), openapi.Deprecated())
	openapi.Get(open, "/{id}", getGPet, openapi.OperationID("openPet"))
	openapi.Get(open, "/{id}/locked", getGPet, openapi.OperationID("lockedPet"), openapi.Security("bearer"))

	orgs := openapi.NewGroup(api, "/orgs/{org}", openapi.Tags("orgs"))
	openapi.Get(openapi.NewGroup(orgs, "/pets"), "/{id}", getOrgPet)

	pets.Hyperlane().Get("/{id}/feed", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "feed") })
	openapi.Document(pets, "GET", "/{id}/feed", openapi.Request(gPetID{}), openapi.OperationID("feed"))
	return s, api
}

func noContentID(*hyperlane.Context, *gPetID) (*struct{}, error) { return nil, nil }

// TestGroupDocument checks what groups put in both documents: paths
// under the (nested) prefixes, tags, security and operation ids.
func TestGroupDocument(t *testing.T) {
	_, api := groupedAPI(t)
	key := []any{map[string]any{"key": []any{}}}
	bearer := func(scopes ...any) []any { return []any{map[string]any{"bearer": append([]any{}, scopes...)}} }
	tests := []struct {
		name             string
		method, path, id string
		tags             []any
		security         []any // nil: no security
		deprecated       bool
	}{
		{"an operation on the API root has no group defaults", "get", "/health", "listHealth", nil, nil, false},
		{"a group operation takes the prefix, tags, security and id prefix", "get", "/pets/{id}", "storeGetPet", []any{"pets"}, key, false},
		{"pattern \"\" is the prefix itself; own tags add, own Security replaces", "post", "/pets", "storeCreatePet", []any{"pets", "write"}, bearer("pets:write"), false},
		{"NoSecurity removes the group's security; an explicit id is prefixed", "get", "/pets/{id}/public", "storePublicPet", []any{"pets"}, nil, false},
		{"a nested group joins prefixes, tags (once each), id prefixes; inherits security", "delete", "/pets/admin/{id}", "storeAdminPurge", []any{"pets", "admin"}, key, false},
		{"a nested group's NoSecurity removes the parent's; its Deprecated marks its operations", "get", "/pets/open/{id}", "storeOpenPet", []any{"pets"}, nil, true},
		{"an operation's Security applies inside a NoSecurity group", "get", "/pets/open/{id}/locked", "storeLockedPet", []any{"pets"}, bearer(), true},
		{"a prefix with a parameter nests", "get", "/orgs/{org}/pets/{id}", "getOrgPet", []any{"orgs"}, nil, false},
		{"Document on a group takes its prefix and defaults", "get", "/pets/{id}/feed", "storeFeed", []any{"pets"}, key, false},
	}
	for _, version := range []string{"3.1", "3.0"} {
		doc := spec(t, api, version)
		var paths []string
		for p := range at(t, doc, "paths").(map[string]any) {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		want := []string{"/health", "/orgs/{org}/pets/{id}", "/pets", "/pets/admin/{id}", "/pets/open/{id}", "/pets/open/{id}/locked", "/pets/{id}", "/pets/{id}/feed", "/pets/{id}/public"}
		if !slices.Equal(paths, want) {
			t.Errorf("%s: paths %q, want %q", version, paths, want)
		}
		for _, tt := range tests {
			t.Run(version+"/"+tt.name, func(t *testing.T) {
				op := at(t, doc, "paths", tt.path, tt.method).(map[string]any)
				if op["operationId"] != tt.id {
					t.Errorf("operationId %v, want %s", op["operationId"], tt.id)
				}
				if got := jsonOf(op["tags"]); got != jsonOf(tt.tags) {
					t.Errorf("tags %s, want %s", got, jsonOf(tt.tags))
				}
				if got := jsonOf(op["security"]); got != jsonOf(tt.security) {
					t.Errorf("security %s, want %s", got, jsonOf(tt.security))
				}
				if deprecated, _ := op["deprecated"].(bool); deprecated != tt.deprecated {
					t.Errorf("deprecated %v, want %v", deprecated, tt.deprecated)
				}
				responses := at(t, op, "responses").(map[string]any)
				if _, has401 := responses["401"]; has401 != (tt.security != nil) {
					t.Errorf("401 documented: %v, secured: %v", has401, tt.security != nil)
				}
			})
		}
		if _, ok := at(t, doc, "paths", "/pets/admin/{id}", "delete", "responses").(map[string]any)["403"]; !ok {
			t.Errorf("%s: the admin group's Errors(403) is not documented on its operation", version)
		}
	}
}

// TestGroupServes calls the grouped operations over a real socket:
// routes under the prefixes bind and validate, and the group's security
// is enforced unless an operation or a nested group removes it.
func TestGroupServes(t *testing.T) {
	s, _ := groupedAPI(t)
	srv := httptest.NewServer(s)
	defer srv.Close()
	tests := []struct {
		name, method, target, body string
		header                     map[string]string
		status                     int
		contains                   string
	}{
		{"the group's security is enforced", "GET", "/pets/7", "", nil, 401, `"wrong key"`},
		{"with the key the group route binds its path", "GET", "/pets/7", "", map[string]string{"X-Key": "k"}, 200, `{"id":7,"name":"Rex"}`},
		{"validation runs under the prefix: 422 problem", "GET", "/pets/0", "", map[string]string{"X-Key": "k"}, 422, `"location":"path.id"`},
		{"an operation's own Security replaces the group's", "POST", "/pets", `{"name":"Tom"}`, map[string]string{"X-Key": "k"}, 401, `"wrong token"`},
		{"and passes with its own scheme", "POST", "/pets", `{"name":"Tom"}`, map[string]string{"Authorization": "Bearer t"}, 200, `"name":"Tom"`},
		{"a body is validated in a group", "POST", "/pets", `{"name":"T"}`, map[string]string{"Authorization": "Bearer t"}, 422, `"location":"body.name"`},
		{"NoSecurity serves without credentials", "GET", "/pets/3/public", "", nil, 200, `{"id":3,"name":"Rex"}`},
		{"a nested group inherits security", "DELETE", "/pets/admin/3", "", nil, 401, `"wrong key"`},
		{"a nested NoSecurity group serves without credentials", "GET", "/pets/open/3", "", nil, 200, `"id":3`},
		{"a nested prefix with a parameter binds it", "GET", "/orgs/acme/pets/5", "", nil, 200, `{"id":5,"name":"acme"}`},
		{"and validates it", "GET", "/orgs/a/pets/5", "", nil, 422, `"location":"path.org"`},
		{"a pattern outside every group is not served", "GET", "/7", "", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), tt.method, srv.URL+tt.target, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
				t.Fatalf("%s %s: %d %s, want %d containing %s", tt.method, tt.target, resp.StatusCode, body, tt.status, tt.contains)
			}
			if tt.status >= 400 && tt.status != 404 {
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type %q, want application/problem+json", ct)
				}
			}
		})
	}
}

// TestGroupMiddlewareOrder checks over a real socket that a typed
// group's middleware runs only for its routes, nested like an onion with
// the server's and the parent group's, and before the security check.
func TestGroupMiddlewareOrder(t *testing.T) {
	var mu sync.Mutex
	var trace []string
	mark := func(s string) hyperlane.Handler {
		return func(*hyperlane.Context) error {
			mu.Lock()
			trace = append(trace, s)
			mu.Unlock()
			return nil
		}
	}
	key := openapi.APIKey("key", "header", "X-Key", "")
	key.Check = func(c *hyperlane.Context) error {
		mark("check")(c)
		return nil
	}
	s, api := newAPI(t, openapi.Config{SecuritySchemes: []openapi.SecurityScheme{key}})
	s.RequestMiddleware(mark("server>"))
	s.ResponseMiddleware(mark("<server"))
	handler := func(c *hyperlane.Context, in *struct{}) (*struct{}, error) {
		mark("handler")(c)
		return nil, nil
	}
	outer := openapi.NewGroup(api, "/outer", openapi.Security("key"))
	inner := openapi.NewGroup(outer, "/inner")
	sibling := openapi.NewGroup(api, "/sibling")
	openapi.Get(api, "/root", handler)
	openapi.Get(outer, "/x", handler)
	openapi.Get(inner, "/x", handler)
	openapi.Get(sibling, "/x", handler)
	// Middleware added after the routes applies to them too.
	outer.RequestMiddleware(mark("outer>"))
	outer.ResponseMiddleware(mark("<outer"))
	inner.RequestMiddleware(mark("inner>"))
	inner.ResponseMiddleware(mark("<inner"))
	sibling.RequestMiddleware(mark("sibling>"))
	sibling.ResponseMiddleware(mark("<sibling"))

	srv := httptest.NewServer(s)
	defer srv.Close()
	tests := []struct {
		name, target string
		want         []string
	}{
		{"a route outside the groups runs only the server's", "/root", []string{"server>", "handler", "<server"}},
		{"a group route runs its group's inside the server's, security after them", "/outer/x", []string{"server>", "outer>", "check", "handler", "<outer", "<server"}},
		{"a nested group's runs inside its parent's", "/outer/inner/x", []string{"server>", "outer>", "inner>", "check", "handler", "<inner", "<outer", "<server"}},
		{"a sibling group runs only its own", "/sibling/x", []string{"server>", "sibling>", "handler", "<sibling", "<server"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			trace = nil
			mu.Unlock()
			resp, err := srv.Client().Get(srv.URL + tt.target)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("status %d, want 204", resp.StatusCode)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(trace, tt.want) {
				t.Fatalf("order %q, want %q", trace, tt.want)
			}
		})
	}
}

// TestGroupMistakes checks that bad groups and prefixes panic at
// registration, naming the problem.
func TestGroupMistakes(t *testing.T) {
	cfg := openapi.Config{SecuritySchemes: []openapi.SecurityScheme{openapi.Bearer("bearer", "", "")}}
	tests := []struct {
		name string
		fn   func(s *hyperlane.Server, api *openapi.API)
		want []string
	}{
		{"an empty prefix", func(_ *hyperlane.Server, api *openapi.API) { openapi.NewGroup(api, "") },
			[]string{`openapi.NewGroup "": empty prefix`}},
		{"a prefix without a leading slash", func(_ *hyperlane.Server, api *openapi.API) { openapi.NewGroup(api, "v1") },
			[]string{`"v1"`, `must begin with '/', as in "/v1"`}},
		{"a prefix ending in a slash", func(_ *hyperlane.Server, api *openapi.API) { openapi.NewGroup(api, "/v1/") },
			[]string{`"/v1/"`, `must not end with '/', as in "/v1"`}},
		{"a prefix with an empty segment", func(_ *hyperlane.Server, api *openapi.API) { openapi.NewGroup(api, "/v1//pets") },
			[]string{`"/v1//pets"`, `not a clean path`, `"/v1/pets"`}},
		{"a prefix with a dot-dot segment", func(_ *hyperlane.Server, api *openapi.API) { openapi.NewGroup(api, "/v1/../admin") },
			[]string{`not a clean path`, `"/admin"`}},
		{"the root as a prefix", func(_ *hyperlane.Server, api *openapi.API) { openapi.NewGroup(api, "/") },
			[]string{`openapi.NewGroup "/": "/" is the root, no prefix`}},
		{"a group pattern without a leading slash", func(_ *hyperlane.Server, api *openapi.API) {
			openapi.Get(openapi.NewGroup(api, "/pets"), "{id}", getGPet)
		}, []string{`openapi: GET /pets{id}: pattern "{id}" under prefix "/pets" must begin with '/'`, `"/{id}"`}},
		{"a prefix the router refuses", func(_ *hyperlane.Server, api *openapi.API) { openapi.NewGroup(api, "/x/{id") },
			[]string{`openapi.NewGroup "/x/{id"`}},
		{"a duplicate operation id after prefixing", func(_ *hyperlane.Server, api *openapi.API) {
			openapi.Get(api, "/legacy", getGPetNoID, openapi.OperationID("v1ListPets"))
			openapi.Get(openapi.NewGroup(api, "/v1", openapi.OperationIDPrefix("v1")), "/pets", getGPetNoID)
		}, []string{`openapi: GET /v1/pets: operation id "v1ListPets" is already used by GET /legacy`, `OperationIDPrefix "v1"`}},
		{"two versions in one document without id prefixes", func(_ *hyperlane.Server, api *openapi.API) {
			openapi.Get(openapi.NewGroup(api, "/v1"), "/pets/{id}", getGPet)
			openapi.Get(openapi.NewGroup(api, "/v2"), "/pets/{id}", getGPet)
		}, []string{`openapi: GET /v2/pets/{id}: operation id "getPet" is already used by GET /v1/pets/{id}`, `OperationIDPrefix`, `Config.Prefix`}},
		{"an operation option given to a group", func(_ *hyperlane.Server, api *openapi.API) {
			openapi.NewGroup(api, "/x", openapi.Summary("s"))
		}, []string{`openapi.NewGroup "/x": Summary describes one operation`}},
		{"a group option given to an operation", func(_ *hyperlane.Server, api *openapi.API) {
			openapi.Get(api, "/x", getGPetNoID, openapi.OperationIDPrefix("v1"))
		}, []string{`openapi: GET /x: OperationIDPrefix is a group option`}},
		{"NoSecurity with Security", func(_ *hyperlane.Server, api *openapi.API) {
			openapi.Get(openapi.NewGroup(api, "/g"), "/x", getGPetNoID, openapi.NoSecurity(), openapi.Security("bearer"))
		}, []string{`openapi: GET /g/x: NoSecurity and Security together`}},
		{"an unknown scheme as a group default", func(_ *hyperlane.Server, api *openapi.API) {
			openapi.NewGroup(api, "/g", openapi.Security("nope"))
		}, []string{`openapi.NewGroup "/g": unknown security scheme "nope"`}},
		{"a nil group", func(_ *hyperlane.Server, _ *openapi.API) {
			var g *openapi.Group
			openapi.Get(g, "/x", getGPetNoID)
		}, []string{`create it with openapi.NewGroup`}},
		{"a zero group", func(_ *hyperlane.Server, _ *openapi.API) {
			openapi.Post(&openapi.Group{}, "/x", getGPetNoID)
		}, []string{`create it with openapi.NewGroup`}},
		{"a nil parent", func(_ *hyperlane.Server, _ *openapi.API) { openapi.NewGroup(nil, "/x") },
			[]string{`openapi.NewGroup: nil parent`}},
		{"an unclean Config.Prefix", func(s *hyperlane.Server, _ *openapi.API) {
			openapi.New(s, openapi.Config{Prefix: "/v2/"})
		}, []string{`openapi.New: Config.Prefix "/v2/": the prefix must not end with '/'`}},
		{"two APIs at the same place", func(s *hyperlane.Server, _ *openapi.API) {
			openapi.New(s, openapi.Config{})
		}, []string{`Config.JSONPath "/openapi.json"`}},
		{"a group route on a plain route of the same path", func(s *hyperlane.Server, api *openapi.API) {
			s.Get("/g/x", func(*hyperlane.Context) error { return nil })
			openapi.Get(openapi.NewGroup(api, "/g"), "/x", getGPetNoID)
		}, []string{`/g/x`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, api := newAPI(t, cfg)
			msg := panics(t, func() { tt.fn(s, api) })
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("panic %q\ndoes not contain %q", msg, w)
				}
			}
		})
	}
}

func getGPetNoID(*hyperlane.Context, *struct{}) (*gPet, error) { return &gPet{}, nil }
