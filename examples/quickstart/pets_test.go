package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// TestPetAPI walks the Pet API through the contract-test client: each
// answer is checked against the document the app serves (status,
// content type, body schema), and then against what the step expects.
func TestPetAPI(t *testing.T) {
	t.Setenv("HYPERLANE_API_KEY", "test-key")
	c := openapitest.New(t, newApp(slog.New(slog.DiscardHandler)))
	key := "X-API-Key: test-key"
	// The steps run in order against one store.
	steps := []struct {
		name, method, target string
		body                 any
		header               []string
		status               int
		contains             string
	}{
		{"the store starts with two pets", "GET", "/pets", nil, nil, 200, `"total":2`},
		{"a pet by id", "GET", "/pets/1", nil, nil, 200, `{"id":1,"name":"Rex","tag":"dog","age":3}`},
		{"an unknown id is a 404 problem", "GET", "/pets/99", nil, nil, 404, `"detail":"no pet with id 99"`},
		{"an id below 1 is a 422", "GET", "/pets/0", nil, nil, 422, `"location":"path.id"`},
		{"a write without the key is 401", "POST", "/pets", NewPet{Name: "Bo"}, nil, 401, `"status":401`},
		{"a write with the wrong key is 401", "POST", "/pets", NewPet{Name: "Bo"}, []string{"X-API-Key: hyperlane-demo-key"}, 401, "X-API-Key"},
		{"create a pet", "POST", "/pets", NewPet{Name: "Bo", Tag: "bird", Age: 1}, []string{key}, 201, `{"id":3,"name":"Bo","tag":"bird","age":1}`},
		{"an invalid pet lists every failing field", "POST", "/pets", `{"name":"","tag":"cow","age":101}`, []string{key}, 422,
			`"errors":[{"location":"body.age","message":"must be at most 100","value":101},{"location":"body.name","message":"must be at least 1 character long","value":""},{"location":"body.tag","message":"must be one of \"dog\", \"cat\", \"bird\", \"fish\"","value":"cow"}]`},
		{"a name over 64 characters", "POST", "/pets", NewPet{Name: strings.Repeat("x", 65)}, []string{key}, 422, "must be at most 64 characters long"},
		{"malformed JSON is 400", "POST", "/pets", `{"name":`, []string{key}, 400, "malformed JSON"},
		{"filter by tag", "GET", "/pets?tag=bird", nil, nil, 200, `{"items":[{"id":3,"name":"Bo","tag":"bird","age":1}],"total":1}`},
		{"page with limit and offset", "GET", "/pets?limit=1&offset=1", nil, nil, 200, `{"items":[{"id":2,"name":"Tom","tag":"cat","age":5}],"total":3}`},
		{"an offset past the end is an empty page", "GET", "/pets?offset=10", nil, nil, 200, `{"items":[],"total":3}`},
		{"limit over 100 is 422", "GET", "/pets?limit=101", nil, nil, 422, `"location":"query.limit"`},
		{"an unknown tag filter is 422", "GET", "/pets?tag=cow", nil, nil, 422, `"location":"query.tag"`},
		{"replace a pet", "PUT", "/pets/3", NewPet{Name: "Bob", Tag: "fish"}, []string{key}, 200, `{"id":3,"name":"Bob","tag":"fish","age":0}`},
		{"replace an unknown pet", "PUT", "/pets/99", NewPet{Name: "Bob"}, []string{key}, 404, "no pet with id 99"},
		{"delete a pet", "DELETE", "/pets/3", nil, []string{key}, 204, ""},
		{"delete it again", "DELETE", "/pets/3", nil, []string{key}, 404, "no pet with id 3"},
		{"it is gone", "GET", "/pets/3", nil, nil, 404, ""},
	}
	for _, st := range steps {
		resp := c.Do(st.method, st.target, st.body, st.header...)
		if resp.StatusCode != st.status || !strings.Contains(string(resp.Body), st.contains) {
			t.Errorf("%s: %s %s = %s; want %d containing %s", st.name, st.method, st.target, resp, st.status, st.contains)
		}
	}
}

// TestPetAPITyped reads and writes the Pet API through its Go types,
// the way a client of the API would, with every answer checked against
// the document.
func TestPetAPITyped(t *testing.T) {
	t.Setenv("HYPERLANE_API_KEY", "test-key")
	c := openapitest.New(t, newApp(slog.New(slog.DiscardHandler)), openapitest.WithHeader("X-API-Key", "test-key"))

	var created Pet
	if resp := c.Post("/pets", NewPet{Name: "Kit", Tag: "cat", Age: 2}); resp.StatusCode != 201 {
		t.Fatalf("create: %s", resp)
	} else if resp.JSON(&created); created != (Pet{ID: 3, Name: "Kit", Tag: "cat", Age: 2}) || resp.Operation != "createPet" {
		t.Errorf("create: %+v by %q", created, resp.Operation)
	}
	var read Pet
	c.Get("/pets/3").JSON(&read)
	if read != created {
		t.Errorf("read %+v, created %+v", read, created)
	}
	var page PetPage
	c.Get("/pets?tag=cat").JSON(&page)
	if page.Total != 2 || len(page.Items) != 2 || page.Items[1] != created {
		t.Errorf("cats: %+v", page)
	}
	var problem hyperlane.HTTPError
	if resp := c.Get("/pets/42"); resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("unknown pet: %s", resp)
	} else if resp.JSON(&problem); problem.Status != 404 || problem.Detail != "no pet with id 42" {
		t.Errorf("unknown pet: %+v", problem)
	}
	if resp := c.Post("/pets", NewPet{Name: "Kit", Tag: "cat"}, "X-API-Key: wrong"); resp.StatusCode != 401 {
		t.Errorf("a header of the call wins over WithHeader: %s", resp)
	}
}

func TestPetAPIDefaultKey(t *testing.T) {
	t.Setenv("HYPERLANE_API_KEY", "")
	c := openapitest.New(t, newApp(slog.New(slog.DiscardHandler)))
	if resp := c.Post("/pets", NewPet{Name: "Bo"}, "X-API-Key: "+DefaultAPIKey); resp.StatusCode != http.StatusCreated {
		t.Errorf("the documented default key is refused: %s", resp)
	}
}

func TestDocsPages(t *testing.T) {
	t.Setenv("HYPERLANE_RAPIDOC_URL", "http://127.0.0.1:9/rapidoc-min.js")
	s := newApp(slog.New(slog.DiscardHandler))
	for path, want := range map[string]string{
		"/swagger":          "swagger-ui-bundle.js",
		"/rapidoc":          `src="http://127.0.0.1:9/rapidoc-min.js"`,
		"/openapi.json":     `"operationId": "createPet"`,
		"/openapi-3.0.json": `"openapi": "3.0.3"`,
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("GET %s: %d, lacks %s", path, w.Code, want)
		}
	}
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
	json.Unmarshal(w.Body.Bytes(), &doc)
	for _, p := range []string{"/pets", "/pets/{id}", "/events"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("the document lacks %s", p)
		}
	}
	for p := range doc.Paths {
		if strings.HasPrefix(p, "/swagger") || strings.HasPrefix(p, "/openapi") || p == "/rapidoc" {
			t.Errorf("a doc route is in the document: %s", p)
		}
	}
}

// TestNumericInputBounds sends the extreme integers of every numeric
// input over a real socket: none may overflow into a 500 (offset+limit
// wrapped around, and GET /pets?offset=9223372036854775807 was a 500).
// In range of the schema is an answer, out of it a 4xx problem.
func TestNumericInputBounds(t *testing.T) {
	srv := newTestServer(t)
	for _, tc := range []struct {
		name, target, lastEventID string
		status                    int
		contains                  string
	}{
		{"the largest offset is an empty page", "/pets?offset=9223372036854775807", "", 200, `{"items":[],"total":2}`},
		{"the largest offset with the largest limit is an empty page", "/pets?offset=9223372036854775807&limit=100", "", 200, `{"items":[],"total":2}`},
		{"an offset near the largest with a limit is an empty page", "/pets?offset=9223372036854775800&limit=100", "", 200, `{"items":[],"total":2}`},
		{"an offset at the end is an empty page", "/pets?offset=2", "", 200, `{"items":[],"total":2}`},
		{"a page inside the list", "/pets?offset=1&limit=100", "", 200, `{"items":[{"id":2,"name":"Tom","tag":"cat","age":5}],"total":2}`},
		{"an offset past int64 is 422", "/pets?offset=9223372036854775808", "", 422, `"location":"query.offset"`},
		{"the smallest offset is 422", "/pets?offset=-9223372036854775808", "", 422, `"location":"query.offset"`},
		{"a negative offset is 422", "/pets?offset=-1", "", 422, `"location":"query.offset"`},
		{"a non-numeric offset is 422", "/pets?offset=ten", "", 422, `"location":"query.offset"`},
		{"the largest limit is 422", "/pets?limit=9223372036854775807", "", 422, `"location":"query.limit"`},
		{"a limit past int64 is 422", "/pets?limit=99999999999999999999", "", 422, `"location":"query.limit"`},
		{"the smallest limit is 422", "/pets?limit=-9223372036854775808", "", 422, `"location":"query.limit"`},
		{"the largest pet id is a 404", "/pets/9223372036854775807", "", 404, "no pet with id 9223372036854775807"},
		{"a pet id past int64 is 422", "/pets/9223372036854775808", "", 422, `"location":"path.id"`},
		{"the largest event count is 422", "/events?n=9223372036854775807", "", 422, `"location":"query.n"`},
		{"the largest Last-Event-ID means every event was sent", "/events?n=3", "9223372036854775807", 204, ""},
		{"a Last-Event-ID past int64 is 422", "/events?n=3", "99999999999999999999", 422, `"location":"header.Last-Event-ID"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", srv.URL+tc.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.lastEventID != "" {
				req.Header.Set("Last-Event-ID", tc.lastEventID)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Fatalf("GET %s = %d %s; want %d containing %s", tc.target, resp.StatusCode, body, tc.status, tc.contains)
			}
			if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("GET %s: error is %q, want application/problem+json", tc.target, resp.Header.Get("Content-Type"))
			}
		})
	}
}

// The quickstart serves RapiDoc's script itself from HYPERLANE_RAPIDOC_DIR,
// or from ui-assets/rapidoc (what make ui-assets writes) when it is
// started where that directory is; otherwise the page uses the CDN.
func TestRapiDocScriptSource(t *testing.T) {
	assets := t.TempDir()
	dir := filepath.Join(assets, "ui-assets", "rapidoc")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "rapidoc-min.js"), []byte("/* stand-in */"), 0o644)
	local := `src="rapidoc/rapidoc-min.js?v=`
	tests := []struct {
		name, cwd, dirEnv, urlEnv, want string
	}{
		{"HYPERLANE_RAPIDOC_DIR is served by the app", t.TempDir(), dir, "", local},
		{"ui-assets/rapidoc in the working directory is served by the app", assets, "", "", local},
		{"HYPERLANE_RAPIDOC_URL wins over the default directory", assets, "", "http://127.0.0.1:9/r.js", `src="http://127.0.0.1:9/r.js"`},
		{"with neither, the page loads the pinned CDN file", t.TempDir(), "", "", `src="` + openapi.DefaultRapiDocScriptURL + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(tt.cwd)
			t.Setenv("HYPERLANE_RAPIDOC_DIR", tt.dirEnv)
			t.Setenv("HYPERLANE_RAPIDOC_URL", tt.urlEnv)
			s := newApp(slog.New(slog.DiscardHandler))
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest("GET", "/rapidoc", nil))
			if w.Code != 200 || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("GET /rapidoc: %d, lacks %s:\n%s", w.Code, tt.want, w.Body)
			}
		})
	}
}
