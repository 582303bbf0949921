package openapi_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// Progress, Warning and Finished are the data of three events.
type (
	Progress struct {
		Percent int `json:"percent" minimum:"0" maximum:"100"`
	}
	Warning struct {
		Message string `json:"message"`
	}
	Finished struct {
		OK bool `json:"ok"`
	}
)

// JobEvents declares the events of the stream: one pointer field per
// event, tagged with its name.
type JobEvents struct {
	Progress *Progress `event:"progress"`
	Warning  *Warning  `event:"warning"`
	Finished *Finished `event:"finished"`
}

// JobInput is bound and validated before the stream opens.
type JobInput struct {
	Steps int `query:"steps" default:"2" minimum:"1" maximum:"10"`
}

// A typed Server-Sent Events operation: invalid input is a 422 problem,
// each event is sent with its own type, and the document describes the
// stream (text/event-stream, the events' schemas, Last-Event-ID).
func ExampleSSE() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{Title: "Jobs", Version: "1.0.0"})
	openapi.SSE(api, "/jobs/run", func(c *hyperlane.Context, in *JobInput, send *openapi.Sender[JobEvents]) error {
		for i := 1; i <= in.Steps; i++ {
			p := &Progress{Percent: 100 * i / in.Steps}
			if err := send.Send(JobEvents{Progress: p}, openapi.EventID(strconv.Itoa(i))); err != nil {
				return err
			}
		}
		if err := send.Send(JobEvents{Warning: &Warning{Message: "disk almost full"}}); err != nil {
			return err
		}
		return send.Send(JobEvents{Finished: &Finished{OK: true}})
	}, openapi.Summary("Run a job, streaming its progress"))

	for _, target := range []string{"/jobs/run?steps=2", "/jobs/run?steps=0"} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		body, _ := io.ReadAll(w.Body)
		fmt.Printf("%d %s\n%s", w.Code, w.Header().Get("Content-Type"), body)
	}
	// Output:
	// 200 text/event-stream
	// id: 1
	// event: progress
	// data: {"percent":50}
	//
	// id: 2
	// event: progress
	// data: {"percent":100}
	//
	// event: warning
	// data: {"message":"disk almost full"}
	//
	// event: finished
	// data: {"ok":true}
	//
	// 422 application/problem+json
	// {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"1 field failed validation","instance":"/jobs/run","errors":[{"location":"query.steps","message":"must be at least 1","value":0}]}
}
