package openapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

type sseMeasure struct {
	V float64 `json:"v"`
}

type sseMeasures struct {
	Measure *sseMeasure `event:"measure"`
}

// TestSSEUnencodableDataIsAnErrorNotAnEmptyStream: data that JSON
// cannot encode (a NaN) makes Send return an error naming the event,
// before anything is written: as the first event the handler's error is
// a 500 problem, not an empty 200 stream a browser would reconnect to
// forever; later, the stream goes on without a broken event.
func TestSSEUnencodableDataIsAnErrorNotAnEmptyStream(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	sendErr := make(chan error, 1)
	openapi.SSE(api, "/measures", func(c *hyperlane.Context, in *struct {
		After bool `query:"after"`
	}, send *openapi.Sender[sseMeasures]) error {
		if in.After {
			_ = send.Send(sseMeasures{Measure: &sseMeasure{V: 1}})
		}
		err := send.Send(sseMeasures{Measure: &sseMeasure{V: math.NaN()}})
		sendErr <- err
		if in.After {
			return send.Send(sseMeasures{Measure: &sseMeasure{V: 2}})
		}
		return err
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	tests := []struct {
		name, query, contentType, body string
		status                         int
	}{
		{name: "as the first event: a 500 problem", query: "", status: 500, contentType: "application/problem+json", body: `"status":500`},
		{name: "after the first: the broken event is not sent, the stream goes on", query: "?after=true", status: 200, contentType: "text/event-stream",
			body: "event: measure\ndata: {\"v\":1}\n\nevent: measure\ndata: {\"v\":2}\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/measures" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			err = <-sendErr
			var unsupported *json.UnsupportedValueError
			if !errors.As(err, &unsupported) || !strings.Contains(err.Error(), `the "measure" event`) {
				t.Errorf("Send error %v, want a json.UnsupportedValueError naming the measure event", err)
			}
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.contentType {
				t.Fatalf("%d %q %q, want %d %s", resp.StatusCode, resp.Header.Get("Content-Type"), b, tt.status, tt.contentType)
			}
			if tt.status == 200 && string(b) != tt.body || tt.status != 200 && !strings.Contains(string(b), tt.body) {
				t.Errorf("body %q, want %q", b, tt.body)
			}
		})
	}
}
