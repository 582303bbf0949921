package main

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// TestAPIYAMLIsCurrent fails when api.yaml at the repository root is not
// the document the quickstart serves at /openapi.yaml, with a unified
// diff; `make api.yaml` regenerates it.
func TestAPIYAMLIsCurrent(t *testing.T) {
	openapitest.CheckFile(t, newApp(slog.New(slog.DiscardHandler)), "/openapi.yaml", "../../api.yaml", "make api.yaml")
}

// TestAsyncAPIYAMLIsCurrent fails when asyncapi.yaml at the repository
// root is not the AsyncAPI document the quickstart serves at
// /asyncapi.yaml (asked for on host localhost, the host the asyncapi
// command writes), with a unified diff; `make asyncapi.yaml`
// regenerates it.
func TestAsyncAPIYAMLIsCurrent(t *testing.T) {
	app := newApp(slog.New(slog.DiscardHandler))
	onLocalhost := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = "localhost"
		app.ServeHTTP(w, r)
	})
	openapitest.CheckFile(t, onLocalhost, "/asyncapi.yaml", "../../asyncapi.yaml", "make asyncapi.yaml")
}
