package openapitest_test

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// TestClientOnAMountedApp tests an app mounted under a prefix: the
// document lists the prefix in servers, and the client matches the
// prefixed paths to the document's templates.
func TestClientOnAMountedApp(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{})
	openapi.Get(api, "/pets/{id}", getPet, openapi.Errors(http.StatusNotFound))
	mux := http.NewServeMux()
	mux.Handle("/api/", adapter.Mount("/api", s))

	rec := &recorder{TB: t}
	c := openapitest.New(rec, mux, openapitest.WithDocument("/api/openapi.json"))
	for _, path := range []string{"/api/pets/1", "/api/pets/2", "/api/pets/0"} {
		if resp := c.Get(path); resp.Operation != "getPet" {
			t.Errorf("GET %s matched %q: %s", path, resp.Operation, resp)
		}
	}
	if len(rec.errors) != 0 {
		t.Errorf("a mounted app breaks its document: %q", rec.errors)
	}
}
