package main

import (
	"log/slog"
	"testing"

	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// TestAPIYAMLIsCurrent fails when api.yaml at the repository root is not
// the document the quickstart serves at /openapi.yaml, with a unified
// diff; `make api.yaml` regenerates it.
func TestAPIYAMLIsCurrent(t *testing.T) {
	openapitest.CheckFile(t, newApp(slog.New(slog.DiscardHandler)), "/openapi.yaml", "../../api.yaml", "make api.yaml")
}
