package openapi_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// syncBuffer is a log destination the test reads while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A typed operation that returns nil, nil: a 500 problem with a logged
// error naming the operation when its output has a body and nothing was
// written; the handler's own response when it wrote one through the
// Context; the success status when the output has no body. Over a real
// socket.
func TestNilOutput(t *testing.T) {
	var logs syncBuffer
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	api := openapi.New(s, openapi.Config{})
	openapi.Get(api, "/forgot/{id}", func(c *hyperlane.Context, in *pathID) (*named, error) { return nil, nil })
	openapi.Get(api, "/wrote", func(c *hyperlane.Context, in *none) (*named, error) {
		return nil, c.JSON(http.StatusOK, named{Name: "by hand"})
	})
	openapi.Post(api, "/accepted", func(c *hyperlane.Context, in *none) (*named, error) {
		return nil, c.NoContent(http.StatusAccepted)
	})
	openapi.Get(api, "/streamed", func(c *hyperlane.Context, in *none) (*named, error) {
		w := c.RawWriter()
		w.Header().Set("Content-Type", "text/plain")
		_, err := io.WriteString(w, "streamed")
		return nil, err
	})
	openapi.Delete(api, "/nobody", func(c *hyperlane.Context, in *none) (*struct{}, error) { return nil, nil })
	srv := httptest.NewServer(s)
	defer srv.Close()

	tests := []struct {
		name, method, path string
		status             int
		contentType, body  string
	}{
		{"nothing written and a body expected is a 500 problem", "GET", "/forgot/7", 500,
			"application/problem+json", `{"type":"about:blank","title":"Internal Server Error","status":500,"instance":"/forgot/7"}` + "\n"},
		{"a response written with c.JSON is sent as it is", "GET", "/wrote", 200,
			"application/json; charset=utf-8", `{"name":"by hand"}` + "\n"},
		{"a status set with c.NoContent is sent as it is", "POST", "/accepted", 202, "", ""},
		{"a response written through c.Writer is sent as it is", "GET", "/streamed", 200, "text/plain", "streamed"},
		{"an output without a body sends the success status", "DELETE", "/nobody", 204, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.contentType || string(body) != tt.body {
				t.Fatalf("%s %s: %d %q %q, want %d %q %q", tt.method, tt.path,
					resp.StatusCode, resp.Header.Get("Content-Type"), body, tt.status, tt.contentType, tt.body)
			}
		})
	}
	want := `operation \"getForgot\" (GET /forgot/{id}) returned a nil *openapi_test.named and a nil error, but its output has a body`
	if got := logs.String(); !strings.Contains(got, want) || !strings.Contains(got, "level=ERROR") {
		t.Fatalf("log\n%s\ndoes not hold an error with\n%s", got, want)
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Fatalf("%d errors logged, want only the forgotten output's:\n%s", n, logs.String())
	}
}
