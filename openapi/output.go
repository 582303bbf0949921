package openapi

import (
	"encoding"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// outputPlan is how a typed operation writes its output type.
type outputPlan struct {
	json    bool   // the output is written as JSON
	empty   string // "[]" or "{}": a nil slice or map output, not null
	raw     *rawBody
	headers []outHeader
	direct  *flatEncoder // a flat JSON output skips encoding/json; nil otherwise
}

// rawBody is the field of an output written as the body as it is, with
// the content type its contentType tag declares.
type rawBody struct {
	index       []int
	contentType string
	kind        reflect.Kind // Slice ([]byte), String, or Interface (io.Reader)
}

// outHeader is an output field written as a response header.
type outHeader struct {
	name  string
	index []int
}

var (
	readerType        = reflect.TypeFor[io.Reader]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// analyzeOutput checks an output type and returns how to write it. A
// struct may mix JSON fields with header fields (tagged header and
// json:"-"), or hold one raw body field tagged contentType ([]byte,
// string or io.Reader) with header fields; any other type is JSON.
func analyzeOutput(t reflect.Type) (*outputPlan, error) {
	p := &outputPlan{}
	if t.Kind() != reflect.Struct {
		p.json = true
		switch t.Kind() {
		case reflect.Slice:
			p.empty = "[]\n"
		case reflect.Map:
			p.empty = "{}\n"
		}
		return p, nil
	}
	err := walkFields(t, nil, func(f reflect.StructField, index []int) error {
		jsonName, hasJSON := f.Tag.Lookup("json")
		jsonName = strings.Split(jsonName, ",")[0]
		if name, ok := f.Tag.Lookup("header"); ok {
			if jsonName != "-" {
				return fmt.Errorf("output field %s is a header; tag it json:\"-\" too, or it is also written into the body", f.Name)
			}
			if !headerType(f.Type) {
				return fmt.Errorf("output field %s: type %s cannot be written as a header", f.Name, f.Type)
			}
			p.headers = append(p.headers, outHeader{name: name, index: index})
			return nil
		}
		if ct, ok := f.Tag.Lookup("contentType"); ok {
			if p.raw != nil {
				return fmt.Errorf("output fields %s and %s both hold the raw body", fieldPath(t, p.raw.index), f.Name)
			}
			raw := &rawBody{index: index, contentType: ct, kind: f.Type.Kind()}
			switch {
			case f.Type == readerType:
			case f.Type.Kind() == reflect.String, f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Uint8:
			default:
				return fmt.Errorf("output field %s: a raw body is []byte, string or io.Reader, not %s", f.Name, f.Type)
			}
			if jsonName != "-" {
				return fmt.Errorf("output field %s is the raw body; tag it json:\"-\" too", f.Name)
			}
			p.raw = raw
			return nil
		}
		switch {
		case hasJSON && jsonName == "-":
		case hasJSON:
			p.json = true
		default:
			return fmt.Errorf("output field %s has no json tag, so the document would leave out what encoding/json writes; tag it", f.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p.raw != nil && p.json {
		return nil, fmt.Errorf("output has both a raw body field and JSON fields")
	}
	if p.json {
		p.direct = newFlatEncoder(t)
	}
	return p, nil
}

func headerType(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(textMarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.String
	}
	return false
}

func (p *outputPlan) hasBody() bool { return p.json || p.raw != nil }

func (p *outputPlan) contentType() string {
	if p.raw == nil {
		return ""
	}
	return p.raw.contentType
}

// write sends out with status: its header fields, then its body.
func (p *outputPlan) write(c *hyperlane.Context, status int, out any) error {
	if len(p.headers) > 0 || p.raw != nil {
		v := reflect.ValueOf(out).Elem()
		h := c.ResponseHeader()
		for _, oh := range p.headers {
			for _, s := range headerValues(v.FieldByIndex(oh.index)) {
				h.Add(oh.name, s)
			}
		}
		if p.raw != nil {
			return p.raw.write(c, status, v.FieldByIndex(p.raw.index))
		}
	}
	if !p.json {
		return c.NoContent(status)
	}
	if p.empty != "" && reflect.ValueOf(out).Elem().IsNil() {
		// The document says array (or object), not null.
		return c.Blob(status, "application/json; charset=utf-8", []byte(p.empty))
	}
	if p.direct != nil {
		return p.direct.write(c, status, reflect.ValueOf(out).Elem())
	}
	return c.JSON(status, out)
}

func (r *rawBody) write(c *hyperlane.Context, status int, f reflect.Value) error {
	ct := r.contentType
	if set := c.ResponseHeader().Get("Content-Type"); set != "" {
		ct = set // a Content-Type header field wins over the declared type
	}
	switch r.kind {
	case reflect.String:
		c.SetHeader("Content-Type", ct).Status(status).SetBodyString(f.String())
		return nil
	case reflect.Slice:
		return c.Blob(status, ct, f.Bytes())
	}
	if f.IsNil() {
		return c.NoContent(status)
	}
	rd := f.Interface().(io.Reader)
	if rc, ok := rd.(io.Closer); ok {
		defer rc.Close()
	}
	w := c.RawWriter()
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	_, err := io.Copy(w, rd)
	return err
}

// headerValues formats a header field; zero values are left out.
func headerValues(v reflect.Value) []string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.IsZero() {
		return nil
	}
	if m, ok := v.Interface().(encoding.TextMarshaler); ok {
		b, err := m.MarshalText()
		if err != nil {
			return nil
		}
		return []string{string(b)}
	}
	switch v.Kind() {
	case reflect.String:
		return []string{v.String()}
	case reflect.Bool:
		return []string{strconv.FormatBool(v.Bool())}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return []string{strconv.FormatInt(v.Int(), 10)}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return []string{strconv.FormatUint(v.Uint(), 10)}
	case reflect.Float32, reflect.Float64:
		return []string{strconv.FormatFloat(v.Float(), 'g', -1, v.Type().Bits())}
	case reflect.Slice:
		out := make([]string, v.Len())
		for i := range out {
			out[i] = v.Index(i).String()
		}
		return out
	}
	return nil
}
