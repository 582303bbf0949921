package openapi

import (
	"fmt"
	"reflect"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// mismatch finds, in a body the direct decoder did not take, the first
// value of another JSON type than its field, or a number its field
// cannot hold, and returns the detail bindDoubtful makes of the error
// json.Unmarshal would return for it: the same field, type and value,
// the value cut as quote cuts it. ok is false when there is none, or
// when json.Unmarshal might decide otherwise (a case-folded or escaped
// key, a field that is not a plain scalar). v is the target struct; its
// fields may be set.
//
// It saves what encoding/json spends on such an error: a copy of the
// token for the value, another in its message and a third in strconv's,
// three times a 1 MB number.
func (d *flatDecoder) mismatch(data []byte, v reflect.Value) (detail hyperlane.ErrorDetail, ok bool) {
	s := scanner{b: data}
	s.ws()
	if !s.next('{') {
		return detail, false
	}
	s.ws()
	if s.next('}') {
		return detail, false
	}
	for {
		key, ok := s.key()
		if !ok {
			return detail, false
		}
		i := d.field(key)
		switch {
		case i < 0:
			if d.folds(key) || !s.skip(2) {
				return detail, false
			}
		case d.fields[i].kind == reflect.Invalid || s.i >= len(s.b):
			return detail, false
		default:
			f := d.fields[i]
			if got := s.mismatched(v.Field(f.index), f.kind); got != "" {
				msg := fmt.Sprintf("must be %s, got %s", typePhrase(v.Field(f.index).Type()), got)
				return hyperlane.ErrorDetail{Location: locate(inBody, []string{f.name}), Message: msg}, true
			}
			if s.i < 0 {
				return detail, false
			}
		}
		s.ws()
		if s.next(',') {
			continue
		}
		return detail, false // the end: no mismatch, or bad syntax
	}
}

// mismatched moves past the value at s.i and returns, as
// json.UnmarshalTypeError words it, what that value is when field f of
// kind cannot take it, else "". It sets s.i to -1 on bad syntax.
func (s *scanner) mismatched(f reflect.Value, kind reflect.Kind) string {
	switch c := s.b[s.i]; {
	case c == 'n':
		if !s.literal("null", nil, 0, nil) {
			s.i = -1
		}
		return ""
	case c == 't' || c == 'f':
		word := "true"
		if c == 'f' {
			word = "false"
		}
		if !s.literal(word, nil, 0, nil) {
			s.i = -1
			return ""
		}
		if kind != reflect.Bool {
			return "bool"
		}
		return ""
	case c == '"':
		if _, _, ok := s.quoted(); !ok {
			s.i = -1
			return ""
		}
		if kind != reflect.String {
			return "string"
		}
		return ""
	case c == '-' || c >= '0' && c <= '9':
		start := s.i
		if !s.number(nil) {
			s.i = -1
			return ""
		}
		switch kind {
		case reflect.String, reflect.Bool:
			return "number"
		}
		if !storeNumber(f, kind, s.b[start:s.i]) {
			return "number " + quote(s.b[start:s.i])
		}
		return ""
	case c == '{' || c == '[':
		if !s.skip(2) {
			s.i = -1
			return ""
		}
		if c == '{' {
			return "object"
		}
		return "array"
	}
	s.i = -1
	return ""
}
