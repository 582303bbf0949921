package openapi

import (
	"fmt"
	"net/http"
	"net/textproto"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Request locations, as used in error locations ("query.limit").
const (
	inPath   = "path"
	inQuery  = "query"
	inHeader = "header"
	inCookie = "cookie"
	inBody   = "body"
)

// paramTags are the struct tags that bind a field from a parameter, in
// the order they are looked for; "formData" is the swaggest spelling of
// "form".
var paramTags = [...]string{"path", "query", "header", "cookie", "form", "formData"}

// exportedName is name with its first letter in upper case.
func exportedName(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[size:]
}

// bodyKind is what a request body is decoded from.
type bodyKind uint8

const (
	bodyNone  bodyKind = iota
	bodyJSON           // the input's json-tagged fields
	bodyField          // the input's Body field
	bodyForm           // form fields, urlencoded or multipart
)

// inputPlan is how a typed operation binds its input type, worked out
// once at registration from the struct tags.
type inputPlan struct {
	typ          reflect.Type
	params       []*param // path, query, header, cookie, in field order
	form         []*param // form fields, bound from the body
	body         bodyKind
	bodyIndex    []int // the Body field
	bodyRequired bool
	multipart    bool // a form with file uploads
	formNames    map[string]string
	bodySchema   *validator
	direct       *flatDecoder // a flat JSON body skips encoding/json; nil otherwise
}

// param binds one field from one request location.
type param struct {
	in       string
	name     string // as in the document
	key      string // header: canonical form
	location string // "query.limit"
	index    []int
	typ      reflect.Type // the field's type
	elem     reflect.Type // the scalar inside pointer or slice
	ptr      bool
	slice    bool
	file     bool // *multipart.FileHeader or a slice of them
	required bool
	decode   decoder
	what     string
	def      *reflect.Value // decoded default, nil without one
	defRaw   string
	schema   *validator // nil when binding alone enforces it
}

// analyzeInput checks the input type of an operation against its method
// and path parameters and returns its binding plan. Every contradiction
// is an error naming the field.
func analyzeInput(t reflect.Type, method string, pathParams []string) (*inputPlan, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("input type %s must be a struct", t)
	}
	p := &inputPlan{typ: t, formNames: map[string]string{}}
	jsonFields := false
	requiredJSON := false
	err := walkFields(t, nil, func(f reflect.StructField, index []int) error {
		in, name, err := fieldLocation(f)
		if err != nil {
			return err
		}
		switch in {
		case "":
			return nil
		case "json":
			jsonFields = true
			requiredJSON = requiredJSON || jsonRequired(f)
			return nil
		case "Body":
			p.body, p.bodyIndex = bodyField, index
			p.bodyRequired = f.Type.Kind() != reflect.Pointer
			return nil
		}
		pm, err := newParam(f, index, in, name)
		if err != nil {
			return err
		}
		list := &p.params
		if in == "form" {
			list = &p.form
			p.formNames[f.Name] = name
			p.multipart = p.multipart || pm.file
		}
		for _, other := range *list {
			if other.in == pm.in && (other.name == pm.name || pm.in == inHeader && other.key == pm.key) {
				return fmt.Errorf("fields %s and %s both bind %s", fieldPath(t, other.index), f.Name, pm.location)
			}
		}
		*list = append(*list, pm)
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case jsonFields && p.body == bodyField:
		return nil, fmt.Errorf("input has both a Body field and json-tagged fields; use one or the other")
	case len(p.form) > 0 && (jsonFields || p.body == bodyField):
		return nil, fmt.Errorf("input has both form fields and a JSON body")
	case jsonFields:
		p.body, p.bodyRequired = bodyJSON, requiredJSON
	case len(p.form) > 0:
		p.body = bodyForm
	}
	if p.body != bodyNone && !hasBody(method) {
		return nil, fmt.Errorf("a %s operation has no request body, but the input has body fields", method)
	}
	if err := p.checkPath(pathParams); err != nil {
		return nil, err
	}
	switch p.body {
	case bodyJSON:
		p.direct = newFlatDecoder(t)
	case bodyField:
		p.direct = newFlatDecoder(t.FieldByIndex(p.bodyIndex).Type)
	}
	return p, nil
}

func hasBody(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// checkPath fails when the pattern and the path fields disagree.
func (p *inputPlan) checkPath(names []string) error {
	var fields []string
	for _, pm := range p.params {
		if pm.in != inPath {
			continue
		}
		if !slices.Contains(names, pm.name) {
			return fmt.Errorf("field %s is tagged path:%q but the pattern has no {%s}", fieldPath(p.typ, pm.index), pm.name, pm.name)
		}
		fields = append(fields, pm.name)
	}
	for _, n := range names {
		if !slices.Contains(fields, n) {
			return fmt.Errorf("the pattern has {%s} but the input has no field tagged path:%q", n, n)
		}
	}
	return nil
}

// walkFields calls fn for every exported field of t, descending into
// embedded structs that carry no tag of their own. An unexported field
// tagged as a parameter, form field or header is an error naming it.
func walkFields(t reflect.Type, prefix []int, fn func(reflect.StructField, []int) error) error {
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(slices.Clip(prefix), i)
		if f.Anonymous && f.Tag == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				return fmt.Errorf("embedded pointer %s is not supported; embed the struct itself", f.Name)
			}
			if ft.Kind() == reflect.Struct {
				if err := walkFields(ft, index, fn); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			// reflect cannot set it, so a tagged one would silently stay
			// zero (and the document would still list it).
			for _, tag := range paramTags {
				if v, ok := f.Tag.Lookup(tag); ok {
					return fmt.Errorf("field %s.%s is tagged %s:%q but is unexported, so it can never be set; export it (%s)",
						t, f.Name, tag, v, exportedName(f.Name))
				}
			}
			continue
		}
		if err := fn(f, index); err != nil {
			return err
		}
	}
	return nil
}

// fieldLocation reads where an input field comes from: a parameter
// location with its name, "json" for a body field, "Body" for the Body
// field, or "" for a field to ignore (json:"-").
func fieldLocation(f reflect.StructField) (in, name string, err error) {
	for _, tag := range paramTags {
		v, ok := f.Tag.Lookup(tag)
		if !ok {
			continue
		}
		if in != "" {
			return "", "", fmt.Errorf("field %s has both %s and %s tags", f.Name, in, tag)
		}
		in, name = tag, strings.Split(v, ",")[0]
		if in == "formData" {
			in = "form"
		}
		if name == "" || name == "-" {
			return "", "", fmt.Errorf("field %s has an empty %s name", f.Name, tag)
		}
	}
	jsonTag, hasJSON := f.Tag.Lookup("json")
	jsonName := strings.Split(jsonTag, ",")[0]
	switch {
	case in != "" && hasJSON && jsonName != "-":
		return "", "", fmt.Errorf("field %s has both %s and json tags; a field comes from one place", f.Name, in)
	case in != "":
		return in, name, nil
	case hasJSON && jsonName == "-":
		return "", "", nil
	case hasJSON:
		return "json", jsonName, nil
	case f.Name == "Body":
		return "Body", "", nil
	}
	return "", "", fmt.Errorf("field %s says nowhere where it comes from: tag it path, query, header, cookie, form or json (json:\"-\" to ignore it)", f.Name)
}

// newParam prepares a parameter field: its decoder, default and flags.
func newParam(f reflect.StructField, index []int, in, name string) (*param, error) {
	pm := &param{in: in, name: name, key: name, index: index, typ: f.Type}
	loc := in
	if in == "form" {
		loc = inBody
	}
	pm.location = loc + "." + name
	if in == inHeader {
		pm.key = textproto.CanonicalMIMEHeaderKey(name)
	}
	t := f.Type
	if t == fileHeaderType || t.Kind() == reflect.Slice && t.Elem() == fileHeaderType {
		if in != "form" {
			return nil, fmt.Errorf("field %s: file uploads come from a form field (form:%q)", f.Name, name)
		}
		pm.file, pm.slice = true, t.Kind() == reflect.Slice
		pm.required = tagTrue(f, "required")
		return pm, nil
	}
	if t.Kind() == reflect.Pointer {
		pm.ptr, t = true, t.Elem()
	} else if t.Kind() == reflect.Slice && !reflect.PointerTo(t).Implements(textUnmarshalerType) {
		if in == inPath {
			return nil, fmt.Errorf("field %s: a path parameter cannot be a list", f.Name)
		}
		pm.slice, t = true, t.Elem()
	}
	pm.elem = t
	dec, what, ok := scalarDecoder(t)
	if !ok {
		return nil, fmt.Errorf("field %s: type %s cannot be read from a %s parameter", f.Name, f.Type, in)
	}
	pm.decode, pm.what = dec, what
	pm.required = in == inPath || tagTrue(f, "required")
	if def, ok := f.Tag.Lookup("default"); ok {
		if pm.slice {
			return nil, fmt.Errorf("field %s: defaults are not supported on list parameters", f.Name)
		}
		v := reflect.New(t).Elem()
		if err := dec(v, def); err != nil {
			return nil, fmt.Errorf("field %s: default %q %s", f.Name, def, pm.message(err))
		}
		pm.def, pm.defRaw = &v, def
	}
	return pm, nil
}

func tagTrue(f reflect.StructField, tag string) bool { return f.Tag.Get(tag) == "true" }

// jsonRequired is the rule for JSON properties, shared by the document
// and the runtime: a property is required unless it may be absent from
// the encoding (omitempty or omitzero), is a pointer, or has a default;
// a required tag overrides the rule either way.
func jsonRequired(f reflect.StructField) bool {
	if r, ok := f.Tag.Lookup("required"); ok {
		return r == "true"
	}
	if omitted(f.Tag.Get("json")) {
		return false
	}
	if _, ok := f.Tag.Lookup("default"); ok {
		return false
	}
	return f.Type.Kind() != reflect.Pointer
}

// omitted reports whether a json tag lets encoding/json leave the
// property out (omitempty or omitzero).
func omitted(jsonTag string) bool {
	_, opts, _ := strings.Cut(jsonTag, ",")
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			return true
		}
	}
	return false
}

// fieldPath names a field by its Go path, such as "Paging.Limit".
func fieldPath(t reflect.Type, index []int) string {
	var names []string
	for _, i := range index {
		f := t.Field(i)
		names = append(names, f.Name)
		t = f.Type
	}
	return strings.Join(names, ".")
}
