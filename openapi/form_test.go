package openapi_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// formInput is bound from a urlencoded or multipart form.
type formInput struct {
	ID    int64    `path:"id"`
	Name  string   `form:"name" required:"true" minLength:"2"`
	Count int      `form:"count" maximum:"10"`
	Tags  []string `formData:"tag"`
	Note  *string  `form:"note"`
}

// uploadInput takes files from a multipart form.
type uploadInput struct {
	Title string                  `form:"title"`
	File  *multipart.FileHeader   `form:"file" required:"true"`
	Extra []*multipart.FileHeader `form:"extra"`
}

// multipartBody builds a multipart form with fields and files.
func multipartBody(t *testing.T, fields map[string][]string, files map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for field, content := range files {
		fw, err := mw.CreateFormFile(field, field+".txt")
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, content)
	}
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

func TestBindForm(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	var got formInput
	openapi.Post(api, "/forms/{id}", func(c *hyperlane.Context, in *formInput) (*struct{}, error) {
		got = *in
		return nil, nil
	})
	urlencoded := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	mp, mpType := multipartBody(t, map[string][]string{"name": {"Bo"}, "count": {"3"}, "tag": {"a", "b"}}, nil)
	tests := []struct {
		name   string
		req    request
		status int
		want   any
	}{
		{"urlencoded fields of every kind are bound",
			request{target: "/forms/1", body: "name=Rex&count=2&tag=x&tag=y&note=hi", header: urlencoded},
			204, formInput{ID: 1, Name: "Rex", Count: 2, Tags: []string{"x", "y"}, Note: ptr("hi")}},
		{"multipart fields are bound alike",
			request{target: "/forms/1", body: mp, header: map[string]string{"Content-Type": mpType}},
			204, formInput{ID: 1, Name: "Bo", Count: 3, Tags: []string{"a", "b"}}},
		{"form fields come from the body, not the query",
			request{target: "/forms/1?name=Rex", body: "count=1", header: urlencoded},
			422, []string{"body.name: is required"}},
		{"form fields are validated against the document's schema",
			request{target: "/forms/1", body: "name=R&count=11", header: urlencoded},
			422, []string{"body.count: must be at most 10", "body.name: must be at least 2 characters long"}},
		{"a form field that does not convert",
			request{target: "/forms/1", body: "name=Rex&count=many", header: urlencoded},
			422, []string{"body.count: must be an integer"}},
		{"no body at all reports the required fields",
			request{target: "/forms/1"},
			422, []string{"body.name: is required"}},
		{"JSON is not a form", request{target: "/forms/1", body: `{"name":"Rex"}`, header: map[string]string{"Content-Type": "application/json"}},
			415, "is not application/x-www-form-urlencoded or multipart/form-data"},
		{"a multipart body without boundary is 400", request{target: "/forms/1", body: "x", header: map[string]string{"Content-Type": "multipart/form-data"}},
			400, "malformed form body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = formInput{}
			tt.req.method = http.MethodPost
			w := do(t, s, tt.req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			switch want := tt.want.(type) {
			case formInput:
				if !reflect.DeepEqual(got, want) {
					t.Errorf("bound %+v, want %+v", got, want)
				}
			case []string:
				if d := details(problem(t, w)); !slices.Equal(d, want) {
					t.Errorf("errors %q, want %q", d, want)
				}
			case string:
				if p := problem(t, w); !strings.Contains(p.Detail, want) {
					t.Errorf("detail %q does not contain %q", p.Detail, want)
				}
			}
		})
	}
}

func TestBindFileUpload(t *testing.T) {
	s, api := newAPI(t, openapi.Config{})
	var title, file string
	var extras int
	openapi.Post(api, "/upload", func(c *hyperlane.Context, in *uploadInput) (*struct{}, error) {
		f, err := in.File.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		title, file, extras = in.Title, string(b), len(in.Extra)
		return nil, nil
	})
	post := func(body, ct string) *httptest.ResponseRecorder {
		return do(t, s, request{method: "POST", target: "/upload", body: body, header: map[string]string{"Content-Type": ct}})
	}

	body, ct := multipartBody(t, map[string][]string{"title": {"notes"}}, map[string]string{"file": "hello", "extra": "more"})
	if w := post(body, ct); w.Code != 204 || title != "notes" || file != "hello" || extras != 1 {
		t.Fatalf("upload: status %d, title %q, file %q, extras %d; %s", w.Code, title, file, extras, w.Body)
	}
	body, ct = multipartBody(t, map[string][]string{"title": {"notes"}}, nil)
	if got := details(problem(t, post(body, ct))); !slices.Equal(got, []string{"body.file: is required"}) {
		t.Errorf("a missing required file: %q", got)
	}
	if w := post("title=x", "application/x-www-form-urlencoded"); w.Code != 422 {
		t.Errorf("a urlencoded form cannot carry the required file: status %d", w.Code)
	}
	doc := spec(t, api, "3.1")
	content := at(t, doc, "paths", "/upload", "post", "requestBody", "content").(map[string]any)
	if _, ok := content["multipart/form-data"]; !ok || len(content) != 1 {
		t.Errorf("a form with files is documented as multipart/form-data only: %v", keys(content))
	}
	if params, ok := at(t, doc, "paths", "/upload", "post").(map[string]any)["parameters"]; ok {
		t.Errorf("form fields must not be documented as query parameters: %v", params)
	}
}
