package openapitest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// recorder is a testing.TB that records failures instead of failing,
// so that a test can assert what the kit reports.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
}

// petDocument is the contract of petApp: GET /pets/{id} answers a Pet
// with a required X-Rate-Limit integer header, or a 404 problem.
const petDocument = `{
  "openapi": "3.1.0",
  "info": {"title": "pets", "version": "1"},
  "servers": [{"url": "%s"}],
  "paths": {
    "/pets/{id}": {
      "get": {
        "operationId": "getPet",
        "responses": {
          "200": {
            "description": "the pet",
            "headers": {
              "X-Rate-Limit": {"required": true, "schema": {"type": "integer", "minimum": 0}},
              "X-Trace": {"schema": {"type": "string", "pattern": "^t-"}}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}
          },
          "204": {"description": "no content"},
          "4XX": {
            "description": "a problem",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
          }
        }
      },
      "delete": {"responses": {"204": {"description": "deleted"}}}
    },
    "/owners/{id}": {
      "get": {
        "operationId": "getOwner",
        "responses": {"200": {"$ref": "#/components/responses/Owner"}}
      }
    },
    "/events/{kind}": {
      "get": {
        "operationId": "petEvents",
        "responses": {"200": {"description": "each event's data is a Pet", "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}
      }
    },
    "/pets/mine": {
      "get": {
        "operationId": "myPets",
        "responses": {"200": {"description": "my pets", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}}
      }
    }
  },
  "components": {
    "responses": {
      "Owner": {"$ref": "#/components/responses/OwnerAgain"},
      "OwnerAgain": {
        "description": "an owner, through two references",
        "headers": {"X-Rate-Limit": {"$ref": "#/components/headers/Limit"}},
        "content": {"application/json": {"schema": {"type": "object", "required": ["name"]}}}
      }
    },
    "headers": {"Limit": {"required": true, "schema": {"type": "integer", "maximum": 100}}},
    "schemas": {
      "Pet": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "integer", "minimum": 1}, "name": {"type": "string"}, "tag": {"type": "string", "enum": ["dog", "cat"]}}
      },
      "Problem": {"type": "object", "required": ["status"], "properties": {"status": {"type": "integer"}}}
    }
  }
}`

// answer is what petApp writes for one request path.
type answer struct {
	status int
	header map[string]string
	body   string
}

// petApp serves petDocument at prefix+"/openapi.json" and, for each
// path of answers (under prefix), the answer given, right or wrong.
func petApp(prefix string, answers map[string]answer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, petDocument, prefix+"/")
	})
	mux.HandleFunc(prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[strings.TrimPrefix(r.URL.Path, prefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	})
	return mux
}

var (
	jsonType    = map[string]string{"Content-Type": "application/json", "X-Rate-Limit": "10"}
	problemType = map[string]string{"Content-Type": "application/problem+json"}
)

func TestClientChecksEveryResponse(t *testing.T) {
	answers := map[string]answer{
		"/pets/1":    {200, jsonType, `{"id":1,"name":"Rex","tag":"dog"}`},
		"/pets/2":    {500, jsonType, `{"id":2,"name":"Tea"}`},
		"/pets/3":    {200, jsonType, `{"id":3}`},
		"/pets/4":    {200, jsonType, `{"id":"4","name":"Tom"}`},
		"/pets/5":    {200, map[string]string{"Content-Type": "application/json"}, `{"id":5,"name":"Bo"}`},
		"/pets/6":    {200, map[string]string{"Content-Type": "application/json", "X-Rate-Limit": "10", "X-Extra": "any"}, `{"id":6,"name":"Bo"}`},
		"/pets/7":    {200, map[string]string{"Content-Type": "text/plain", "X-Rate-Limit": "10"}, `{"id":7,"name":"Bo"}`},
		"/pets/8":    {200, map[string]string{"Content-Type": "application/json", "X-Rate-Limit": "lots"}, `{"id":8,"name":"Bo"}`},
		"/pets/9":    {404, problemType, `{"status":404}`},
		"/pets/10":   {404, problemType, `{"title":"gone"}`},
		"/pets/11":   {200, jsonType, `{"id":11,"name":"Bo"`},
		"/pets/12":   {204, nil, ``},
		"/pets/13":   {204, map[string]string{"Content-Type": "text/plain"}, `done`},
		"/pets/14":   {200, jsonType, ``},
		"/pets/15":   {200, map[string]string{"Content-Type": "application/json", "X-Rate-Limit": "10", "X-Trace": "nope"}, `{"id":15,"name":"Bo"}`},
		"/pets/16":   {200, jsonType, `{"id":0,"name":"Bo","tag":"cow"}`},
		"/pets/17":   {200, map[string]string{"Content-Type": "application/json; charset=utf-8", "X-Rate-Limit": "10"}, `{"id":17,"name":"Bo"}`},
		"/pets/mine": {200, map[string]string{"Content-Type": "application/json"}, `[{"id":1,"name":"Rex"},{"id":2}]`},
		"/owners/1":  {200, jsonType, `{"name":"Ann"}`},
		"/owners/2":  {200, map[string]string{"Content-Type": "application/json"}, `{"name":"Ann"}`},
		"/owners/3":  {200, map[string]string{"Content-Type": "application/json", "X-Rate-Limit": "101"}, `{}`},
		"/events/good": {200, map[string]string{"Content-Type": "text/event-stream"},
			"id: 1\nretry: 500\ndata: {\"id\":1,\"name\":\"Rex\"}\n\n: keep-alive\n\nevent: pet\ndata: {\"id\":2,\ndata: \"name\":\"Tom\"}\n\n"},
		"/events/bad": {200, map[string]string{"Content-Type": "text/event-stream"},
			"id: 1\ndata: {\"id\":1,\"name\":\"Rex\"}\n\nevent: pet\ndata: {\"id\":2}\n\ndata: nope\n\n"},
		"/health": {200, map[string]string{"Content-Type": "text/plain"}, `ok`},
	}
	tests := []struct {
		name, method, path string
		says               []string // every fragment the one failure holds; none: no failure
	}{
		{name: "a documented answer passes", method: "GET", path: "/pets/1"},
		{name: "an undocumented status fails naming the operation and the documented ones", method: "GET", path: "/pets/2",
			says: []string{"GET /pets/2 answered 500", "GET /pets/{id} (getPet)", "status 500 is not documented (documented: 200, 204, 4XX)"}},
		{name: "a body missing a required field fails with its JSON pointer", method: "GET", path: "/pets/3",
			says: []string{"answered 200", "GET /pets/{id} (getPet)", "body at /name: required property is missing", `body: {"id":3}`}},
		{name: "a field of the wrong type fails with its JSON pointer", method: "GET", path: "/pets/4",
			says: []string{"body at /id: got string, want integer"}},
		{name: "a missing required header fails naming it", method: "GET", path: "/pets/5",
			says: []string{"required header X-Rate-Limit is missing"}},
		{name: "an extra undocumented header is fine", method: "GET", path: "/pets/6"},
		{name: "an undocumented content type fails naming the documented ones", method: "GET", path: "/pets/7",
			says: []string{"Content-Type text/plain is not documented (documented: application/json)"}},
		{name: "a documented header with a value its schema refuses fails", method: "GET", path: "/pets/8",
			says: []string{`header X-Rate-Limit: "lots": got string, want integer`}},
		{name: "a status matched by its range passes", method: "GET", path: "/pets/9"},
		{name: "a body that breaks the range's schema fails", method: "GET", path: "/pets/10",
			says: []string{"answered 404", "body at /status: required property is missing"}},
		{name: "a body that is not JSON fails", method: "GET", path: "/pets/11",
			says: []string{"the application/json body is not JSON"}},
		{name: "a documented empty answer passes", method: "GET", path: "/pets/12"},
		{name: "a body on a 204 fails: a server drops it", method: "GET", path: "/pets/13",
			says: []string{"a body of 4 bytes on a 204, which HTTP sends without one"}},
		{name: "an empty body where one is documented fails", method: "GET", path: "/pets/14",
			says: []string{"the body is empty; the document describes application/json"}},
		{name: "an optional header's value is checked too", method: "GET", path: "/pets/15",
			says: []string{"header X-Trace:", "does not match pattern"}},
		{name: "every mismatch is listed, in pointer order", method: "GET", path: "/pets/16",
			says: []string{"body at /id: minimum: got 0, want 1\n\tbody at /tag: value must be one of 'dog', 'cat'"}},
		{name: "media type parameters do not matter", method: "GET", path: "/pets/17"},
		{name: "a concrete path wins over a template, and array items are checked", method: "GET", path: "/pets/mine",
			says: []string{"GET /pets/mine (myPets)", "body at /1/name: required property is missing"}},
		{name: "a method the concrete path lacks falls through to the template, as a router does", method: "DELETE", path: "/pets/mine",
			says: []string{"DELETE /pets/mine answered 200, which breaks DELETE /pets/{id} in /openapi.json", "status 200 is not documented (documented: 204)"}},
		{name: "a response and its header through $refs pass", method: "GET", path: "/owners/1"},
		{name: "a required header of a referenced response is checked", method: "GET", path: "/owners/2",
			says: []string{"GET /owners/{id} (getOwner)", "required header X-Rate-Limit is missing"}},
		{name: "a referenced header's schema and the response's body schema are checked", method: "GET", path: "/owners/3",
			says: []string{`header X-Rate-Limit: "101": maximum: got 101, want 100`, "body at /name: required property is missing"}},
		{name: "events whose data match the stream's schema pass", method: "GET", path: "/events/good"},
		{name: "each event's data is checked, named by its place, name and id", method: "GET", path: "/events/bad",
			says: []string{"GET /events/{kind} (petEvents)", "event 2 (pet, id 1): data at /name: required property is missing\n\tevent 3 (id 1): the data is not JSON"}},
		{name: "a path the document lacks fails", method: "GET", path: "/health",
			says: []string{"GET /health answered 200, but no path of the document matches /health"}},
		{name: "a method the path lacks fails", method: "PATCH", path: "/pets/1",
			says: []string{"the document's path /pets/{id} has no PATCH operation"}},
		{name: "an operation without an id is named by method and template", method: "DELETE", path: "/pets/2",
			says: []string{"breaks DELETE /pets/{id} in /openapi.json", "status 500"}},
	}
	for _, prefix := range []string{"", "/api/v1"} {
		for _, tt := range tests {
			t.Run(prefix+" "+tt.name, func(t *testing.T) {
				rec := &recorder{TB: t}
				opts := []openapitest.Option{}
				if prefix != "" {
					opts = append(opts, openapitest.WithDocument(prefix+"/openapi.json"))
				}
				c := openapitest.New(rec, petApp(prefix, answers), opts...)
				resp := c.Do(tt.method, prefix+tt.path, nil)
				if len(tt.says) == 0 {
					if len(rec.errors) > 0 {
						t.Fatalf("a conforming answer failed the test: %q", rec.errors)
					}
					return
				}
				if len(rec.errors) != 1 {
					t.Fatalf("want one failure, got %d: %q (response %s)", len(rec.errors), rec.errors, resp)
				}
				msg := rec.errors[0]
				for _, s := range tt.says {
					if prefix != "" {
						s = strings.ReplaceAll(s, " /health", " "+prefix+"/health")
						s = strings.ReplaceAll(s, "GET /pets/2 ", "GET "+prefix+"/pets/2 ")
						s = strings.ReplaceAll(s, "DELETE /pets/mine ", "DELETE "+prefix+"/pets/mine ")
						s = strings.ReplaceAll(s, "in /openapi.json", "in "+prefix+"/openapi.json")
					}
					if !strings.Contains(msg, s) {
						t.Errorf("the failure does not say %q:\n%s", s, msg)
					}
				}
			})
		}
	}
}

func TestNewNeedsAnOpenAPI31Document(t *testing.T) {
	doc30 := http.NewServeMux()
	doc30.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"openapi": "3.0.3", "paths": {}}`)
	})
	doc30.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "openapi: 3.1.0\n")
	})
	tests := []struct {
		name string
		app  http.Handler
		opts []openapitest.Option
		says string
	}{
		{"no document at the path stops the test naming the option that moves it", http.NewServeMux(), nil,
			"GET /openapi.json answered 404, not the OpenAPI document (see WithDocument)"},
		{"a 3.0 document stops the test", doc30, nil, `the document is OpenAPI "3.0.3"; openapitest checks against OpenAPI 3.1`},
		{"a YAML document stops the test: the client reads the JSON one", doc30, []openapitest.Option{openapitest.WithDocument("/openapi.yaml")},
			"GET /openapi.yaml: the document is not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			c := openapitest.New(rec, tt.app, tt.opts...)
			if !rec.fatal || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], tt.says) {
				t.Fatalf("fatal %v, failures %q; want one saying %q", rec.fatal, rec.errors, tt.says)
			}
			c.Get("/pets/1") // a client without a document checks nothing more
			if len(rec.errors) != 1 {
				t.Errorf("a failed client went on failing: %q", rec.errors)
			}
		})
	}
}

func TestClientRequests(t *testing.T) {
	var got []string
	app := http.NewServeMux()
	app.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, petDocument, "/")
	})
	app.HandleFunc("/pets/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, fmt.Sprintf("%s %s key=%s type=%s %s", r.Method, r.URL.Path, r.Header.Get("X-Key"), r.Header.Get("Content-Type"), body))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Rate-Limit", "1")
		io.WriteString(w, `{"id":1,"name":"Rex"}`)
	})
	rec := &recorder{TB: t}
	c := openapitest.New(rec, app, openapitest.WithHeader("X-Key", "default"))
	c.Get("/pets/1")
	c.Do("PATCH", "/pets/1", map[string]int{"age": 3}, "X-Key: mine")
	c.Do("PUT", "/pets/1", `{"raw":`, "Content-Type: text/plain")
	head := c.Do("HEAD", "/pets/1", nil)
	want := []string{
		"GET /pets/1 key=default type= ",
		`PATCH /pets/1 key=mine type=application/json {"age":3}`,
		`PUT /pets/1 key=default type=text/plain {"raw":`,
		"HEAD /pets/1 key=default type= ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the app received\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(head.Body) != 0 || head.Operation != "getPet" {
		t.Errorf("HEAD is checked as GET without a body: %q, operation %q", head.Body, head.Operation)
	}
	// PATCH and PUT are not in the document: two failures, nothing else.
	if len(rec.errors) != 2 || !strings.Contains(rec.errors[0], "has no PATCH operation") || !strings.Contains(rec.errors[1], "has no PUT operation") {
		t.Errorf("failures %q", rec.errors)
	}
	for _, bad := range []string{"pets/1", "http://example.com/pets/1", "/pets/%zz"} {
		rec.errors = nil
		if resp := c.Get(bad); resp.StatusCode != 0 || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "want a path that starts with /") {
			t.Errorf("GET %q: %s, failures %q", bad, resp, rec.errors)
		}
	}
	rec.errors = rec.errors[:0:0]
	sub := &recorder{TB: t}
	c.For(sub).Get("/pets/1/x")
	if len(sub.errors) != 1 || len(rec.errors) != 0 {
		t.Errorf("For reports to its own t: %q, the client's t: %q", sub.errors, rec.errors)
	}
}
