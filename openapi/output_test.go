package openapi_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

type none struct{}

type named struct {
	Name string `json:"name"`
}

// withHeaders sets response headers next to its JSON body.
type withHeaders struct {
	Limit    int       `header:"X-Rate-Limit" json:"-"`
	Modified time.Time `header:"Last-Modified-At" json:"-"`
	Vary     []string  `header:"Vary" json:"-"`
	Empty    string    `header:"X-Empty" json:"-"`
	Name     string    `json:"name"`
}

// image is a raw body with its declared content type.
type image struct {
	Body []byte `contentType:"image/png" json:"-"`
}

// report streams a reader and names it in a header.
type report struct {
	Body        io.Reader `contentType:"text/csv" json:"-"`
	Disposition string    `header:"Content-Disposition" json:"-"`
}

// greeting is raw text whose type a header may override.
type greeting struct {
	Text string `contentType:"text/plain" json:"-"`
	Type string `header:"Content-Type" json:"-"`
}

type closer struct {
	io.Reader
	closed *bool
}

func (c closer) Close() error { *c.closed = true; return nil }

func TestOutput(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	modified := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	closed := false
	openapi.Get(api, "/json", func(c *hyperlane.Context, in *none) (*named, error) {
		return &named{Name: "Rex"}, nil
	})
	openapi.Post(api, "/created", func(c *hyperlane.Context, in *none) (*named, error) {
		return &named{Name: "Rex"}, nil
	}, openapi.Status(http.StatusCreated))
	openapi.Get(api, "/nil", func(c *hyperlane.Context, in *none) (*named, error) { return nil, nil })
	openapi.Delete(api, "/empty", func(c *hyperlane.Context, in *none) (*none, error) { return &none{}, nil })
	openapi.Get(api, "/list", func(c *hyperlane.Context, in *none) (*[]named, error) {
		var empty []named
		return &empty, nil
	})
	openapi.Get(api, "/headers", func(c *hyperlane.Context, in *none) (*withHeaders, error) {
		return &withHeaders{Limit: 10, Modified: modified, Vary: []string{"Accept", "Origin"}, Name: "Rex"}, nil
	})
	openapi.Get(api, "/image", func(c *hyperlane.Context, in *none) (*image, error) {
		return &image{Body: []byte("\x89PNG")}, nil
	})
	openapi.Get(api, "/report", func(c *hyperlane.Context, in *none) (*report, error) {
		return &report{Body: closer{strings.NewReader("a,b\n1,2\n"), &closed}, Disposition: "attachment"}, nil
	})
	openapi.Get(api, "/greeting", func(c *hyperlane.Context, in *none) (*greeting, error) {
		return &greeting{Text: "<p>hi</p>", Type: "text/html; charset=utf-8"}, nil
	})
	openapi.Get(api, "/missing", func(c *hyperlane.Context, in *none) (*named, error) {
		return nil, hyperlane.Error(http.StatusNotFound, "no such thing")
	})
	openapi.Get(api, "/broken", func(c *hyperlane.Context, in *none) (*named, error) {
		return nil, errors.New("database password is hunter2")
	})

	tests := []struct {
		name, method, target string
		status               int
		header               map[string]string
		body                 string
	}{
		{"a JSON output with the default 200", "GET", "/json", 200,
			map[string]string{"Content-Type": "application/json; charset=utf-8"}, `{"name":"Rex"}` + "\n"},
		{"the Status option sets the success status", "POST", "/created", 201, nil, `{"name":"Rex"}` + "\n"},
		{"a nil output where the output has a body is a 500 problem, not an empty 200", "GET", "/nil", 500,
			map[string]string{"Content-Type": "application/problem+json"}, ""},
		{"an output without body fields defaults to 204", "DELETE", "/empty", 204, nil, ""},
		{"a nil slice output is an empty array, as documented", "GET", "/list", 200, nil, "[]\n"},
		{"header fields become headers, zero ones are left out", "GET", "/headers", 200,
			map[string]string{"X-Rate-Limit": "10", "Last-Modified-At": "2024-05-06T07:08:09Z", "Vary": "Accept", "X-Empty": ""},
			`{"name":"Rex"}` + "\n"},
		{"raw bytes with their declared content type", "GET", "/image", 200,
			map[string]string{"Content-Type": "image/png"}, "\x89PNG"},
		{"a reader is streamed and closed", "GET", "/report", 200,
			map[string]string{"Content-Type": "text/csv", "Content-Disposition": "attachment"}, "a,b\n1,2\n"},
		{"a Content-Type header field overrides the declared type", "GET", "/greeting", 200,
			map[string]string{"Content-Type": "text/html; charset=utf-8"}, "<p>hi</p>"},
		{"an HTTPError becomes its problem", "GET", "/missing", 404,
			map[string]string{"Content-Type": "application/problem+json"}, ""},
		{"any other error is a 500 that reveals nothing", "GET", "/broken", 500,
			map[string]string{"Content-Type": "application/problem+json"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, s, request{method: tt.method, target: tt.target})
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			for k, v := range tt.header {
				if got := w.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.status < 400 && w.Body.String() != tt.body {
				t.Errorf("body %q, want %q", w.Body, tt.body)
			}
			if strings.Contains(w.Body.String(), "hunter2") {
				t.Errorf("the error leaked into the response: %s", w.Body)
			}
		})
	}
	if vary := do(t, s, request{target: "/headers"}).Header().Values("Vary"); len(vary) != 2 {
		t.Errorf("a list header field sends every value: %q", vary)
	}
	if !closed {
		t.Error("the reader of a raw output was not closed")
	}
}

func TestOutputDocument(t *testing.T) {
	_, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/headers", func(c *hyperlane.Context, in *none) (*withHeaders, error) { return nil, nil })
	openapi.Get(api, "/image", func(c *hyperlane.Context, in *none) (*image, error) { return nil, nil })
	openapi.Get(api, "/report", func(c *hyperlane.Context, in *none) (*report, error) { return nil, nil })
	openapi.Delete(api, "/empty", func(c *hyperlane.Context, in *none) (*none, error) { return nil, nil })
	for _, version := range []string{"3.1", "3.0"} {
		doc := spec(t, api, version)
		headers := at(t, doc, "paths", "/headers", "get", "responses", "200", "headers").(map[string]any)
		for _, h := range []string{"X-Rate-Limit", "Last-Modified-At", "Vary"} {
			if _, ok := headers[h]; !ok {
				t.Errorf("%s: response header %s is not documented: %v", version, h, keys(headers))
			}
		}
		if got := jsonOf(at(t, doc, "paths", "/image", "get", "responses", "200", "content", "image/png", "schema")); got != `{"format":"binary","type":"string"}` {
			t.Errorf("%s: raw binary body schema %s", version, got)
		}
		if got := jsonOf(at(t, doc, "paths", "/report", "get", "responses", "200", "content", "text/csv", "schema")); got != `{"type":"string"}` {
			t.Errorf("%s: raw text body schema %s", version, got)
		}
		if resp := at(t, doc, "paths", "/empty", "delete", "responses", "204").(map[string]any); resp["content"] != nil {
			t.Errorf("%s: a 204 has no content: %v", version, resp)
		}
	}
}
