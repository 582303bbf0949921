package openapi_test

import (
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

type (
	pathID struct {
		ID int64 `path:"id"`
	}
	pathOther struct {
		PID int64 `path:"pid"`
	}
	twoTags struct {
		ID int64 `path:"id" query:"id"`
	}
	queryJSON struct {
		Q string `query:"q" json:"q"`
	}
	untagged  struct{ Name string }
	jsonInput struct {
		Name string `json:"name"`
	}
	badDefault struct {
		Limit int `query:"limit" default:"many"`
	}
	contraDef struct {
		Limit int `query:"limit" default:"200" maximum:"100"`
	}
	listPath struct {
		IDs []int `path:"ids"`
	}
	mapQuery struct {
		M map[string]string `query:"m"`
	}
	bodyAndJSON struct {
		Body []int
		Name string `json:"name"`
	}
	formAndJSON struct {
		A string `form:"a"`
		B string `json:"b"`
	}
	dupQuery struct {
		A string `query:"q"`
		B string `query:"q"`
	}
	headerOut struct {
		Rate int `header:"X-Rate"`
	}
	rawAndJSON struct {
		Body []byte `contentType:"image/png" json:"-"`
		Name string `json:"name"`
	}
	untaggedOut struct{ Name string }
)

func TestRegistrationErrors(t *testing.T) {
	tests := []struct {
		name     string
		register func(api *openapi.API)
		want     string
	}{
		{"a {param} without a path field",
			func(api *openapi.API) { openapi.Get(api, "/pets/{id}", handler[none, named]) },
			`GET /pets/{id}: the pattern has {id} but the input has no field tagged path:"id"`},
		{"a path field not in the pattern",
			func(api *openapi.API) { openapi.Get(api, "/pets/{id}", handler[pathOther, named]) },
			`field PID is tagged path:"pid" but the pattern has no {pid}`},
		{"a duplicate operation id",
			func(api *openapi.API) {
				openapi.Get(api, "/pets/{id}", handler[pathID, named])
				openapi.Get(api, "/pet/{id}", handler[pathID, named])
			},
			`GET /pet/{id}: operation id "getPet" is already used by GET /pets/{id}; set a unique one with openapi.OperationID`},
		{"a duplicate explicit operation id",
			func(api *openapi.API) {
				openapi.Get(api, "/a", handler[none, named], openapi.OperationID("same"))
				openapi.Get(api, "/b", handler[none, named], openapi.OperationID("same"))
			},
			`operation id "same" is already used by GET /a`},
		{"a field with two locations",
			func(api *openapi.API) { openapi.Get(api, "/pets/{id}", handler[twoTags, named]) },
			"field ID has both path and query tags"},
		{"a parameter that is also a JSON field",
			func(api *openapi.API) { openapi.Post(api, "/q", handler[queryJSON, named]) },
			"field Q has both query and json tags"},
		{"a field that says nowhere where it comes from",
			func(api *openapi.API) { openapi.Post(api, "/u", handler[untagged, named]) },
			"field Name says nowhere where it comes from"},
		{"a JSON body on GET",
			func(api *openapi.API) { openapi.Get(api, "/j", handler[jsonInput, named]) },
			"a GET operation has no request body"},
		{"a default that does not convert",
			func(api *openapi.API) { openapi.Get(api, "/d", handler[badDefault, named]) },
			`field Limit: default "many" must be an integer`},
		{"a default that contradicts its schema",
			func(api *openapi.API) { openapi.Get(api, "/d", handler[contraDef, named]) },
			`default "200" of query.limit contradicts its schema: must be at most 100`},
		{"a list path parameter",
			func(api *openapi.API) { openapi.Get(api, "/l/{ids}", handler[listPath, named]) },
			"a path parameter cannot be a list"},
		{"a parameter type that cannot come from a string",
			func(api *openapi.API) { openapi.Get(api, "/m", handler[mapQuery, named]) },
			"type map[string]string cannot be read from a query parameter"},
		{"a Body field next to JSON fields",
			func(api *openapi.API) { openapi.Post(api, "/b", handler[bodyAndJSON, named]) },
			"both a Body field and json-tagged fields"},
		{"form fields next to a JSON body",
			func(api *openapi.API) { openapi.Post(api, "/f", handler[formAndJSON, named]) },
			"both form fields and a JSON body"},
		{"two fields binding the same parameter",
			func(api *openapi.API) { openapi.Get(api, "/dq", handler[dupQuery, named]) },
			"fields A and B both bind query.q"},
		{"an output header field without json:\"-\"",
			func(api *openapi.API) { openapi.Get(api, "/h", handler[none, headerOut]) },
			`output field Rate is a header; tag it json:"-" too`},
		{"an output with a raw body and JSON fields",
			func(api *openapi.API) { openapi.Get(api, "/r", handler[none, rawAndJSON]) },
			"both a raw body field and JSON fields"},
		{"an output field encoding/json writes but the document would not",
			func(api *openapi.API) { openapi.Get(api, "/o", handler[none, untaggedOut]) },
			"output field Name has no json tag"},
		{"a catch-all pattern",
			func(api *openapi.API) { openapi.Get(api, "/files/{path:.*}", handler[none, named]) },
			"a catch-all route cannot be described in OpenAPI"},
		{"a nil handler",
			func(api *openapi.API) { openapi.Get[none, named](api, "/n", nil) },
			"GET /n: nil handler"},
		{"an unknown security scheme",
			func(api *openapi.API) { openapi.Get(api, "/s", handler[none, named], openapi.Security("nope")) },
			`unknown security scheme "nope"`},
		{"an input that is not a struct",
			func(api *openapi.API) { openapi.Get(api, "/i", handler[int, named]) },
			"input type int must be a struct"},
		{"a success status that is an error",
			func(api *openapi.API) { openapi.Get(api, "/st", handler[none, named], openapi.Status(404)) },
			"success status 404 is not 1xx, 2xx or 3xx"},
		{"a route the server already has",
			func(api *openapi.API) {
				api.Server().Get("/dup", func(c *hyperlane.Context) error { return nil })
				openapi.Get(api, "/dup", handler[none, named])
			},
			"/dup"},
		{"Document of a pattern with parameters but no Request",
			func(api *openapi.API) { openapi.Document(api, "GET", "/ws/{room}") },
			"describe them with openapi.Request(T{}) and path tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, api := newAPI(t, openapi.Config{})
			msg := panics(t, func() { tt.register(api) })
			if !strings.Contains(msg, tt.want) {
				t.Errorf("panic %q does not say %q", msg, tt.want)
			}
		})
	}
}

// handler is a typed handler that answers nothing.
func handler[I, O any](c *hyperlane.Context, in *I) (*O, error) { return nil, nil }

func TestSecuritySchemeErrors(t *testing.T) {
	tests := []struct {
		name   string
		scheme openapi.SecurityScheme
		want   string
	}{
		{"an apiKey without a parameter name", openapi.APIKey("k", "header", "", ""), "needs Param"},
		{"an apiKey in the body", openapi.APIKey("k", "body", "x", ""), `In is "body"`},
		{"an unknown type", openapi.SecurityScheme{Name: "o", Type: "oauth2"}, "not supported"},
		{"no name", openapi.Bearer("", "JWT", ""), "empty name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := panics(t, func() { newAPI(t, openapi.Config{SecuritySchemes: []openapi.SecurityScheme{tt.scheme}}) })
			if !strings.Contains(msg, tt.want) {
				t.Errorf("panic %q does not say %q", msg, tt.want)
			}
		})
	}
}
