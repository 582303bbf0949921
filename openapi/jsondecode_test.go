package openapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// flatInput is a flat JSON body beside a path parameter: the direct
// decoder's common case.
type flatInput struct {
	ID    int64    `path:"id"`
	Name  string   `json:"name" maxLength:"20"`
	Kind  string   `json:"kind,omitempty"`
	Age   int8     `json:"age,omitempty"`
	Count uint16   `json:"count,omitempty"`
	Score float32  `json:"score,omitempty"`
	OK    bool     `json:"ok,omitempty"`
	Tags  []string `json:"tags,omitempty"`
}

type flatEcho struct {
	ID    int64    `json:"id"`
	Name  string   `json:"name"`
	Kind  string   `json:"kind"`
	Age   int8     `json:"age"`
	Count uint16   `json:"count"`
	Score float32  `json:"score"`
	OK    bool     `json:"ok"`
	Tags  []string `json:"tags"`
}

// flatBodyInput has its flat body in a Body field.
type flatBodyInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Name string `json:"name"`
		Age  int    `json:"age,omitempty"`
	}
}

type flatBodyEcho struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Age  int    `json:"age"`
}

func TestFlatJSONBody(t *testing.T) {
	_, api := newAPI(t, openapi.Config{})
	s := api.Server()
	openapi.Post(api, "/pets/{id}", func(c *hyperlane.Context, in *flatInput) (*flatEcho, error) {
		return &flatEcho{ID: in.ID, Name: in.Name, Kind: in.Kind, Age: in.Age, Count: in.Count, Score: in.Score, OK: in.OK, Tags: in.Tags}, nil
	})
	openapi.Put(api, "/pets/{id}", func(c *hyperlane.Context, in *flatBodyInput) (*flatBodyEcho, error) {
		return &flatBodyEcho{ID: in.ID, Name: in.Body.Name, Age: in.Body.Age}, nil
	})
	nested := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	const zero = `"kind":"","age":0,"count":0,"score":0,"ok":false,"tags":null}`
	tests := []struct {
		name   string
		method string
		body   string
		status int
		want   string // the echo, or the problem's first detail
	}{
		{"every scalar kind decodes", "", `{"name":"Rex","kind":"dog","age":-3,"count":7,"score":1.5,"ok":true}`,
			200, `{"id":42,"name":"Rex","kind":"dog","age":-3,"count":7,"score":1.5,"ok":true,"tags":null}`},
		{"unknown keys are skipped, nested ones too", "", `{"x":{"y":[1,{"z":null}],"w":"v"},"name":"Rex"}`,
			200, `{"id":42,"name":"Rex",` + zero},
		{"the last of duplicate keys wins", "", `{"name":"a","name":"b"}`, 200, `{"id":42,"name":"b",` + zero},
		{"null for an integer is refused by the schema", "", `{"name":"Rex","age":null}`, 422, "body.age: must be an integer, got null"},
		{"a key naming a path field does not bind it", "", `{"name":"Rex","ID":7}`, 200, `{"id":42,"name":"Rex",` + zero},
		{"a folded key naming a path field does not bind it", "", `{"name":"Rex","id":7}`, 200, `{"id":42,"name":"Rex",` + zero},
		{"a non-scalar field decodes through encoding/json", "", `{"name":"Rex","tags":["a","b"]}`,
			200, `{"id":42,"name":"Rex","kind":"","age":0,"count":0,"score":0,"ok":false,"tags":["a","b"]}`},
		{"an escaped string decodes through encoding/json", "", `{"name":"R\u00e9x\n"}`, 200, `{"id":42,"name":"Réx\n",` + zero},
		{"invalid UTF-8 becomes U+FFFD", "", "{\"name\":\"R\xffx\"}", 200, `{"id":42,"name":"R` + "\ufffd" + `x",` + zero},
		{"a body in a Body field decodes", http.MethodPut, `{"age":3,"name":"Rex"}`, 200, `{"id":42,"name":"Rex","age":3}`},
		{"nesting at encoding/json's limit is accepted", "", `{"name":"Rex","x":` + nested(9999) + `}`, 200, `{"id":42,"name":"Rex",` + zero},

		{"a key differing in case is refused", "", `{"name":"Rex","NAME":"x"}`, 422, "body.NAME: differs from a property only in letter case; spell it as the schema does"},
		{"a key with a Kelvin sign is refused", "", `{"name":"Rex","` + "\u212A" + `ind":"x"}`, 422, "body.\u212Aind: differs from a property only in letter case; spell it as the schema does"},
		{"an int8 overflow is refused", "", `{"name":"Rex","age":128}`, 422, "body.age: must be an integer that fits int8, got number 128"},
		{"a uint16 overflow is refused", "", `{"name":"Rex","count":65536}`, 422, "body.count: must be an integer that fits uint16, got number 65536"},
		{"a negative unsigned is refused by the schema", "", `{"name":"Rex","count":-1}`, 422, "body.count: must be at least 0"},
		{"a fraction for an integer is refused", "", `{"name":"Rex","age":1.5}`, 422, "body.age: must be an integer, got number"},
		{"a string over its maxLength is refused", "", `{"name":"Rexxxxxxxxxxxxxxxxxxxxx"}`, 422, "body.name: must be at most 20 characters long"},
		{"nesting beyond encoding/json's limit is malformed", "", `{"name":"Rex","x":` + nested(10000) + `}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			w := do(t, s, request{method: method, target: "/pets/42", body: tt.body, header: map[string]string{"Content-Type": "application/json"}})
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status == 200 {
				if got := strings.TrimSuffix(w.Body.String(), "\n"); got != tt.want {
					t.Fatalf("echo\n got %s\nwant %s", got, tt.want)
				}
				return
			}
			p := problem(t, w)
			if d := details(p); tt.want != "" && (len(d) == 0 || d[0] != tt.want) {
				t.Fatalf("details %q, want first %q", d, tt.want)
			}
		})
	}
}
