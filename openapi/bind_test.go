package openapi_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// color decodes itself, as any encoding.TextUnmarshaler may.
type color string

func (c *color) UnmarshalText(b []byte) error {
	switch s := string(b); s {
	case "red", "green", "blue":
		*c = color(s)
		return nil
	}
	return fmt.Errorf("unknown color %q", b)
}

// paramsInput binds from every parameter location and every scalar kind.
type paramsInput struct {
	ID      int64     `path:"id"`
	Slug    string    `path:"slug"`
	Limit   int       `query:"limit" default:"20"`
	Ratio   float64   `query:"ratio"`
	On      bool      `query:"on"`
	Small   uint8     `query:"small"`
	Tags    []string  `query:"tag"`
	Nums    []int     `query:"num"`
	Opt     *int      `query:"opt"`
	OptDef  *int      `query:"optdef" default:"7"`
	When    time.Time `query:"when"`
	Color   color     `query:"color"`
	Key     string    `header:"X-Key"`
	Multi   []string  `header:"X-Multi"`
	Session string    `cookie:"session"`
	Ignored string    `json:"-"`
}

func ptr[T any](v T) *T { return &v }

func TestBindParameters(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	var got paramsInput
	openapi.Get(api, "/items/{id}/{slug}", func(c *hyperlane.Context, in *paramsInput) (*struct{}, error) {
		got = *in
		return nil, nil
	})
	base := paramsInput{ID: 1, Slug: "x", Limit: 20, OptDef: ptr(7)}
	with := func(f func(p *paramsInput)) paramsInput {
		p := base
		f(&p)
		return p
	}
	tests := []struct {
		name string
		req  request
		want paramsInput
	}{
		{"path parameters are bound by name", request{target: "/items/1/x"}, base},
		{"query scalars of every kind are converted",
			request{target: "/items/1/x?limit=5&ratio=0.5&on=true&small=255"},
			with(func(p *paramsInput) { p.Limit, p.Ratio, p.On, p.Small = 5, 0.5, true, 255 })},
		{"a repeated query parameter fills a list in order",
			request{target: "/items/1/x?tag=b&tag=a&num=3&num=1"},
			with(func(p *paramsInput) { p.Tags, p.Nums = []string{"b", "a"}, []int{3, 1} })},
		{"escaped query values are unescaped",
			request{target: "/items/1/x?tag=a%20b&tag=c+d&t%61g=e"},
			with(func(p *paramsInput) { p.Tags = []string{"a b", "c d", "e"} })},
		{"a pointer parameter is set when present, default or not",
			request{target: "/items/1/x?opt=0&optdef=9"},
			with(func(p *paramsInput) { p.Opt, p.OptDef = ptr(0), ptr(9) })},
		{"time.Time and TextUnmarshaler types decode themselves",
			request{target: "/items/1/x?when=2024-01-02T03:04:05Z&color=red"},
			with(func(p *paramsInput) {
				p.When, p.Color = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "red"
			})},
		{"headers are matched case-insensitively, repeated ones fill a list",
			request{target: "/items/1/x", header: map[string]string{"x-key": "k1", "X-Multi": "m1"}},
			with(func(p *paramsInput) { p.Key, p.Multi = "k1", []string{"m1"} })},
		{"a cookie is bound by name",
			request{target: "/items/1/x", header: map[string]string{"Cookie": "other=1; session=abc"}},
			with(func(p *paramsInput) { p.Session = "abc" })},
		{"the first of repeated scalar values wins, as in net/http",
			request{target: "/items/1/x?limit=3&limit=4"},
			with(func(p *paramsInput) { p.Limit = 3 })},
		{"escaped path parameters are unescaped",
			request{target: "/items/1/a%2Fb"},
			with(func(p *paramsInput) { p.Slug = "a/b" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = paramsInput{}
			w := do(t, s, tt.req)
			if w.Code != http.StatusNoContent {
				t.Fatalf("status %d, body %s", w.Code, w.Body)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("bound\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestBindParameterErrors(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/items/{id}/{slug}", func(c *hyperlane.Context, in *paramsInput) (*struct{}, error) {
		return nil, nil
	})
	tests := []struct {
		name  string
		req   request
		want  []string
		value any
	}{
		{"a path id that is not an integer", request{target: "/items/abc/x"},
			[]string{"path.id: must be an integer"}, "abc"},
		{"an integer too large for its type", request{target: "/items/1/x?small=256"},
			[]string{"query.small: must be between 0 and 255"}, "256"},
		{"a boolean that is not one", request{target: "/items/1/x?on=maybe"},
			[]string{"query.on: must be a boolean (true or false)"}, "maybe"},
		{"a number that is not one", request{target: "/items/1/x?ratio=NaN"},
			[]string{"query.ratio: must be a number"}, "NaN"},
		{"a bad list element is located by index", request{target: "/items/1/x?num=1&num=x"},
			[]string{"query.num.1: must be an integer"}, "x"},
		{"a time that is not RFC 3339", request{target: "/items/1/x?when=yesterday"},
			[]string{"query.when: must be an RFC 3339 date-time"}, "yesterday"},
		{"a TextUnmarshaler's own error is the message", request{target: "/items/1/x?color=pink"},
			[]string{`query.color: unknown color "pink"`}, "pink"},
		{"every failing parameter is listed, path first",
			request{target: "/items/abc/x?limit=z&on=2"},
			[]string{"path.id: must be an integer", "query.limit: must be an integer", "query.on: must be a boolean (true or false)"}, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := expectDetails(t, do(t, s, tt.req), tt.want)
			if tt.want != nil && p.Errors[0].Value != tt.value {
				t.Errorf("value %#v, want %#v", p.Errors[0].Value, tt.value)
			}
		})
	}
}

// requiredInput has a required parameter in every optional location.
type requiredInput struct {
	Q []string `query:"q" required:"true"`
	H string   `header:"X-Req" required:"true"`
	C string   `cookie:"c" required:"true"`
	O string   `query:"o"`
}

func TestRequiredParameters(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/req", func(c *hyperlane.Context, in *requiredInput) (*struct{}, error) { return nil, nil })
	tests := []struct {
		name string
		req  request
		want []string
	}{
		{"every missing required parameter is listed", request{target: "/req"},
			[]string{"query.q: is required", "header.X-Req: is required", "cookie.c: is required"}},
		{"present required parameters pass, optional ones may be absent",
			request{target: "/req?q=1", header: map[string]string{"X-Req": "1", "Cookie": "c=1"}}, nil},
		{"an empty value counts as present", request{target: "/req?q=", header: map[string]string{"X-Req": "", "Cookie": "c="}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectDetails(t, do(t, s, tt.req), tt.want)
		})
	}
}

// constrainedInput carries every constraint tag parameters support.
type constrainedInput struct {
	Limit int      `query:"limit" minimum:"1" maximum:"100"`
	Tag   string   `query:"tag" enum:"dog,cat"`
	Code  string   `query:"code" pattern:"^[A-Z]{3}$"`
	Name  string   `query:"name" minLength:"2" maxLength:"4"`
	Tags  []string `query:"tags" minItems:"1" maxItems:"2"`
	Above float64  `query:"above" exclusiveMinimum:"0"`
	Step  int      `query:"step" multipleOf:"5"`
	Email string   `header:"X-Email" format:"email"`
}

func TestParameterConstraints(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	openapi.Get(api, "/c", func(c *hyperlane.Context, in *constrainedInput) (*struct{}, error) { return nil, nil })
	tests := []struct {
		name, query string
		header      map[string]string
		want        string // "" for success
	}{
		{"values inside every constraint pass", "limit=1&tag=cat&code=ABC&name=ab&tags=x&above=0.1&step=10", map[string]string{"X-Email": "a@b.co"}, ""},
		{"minimum", "limit=0", nil, "query.limit: must be at least 1"},
		{"maximum", "limit=101", nil, "query.limit: must be at most 100"},
		{"enum", "tag=cow", nil, `query.tag: must be one of "dog", "cat"`},
		{"pattern", "code=abc", nil, "query.code: must match the pattern ^[A-Z]{3}$"},
		{"minLength", "name=a", nil, "query.name: must be at least 2 characters long"},
		{"maxLength counts characters, not bytes", "name=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", nil, "query.name: must be at most 4 characters long"},
		{"maxItems", "tags=a&tags=b&tags=c", nil, "query.tags: must have at most 2 items"},
		{"exclusiveMinimum", "above=0", nil, "query.above: must be greater than 0"},
		{"multipleOf", "step=7", nil, "query.step: must be a multiple of 5"},
		{"format", "", map[string]string{"X-Email": "not-an-email"}, "header.X-Email: must be a valid email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			expectDetails(t, do(t, s, request{target: "/c?" + tt.query, header: tt.header}), want)
		})
	}
}

// bodyInput mixes parameters and JSON body fields.
type bodyInput struct {
	ID    int64    `path:"id"`
	Limit int      `query:"limit" default:"10"`
	Name  string   `json:"name" minLength:"1"`
	Age   int      `json:"age,omitempty" minimum:"0"`
	Tags  []string `json:"tags,omitempty" maxItems:"2"`
	Inner *inner   `json:"inner,omitempty"`
}

type inner struct {
	Code string `json:"code" pattern:"^[a-z]+$"`
}

func TestBindJSONBody(t *testing.T) {
	s, api := newAPI(t, openapi.Config{}, hyperlane.WithMaxBodyBytes(256))
	var got bodyInput
	openapi.Post(api, "/things/{id}", func(c *hyperlane.Context, in *bodyInput) (*struct{}, error) {
		got = *in
		return nil, nil
	})
	json := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name   string
		req    request
		status int
		want   any // bodyInput on success, []string of details on 422, detail substring otherwise
	}{
		{"body fields and parameters are bound together",
			request{target: "/things/5?limit=2", body: `{"name":"Rex","age":3,"tags":["a"],"inner":{"code":"ok"}}`, header: json},
			204, bodyInput{ID: 5, Limit: 2, Name: "Rex", Age: 3, Tags: []string{"a"}, Inner: &inner{Code: "ok"}}},
		{"a body key named like a parameter field cannot set it",
			request{target: "/things/5", body: `{"name":"Rex","ID":99,"limit":99,"Limit":99}`, header: json},
			204, bodyInput{ID: 5, Limit: 10, Name: "Rex"}},
		{"escaped strings are decoded",
			request{target: "/things/5", body: `{"name":"a\"b\u00e9"}`, header: json},
			204, bodyInput{ID: 5, Limit: 10, Name: `a"bé`}},
		{"a missing Content-Type on a body is 415",
			request{target: "/things/5", body: `{"name":"Rex"}`},
			415, "no Content-Type: send application/json"},
		{"a +json type is JSON",
			request{target: "/things/5", body: `{"name":"Rex"}`, header: map[string]string{"Content-Type": "application/merge-patch+json"}},
			204, bodyInput{ID: 5, Limit: 10, Name: "Rex"}},
		{"a type that is not JSON is 415 even on an empty body",
			request{target: "/things/5", header: map[string]string{"Content-Type": "text/plain"}},
			415, `Content-Type "text/plain" is not JSON`},
		{"a missing required property", request{target: "/things/5", body: `{}`, header: json},
			422, []string{"body.name: is required"}},
		{"a property of the wrong type", request{target: "/things/5", body: `{"name":5}`, header: json},
			422, []string{"body.name: must be a string, got number"}},
		{"a nested property", request{target: "/things/5", body: `{"name":"x","inner":{"code":"NO"}}`, header: json},
			422, []string{"body.inner.code: must match the pattern ^[a-z]+$"}},
		{"every failing property is listed with the parameters",
			request{target: "/things/x", body: `{"name":"","age":-1,"tags":["a","b","c"]}`, header: json},
			422, []string{"path.id: must be an integer", "body.age: must be at least 0", "body.name: must be at least 1 character long", "body.tags: must have at most 2 items"}},
		{"an integer too large for its field", request{target: "/things/5", body: `{"name":"x","age":1e30}`, header: json},
			422, []string{"body.age: must be an integer that fits int, got number 1e30"}},
		{"null where the document has no null", request{target: "/things/5", body: `{"name":null}`, header: json},
			422, []string{"body.name: must be a string, got null"}},
		{"an empty body when one is required", request{target: "/things/5", header: json},
			422, []string{"body: request body is required"}},
		{"malformed JSON is 400 naming the offset", request{target: "/things/5", body: `{"name":`, header: json},
			400, "malformed JSON at offset"},
		{"data after the JSON value is 400", request{target: "/things/5", body: `{"name":"x"} {}`, header: json},
			400, "malformed JSON"},
		{"a Content-Type that is not JSON is 415", request{target: "/things/5", body: `name=x`, header: map[string]string{"Content-Type": "text/plain"}},
			415, `Content-Type "text/plain" is not JSON`},
		{"a body over the server's limit is 413", request{target: "/things/5", body: `{"name":"` + strings.Repeat("x", 300) + `"}`, header: json},
			413, "larger than 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = bodyInput{}
			tt.req.method = http.MethodPost
			w := do(t, s, tt.req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			switch want := tt.want.(type) {
			case bodyInput:
				if !reflect.DeepEqual(got, want) {
					t.Errorf("bound %+v, want %+v", got, want)
				}
			case []string:
				if d := details(problem(t, w)); !slices.Equal(d, want) {
					t.Errorf("errors\n%q\nwant\n%q", d, want)
				}
			case string:
				if p := problem(t, w); !strings.Contains(p.Detail, want) {
					t.Errorf("detail %q does not contain %q", p.Detail, want)
				}
			}
		})
	}
}

type item struct {
	SKU string `json:"sku" minLength:"3"`
}

// listBody takes a JSON array through its Body field.
type listBody struct {
	Body []item
}

// optionalBody takes an optional object through a pointer Body field.
type optionalBody struct {
	Body *item
}

func TestBindBodyField(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	jsonType := map[string]string{"Content-Type": "application/json"}
	var list []item
	var opt *item
	openapi.Post(api, "/list", func(c *hyperlane.Context, in *listBody) (*struct{}, error) {
		list = in.Body
		return nil, nil
	})
	openapi.Put(api, "/opt", func(c *hyperlane.Context, in *optionalBody) (*struct{}, error) {
		opt = in.Body
		return nil, nil
	})
	w := do(t, s, request{method: "POST", target: "/list", body: `[{"sku":"abc"},{"sku":"defg"}]`, header: jsonType})
	if w.Code != 204 || len(list) != 2 || list[1].SKU != "defg" {
		t.Fatalf("array body: status %d, bound %v; %s", w.Code, list, w.Body)
	}
	w = do(t, s, request{method: "POST", target: "/list", body: `[{"sku":"abc"},{"sku":"x"}]`, header: jsonType})
	if got := details(problem(t, w)); !slices.Equal(got, []string{"body.1.sku: must be at least 3 characters long"}) {
		t.Errorf("array item errors %q", got)
	}
	w = do(t, s, request{method: "POST", target: "/list"})
	if got := details(problem(t, w)); !slices.Equal(got, []string{"body: request body is required"}) {
		t.Errorf("a non-pointer Body is required: %q", got)
	}
	w = do(t, s, request{method: "PUT", target: "/opt"})
	if w.Code != 204 || opt != nil {
		t.Errorf("a pointer Body is optional: status %d, bound %v", w.Code, opt)
	}
	w = do(t, s, request{method: "PUT", target: "/opt", body: `{"sku":"abc"}`, header: jsonType})
	if w.Code != 204 || opt == nil || opt.SKU != "abc" {
		t.Errorf("a pointer Body is bound when sent: status %d, bound %v", w.Code, opt)
	}
}

// paging is shared by embedding; its fields bind as the input's own.
type paging struct {
	Limit  int `query:"limit" default:"10" maximum:"50"`
	Offset int `query:"offset"`
}

type searchInput struct {
	paging
	Q string `query:"q" required:"true"`
}

func TestBindEmbeddedParameters(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	var got searchInput
	openapi.Get(api, "/search", func(c *hyperlane.Context, in *searchInput) (*struct{}, error) {
		got = *in
		return nil, nil
	})
	if w := do(t, s, request{target: "/search?q=x&offset=5"}); w.Code != 204 || got != (searchInput{paging{10, 5}, "x"}) {
		t.Errorf("status %d, bound %+v", w.Code, got)
	}
	w := do(t, s, request{target: "/search?limit=99"})
	if d := details(problem(t, w)); !slices.Equal(d, []string{"query.limit: must be at most 50", "query.q: is required"}) {
		t.Errorf("errors %q", d)
	}
}
