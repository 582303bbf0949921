package openapitest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// looseDocument documents what HTTP cannot deliver (a 204 with a JSON
// body) and media ranges instead of media types, the edges of
// TestClientRefusesWhatNoClientReceives.
const looseDocument = `{
  "openapi": "3.1.0",
  "info": {"title": "loose", "version": "1"},
  "paths": {
    "/gone": {"delete": {"responses": {"204": {"description": "wrongly with content", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/any": {"get": {"responses": {"200": {"description": "any type", "content": {"*/*": {"schema": {"type": "object", "required": ["a"]}}}}}}},
    "/image": {"get": {"responses": {"200": {"description": "an image", "content": {"image/*": {}}}}}}
  }
}`

// TestClientRefusesWhatNoClientReceives: the recorder keeps bytes a
// server would never send, and a wildcard Content-Type would pass any
// body unchecked; both fail the test with a message saying why.
func TestClientRefusesWhatNoClientReceives(t *testing.T) {
	app := http.NewServeMux()
	app.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, looseDocument) })
	app.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.URL.Query().Get("type"))
		status := http.StatusOK
		if r.URL.Path == "/gone" {
			status = http.StatusNoContent
		}
		w.WriteHeader(status)
		io.WriteString(w, r.URL.Query().Get("body"))
	})
	tests := []struct {
		name, method, path string
		says               string // the failure holds it; "" for none
	}{
		{name: "a body on a 204 fails even where the document gives the 204 content", method: "DELETE",
			path: "/gone?type=application/json&body={}", says: "a body of 2 bytes on a 204, which HTTP sends without one: a server drops it"},
		{name: "an empty 204 passes", method: "DELETE", path: "/gone"},
		{name: "a body of a type under a */* range is checked against its schema", method: "GET",
			path: "/any?type=application/json&body={}", says: "body at /a: required property is missing"},
		{name: "a Content-Type of */* fails instead of passing the body unchecked", method: "GET",
			path: "/any?type=*/*&body={}", says: "Content-Type */* is a wildcard, not the type of a body"},
		{name: "a concrete type under an image/* range passes", method: "GET", path: "/image?type=image/png&body=PNG"},
		{name: "a Content-Type of image/* fails", method: "GET",
			path: "/image?type=image/*&body=PNG", says: "Content-Type image/* is a wildcard, not the type of a body: a response names its own (documented: image/*)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			resp := openapitest.New(rec, app).Do(tt.method, tt.path, nil)
			switch {
			case tt.says == "" && len(rec.errors) > 0:
				t.Fatalf("a conforming answer failed the test: %q", rec.errors)
			case tt.says == "":
			case len(rec.errors) != 1:
				t.Fatalf("want one failure saying %q, got %q (response %s)", tt.says, rec.errors, resp)
			case !strings.Contains(rec.errors[0], tt.says):
				t.Errorf("the failure does not say %q:\n%s", tt.says, rec.errors[0])
			}
		})
	}
}
