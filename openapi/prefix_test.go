package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// TestTwoAPIsInOneServer serves two versions of an API from one server,
// each under its Config.Prefix with its own documents, doc pages and
// command, over a real socket.
func TestTwoAPIsInOneServer(t *testing.T) {
	s, v1 := newAPI(t, openapi.Config{Title: "Pets", Version: "1.0.0", Prefix: "/v1"})
	v2 := openapi.New(s, openapi.Config{Title: "Pets", Version: "2.0.0", Prefix: "/v2"})
	openapi.Get(v1, "/pets/{id}", getGPet)
	openapi.Get(v2, "/pets/{id}", getGPet) // the same derived id, another document
	openapi.Post(openapi.NewGroup(v2, "/pets", openapi.Tags("pets")), "", createGPet)

	srv := httptest.NewServer(s)
	defer srv.Close()
	get := func(t *testing.T, method, target, body string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), method, srv.URL+target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	docs := []struct {
		name, target, openapi, version string
		paths                          []string
	}{
		{"v1 serves its 3.1 document", "/v1/openapi.json", "3.1.0", "1.0.0", []string{"/v1/pets/{id}"}},
		{"v1 serves its 3.0 document", "/v1/openapi-3.0.json", "3.0.3", "1.0.0", []string{"/v1/pets/{id}"}},
		{"v2 serves its 3.1 document", "/v2/openapi.json", "3.1.0", "2.0.0", []string{"/v2/pets", "/v2/pets/{id}"}},
		{"v2 serves its 3.0 document", "/v2/openapi-3.0.json", "3.0.3", "2.0.0", []string{"/v2/pets", "/v2/pets/{id}"}},
	}
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			status, _, body := get(t, "GET", d.target, "")
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			if doc["openapi"] != d.openapi || at(t, doc, "info", "version") != d.version {
				t.Errorf("openapi %v version %v, want %s %s", doc["openapi"], at(t, doc, "info", "version"), d.openapi, d.version)
			}
			paths := keys(at(t, doc, "paths").(map[string]any))
			slices.Sort(paths)
			if !slices.Equal(paths, d.paths) {
				t.Errorf("paths %q, want %q", paths, d.paths)
			}
		})
	}
	pages := []struct{ name, target, want string }{
		{"v1's Swagger UI loads v1's document", "/v1/swagger", "/v1/openapi.json"},
		{"v2's Swagger UI loads v2's document", "/v2/swagger", "/v2/openapi.json"},
		{"v2's RapiDoc loads v2's document", "/v2/rapidoc", `spec-url="/v2/openapi.json"`},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			status, _, body := get(t, "GET", p.target, "")
			if status != http.StatusOK || !strings.Contains(body, p.want) {
				t.Fatalf("status %d, body without %s:\n%.300s", status, p.want, body)
			}
		})
	}
	calls := []struct {
		name, method, target, body string
		status                     int
		contains                   string
	}{
		{"no document at the root", "GET", "/openapi.json", "", 404, ""},
		{"v1's typed route binds", "GET", "/v1/pets/4", "", 200, `{"id":4,"name":"Rex"}`},
		{"v1's typed route validates", "GET", "/v1/pets/0", "", 422, `"location":"path.id"`},
		{"v2's grouped route validates its body", "POST", "/v2/pets", `{"name":"x"}`, 422, `"location":"body.name"`},
		{"v2's grouped route binds its body", "POST", "/v2/pets", `{"name":"Tom"}`, 200, `"name":"Tom"`},
		{"v1 has no v2 route", "POST", "/v1/pets", `{"name":"Tom"}`, 404, ""},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			status, ct, body := get(t, c.method, c.target, c.body)
			if status != c.status || !strings.Contains(body, c.contains) {
				t.Fatalf("%d %s, want %d containing %s", status, body, c.status, c.contains)
			}
			if status == 422 && ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
		})
	}
	t.Run("each API has its own command", func(t *testing.T) {
		var names []string
		for _, cmd := range s.Commands() {
			names = append(names, cmd.Name)
			if cmd.Name == "openapi-v2" {
				var out bytes.Buffer
				if err := cmd.Run(context.Background(), []string{"--format", "json"}, &out); err != nil {
					t.Fatal(err)
				}
				if want, _ := v2.Spec("3.1", "json"); !bytes.Equal(out.Bytes(), want) {
					t.Errorf("openapi-v2 printed another document:\n%.200s", out.String())
				}
			}
		}
		if !slices.Equal(names, []string{"openapi-v1", "asyncapi-v1", "openapi-v2", "asyncapi-v2"}) {
			t.Errorf("commands %q, want openapi-v1, asyncapi-v1, openapi-v2 and asyncapi-v2", names)
		}
	})
}

// TestTwoAPIsMounted mounts a server holding two APIs under /api of a
// ServeMux: each version's Swagger UI loads its own document through the
// mount prefix, and that document's servers entry plus its paths give
// the URL a client calls.
func TestTwoAPIsMounted(t *testing.T) {
	s, v1 := newAPI(t, openapi.Config{Title: "Pets", Version: "1.0.0", Prefix: "/v1"})
	v2 := openapi.New(s, openapi.Config{Title: "Pets", Version: "2.0.0", Prefix: "/v2"})
	openapi.Get(v1, "/pets/{id}", getGPet)
	openapi.Get(v2, "/pets/{id}", getGPet)
	mux := http.NewServeMux()
	mux.Handle("/api/", adapter.Mount("/api", s))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(t *testing.T, target string) (int, string) {
		t.Helper()
		resp, err := srv.Client().Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, version := range []string{"v1", "v2"} {
		t.Run(version, func(t *testing.T) {
			if status, page := get(t, "/api/"+version+"/swagger"); status != 200 || !strings.Contains(page, "/api/"+version+"/openapi.json") {
				t.Fatalf("swagger: %d, page without /api/%s/openapi.json", status, version)
			}
			status, body := get(t, "/api/"+version+"/openapi.json")
			var doc map[string]any
			if err := json.Unmarshal([]byte(body), &doc); status != 200 || err != nil {
				t.Fatalf("document: %d %v", status, err)
			}
			server := at(t, doc, "servers", 0, "url").(string)
			paths := keys(at(t, doc, "paths").(map[string]any))
			if len(paths) != 1 {
				t.Fatalf("paths %q, want one", paths)
			}
			target := server + strings.Replace(paths[0], "{id}", "9", 1)
			if status, body := get(t, target); status != 200 || strings.TrimSpace(body) != `{"id":9,"name":"Rex"}` {
				t.Fatalf("GET %s (servers + path): %d %s", target, status, body)
			}
		})
	}
}
