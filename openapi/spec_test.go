package openapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
	"github.com/hyperlane-go/hyperlane/openapi/internal/fixtures/billing"
	"github.com/hyperlane-go/hyperlane/openapi/internal/fixtures/store"
)

type petInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type pet struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func TestServedDocuments(t *testing.T) {
	s, api := newAPI(t, openapi.Config{Title: "Pets", Version: "2.0.0"})
	openapi.Get(api, "/pets/{id}", handler[petInput, pet])
	tests := []struct {
		path, contentType, version string
	}{
		{"/openapi.json", "application/json; charset=utf-8", `"openapi": "3.1.0"`},
		{"/openapi.yaml", "application/yaml; charset=utf-8", "openapi: 3.1.0"},
		{"/openapi-3.0.json", "application/json; charset=utf-8", `"openapi": "3.0.3"`},
		{"/openapi-3.0.yaml", "application/yaml; charset=utf-8", "openapi: 3.0.3"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := do(t, s, request{target: tt.path})
			if w.Code != 200 || w.Header().Get("Content-Type") != tt.contentType {
				t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
			}
			body := w.Body.String()
			if !strings.Contains(body, tt.version) || !strings.Contains(body, "/pets/{id}") {
				t.Errorf("document lacks %q or the operation:\n%s", tt.version, body)
			}
			version, format := "3.1", "json"
			if strings.Contains(tt.path, "3.0") {
				version = "3.0"
			}
			if strings.HasSuffix(tt.path, "yaml") {
				format = "yaml"
			}
			if want, _ := api.Spec(version, format); string(want) != body {
				t.Error("the served document differs from API.Spec")
			}
		})
	}
	doc := spec(t, api, "3.1")
	paths := at(t, doc, "paths").(map[string]any)
	if len(paths) != 1 {
		t.Errorf("the document lists routes besides the operation (doc routes must not appear): %v", keys(paths))
	}
	if got := jsonOf(at(t, doc, "info")); got != `{"title":"Pets","version":"2.0.0"}` {
		t.Errorf("info %s", got)
	}
	if _, err := api.Spec("4.0", "json"); err == nil || !strings.Contains(err.Error(), `unknown version "4.0"`) {
		t.Errorf("unknown version: %v", err)
	}
	if _, err := api.Spec("3.1", "xml"); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Errorf("unknown format: %v", err)
	}
}

func TestDocumentPathsConfigurable(t *testing.T) {
	s, _ := newAPI(t, openapi.Config{JSONPath: "/docs/api.json", YAMLPath: openapi.Disabled,
		JSON30Path: openapi.Disabled, YAML30Path: openapi.Disabled, SwaggerPath: "/docs/ui", RapiDocPath: openapi.Disabled})
	for path, want := range map[string]int{
		"/docs/api.json": 200, "/docs/ui": 200, "/openapi.json": 404, "/openapi.yaml": 404,
		"/openapi-3.0.json": 404, "/swagger": 404, "/rapidoc": 404,
	} {
		if w := do(t, s, request{target: path}); w.Code != want {
			t.Errorf("GET %s: status %d, want %d", path, w.Code, want)
		}
	}
	if body := do(t, s, request{target: "/docs/ui"}).Body.String(); !strings.Contains(body, `"swaggerJsonUrl":"/docs/api.json"`) {
		t.Errorf("Swagger UI does not load the moved document:\n%s", body)
	}
}

func TestMountedDocuments(t *testing.T) {
	s, api := newAPI(t, openapi.Config{Servers: []openapi.Server{{URL: "/", Description: "here"}, {URL: "https://api.example.com/v1"}}})
	openapi.Get(api, "/pets/{id}", handler[petInput, pet])
	get := func(path, prefix string) string {
		req := httptestRequest(path)
		if prefix != "" {
			req = hyperlane.WithMountPrefix(req, prefix)
		}
		w := recorder()
		s.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("GET %s under %q: status %d", path, prefix, w.Code)
		}
		return w.Body.String()
	}
	var doc struct {
		Servers []struct{ URL string } `json:"servers"`
	}
	json.Unmarshal([]byte(get("/openapi.json", "/api")), &doc)
	if len(doc.Servers) != 2 || doc.Servers[0].URL != "/api" || doc.Servers[1].URL != "https://api.example.com/v1" {
		t.Errorf("mounted servers %+v, want /api then the absolute URL unchanged", doc.Servers)
	}
	json.Unmarshal([]byte(get("/openapi.json", "")), &doc)
	if doc.Servers[0].URL != "/" {
		t.Errorf("unmounted servers %+v", doc.Servers)
	}
	page := get("/swagger", "/api")
	for _, want := range []string{`"swaggerJsonUrl":"/api/openapi.json"`, `href="/api/swagger/swagger-ui.css"`, `src="/api/swagger/swagger-ui-bundle.js"`} {
		if !strings.Contains(page, want) {
			t.Errorf("mounted Swagger UI lacks %s", want)
		}
	}
	if page := get("/rapidoc", "/api"); !strings.Contains(page, `spec-url="/api/openapi.json"`) {
		t.Errorf("mounted RapiDoc does not load /api/openapi.json:\n%s", page)
	}
	if yaml := get("/openapi-3.0.yaml", "/api"); !strings.Contains(yaml, "url: /api") {
		t.Errorf("mounted 3.0 YAML servers:\n%s", yaml)
	}
	onlyPrefix, _ := newAPI(t, openapi.Config{})
	req := hyperlane.WithMountPrefix(httptestRequest("/openapi.json"), "/v2")
	w := recorder()
	onlyPrefix.ServeHTTP(w, req)
	if !strings.Contains(w.Body.String(), `"url": "/v2"`) {
		t.Errorf("a mounted app without servers lists its prefix:\n%s", w.Body)
	}
}

func TestOperationDocument(t *testing.T) {
	_, api := newAPI(t, openapi.Config{
		SecuritySchemes: []openapi.SecurityScheme{openapi.Bearer("token", "JWT", "a bearer token")},
	})
	openapi.Post(api, "/pets/{id}", handler[bodyInput, pet],
		openapi.Summary("Update a pet"), openapi.Description("Long text."), openapi.Tags("pets", "admin"),
		openapi.Deprecated(), openapi.Security("token"), openapi.Status(http.StatusAccepted),
		openapi.Errors(http.StatusNotFound, http.StatusConflict),
		openapi.Response(http.StatusSeeOther, nil, "Moved elsewhere"),
		openapi.RequestExample(map[string]any{"name": "Rex"}), openapi.ResponseExample(pet{ID: 1, Name: "Rex"}))
	for _, version := range []string{"3.1", "3.0"} {
		t.Run(version, func(t *testing.T) {
			doc := spec(t, api, version)
			op := at(t, doc, "paths", "/pets/{id}", "post").(map[string]any)
			for key, want := range map[string]string{
				"operationId": `"postPet"`, "summary": `"Update a pet"`, "description": `"Long text."`,
				"tags": `["pets","admin"]`, "deprecated": "true", "security": `[{"token":[]}]`,
			} {
				if got := jsonOf(op[key]); got != want {
					t.Errorf("%s = %s, want %s", key, got, want)
				}
			}
			responses := at(t, op, "responses").(map[string]any)
			got := keys(responses)
			slices.Sort(got)
			if want := []string{"202", "303", "400", "401", "404", "409", "422", "500"}; !slices.Equal(got, want) {
				t.Errorf("responses %v, want %v", got, want)
			}
			for _, code := range []string{"400", "401", "404", "409", "422", "500"} {
				if ref := jsonOf(at(t, responses, code, "content", "application/problem+json", "schema")); ref != `{"$ref":"#/components/schemas/Problem"}` {
					t.Errorf("%s schema %s, want the Problem schema", code, ref)
				}
			}
			if got := jsonOf(at(t, op, "requestBody", "content", "application/json", "example")); got != `{"name":"Rex"}` {
				t.Errorf("request example %s", got)
			}
			if got := jsonOf(at(t, responses, "202", "content", "application/json", "example")); got != `{"id":1,"name":"Rex"}` {
				t.Errorf("response example %s", got)
			}
			if got := jsonOf(at(t, doc, "components", "securitySchemes", "token")); !strings.Contains(got, `"scheme":"bearer"`) {
				t.Errorf("security scheme %s", got)
			}
			problem := jsonOf(at(t, doc, "components", "schemas", "Problem"))
			for _, field := range []string{"type", "title", "status", "detail", "instance", "errors"} {
				if !strings.Contains(problem, `"`+field+`"`) {
					t.Errorf("the Problem schema lacks %s: %s", field, problem)
				}
			}
		})
	}
}

func TestDefaultOperationIDs(t *testing.T) {
	_, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/pets", handler[none, []pet])
	openapi.Get(api, "/pets/{id}", handler[petInput, pet])
	openapi.Post(api, "/pets", handler[jsonInput, pet])
	openapi.Put(api, "/pets/{id}", handler[struct {
		petInput
		Name string `json:"name"`
	}, pet])
	openapi.Patch(api, "/pets/{id}", handler[struct {
		petInput
		Name string `json:"name,omitempty"`
	}, pet])
	openapi.Delete(api, "/pets/{id}", handler[petInput, none])
	doc := spec(t, api, "3.1")
	for path, ops := range map[string]map[string]string{
		"/pets":      {"get": "listPets", "post": "createPet"},
		"/pets/{id}": {"get": "getPet", "put": "updatePet", "patch": "patchPet", "delete": "deletePet"},
	} {
		for method, want := range ops {
			if got := at(t, doc, "paths", path, method, "operationId"); got != want {
				t.Errorf("%s %s: operationId %v, want %s", method, path, got, want)
			}
		}
	}
}

// shapes shows the required and null rules on every kind of field.
type shapes struct {
	Plain    string         `json:"plain"`
	Omitted  string         `json:"omitted,omitempty"`
	Zero     int            `json:"zero,omitzero"`
	Pointer  *int           `json:"pointer"`
	PtrOmit  *int           `json:"ptrOmit,omitempty"`
	List     []string       `json:"list"`
	ListOmit []string       `json:"listOmit,omitempty"`
	ListNN   []string       `json:"listNN" nullable:"false"`
	Map      map[string]int `json:"map"`
	Default  int            `json:"default" default:"3"`
	Forced   string         `json:"forced,omitempty" required:"true"`
	Relaxed  string         `json:"relaxed" required:"false"`
}

type shapesInput struct {
	Q    *int     `query:"q"`
	List []string `query:"list"`
	Body shapes
}

func TestRequiredAndNullRules(t *testing.T) {
	_, api := newAPI(t, openapi.Config{})
	openapi.Post(api, "/shapes", handler[shapesInput, shapes])
	doc31, doc30 := spec(t, api, "3.1"), spec(t, api, "3.0")
	if got := jsonOf(at(t, doc31, "components", "schemas", "Shapes", "required")); got != `["plain","list","listNN","map","forced"]` {
		t.Errorf("required %s", got)
	}
	types := map[string]string{
		"plain": `"string"`, "pointer": `["null","integer"]`, "ptrOmit": `"integer"`,
		"list": `["array","null"]`, "listOmit": `"array"`, "listNN": `"array"`, "map": `["object","null"]`,
	}
	for prop, want := range types {
		if got := jsonOf(at(t, doc31, "components", "schemas", "Shapes", "properties", prop, "type")); got != want {
			t.Errorf("3.1 %s type %s, want %s", prop, got, want)
		}
		nullable, _ := at(t, doc30, "components", "schemas", "Shapes", "properties", prop).(map[string]any)["nullable"].(bool)
		if nullable != strings.Contains(want, "null") {
			t.Errorf("3.0 %s nullable %v, want the same as 3.1 %s", prop, nullable, want)
		}
	}
	for i, want := range []string{`"integer"`, `"array"`} {
		if got := jsonOf(at(t, doc31, "paths", "/shapes", "post", "parameters", i, "schema", "type")); got != want {
			t.Errorf("parameter %d type %s, want %s: parameters never have null", i, got, want)
		}
	}
}

func TestSchemaNames(t *testing.T) {
	_, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/store/users", handler[none, store.User])
	openapi.Get(api, "/billing/users", handler[none, billing.User])
	openapi.Get(api, "/store/page", handler[none, store.Page[store.User]])
	openapi.Get(api, "/billing/page", handler[none, store.Page[billing.User]])
	openapi.Get(api, "/local", handler[none, pet])
	doc := spec(t, api, "3.1")
	ref := func(path string) string {
		return at(t, doc, "paths", path, "get", "responses", "200", "content", "application/json", "schema", "$ref").(string)
	}
	for path, want := range map[string]string{
		"/store/users":   "#/components/schemas/User",
		"/billing/users": "#/components/schemas/BillingUser",
		"/store/page":    "#/components/schemas/PageUser",
		"/billing/page":  "#/components/schemas/StorePageUser",
		"/local":         "#/components/schemas/Pet",
	} {
		if got := ref(path); got != want {
			t.Errorf("%s: schema %s, want %s", path, got, want)
		}
	}
	if got := jsonOf(at(t, doc, "components", "schemas", "BillingUser", "properties")); got != `{"iban":{"type":"string"}}` {
		t.Errorf("the second User overwrote or lost its schema: %s", got)
	}
	if got := jsonOf(at(t, doc, "components", "schemas", "User", "properties")); got != `{"name":{"type":"string"}}` {
		t.Errorf("the first User changed: %s", got)
	}
	if got := jsonOf(at(t, doc, "components", "schemas", "StorePageUser", "properties", "items", "items")); got != `{"$ref":"#/components/schemas/BillingUser"}` {
		t.Errorf("Page[billing.User] items %s", got)
	}
}

// event is the payload of a Server-Sent Events stream.
type event struct {
	Kind string `json:"kind" enum:"created,deleted"`
	ID   int64  `json:"id"`
}

type roomInput struct {
	Room  string `path:"room"`
	Since int64  `query:"since"`
}

func TestDocumentPlainRoutes(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	s.Get("/events", func(c *hyperlane.Context) error { return nil })
	s.Get("/rooms/{room:[a-z]+}", func(c *hyperlane.Context) error { return nil })
	openapi.Document(api, "GET", "/events", openapi.Summary("Live events"), openapi.EventStream(event{}))
	openapi.Document(api, "get", "/rooms/{room}", openapi.Request(roomInput{}),
		openapi.Response(http.StatusOK, []event{}, "The room's history"), openapi.Errors(http.StatusNotFound))
	for _, version := range []string{"3.1", "3.0"} {
		doc := spec(t, api, version)
		sse := at(t, doc, "paths", "/events", "get", "responses", "200", "content", "text/event-stream", "schema")
		if got := jsonOf(sse); got != `{"$ref":"#/components/schemas/Event"}` {
			t.Errorf("%s: event stream schema %s", version, got)
		}
		if got := at(t, doc, "paths", "/events", "get", "operationId"); got != "listEvents" {
			t.Errorf("%s: operationId %v", version, got)
		}
		params := jsonOf(at(t, doc, "paths", "/rooms/{room}", "get", "parameters"))
		if !strings.Contains(params, `"name":"room"`) || !strings.Contains(params, `"name":"since"`) {
			t.Errorf("%s: documented parameters %s", version, params)
		}
		if _, ok := at(t, doc, "paths", "/rooms/{room}", "get", "responses").(map[string]any)["404"]; !ok {
			t.Errorf("%s: the declared 404 is missing", version)
		}
	}
	// A documented route that does not exist fails the document.
	openapi.Document(api, "GET", "/ghost")
	if _, err := api.Spec("3.1", "json"); err == nil || !strings.Contains(err.Error(), "GET /ghost is documented but no such route is registered") {
		t.Errorf("Spec error %v", err)
	}
	if w := do(t, s, request{target: "/openapi.json"}); w.Code != 500 {
		t.Errorf("serving a document with a ghost route: status %d", w.Code)
	}
	s.Get("/ghost", func(c *hyperlane.Context) error { return nil })
	if _, err := api.Spec("3.1", "json"); err != nil {
		t.Errorf("after the route is registered: %v", err)
	}
}

func TestDocumentRefreshesAfterRegistration(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/a", handler[none, pet])
	before := do(t, s, request{target: "/openapi.json"}).Body.String()
	openapi.Get(api, "/b", handler[none, pet])
	after := do(t, s, request{target: "/openapi.json"}).Body.String()
	if strings.Contains(before, `"/b"`) || !strings.Contains(after, `"/b"`) {
		t.Error("the served document does not follow registrations")
	}
}

func TestConfigInfo(t *testing.T) {
	_, api := newAPI(t, openapi.Config{
		Title: "T", Version: "1", Description: "D",
		Contact: &openapi.Contact{Name: "N", Email: "n@example.com"},
		License: &openapi.License{Name: "MIT", URL: "https://opensource.org/licenses/MIT"},
		Tags:    []openapi.Tag{{Name: "pets", Description: "About pets"}},
		SecuritySchemes: []openapi.SecurityScheme{
			openapi.APIKey("key", "cookie", "sid", "session"), openapi.Basic("basic", ""),
		},
	})
	for _, version := range []string{"3.1", "3.0"} {
		doc := spec(t, api, version)
		if got := jsonOf(at(t, doc, "info")); got != `{"contact":{"email":"n@example.com","name":"N"},"description":"D","license":{"name":"MIT","url":"https://opensource.org/licenses/MIT"},"title":"T","version":"1"}` {
			t.Errorf("%s info %s", version, got)
		}
		if got := jsonOf(at(t, doc, "tags")); got != `[{"description":"About pets","name":"pets"}]` {
			t.Errorf("%s tags %s", version, got)
		}
		if got := jsonOf(at(t, doc, "components", "securitySchemes", "key")); got != `{"description":"session","in":"cookie","name":"sid","type":"apiKey"}` {
			t.Errorf("%s apiKey scheme %s", version, got)
		}
		if got := jsonOf(at(t, doc, "components", "securitySchemes", "basic")); got != `{"scheme":"basic","type":"http"}` {
			t.Errorf("%s basic scheme %s", version, got)
		}
	}
}

func TestRouteMeta(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/pets/{id}", handler[petInput, pet], openapi.RouteOptions(hyperlane.Meta("owner", "pets-team")))
	for _, r := range s.Routes() {
		if r.Pattern != "/pets/{id}" {
			continue
		}
		if r.Meta["openapi.operationId"] != "getPet" || r.Meta["owner"] != "pets-team" {
			t.Errorf("route meta %v", r.Meta)
		}
		return
	}
	t.Error("the typed operation registered no route")
}
