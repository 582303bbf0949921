package openapi_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
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

// TestUnauthorizedChallenges serves operations secured by each kind of
// scheme over a real socket: a 401 from a scheme's Check carries a
// WWW-Authenticate challenge naming the scheme (RFC 9110 §11.6.1), one
// per alternative; a 403 and a success carry none.
func TestUnauthorizedChallenges(t *testing.T) {
	refuse := func(status int) func(c *hyperlane.Context) error {
		return func(c *hyperlane.Context) error {
			if c.Header("X-Let-In") == "yes" {
				return nil
			}
			return hyperlane.Error(status, "refused")
		}
	}
	header := openapi.APIKey("header", "header", "X-API-Key", "")
	query := openapi.APIKey("query", "query", "api_key", "")
	cookie := openapi.APIKey("cookie", "cookie", `sid"\`, "")
	bearer := openapi.Bearer("bearer", "JWT", "")
	basic := openapi.Basic("basic", "")
	realm := openapi.Basic("realm", "")
	realm.Realm = "Pets, staff only"
	forbidden := openapi.Bearer("forbidden", "", "")
	for _, s := range []*openapi.SecurityScheme{&header, &query, &cookie, &bearer, &basic, &realm} {
		s.Check = refuse(http.StatusUnauthorized)
	}
	forbidden.Check = refuse(http.StatusForbidden)
	s, api := newAPI(t, openapi.Config{Title: "Pet store",
		SecuritySchemes: []openapi.SecurityScheme{header, query, cookie, bearer, basic, realm, forbidden}})
	h := func(c *hyperlane.Context, in *petInput) (*pet, error) { return &pet{ID: in.ID}, nil }
	for _, name := range []string{"header", "query", "cookie", "bearer", "basic", "realm", "forbidden"} {
		openapi.Get(api, "/"+name+"/{id}", h, openapi.Security(name))
	}
	openapi.Get(api, "/either/{id}", h, openapi.Security("bearer"), openapi.Security("header"))
	srv := httptest.NewServer(s)
	defer srv.Close()
	tests := []struct {
		name   string
		path   string
		letIn  bool
		status int
		want   []string
	}{
		{"an API key in a header names the header", "/header/1", false, 401, []string{`APIKey header="X-API-Key"`}},
		{"an API key in the query names the parameter", "/query/1", false, 401, []string{`APIKey query="api_key"`}},
		{"an API key in a cookie names the cookie, quoted", "/cookie/1", false, 401, []string{`APIKey cookie="sid\"\\"`}},
		{"a bearer token", "/bearer/1", false, 401, []string{"Bearer"}},
		{"basic takes the API's title as realm", "/basic/1", false, 401, []string{`Basic realm="Pet store", charset="UTF-8"`}},
		{"basic with its own realm", "/realm/1", false, 401, []string{`Basic realm="Pets, staff only", charset="UTF-8"`}},
		{"alternatives: one challenge each", "/either/1", false, 401, []string{"Bearer", `APIKey header="X-API-Key"`}},
		{"a 403 has no challenge", "/forbidden/1", false, 403, nil},
		{"a request let in has no challenge", "/header/1", true, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.letIn {
				req.Header.Set("X-Let-In", "yes")
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Values("WWW-Authenticate"); !slices.Equal(got, tt.want) {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.want)
			}
		})
	}
}
