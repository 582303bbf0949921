package openapi_test

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// flatOutput is a flat JSON output with a header field beside it.
type flatOutput struct {
	Version string  `header:"X-Version" json:"-"`
	Name    string  `json:"name"`
	Tag     string  `json:"tag,omitempty"`
	Age     uint8   `json:"age,omitzero"`
	Score   float64 `json:"score"`
	Ratio   float32 `json:"ratio,omitempty"`
	OK      bool    `json:"ok"`
}

func TestFlatJSONOutput(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	outputs := map[string]*flatOutput{
		"plain":    {Name: "Rex", Tag: "dog", Age: 3, Score: 1.5, Ratio: 0.1, OK: true},
		"omitted":  {Name: "Rex"},
		"escaped":  {Name: "<b>Tom & \"Jerry\"</b>\n\u2028\xff", Version: "v2"},
		"exponent": {Name: "tiny", Score: 1e-7, Ratio: 1e21},
		"nan":      {Name: "broken", Score: math.NaN()},
	}
	openapi.Get(api, "/out/{which}", func(c *hyperlane.Context, in *struct {
		Which string `path:"which"`
	}) (*flatOutput, error) {
		return outputs[in.Which], nil
	})
	openapi.Post(api, "/created", func(c *hyperlane.Context, in *struct{}) (*flatOutput, error) {
		return &flatOutput{Name: "new"}, nil
	}, openapi.Status(http.StatusCreated))
	tests := []struct {
		name, method, target string
		status               int
		want                 string
		header               string // X-Version
	}{
		{"every kind is written", "", "/out/plain", 200, `{"name":"Rex","tag":"dog","age":3,"score":1.5,"ratio":0.1,"ok":true}` + "\n", ""},
		{"zero values are omitted where tagged", "", "/out/omitted", 200, `{"name":"Rex","score":0,"ok":false}` + "\n", ""},
		{"strings are escaped as encoding/json does, headers stay out", "", "/out/escaped", 200,
			`{"name":"\u003cb\u003eTom \u0026 \"Jerry\"\u003c/b\u003e\n\u2028\ufffd","score":0,"ok":false}` + "\n", "v2"},
		{"floats take exponents outside 1e-6 to 1e21", "", "/out/exponent", 200, `{"name":"tiny","score":1e-7,"ratio":1e+21,"ok":false}` + "\n", ""},
		{"the operation's status is kept", http.MethodPost, "/created", 201, `{"name":"new","score":0,"ok":false}` + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, s, request{method: tt.method, target: tt.target})
			if w.Code != tt.status || w.Body.String() != tt.want {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Body, tt.status, tt.want)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Fatalf("Content-Type %q", ct)
			}
			if got := w.Header().Get("X-Version"); got != tt.header {
				t.Fatalf("X-Version %q, want %q", got, tt.header)
			}
		})
	}
	t.Run("the body is what json.Encoder writes", func(t *testing.T) {
		for which, out := range outputs {
			if which == "nan" {
				continue
			}
			var want bytes.Buffer
			if err := json.NewEncoder(&want).Encode(out); err != nil {
				t.Fatal(err)
			}
			if w := do(t, s, request{target: "/out/" + which}); w.Body.String() != want.String() {
				t.Fatalf("%s: got %s, want %s", which, w.Body, want.String())
			}
		}
	})
	t.Run("a NaN is an error, as with encoding/json", func(t *testing.T) {
		w := do(t, s, request{target: "/out/nan"})
		if w.Code != http.StatusInternalServerError {
			t.Fatalf("got %d %s, want 500", w.Code, w.Body)
		}
		problem(t, w)
	})
}
