package openapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

type (
	ufOwner struct {
		Name string `json:"name"`
	}
	ufPet struct {
		Name  string  `json:"name"`
		Owner ufOwner `json:"owner"`
	}
	ufClosedOwner struct {
		_    struct{} `additionalProperties:"false"`
		Name string   `json:"name"`
	}
	ufClosedPet struct {
		_     struct{}      `additionalProperties:"false"`
		Name  string        `json:"name"`
		Owner ufClosedOwner `json:"owner"`
	}
	ufOpenOwner struct {
		_    struct{} `additionalProperties:"true"`
		Name string   `json:"name"`
	}
	ufOpenPet struct {
		_     struct{}    `additionalProperties:"true"`
		Name  string      `json:"name"`
		Owner ufOpenOwner `json:"owner"`
	}
)

// Unknown JSON body properties: whatever the setting, the served
// document and the validator agree. Where the schema says
// additionalProperties: false, a body with an extra property is a 422
// naming it; where it does not, the body is accepted. Over a real socket,
// reading the document the server serves.
func TestUnknownBodyFieldsAsTheDocumentSays(t *testing.T) {
	tests := []struct {
		name     string
		cfg      openapi.Config
		register func(api *openapi.API)
		closed   bool // what the document must say, and so the validator do
	}{
		{"by default unknown properties are accepted and not forbidden", openapi.Config{},
			func(api *openapi.API) {
				openapi.Post(api, "/pets", echo[ufPet])
				openapi.Post(api, "/owners", echo[ufOwner])
			}, false},
		{"ForbidUnknownFields forbids them and refuses them", openapi.Config{ForbidUnknownFields: true},
			func(api *openapi.API) {
				openapi.Post(api, "/pets", echo[ufPet])
				openapi.Post(api, "/owners", echo[ufOwner])
			}, true},
		{"a type can close itself by default", openapi.Config{},
			func(api *openapi.API) {
				openapi.Post(api, "/pets", echo[ufClosedPet])
				openapi.Post(api, "/owners", echo[ufClosedOwner])
			}, true},
		{"a type can stay open under ForbidUnknownFields", openapi.Config{ForbidUnknownFields: true},
			func(api *openapi.API) {
				openapi.Post(api, "/pets", echo[ufOpenPet])
				openapi.Post(api, "/owners", echo[ufOpenOwner])
			}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, api := newAPI(t, tt.cfg)
			tt.register(api)
			srv := httptest.NewServer(s)
			defer srv.Close()

			var doc map[string]any
			if err := json.Unmarshal(get(t, srv.URL+"/openapi.json"), &doc); err != nil {
				t.Fatal(err)
			}
			pet := resolve(t, doc, at(t, doc, "paths", "/pets", "post", "requestBody", "content", "application/json", "schema"))
			owner := resolve(t, doc, at(t, pet, "properties", "owner"))
			for name, schema := range map[string]map[string]any{"pet": pet, "owner": owner} {
				if got := schema["additionalProperties"] == false; got != tt.closed {
					t.Errorf("%s schema %s: closed %v, want %v", name, jsonOf(schema), got, tt.closed)
				}
			}

			for _, body := range []struct{ path, json, location string }{
				{"/pets", `{"name":"Rex","owner":{"name":"Rex"},"colour":"brown"}`, "body.colour"},
				{"/pets", `{"name":"Rex","owner":{"name":"Rex","emial":"a@b.c"}}`, "body.owner.emial"},
				{"/owners", `{"name":"Rex","emial":"a@b.c"}`, "body.emial"}, // a flat body, decoded without encoding/json
			} {
				resp, err := http.Post(srv.URL+body.path, "application/json", strings.NewReader(body.json))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !tt.closed {
					if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"name":"Rex"`) {
						t.Errorf("%s: %d %s, want 200 echoing the pet", body.json, resp.StatusCode, b)
					}
					continue
				}
				var p hyperlane.HTTPError
				if err := json.Unmarshal(b, &p); err != nil || resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("%s: %d %s, want a 422 problem", body.json, resp.StatusCode, b)
				}
				if got, want := details(p), []string{body.location + ": is not allowed"}; strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s: errors %q, want %q", body.json, got, want)
				}
			}
		})
	}
}

// echo is a typed handler that answers with its input.
func echo[T any](_ *hyperlane.Context, in *T) (*T, error) { return in, nil }

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

// resolve follows a $ref into the document's components.
func resolve(t *testing.T, doc map[string]any, schema any) map[string]any {
	t.Helper()
	m, _ := schema.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		name, _ := strings.CutPrefix(ref, "#/components/schemas/")
		m, _ = at(t, doc, "components", "schemas", name).(map[string]any)
	}
	if m == nil {
		t.Fatalf("schema %s is not an object", jsonOf(schema))
	}
	return m
}
