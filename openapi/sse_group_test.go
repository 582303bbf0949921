package openapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// TestSSEInAGroup: a typed SSE operation registered on a group gets the
// group's prefix, tags, operationId prefix and middleware, in the
// document and on the wire.
func TestSSEInAGroup(t *testing.T) {
	s, api := newAPI(t, openapi.Config{Title: "jobs"})
	g := openapi.NewGroup(api, "/v1/jobs", openapi.Tags("jobs"), openapi.OperationIDPrefix("jobs"))
	g.RequestMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Group", "jobs")
		return nil
	})
	openapi.SSE(g, "/run", func(c *hyperlane.Context, in *JobInput, send *openapi.Sender[JobEvents]) error {
		return send.Send(JobEvents{Finished: &Finished{OK: true}})
	})
	w := do(t, s, request{target: "/v1/jobs/run"})
	if w.Code != http.StatusOK || w.Header().Get("X-Group") != "jobs" || !strings.Contains(w.Body.String(), `event: finished`) {
		t.Fatalf("GET /v1/jobs/run: %d %v %q", w.Code, w.Header(), w.Body)
	}
	for _, version := range []string{"3.1", "3.0"} {
		b, err := api.Spec(version, "json")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths map[string]map[string]struct {
				OperationID string   `json:"operationId"`
				Tags        []string `json:"tags"`
			} `json:"paths"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		op := doc.Paths["/v1/jobs/run"]["get"]
		if op.OperationID != "jobsListJobsRun" || len(op.Tags) != 1 || op.Tags[0] != "jobs" {
			t.Errorf("%s: GET /v1/jobs/run is %+v, want operationId jobsListJobsRun and tag jobs", version, op)
		}
	}
}
