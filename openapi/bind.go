package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// maxFormMemory is how much of a multipart form is kept in memory; file
// parts beyond it go to temporary files, which net/http removes after the
// request. The server's body limit bounds the whole form.
const maxFormMemory = 8 << 20

// bind fills v, the input struct, from the request. The body comes
// first, so that parameters bound after it always win over body keys
// that happen to share a field. A body that cannot be read is a 400,
// 413 or 415 error; every value that fails to convert or validate is
// collected, and they are returned together as one 422.
func (p *inputPlan) bind(c *hyperlane.Context, v reflect.Value) error {
	var errs []hyperlane.ErrorDetail
	var err error
	switch p.body {
	case bodyJSON:
		err = p.bindJSON(c, v.Addr().Interface(), &errs)
		if err == nil && len(errs) == 0 {
			// encoding/json fills exported fields by name even without a
			// json tag; parameters must come only from their location.
			for _, pm := range p.params {
				v.FieldByIndex(pm.index).SetZero()
			}
		}
	case bodyField:
		err = p.bindJSON(c, v.FieldByIndex(p.bodyIndex).Addr().Interface(), &errs)
	case bodyForm:
		err = p.bindForm(c, v, &errs)
	}
	if err != nil {
		return err
	}
	for _, pm := range p.params {
		pm.bindParam(c, v, &errs)
	}
	if len(errs) > 0 {
		return validationFailed(errs)
	}
	return nil
}

// bindJSON validates the JSON body against the document's schema, then
// decodes it into target: straight, when the byte scan accepted it and
// target is a flat struct (see flatDecoder), else with encoding/json.
func (p *inputPlan) bindJSON(c *hyperlane.Context, target any, errs *[]hyperlane.ErrorDetail) error {
	// The type is judged before the body is read, the same rule as
	// BindJSON: a refused body is never read.
	if err := c.CheckJSONContentType(); err != nil {
		return err
	}
	body, err := c.Body()
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if p.bodyRequired {
			*errs = append(*errs, hyperlane.ErrorDetail{Location: inBody, Message: "request body is required"})
		}
		return nil
	}
	valid := p.bodySchema != nil && p.bodySchema.validJSON(body)
	if valid && p.direct != nil && p.direct.decode(body, reflect.ValueOf(target).Elem()) {
		return nil
	}
	return p.bindDoubtful(body, target, valid, errs)
}

func malformedJSON(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return hyperlane.Errorf(http.StatusBadRequest, "malformed JSON at offset %d: %v", syn.Offset, syn)
	}
	return hyperlane.Errorf(http.StatusBadRequest, "malformed JSON: %v", err)
}

// typePhrase says in words what a Go type expects of JSON.
func typePhrase(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer that fits " + t.String()
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// bindForm reads a urlencoded or multipart form and binds its fields,
// then validates them together against the document's form schema.
func (p *inputPlan) bindForm(c *hyperlane.Context, v reflect.Value, errs *[]hyperlane.ErrorDetail) error {
	r := c.Request()
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	var err error
	switch {
	case mt == "multipart/form-data":
		err = r.ParseMultipartForm(maxFormMemory)
	case mt == "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case ct == "" && (r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody):
		// No body at all: required fields are reported below.
	default:
		want := "application/x-www-form-urlencoded or multipart/form-data"
		if p.multipart {
			want = "multipart/form-data"
		}
		return hyperlane.Errorf(http.StatusUnsupportedMediaType, "Content-Type %q is not %s", ct, want)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return hyperlane.BodyTooLarge(mbe.Limit)
		}
		return hyperlane.Errorf(http.StatusBadRequest, "malformed form body: %w", err)
	}
	var doc map[string]any
	if p.bodySchema != nil {
		doc = make(map[string]any, len(p.form))
	}
	before := len(*errs)
	for _, pm := range p.form {
		if pm.file {
			pm.bindFile(r, v, doc, errs)
			continue
		}
		pm.bindValues(v, r.PostForm[pm.name], doc, errs)
	}
	if p.bodySchema != nil && len(*errs) == before {
		if verr := p.bodySchema.Validate(doc); verr != nil {
			*errs = append(*errs, validationDetails(verr, inBody, doc)...)
		}
	}
	return nil
}

// bindFile binds uploaded files; doc gets a placeholder so that the
// schema's required list sees them.
func (pm *param) bindFile(r *http.Request, v reflect.Value, doc map[string]any, errs *[]hyperlane.ErrorDetail) {
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File[pm.name]
	}
	if len(files) == 0 {
		if pm.required {
			*errs = append(*errs, hyperlane.ErrorDetail{Location: pm.location, Message: "is required"})
		}
		return
	}
	f := v.FieldByIndex(pm.index)
	if pm.slice {
		f.Set(reflect.ValueOf(files))
	} else {
		f.Set(reflect.ValueOf(files[0]))
	}
	switch {
	case doc == nil:
	case pm.slice:
		items := make([]any, len(files))
		for i := range items {
			items[i] = ""
		}
		doc[pm.name] = items
	default:
		doc[pm.name] = ""
	}
}

// bindParam binds a path, query, header or cookie parameter.
func (pm *param) bindParam(c *hyperlane.Context, v reflect.Value, errs *[]hyperlane.ErrorDetail) {
	var vals []string
	switch pm.in {
	case inPath:
		s := c.Param(pm.name)
		pm.bindOne(v, s, s != "", errs)
		return
	case inQuery:
		if !pm.slice {
			s, ok := queryValue(c.Request().URL.RawQuery, pm.name)
			pm.bindOne(v, s, ok, errs)
			return
		}
		vals = c.QueryValues()[pm.name]
	case inHeader:
		vals = c.Request().Header[pm.key]
	case inCookie:
		ck, err := c.Request().Cookie(pm.name)
		if err != nil {
			pm.bindOne(v, "", false, errs)
			return
		}
		pm.bindOne(v, ck.Value, true, errs)
		return
	}
	if pm.slice {
		pm.bindValues(v, vals, nil, errs)
		return
	}
	if len(vals) == 0 {
		pm.bindOne(v, "", false, errs)
		return
	}
	pm.bindOne(v, vals[0], true, errs)
}

// bindOne binds a single value, or the default when it is absent. It
// reports whether a value (not a default) was bound.
func (pm *param) bindOne(v reflect.Value, raw string, present bool, errs *[]hyperlane.ErrorDetail) bool {
	f := v.FieldByIndex(pm.index)
	if !present {
		switch {
		case pm.def != nil && pm.ptr:
			nv := reflect.New(pm.elem)
			nv.Elem().Set(*pm.def)
			f.Set(nv)
		case pm.def != nil:
			f.Set(*pm.def)
		case pm.required:
			*errs = append(*errs, hyperlane.ErrorDetail{Location: pm.location, Message: "is required"})
		}
		return false
	}
	target := f
	var nv reflect.Value
	if pm.ptr {
		nv = reflect.New(pm.elem)
		target = nv.Elem()
	}
	if err := pm.decode(target, raw); err != nil {
		*errs = append(*errs, hyperlane.ErrorDetail{Location: pm.location, Message: pm.message(err), Value: echo(raw)})
		return false
	}
	if pm.schema != nil {
		jv := jsonValue(target, raw)
		if verr := pm.schema.Validate(jv); verr != nil {
			*errs = append(*errs, validationDetails(verr, pm.location, jv)...)
			return false
		}
	}
	if pm.ptr {
		f.Set(nv)
	}
	return true
}

// bindValues binds a list parameter, or a form field; doc, when not nil,
// receives the JSON form of what was bound for validation by the caller.
func (pm *param) bindValues(v reflect.Value, vals []string, doc map[string]any, errs *[]hyperlane.ErrorDetail) {
	if !pm.slice {
		if len(vals) == 0 {
			pm.bindOne(v, "", false, errs)
			return
		}
		if pm.bindOne(v, vals[0], true, errs) && doc != nil {
			doc[pm.name] = jsonValue(indirect(v.FieldByIndex(pm.index)), vals[0])
		}
		return
	}
	if len(vals) == 0 {
		if pm.required {
			*errs = append(*errs, hyperlane.ErrorDetail{Location: pm.location, Message: "is required"})
		}
		return
	}
	list := reflect.MakeSlice(pm.typ, len(vals), len(vals))
	items := make([]any, len(vals))
	for i, raw := range vals {
		if err := pm.decode(list.Index(i), raw); err != nil {
			*errs = append(*errs, hyperlane.ErrorDetail{Location: fmt.Sprintf("%s.%d", pm.location, i), Message: pm.message(err), Value: echo(raw)})
			return
		}
		items[i] = jsonValue(list.Index(i), raw)
	}
	if pm.schema != nil {
		if verr := pm.schema.Validate(items); verr != nil {
			*errs = append(*errs, validationDetails(verr, pm.location, items)...)
			return
		}
	}
	v.FieldByIndex(pm.index).Set(list)
	if doc != nil {
		doc[pm.name] = items
	}
}

// queryValue returns the first value of name in a raw query, as
// url.ParseQuery would (pairs with ';' or bad escapes are skipped), but
// without building the whole map.
func queryValue(raw, name string) (string, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		key, val, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(key, "%+") {
			k, err := url.QueryUnescape(key)
			if err != nil {
				continue
			}
			key = k
		}
		if key != name {
			continue
		}
		if strings.ContainsAny(val, "%+") {
			v, err := url.QueryUnescape(val)
			if err != nil {
				continue
			}
			val = v
		}
		return val, true
	}
	return "", false
}

func indirect(v reflect.Value) reflect.Value {
	if v.Kind() == reflect.Pointer {
		return v.Elem()
	}
	return v
}

// maxEcho bounds the part of a bad value echoed back in an error.
const maxEcho = 64

func echo(raw string) any {
	if len(raw) > maxEcho {
		return raw[:maxEcho] + "…"
	}
	return raw
}
