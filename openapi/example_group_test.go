package openapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// Item is what the example groups serve.
type Item struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ItemID names one item.
type ItemID struct {
	ID int64 `path:"id" minimum:"1"`
}

func getItem(c *hyperlane.Context, in *ItemID) (*Item, error) {
	return &Item{ID: in.ID, Name: "hammer"}, nil
}

// A group of typed operations: its prefix, tags, security and
// operation id prefix apply to every operation registered on it, and its
// middleware runs only for its routes. An operation overrides the
// security with its own Security, or removes it with NoSecurity.
func ExampleNewGroup() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	key := openapi.APIKey("key", "header", "X-API-Key", "")
	key.Check = func(c *hyperlane.Context) error {
		if c.Header("X-API-Key") != "secret" {
			return hyperlane.Errorf(http.StatusUnauthorized, "a valid X-API-Key is required")
		}
		return nil
	}
	api := openapi.New(s, openapi.Config{Title: "Shop", Version: "1.0.0",
		SecuritySchemes: []openapi.SecurityScheme{key}})

	items := openapi.NewGroup(api, "/items",
		openapi.Tags("items"), openapi.Security("key"), openapi.OperationIDPrefix("shop"))
	items.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("Cache-Control", "no-store") // only on /items routes
		return nil
	})
	openapi.Get(items, "/{id}", getItem)
	openapi.Get(items, "/{id}/preview", getItem, openapi.NoSecurity(), openapi.OperationID("previewItem"))

	for _, r := range []struct{ target, key string }{
		{"/items/7", "secret"}, {"/items/7", ""}, {"/items/7/preview", ""}, {"/items/0", "secret"},
	} {
		req := httptest.NewRequest(http.MethodGet, r.target, nil)
		req.Header.Set("X-API-Key", r.key)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		var p struct{ Detail string }
		if json.Unmarshal(w.Body.Bytes(), &p); p.Detail != "" {
			fmt.Println(w.Code, w.Header().Get("Cache-Control"), p.Detail)
			continue
		}
		fmt.Println(w.Code, w.Header().Get("Cache-Control"), strings.TrimSpace(w.Body.String()))
	}

	b, _ := api.Spec("3.1", "json")
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string                `json:"operationId"`
			Tags        []string              `json:"tags"`
			Security    []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	json.Unmarshal(b, &doc)
	for _, p := range []string{"/items/{id}", "/items/{id}/preview"} {
		op := doc.Paths[p]["get"]
		fmt.Println(p, op.OperationID, op.Tags, op.Security)
	}
	// Output:
	// 200 no-store {"id":7,"name":"hammer"}
	// 401 no-store a valid X-API-Key is required
	// 200 no-store {"id":7,"name":"hammer"}
	// 422 no-store 1 field failed validation
	// /items/{id} shopGetItem [items] [map[key:[]]]
	// /items/{id}/preview shopPreviewItem [items] []
}

// Two versions of an API in one server: each is its own API under its
// Config.Prefix, with its own document, Swagger UI, RapiDoc and
// "openapi-v1" / "openapi-v2" command (and "asyncapi-v1" / "asyncapi-v2").
func ExampleConfig_prefix() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	v1 := openapi.New(s, openapi.Config{Title: "Shop", Version: "1.4.0", Prefix: "/v1"})
	v2 := openapi.New(s, openapi.Config{Title: "Shop", Version: "2.0.0", Prefix: "/v2"})
	openapi.Get(v1, "/items/{id}", getItem)
	openapi.Get(v2, "/items/{id}", getItem, openapi.Summary("Find an item"))

	for _, target := range []string{"/v1/openapi.json", "/v2/openapi.json", "/v2/items/3"} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		var doc struct {
			Info  struct{ Version string }
			Paths map[string]any
		}
		if json.Unmarshal(w.Body.Bytes(), &doc) == nil && doc.Paths != nil {
			for p := range doc.Paths {
				fmt.Println(target, doc.Info.Version, p)
			}
			continue
		}
		fmt.Println(target, w.Code, strings.TrimSpace(w.Body.String()))
	}
	for _, c := range s.Commands() {
		fmt.Println("command", c.Name)
	}
	// Output:
	// /v1/openapi.json 1.4.0 /v1/items/{id}
	// /v2/openapi.json 2.0.0 /v2/items/{id}
	// /v2/items/3 200 {"id":3,"name":"hammer"}
	// command openapi-v1
	// command asyncapi-v1
	// command openapi-v2
	// command asyncapi-v2
}
