package hyperlane_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestBodyIsCachedAndLimited(t *testing.T) {
	s := quiet(hyperlane.WithMaxBodyBytes(10))
	s.Post("/body", func(c *hyperlane.Context) error {
		b1, err := c.Body()
		if err != nil {
			return err
		}
		b2, err := c.Body()
		if err != nil {
			return err
		}
		return c.Text(200, string(b1)+"|"+string(b2))
	})
	s.Post("/small", func(c *hyperlane.Context) error {
		b, err := c.SetBodyLimit(3).Body()
		if err != nil {
			return err
		}
		return c.Text(200, string(b))
	})
	s.Post("/raw", func(c *hyperlane.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err // an *http.MaxBytesError: 413 through the default mapping
		}
		return c.Text(200, string(b))
	})

	tests := []struct {
		name, path, body string
		unknownLength    bool // sent chunked, without Content-Length
		code             int
		want             string
	}{
		{"Body returns the same bytes twice", "/body", "hello", false, 200, "hello|hello"},
		{"empty body", "/body", "", false, 200, "|"},
		{"body at the limit", "/body", "0123456789", false, 200, "0123456789|0123456789"},
		{"declared length over the limit is 413", "/body", "0123456789A", false, 413, ""},
		{"streamed body over the limit is 413", "/body", "0123456789A", true, 413, ""},
		{"SetBodyLimit lowers the limit for a route", "/small", "abcd", false, 413, ""},
		{"SetBodyLimit allows up to its limit", "/small", "abc", false, 200, "abc"},
		{"the raw request body is limited too", "/raw", strings.Repeat("x", 11), true, 413, ""},
		{"the raw request body under the limit", "/raw", "xyz", true, 200, "xyz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
			if tc.unknownLength {
				r.ContentLength = -1
				r.Body = io.NopCloser(strings.NewReader(tc.body)) // not a *strings.Reader: length unknown
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.code {
				t.Fatalf("got %d %q, want %d", w.Code, w.Body, tc.code)
			}
			if tc.code == 413 {
				if p := problem(t, w); !strings.Contains(p.Detail, "larger than") {
					t.Fatalf("413 detail %q", p.Detail)
				}
				return
			}
			if w.Body.String() != tc.want {
				t.Fatalf("body %q, want %q", w.Body, tc.want)
			}
		})
	}
}

func TestBodyOverLimitClosesTheConnection(t *testing.T) {
	s := quiet(hyperlane.WithMaxBodyBytes(4))
	s.Post("/", func(c *hyperlane.Context) error {
		_, err := c.Body()
		return err
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(strings.Repeat("y", 100)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 || !resp.Close {
		t.Fatalf("got %d, Connection close = %v", resp.StatusCode, resp.Close)
	}
}

func TestBindJSON(t *testing.T) {
	type pet struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
		Tags []struct {
			Label string `json:"label"`
		} `json:"tags"`
	}
	s := quiet(hyperlane.WithMaxBodyBytes(64))
	s.Post("/pets", func(c *hyperlane.Context) error {
		var p pet
		if err := c.BindJSON(&p); err != nil {
			return err
		}
		return c.JSON(201, p)
	})
	tests := []struct {
		name, contentType, body string
		code                    int
		detail                  string // substring of the problem detail
		location                string // of the first ErrorDetail, if any
	}{
		{"valid JSON", "application/json", `{"name":"rex","age":3}`, 201, "", ""},
		{"JSON with charset", "application/json; charset=utf-8", `{"name":"rex"}`, 201, "", ""},
		{"a +json type", "application/merge-patch+json", `{"name":"rex"}`, 201, "", ""},
		{"no Content-Type on a body is 415", "", `{"name":"rex"}`, 415, "no Content-Type: send application/json", ""},
		{"syntax error names the offset", "application/json", `{"name":"rex",}`, 400, "offset 15", ""},
		{"truncated JSON", "application/json", `{"name":`, 400, "unexpected end", ""},
		{"wrong type names the field", "application/json", `{"name":"rex","age":"old"}`, 400, `field "age"`, "body.age"},
		{"wrong type in a nested field", "application/json", `{"tags":[{"label":5}]}`, 400, `"tags.label"`, "body.tags.label"},
		{"wrong type at the top names the offset", "application/json", `[1,2]`, 400, "JSON value at offset", ""},
		{"trailing data", "application/json", `{"name":"a"} {"name":"b"}`, 400, "unexpected data after the JSON value", ""},
		{"empty body", "application/json", ``, 400, "empty", ""},
		{"over the limit is 413", "application/json", `{"name":"` + strings.Repeat("x", 80) + `"}`, 413, "larger than 64 bytes", ""},
		{"wrong Content-Type is 415", "text/plain", `{"name":"rex"}`, 415, `"text/plain" is not JSON`, ""},
		{"form Content-Type is 415", "application/x-www-form-urlencoded", `name=rex`, 415, "not JSON", ""},
		{"malformed Content-Type is 415", "application/json; =", `{}`, 415, "not JSON", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{}
			if tc.contentType != "" {
				hdr = append(hdr, "Content-Type", tc.contentType)
			}
			w := do(s, "POST", "/pets", tc.body, hdr...)
			if w.Code != tc.code {
				t.Fatalf("got %d %q, want %d", w.Code, w.Body, tc.code)
			}
			if tc.code == 201 {
				return
			}
			p := problem(t, w)
			if !strings.Contains(p.Detail, tc.detail) {
				t.Fatalf("detail %q does not contain %q", p.Detail, tc.detail)
			}
			if tc.location != "" && (len(p.Errors) == 0 || p.Errors[0].Location != tc.location) {
				t.Fatalf("errors %+v, want location %q", p.Errors, tc.location)
			}
		})
	}
}
