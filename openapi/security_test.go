package openapi_test

import (
	"net/http"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

func TestSecurityCheck(t *testing.T) {
	key := openapi.APIKey("key", "header", "X-API-Key", "an API key")
	key.Check = func(c *hyperlane.Context) error {
		if c.Header("X-API-Key") != "secret" {
			return hyperlane.Error(http.StatusUnauthorized, "bad key")
		}
		return nil
	}
	bearer := openapi.Bearer("bearer", "JWT", "a token")
	bearer.Check = func(c *hyperlane.Context) error {
		if c.Header("Authorization") != "Bearer t" {
			return hyperlane.Error(http.StatusUnauthorized, "bad token")
		}
		return nil
	}
	docOnly := openapi.Basic("basic", "checked by middleware")
	s, api := newAPI(t, openapi.Config{SecuritySchemes: []openapi.SecurityScheme{key, bearer, docOnly}})
	calls := 0
	h := func(c *hyperlane.Context, in *petInput) (*pet, error) { calls++; return &pet{ID: in.ID}, nil }
	openapi.Get(api, "/key/{id}", h, openapi.Security("key"))
	openapi.Get(api, "/either/{id}", h, openapi.Security("key"), openapi.Security("bearer"))
	openapi.Get(api, "/doc/{id}", h, openapi.Security("basic"))
	openapi.Get(api, "/open/{id}", h)
	tests := []struct {
		name   string
		target string
		header map[string]string
		status int
		detail string
	}{
		{"the check refuses a request without the key", "/key/1", nil, 401, "bad key"},
		{"the check refuses before binding: no 422 for a bad id", "/key/x", nil, 401, "bad key"},
		{"the check lets the key through", "/key/1", map[string]string{"X-API-Key": "secret"}, 200, ""},
		{"alternatives: the second one passes", "/either/1", map[string]string{"Authorization": "Bearer t"}, 200, ""},
		{"alternatives: the first error answers when none passes", "/either/1", nil, 401, "bad key"},
		{"a scheme without Check is documentation only", "/doc/1", nil, 200, ""},
		{"an open operation needs nothing", "/open/1", nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls
			w := do(t, s, request{target: tt.target, header: tt.header})
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; %s", w.Code, tt.status, w.Body)
			}
			if tt.status == 401 {
				if p := problem(t, w); p.Detail != tt.detail {
					t.Errorf("detail %q, want %q", p.Detail, tt.detail)
				}
				if calls != before {
					t.Error("the handler ran for a refused request")
				}
			}
		})
	}
	doc := spec(t, api, "3.1")
	if got := jsonOf(at(t, doc, "paths", "/either/{id}", "get", "security")); got != `[{"key":[]},{"bearer":[]}]` {
		t.Errorf("alternatives in the document: %s", got)
	}
	for _, path := range []string{"/key/{id}", "/doc/{id}"} {
		at(t, doc, "paths", path, "get", "responses", "401")
	}
	if _, ok := at(t, doc, "paths", "/open/{id}", "get", "responses").(map[string]any)["401"]; ok {
		t.Error("an open operation documents 401")
	}
}
