package main

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/openapi/openapitest"
)

// TestEventsContract reads GET /events through the contract-test
// client: the data of every event (three counts, then done) is checked
// against the schema the document gives the stream.
func TestEventsContract(t *testing.T) {
	c := openapitest.New(t, newApp(slog.New(slog.DiscardHandler)))
	resp := c.Get("/events?n=3&interval=10ms")
	if resp.StatusCode != 200 || resp.Operation != "streamEvents" || strings.Count(string(resp.Body), "data: ") != 4 {
		t.Errorf("GET /events?n=3: %s by %q", resp, resp.Operation)
	}
	if resp := c.Get("/events?n=3", "Last-Event-ID: 3"); resp.StatusCode != 204 {
		t.Errorf("every event already sent: %s", resp)
	}
}
