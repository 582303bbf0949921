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

// benchBody serves POST /pets/42 with body to the benchmarked operation,
// b.N times, after checking that it answers want.
func benchBody(b *testing.B, body string, want int) {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{Title: "bench"})
	openapi.Post(api, "/pets/{id}", func(c *hyperlane.Context, in *benchInput) (*benchOutput, error) {
		return &benchOutput{ID: in.ID, Name: in.Name, Tag: in.Tag, Age: in.Age, Verbose: in.Verbose}, nil
	})
	check := httptest.NewRecorder()
	checkReq := httptest.NewRequest(http.MethodPost, "/pets/42", strings.NewReader(body))
	checkReq.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(check, checkReq)
	if check.Code != want {
		b.Fatalf("the operation answers %d %.200s, want %d", check.Code, check.Body, want)
	}
	req := httptest.NewRequest(http.MethodPost, "/pets/42", nil)
	req.Header.Set("Content-Type", "application/json")
	w := &nopWriter{h: http.Header{}}
	rd := strings.NewReader(body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		req.ContentLength = int64(len(body))
		clear(w.h)
		s.ServeHTTP(w, req)
	}
}

// slowBodies are bodies the fast path leaves to the slow ones, small and
// of 1 MiB: B/op over the body's size is what a slow path costs.
func slowBodies(escaped, invalid, fallback string) []struct{ name, body string } {
	pad := strings.Repeat(`"\u0041",`, 1<<20/9)
	return []struct{ name, body string }{
		{"escaped/small", escaped},
		{"escaped/1MiB", `{"name":"R\u0065x","tag":"dog","pad":[` + pad + `1]}`},
		{"422/small", invalid},
		{"422/1MiB", `{"name":"Rex","tag":"cow","pad":[` + pad + `1]}`},
		{"fallback/small", fallback},
		{"fallback/1MiB", `{"name":"Rex","tag":"dog","NAME":[` + pad + `1]}`},
	}
}

// BenchmarkTypedOperationSlow serves the operation of
// BenchmarkTypedOperation with bodies the fast path does not take: a
// string with an escape (valid: checked on the bounded tree, decoded
// directly), a 422 (a tag out of the enum) and a fallback to encoding/json
// (a key that differs from a property in case only, 422 as well).
func BenchmarkTypedOperationSlow(b *testing.B) {
	bodies := slowBodies(
		`{"name":"R\u0065x","tag":"dog","age":3}`,
		`{"name":"Rex","tag":"cow","age":3}`,
		`{"name":"Rex","tag":"dog","NAME":"x"}`)
	want := map[string]int{"escaped": 200, "422": 422, "fallback": 422}
	for _, bb := range bodies {
		b.Run(bb.name, func(b *testing.B) {
			benchBody(b, bb.body, want[strings.Split(bb.name, "/")[0]])
		})
	}
}
