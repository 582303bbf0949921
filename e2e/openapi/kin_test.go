package openapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// load fetches and parses one of the served documents.
func load(t *testing.T, path string) *openapi3.T {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatalf("kin-openapi cannot load %s: %v", path, err)
	}
	return doc
}

func TestDocumentsAreValidOpenAPI(t *testing.T) {
	tests := []struct{ path, version string }{
		{"/openapi.json", "3.1.0"},
		{"/openapi.yaml", "3.1.0"},
		{"/openapi-3.0.json", "3.0.3"},
		{"/openapi-3.0.yaml", "3.0.3"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			doc := load(t, tt.path)
			if doc.OpenAPI != tt.version {
				t.Errorf("openapi %q, want %q", doc.OpenAPI, tt.version)
			}
			if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
				t.Errorf("kin-openapi finds %s invalid: %v", tt.path, err)
			}
			for _, p := range []string{"/pets", "/pets/{id}", "/events"} {
				if doc.Paths.Find(p) == nil {
					t.Errorf("%s lacks %s", tt.path, p)
				}
			}
		})
	}
}

// TestLiveTrafficMatchesTheDocuments sends requests to the quickstart and
// checks with kin-openapi's openapi3filter that the requests the document
// allows are answered as the document says: statuses, content types and
// bodies, errors included.
func TestLiveTrafficMatchesTheDocuments(t *testing.T) {
	for _, path := range []string{"/openapi-3.0.json", "/openapi.json"} {
		t.Run(path, func(t *testing.T) {
			doc := load(t, path)
			doc.Servers = openapi3.Servers{{URL: base}}
			router, err := legacy.NewRouter(doc)
			if err != nil {
				t.Fatal(err)
			}
			key := map[string]string{"X-API-Key": apiKey}
			exchanges := []struct {
				method, target, body string
				header               map[string]string
				status               int
				validRequest         bool
			}{
				{"GET", "/pets", "", nil, 200, true},
				{"GET", "/pets?tag=cat&limit=1&offset=0", "", nil, 200, true},
				{"GET", "/pets/1", "", nil, 200, true},
				{"GET", "/pets/424242", "", nil, 404, true},
				{"GET", "/pets?limit=0", "", nil, 422, false},
				{"GET", "/pets/abc", "", nil, 422, false},
				{"POST", "/pets", `{"name":"Kin","tag":"cat","age":4}`, key, 201, true},
				{"POST", "/pets", `{"name":"Kin"}`, nil, 401, true},
				{"POST", "/pets", `{"name":"","age":200}`, key, 422, false},
				{"POST", "/pets", `{"name":`, key, 400, false},
				{"PUT", "/pets/2", `{"name":"Tom","tag":"cat","age":6}`, key, 200, true},
				{"DELETE", "/pets/424242", "", key, 404, true},
			}
			for _, ex := range exchanges {
				req, _ := http.NewRequest(ex.method, base+ex.target, strings.NewReader(ex.body))
				if ex.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				for k, v := range ex.header {
					req.Header.Set(k, v)
				}
				route, params, err := router.FindRoute(req)
				if err != nil {
					t.Fatalf("%s %s: no route in the document: %v", ex.method, ex.target, err)
				}
				in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
					Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
				reqErr := openapi3filter.ValidateRequest(context.Background(), in)
				if (reqErr == nil) != ex.validRequest {
					t.Errorf("%s %s: kin-openapi says the request is valid: %v, want %v (%v)", ex.method, ex.target, reqErr == nil, ex.validRequest, reqErr)
				}
				req.Body = io.NopCloser(strings.NewReader(ex.body))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != ex.status {
					t.Errorf("%s %s: status %d, want %d: %s", ex.method, ex.target, resp.StatusCode, ex.status, body)
					continue
				}
				out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
					Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)),
					Options: &openapi3filter.Options{IncludeResponseStatus: true}}
				if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
					t.Errorf("%s %s: the %d response does not match the document: %v\n%s", ex.method, ex.target, resp.StatusCode, err, body)
				}
			}

			// A control: the same check rejects a body that breaks the document.
			req, _ := http.NewRequest("GET", base+"/pets/1", nil)
			route, params, _ := router.FindRoute(req)
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
			bad := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: 200,
				Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{"id":"one","name":"Rex"}`))}
			if openapi3filter.ValidateResponse(context.Background(), bad) == nil {
				t.Error("kin-openapi accepted a Pet without age and with a string id: the check is not checking")
			}
		})
	}
}
