package openapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// newAPI returns a quiet server and its API.
func newAPI(t testing.TB, cfg openapi.Config, opts ...hyperlane.Option) (*hyperlane.Server, *openapi.API) {
	t.Helper()
	opts = append([]hyperlane.Option{hyperlane.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	s := hyperlane.New(opts...)
	return s, openapi.New(s, cfg)
}

// request describes one request of a table test.
type request struct {
	method, target, body string
	header               map[string]string
}

// do serves r in memory and returns the recorded response.
func do(t testing.TB, h http.Handler, r request) *httptest.ResponseRecorder {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(method, r.target, body)
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// problem decodes a problem+json response, failing when it is not one.
func problem(t testing.TB, w *httptest.ResponseRecorder) hyperlane.HTTPError {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, w.Body)
	}
	var p hyperlane.HTTPError
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("decoding problem %s: %v", w.Body, err)
	}
	return p
}

// expectDetails checks the answer to a request that binds: 204 when
// want is nil, else a 422 problem listing exactly want (as details
// renders them), which it returns.
func expectDetails(t testing.TB, w *httptest.ResponseRecorder, want []string) hyperlane.HTTPError {
	t.Helper()
	if want == nil {
		if w.Code != http.StatusNoContent {
			t.Fatalf("status %d, want 204; body %s", w.Code, w.Body)
		}
		return hyperlane.HTTPError{}
	}
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422; body %s", w.Code, w.Body)
	}
	p := problem(t, w)
	if got := details(p); !slices.Equal(got, want) {
		t.Fatalf("errors\n%q\nwant\n%q", got, want)
	}
	return p
}

// details renders error details as "location: message" lines, the form
// table tests compare.
func details(p hyperlane.HTTPError) []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Location + ": " + e.Message
	}
	return out
}

// panics runs fn and returns the message it panicked with, or fails.
func panics(t testing.TB, fn func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("registration did not panic")
		}
		msg = fmt.Sprint(r)
	}()
	fn()
	return ""
}

// spec returns the served 3.1 or 3.0 JSON document, decoded.
func spec(t testing.TB, api *openapi.API, version string) map[string]any {
	t.Helper()
	b, err := api.Spec(version, "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// at walks a decoded document along keys (array indexes as ints).
func at(t testing.TB, doc any, path ...any) any {
	t.Helper()
	cur := doc
	for i, key := range path {
		switch k := key.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("at %v: %v is not an object", path[:i+1], cur)
			}
			if cur, ok = m[k]; !ok {
				t.Fatalf("at %v: no key %q in %v", path[:i+1], k, keys(m))
			}
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: %v has no index %d", path[:i+1], cur, k)
			}
			cur = a[k]
		}
	}
	return cur
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// jsonOf re-encodes a decoded value, for compact comparisons.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func httptestRequest(target string) *http.Request {
	return httptest.NewRequest(http.MethodGet, target, nil)
}

func recorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
