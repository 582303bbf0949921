package openapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

type namedInput struct {
	Name string `json:"name"`
}

// jsonTypeServer serves POST /bind (Context.BindJSON) and POST /typed
// (a typed operation) over a real socket.
func jsonTypeServer(t *testing.T, opts ...hyperlane.Option) string {
	t.Helper()
	s, api := newAPI(t, openapi.Config{}, opts...)
	s.Post("/bind", func(c *hyperlane.Context) error {
		var in namedInput
		if err := c.BindJSON(&in); err != nil {
			return err
		}
		return c.Text(http.StatusOK, in.Name)
	})
	openapi.Post(api, "/typed", func(c *hyperlane.Context, in *namedInput) (*struct{}, error) {
		c.SetHeader("X-Name", in.Name)
		return nil, nil
	})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestJSONBodiesNeedAJSONContentType: a JSON body must say so, because a
// cross-site fetch may send a body without a type (or as text/plain)
// without a CORS preflight. BindJSON and typed operations follow the one
// rule of Context.CheckJSONContentType; WithUntypedJSON lets a missing
// type through, never a wrong one.
func TestJSONBodiesNeedAJSONContentType(t *testing.T) {
	strict, relaxed := jsonTypeServer(t), jsonTypeServer(t, hyperlane.WithUntypedJSON(true))
	tests := []struct {
		name        string
		untyped     bool // served WithUntypedJSON
		contentType string
		body        string
		want        int
		detail      string // in the 415 problem
	}{
		{name: "no Content-Type on a body is 415", contentType: "", body: `{"name":"rex"}`, want: 415,
			detail: "no Content-Type: send application/json"},
		{name: "text/plain is 415", contentType: "text/plain", body: `{"name":"rex"}`, want: 415,
			detail: `"text/plain" is not JSON: send application/json`},
		{name: "a +json type outside application/ is 415", contentType: "text/x+json", body: `{"name":"rex"}`, want: 415,
			detail: "is not JSON"},
		{name: "application/json is accepted", contentType: "application/json", body: `{"name":"rex"}`, want: 200},
		{name: "application/json with parameters is accepted", contentType: "Application/JSON; charset=utf-8", body: `{"name":"rex"}`, want: 200},
		{name: "application/merge-patch+json is accepted", contentType: "application/merge-patch+json", body: `{"name":"rex"}`, want: 200},
		{name: "with WithUntypedJSON no Content-Type is accepted", untyped: true, contentType: "", body: `{"name":"rex"}`, want: 200},
		{name: "with WithUntypedJSON text/plain stays 415", untyped: true, contentType: "text/plain", body: `{"name":"rex"}`, want: 415,
			detail: "is not JSON"},
	}
	for _, route := range []string{"/bind", "/typed"} {
		for _, tt := range tests {
			t.Run(strings.TrimPrefix(route, "/")+": "+tt.name, func(t *testing.T) {
				base := strict
				if tt.untyped {
					base = relaxed
				}
				req, err := http.NewRequest(http.MethodPost, base+route, strings.NewReader(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				got := resp.StatusCode
				if route == "/typed" && got == http.StatusNoContent {
					got = http.StatusOK // the typed operation answers 204
				}
				if got != tt.want {
					t.Fatalf("status %d, want %d; %s", resp.StatusCode, tt.want, body)
				}
				switch {
				case tt.want == 200 && route == "/bind" && string(body) != "rex":
					t.Fatalf("bound %q, want rex", body)
				case tt.want == 200 && route == "/typed" && resp.Header.Get("X-Name") != "rex":
					t.Fatalf("bound %q, want rex", resp.Header.Get("X-Name"))
				case tt.want == 415:
					var p hyperlane.HTTPError
					if err := json.Unmarshal(body, &p); err != nil || resp.Header.Get("Content-Type") != "application/problem+json" {
						t.Fatalf("415 is not a problem: %s %s", resp.Header.Get("Content-Type"), body)
					}
					if !strings.Contains(p.Detail, tt.detail) {
						t.Fatalf("detail %q does not contain %q", p.Detail, tt.detail)
					}
				}
			})
		}
	}
}
