package openapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// fuzzBindInput binds from the path, the query, a header and a JSON body,
// each with a constraint the binder must enforce.
type fuzzBindInput struct {
	ID    int64    `path:"id" minimum:"1"`
	Limit int      `query:"limit" minimum:"1" maximum:"100" default:"10"`
	Tags  []string `query:"tag"`
	Key   string   `header:"X-Key" maxLength:"8"`
	Name  string   `json:"name" minLength:"1" maxLength:"20"`
	Age   *int     `json:"age,omitempty" minimum:"0"`
}

// fuzzBindOutput echoes what the handler was given.
type fuzzBindOutput struct {
	ID    int64    `json:"id"`
	Limit int      `json:"limit"`
	Tags  []string `json:"tags"`
	Key   string   `json:"key"`
	Name  string   `json:"name"`
	Age   *int     `json:"age"`
}

// FuzzBind sends arbitrary path, query, header and body values to a typed
// operation. Never a 5xx; every refusal is problem+json with its status;
// and a handler only ever sees values that satisfy the input's
// constraints and are the ones the request carried.
func FuzzBind(f *testing.F) {
	f.Add("1", "limit=5&tag=a&tag=b", "k", `{"name":"Rex","age":3}`)
	f.Add("0", "", "", `{"name":"Rex"}`)
	f.Add("-7", "limit=0", "", `{"name":""}`)
	f.Add("9223372036854775808", "limit=101", "too-long-key", `{"name":"Rex","age":-1}`)
	f.Add("12", "limit=%zz&limit=7", "ok", `{"name":"a","NAME":"case-folded duplicate name over twenty"}`)
	f.Add("3", "tag=%E2%82%AC&tag=;x", "ключ", `{"name":"Rex","AGE":-5}`)
	f.Add("4", "limit=1e1", "", `{"name":"Rex","age":1.5}`)
	f.Add("5", "", "", `[]`)
	f.Add("6", "", "", `{"name":"\u00e9\ud83d\ude00"}`)
	f.Add("abc", "", "", ``)
	_, api := newAPI(f, openapi.Config{})
	s := api.Server()
	openapi.Post(api, "/pets/{id}", func(c *hyperlane.Context, in *fuzzBindInput) (*fuzzBindOutput, error) {
		return &fuzzBindOutput{ID: in.ID, Limit: in.Limit, Tags: in.Tags, Key: in.Key, Name: in.Name, Age: in.Age}, nil
	})
	f.Fuzz(func(t *testing.T, id, query, key, body string) {
		r, err := http.NewRequest(http.MethodPost, "http://x/pets/"+url.PathEscape(id)+"?"+query, strings.NewReader(body))
		if err != nil {
			return
		}
		r.Header.Set("Content-Type", "application/json")
		if key != "" {
			r.Header["X-Key"] = []string{key}
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("id %q query %q key %q body %q: %d %s", id, query, key, body, w.Code, w.Body)
		}
		if w.Code != http.StatusOK {
			var p struct {
				Status int `json:"status"`
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("status %d with Content-Type %q, want problem+json: %s", w.Code, ct, w.Body)
			}
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != w.Code {
				t.Fatalf("status %d with problem %s (%v)", w.Code, w.Body, err)
			}
			return
		}
		var out fuzzBindOutput
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("200 body %s: %v", w.Body, err)
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("id %q query %q key %q body %q -> %s: "+format, append([]any{id, query, key, body, w.Body}, args...)...)
		}
		if want, err := strconv.ParseInt(id, 10, 64); err != nil || out.ID != want || out.ID < 1 {
			fail("id %d is not the path's, or below the minimum 1", out.ID)
		}
		q, _ := url.ParseQuery(query)
		wantLimit := 10
		if v, ok := q["limit"]; ok {
			wantLimit, _ = strconv.Atoi(v[0])
		}
		if out.Limit != wantLimit || out.Limit < 1 || out.Limit > 100 {
			fail("limit %d, want %d within 1..100", out.Limit, wantLimit)
		}
		// JSON carries invalid UTF-8 as U+FFFD, byte by byte, as []rune does.
		valid := func(s string) string { return string([]rune(s)) }
		var wantTags []string
		for _, tag := range q["tag"] {
			wantTags = append(wantTags, valid(tag))
		}
		if !slices.Equal(out.Tags, wantTags) {
			fail("tags %q, want %q", out.Tags, wantTags)
		}
		if out.Key != valid(key) || utf8.ValidString(key) && utf8.RuneCountInString(key) > 8 {
			fail("key %q, want %q of at most 8 characters", out.Key, key)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			fail("a body that is not a JSON object was accepted: %v", err)
		}
		if name, _ := doc["name"].(string); out.Name != name || utf8.RuneCountInString(out.Name) < 1 || utf8.RuneCountInString(out.Name) > 20 {
			fail("name %q, want the body's %q of 1..20 characters", out.Name, name)
		}
		age, hasAge := doc["age"].(float64)
		switch {
		case out.Age == nil && hasAge, out.Age != nil && (!hasAge || float64(*out.Age) != age):
			fail("age %v, want the body's %v", out.Age, doc["age"])
		case out.Age != nil && *out.Age < 0:
			fail("age %d is below the minimum 0", *out.Age)
		}
	})
}

// foldOwner is nested in a Body, to reach the case rule below the top.
type foldOwner struct {
	Name string `json:"name" maxLength:"3"`
}

type foldBodyInput struct {
	Body struct {
		Owner foldOwner   `json:"owner"`
		Pets  []foldOwner `json:"pets,omitempty"`
	}
}

func TestBindRefusesKeysThatDifferOnlyInCase(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.Post(api, "/flat/{id}", func(c *hyperlane.Context, in *fuzzBindInput) (*fuzzBindOutput, error) {
		return &fuzzBindOutput{Name: in.Name, Age: in.Age}, nil
	})
	openapi.Post(api, "/nested", func(c *hyperlane.Context, in *foldBodyInput) (*struct{}, error) {
		return &struct{}{}, nil
	})
	tests := []struct {
		name, target, body string
		want               int
		location           string
	}{
		{name: "exact keys are bound", target: "/flat/1", body: `{"name":"Rex","age":3}`, want: 200},
		{name: "an upper-case twin cannot smuggle an over-long name past maxLength", target: "/flat/1", body: `{"name":"ok","NAME":"` + strings.Repeat("x", 40) + `"}`, want: 422, location: "body.NAME"},
		{name: "a case variant alone cannot set a field past its minimum", target: "/flat/1", body: `{"name":"Rex","AGE":-5}`, want: 422, location: "body.AGE"},
		{name: "a mixed-case twin is refused too", target: "/flat/1", body: `{"name":"Rex","Name":"x"}`, want: 422, location: "body.Name"},
		{name: "unrelated extra keys are still ignored", target: "/flat/1", body: `{"name":"Rex","colour":"red"}`, want: 200},
		{name: "a key that matches a parameter field is not a body field", target: "/flat/1", body: `{"name":"Rex","id":5}`, want: 200},
		{name: "nested objects are checked", target: "/nested", body: `{"owner":{"name":"abc","NAME":"too long"}}`, want: 422, location: "body.owner.NAME"},
		{name: "objects inside arrays are checked", target: "/nested", body: `{"owner":{"name":"a"},"pets":[{"name":"b"},{"name":"c","nAme":"too long"}]}`, want: 422, location: "body.pets.1.nAme"},
		{name: "a nested exact body is bound", target: "/nested", body: `{"owner":{"name":"abc"},"pets":[{"name":"b"}]}`, want: 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, s, request{method: http.MethodPost, target: tt.target, body: tt.body, header: map[string]string{"Content-Type": "application/json"}})
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.want, w.Body)
			}
			if tt.location == "" {
				return
			}
			p := problem(t, w)
			if len(p.Errors) != 1 || p.Errors[0].Location != tt.location {
				t.Fatalf("errors %+v, want one at %s", p.Errors, tt.location)
			}
		})
	}
}
