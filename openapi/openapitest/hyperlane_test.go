package openapitest_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// limited is an output with a header the document marks required.
type limited struct {
	Limit int    `header:"X-Rate-Limit" json:"-" required:"true"`
	Name  string `json:"name"`
}

// TestClientOnAHyperlaneApp checks the document openapi.New reflects: a
// response middleware that drops a header the operation documents as
// required breaks the contract, and the client says so.
func TestClientOnAHyperlaneApp(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{})
	openapi.Get(api, "/limited", func(c *hyperlane.Context, in *struct{}) (*limited, error) {
		return &limited{Limit: 3, Name: "x"}, nil
	})
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		if c.Query("strip") != "" {
			c.ResponseHeader().Del("X-Rate-Limit")
		}
		return nil
	})
	rec := &recorder{TB: t}
	c := openapitest.New(rec, s)
	if resp := c.Get("/limited"); resp.StatusCode != 200 || len(rec.errors) != 0 {
		t.Fatalf("the typed operation breaks its own document: %s %q", resp, rec.errors)
	}
	c.Get("/limited?strip=1")
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "GET /limited?strip=1 answered 200, which breaks GET /limited (listLimited) in /openapi.json:\n\trequired header X-Rate-Limit is missing") {
		t.Errorf("failures %q", rec.errors)
	}
}
