package middleware_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

var generatedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRequestID(t *testing.T) {
	tests := []struct {
		name     string
		cfg      middleware.RequestIDConfig
		header   string // incoming header name; X-Request-Id if empty
		incoming string
		want     string // exact id, or "generated"
	}{
		{name: "no incoming id gets a generated one", want: "generated"},
		{name: "sane incoming id is kept", incoming: "abc-123_XYZ.~:/+=@", want: "abc-123_XYZ.~:/+=@"},
		{name: "uuid is kept", incoming: "f47ac10b-58cc-4372-a567-0e02b2c3d479", want: "f47ac10b-58cc-4372-a567-0e02b2c3d479"},
		{name: "id at the length limit is kept", incoming: strings.Repeat("a", 128), want: strings.Repeat("a", 128)},
		{name: "id over the length limit is replaced", incoming: strings.Repeat("a", 129), want: "generated"},
		{name: "id with a space is replaced", incoming: "a b", want: "generated"},
		{name: "id with a newline is replaced", incoming: "a\nlevel=ERROR", want: "generated"},
		{name: "id with a quote is replaced", incoming: `a"b`, want: "generated"},
		{name: "id with non-ASCII is replaced", incoming: "idé", want: "generated"},
		{name: "custom max length", cfg: middleware.RequestIDConfig{MaxLength: 4}, incoming: "abcde", want: "generated"},
		{name: "IgnoreIncoming always generates", cfg: middleware.RequestIDConfig{IgnoreIncoming: true}, incoming: "abc", want: "generated"},
		{name: "custom header name", cfg: middleware.RequestIDConfig{Header: "x-correlation-id"}, header: "X-Correlation-Id", incoming: "corr-1", want: "corr-1"},
		{name: "custom generator", cfg: middleware.RequestIDConfig{Generate: func() string { return "fixed" }}, want: "fixed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			if header == "" {
				header = "X-Request-Id"
			}
			s := hyperlane.New(hyperlane.WithLogger(quiet))
			middleware.Install(s, middleware.RequestID(tt.cfg))
			s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, middleware.RequestIDFrom(c)) })
			r := httptest.NewRequest("GET", "/", nil)
			if tt.incoming != "" {
				r.Header[header] = []string{tt.incoming}
			}
			w := do(s, r)
			got := w.Header().Get(header)
			if tt.want == "generated" {
				if !generatedID.MatchString(got) {
					t.Errorf("id %q is not a generated id", got)
				}
			} else if got != tt.want {
				t.Errorf("id %q, want %q", got, tt.want)
			}
			if w.Body.String() != got {
				t.Errorf("RequestIDFrom saw %q, response header says %q", w.Body.String(), got)
			}
		})
	}
}

func TestRequestIDOnErrorsAndAbortedRequests(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	middleware.Install(s, middleware.RequestID(),
		middleware.Middleware{Request: func(c *hyperlane.Context) error {
			if c.Query("deny") != "" {
				return hyperlane.Error(403, "denied")
			}
			return nil
		}})
	s.Get("/fail", func(c *hyperlane.Context) error { return hyperlane.Error(409, "conflict") })
	for _, path := range []string{"/missing", "/fail", "/fail?deny=1"} {
		w := do(s, httptest.NewRequest("GET", path, nil))
		if w.Code < 400 || !generatedID.MatchString(w.Header().Get("X-Request-Id")) {
			t.Errorf("%s: status %d, X-Request-Id %q; want an error with an id", path, w.Code, w.Header().Get("X-Request-Id"))
		}
	}
}

func TestRequestIDFromWithoutMiddleware(t *testing.T) {
	s := hyperlane.New(hyperlane.WithLogger(quiet))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, "["+middleware.RequestIDFrom(c)+"]") })
	if body := do(s, httptest.NewRequest("GET", "/", nil)).Body.String(); body != "[]" {
		t.Errorf("body %q, want []", body)
	}
}

func TestNewRequestIDIsUniqueAcrossGoroutines(t *testing.T) {
	const workers, each = 8, 2000
	ids := make([][]string, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for range each {
				ids[i] = append(ids[i], middleware.NewRequestID())
			}
		})
	}
	wg.Wait()
	seen := make(map[string]bool, workers*each)
	for _, batch := range ids {
		for _, id := range batch {
			if !generatedID.MatchString(id) {
				t.Fatalf("id %q is not 32 hex digits", id)
			}
			if seen[id] {
				t.Fatalf("id %q generated twice", id)
			}
			seen[id] = true
		}
	}
}

func BenchmarkNewRequestID(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = middleware.NewRequestID()
		}
	})
}
