package openapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// benchInput is the input of the benchmarked operation: a path id, a
// query flag and a JSON body with constraints.
type benchInput struct {
	ID      int64  `path:"id" minimum:"1"`
	Verbose bool   `query:"verbose"`
	Name    string `json:"name" minLength:"1" maxLength:"64"`
	Tag     string `json:"tag,omitempty" enum:"dog,cat,bird,fish"`
	Age     int    `json:"age,omitempty" minimum:"0" maximum:"100"`
}

type benchOutput struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Tag     string `json:"tag,omitempty"`
	Age     int    `json:"age"`
	Verbose bool   `json:"verbose"`
}

// nopWriter is a ResponseWriter that discards, so the benchmark measures
// the operation and not a recorder.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

// BenchmarkTypedOperation serves POST /pets/{id}?verbose=true with a JSON
// body: bind path, query and body, validate them against the document's
// schemas, call the handler, write JSON.
func BenchmarkTypedOperation(b *testing.B) {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{Title: "bench"})
	openapi.Post(api, "/pets/{id}", func(c *hyperlane.Context, in *benchInput) (*benchOutput, error) {
		return &benchOutput{ID: in.ID, Name: in.Name, Tag: in.Tag, Age: in.Age, Verbose: in.Verbose}, nil
	})
	const body = `{"name":"Rex","tag":"dog","age":3}`
	check := httptest.NewRecorder()
	checkReq := httptest.NewRequest(http.MethodPost, "/pets/42?verbose=true", strings.NewReader(body))
	checkReq.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(check, checkReq)
	if want := `{"id":42,"name":"Rex","tag":"dog","age":3,"verbose":true}` + "\n"; check.Code != 200 || check.Body.String() != want {
		b.Fatalf("the operation answers %d %s, want 200 %s", check.Code, check.Body, want)
	}
	req := httptest.NewRequest(http.MethodPost, "/pets/42?verbose=true", nil)
	req.Header.Set("Content-Type", "application/json")
	w := &nopWriter{h: http.Header{}}
	rd := strings.NewReader(body)
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		req.ContentLength = int64(len(body))
		clear(w.h)
		s.ServeHTTP(w, req)
	}
}
