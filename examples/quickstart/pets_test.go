package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPetAPI(t *testing.T) {
	t.Setenv("HYPERLANE_API_KEY", "test-key")
	s := newApp(slog.New(slog.DiscardHandler))
	key := map[string]string{"X-API-Key": "test-key", "Content-Type": "application/json"}
	call := func(method, target, body string, header map[string]string) (int, string) {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		b, _ := io.ReadAll(w.Body)
		return w.Code, string(b)
	}
	// The steps run in order against one store.
	steps := []struct {
		name, method, target, body string
		header                     map[string]string
		status                     int
		contains                   string
	}{
		{"the store starts with two pets", "GET", "/pets", "", nil, 200, `"total":2`},
		{"a pet by id", "GET", "/pets/1", "", nil, 200, `{"id":1,"name":"Rex","tag":"dog","age":3}`},
		{"an unknown id is a 404 problem", "GET", "/pets/99", "", nil, 404, `"detail":"no pet with id 99"`},
		{"an id below 1 is a 422", "GET", "/pets/0", "", nil, 422, `"location":"path.id"`},
		{"a write without the key is 401", "POST", "/pets", `{"name":"Bo"}`, nil, 401, `"status":401`},
		{"a write with the wrong key is 401", "POST", "/pets", `{"name":"Bo"}`, map[string]string{"X-API-Key": "hyperlane-demo-key"}, 401, "X-API-Key"},
		{"create a pet", "POST", "/pets", `{"name":"Bo","tag":"bird","age":1}`, key, 201, `{"id":3,"name":"Bo","tag":"bird","age":1}`},
		{"an invalid pet lists every failing field", "POST", "/pets", `{"name":"","tag":"cow","age":101}`, key, 422,
			`"errors":[{"location":"body.age","message":"must be at most 100","value":101},{"location":"body.name","message":"must be at least 1 character long","value":""},{"location":"body.tag","message":"must be one of \"dog\", \"cat\", \"bird\", \"fish\"","value":"cow"}]`},
		{"a name over 64 characters", "POST", "/pets", `{"name":"` + strings.Repeat("x", 65) + `"}`, key, 422, "must be at most 64 characters long"},
		{"malformed JSON is 400", "POST", "/pets", `{"name":`, key, 400, "malformed JSON"},
		{"filter by tag", "GET", "/pets?tag=bird", "", nil, 200, `{"items":[{"id":3,"name":"Bo","tag":"bird","age":1}],"total":1}`},
		{"page with limit and offset", "GET", "/pets?limit=1&offset=1", "", nil, 200, `{"items":[{"id":2,"name":"Tom","tag":"cat","age":5}],"total":3}`},
		{"an offset past the end is an empty page", "GET", "/pets?offset=10", "", nil, 200, `{"items":[],"total":3}`},
		{"limit over 100 is 422", "GET", "/pets?limit=101", "", nil, 422, `"location":"query.limit"`},
		{"an unknown tag filter is 422", "GET", "/pets?tag=cow", "", nil, 422, `"location":"query.tag"`},
		{"replace a pet", "PUT", "/pets/3", `{"name":"Bob","tag":"fish"}`, key, 200, `{"id":3,"name":"Bob","tag":"fish","age":0}`},
		{"replace an unknown pet", "PUT", "/pets/99", `{"name":"Bob"}`, key, 404, "no pet with id 99"},
		{"delete a pet", "DELETE", "/pets/3", "", key, 204, ""},
		{"delete it again", "DELETE", "/pets/3", "", key, 404, "no pet with id 3"},
		{"it is gone", "GET", "/pets/3", "", nil, 404, ""},
	}
	for _, st := range steps {
		status, body := call(st.method, st.target, st.body, st.header)
		if status != st.status || !strings.Contains(body, st.contains) {
			t.Errorf("%s: %s %s = %d %s; want %d containing %s", st.name, st.method, st.target, status, body, st.status, st.contains)
		}
	}
}

func TestPetAPIDefaultKey(t *testing.T) {
	t.Setenv("HYPERLANE_API_KEY", "")
	s := newApp(slog.New(slog.DiscardHandler))
	req := httptest.NewRequest("POST", "/pets", strings.NewReader(`{"name":"Bo"}`))
	req.Header.Set("X-API-Key", DefaultAPIKey)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusCreated {
		t.Errorf("the documented default key is refused: %d %s", w.Code, w.Body)
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
