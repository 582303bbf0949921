package openapi

import (
	"encoding"
	"fmt"
	"math"
	"mime/multipart"
	"reflect"
	"strconv"
	"time"
)

// decoder parses one parameter value into v, an addressable value of
// the scalar type it was made for.
type decoder func(v reflect.Value, s string) error

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	fileHeaderType      = reflect.TypeFor[*multipart.FileHeader]()
	timeType            = reflect.TypeFor[time.Time]()
)

// scalarDecoder returns the decoder of a parameter of type t and the
// phrase its error messages use, or ok false when t cannot come from a
// string. Types implementing encoding.TextUnmarshaler (time.Time
// included) decode themselves.
func scalarDecoder(t reflect.Type) (dec decoder, what string, ok bool) {
	if t == timeType {
		return func(v reflect.Value, s string) error {
			if err := decodeText(v, s); err != nil {
				return errSyntax
			}
			return nil
		}, "an RFC 3339 date-time", true
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return decodeText, "a valid " + t.String(), true
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value, s string) error { v.SetString(s); return nil }, "a string", true
	case reflect.Bool:
		return func(v reflect.Value, s string) error {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return errSyntax
			}
			v.SetBool(b)
			return nil
		}, "a boolean (true or false)", true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseInt(s, 10, bits)
			if err != nil {
				return rangeOrSyntax(err, fmt.Sprintf("%d and %d", int64(-1)<<(bits-1), int64(1)<<(bits-1)-1))
			}
			v.SetInt(n)
			return nil
		}, "an integer", true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseUint(s, 10, bits)
			if err != nil {
				return rangeOrSyntax(err, fmt.Sprintf("0 and %d", uint64(math.MaxUint64)>>(64-bits)))
			}
			v.SetUint(n)
			return nil
		}, "a non-negative integer", true
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			f, err := strconv.ParseFloat(s, bits)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return errSyntax
			}
			v.SetFloat(f)
			return nil
		}, "a number", true
	}
	return nil, "", false
}

func decodeText(v reflect.Value, s string) error {
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
		return &decodeError{err.Error()}
	}
	return nil
}

// decodeError carries a message more precise than "must be X".
type decodeError struct{ msg string }

func (e *decodeError) Error() string { return e.msg }

// errSyntax means the value is not of the expected type.
var errSyntax = &decodeError{}

func rangeOrSyntax(err error, bounds string) error {
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return &decodeError{"must be between " + bounds}
	}
	return errSyntax
}

// message turns a decoder error into the text of an error detail.
func (p *param) message(err error) string {
	if de, ok := err.(*decodeError); ok && de.msg != "" {
		return de.msg
	}
	return "must be " + p.what
}

// jsonValue is the JSON form of a decoded scalar, for validation against
// the parameter's schema: numbers as numbers, booleans as booleans, and
// self-decoding types as the string they came from.
func jsonValue(v reflect.Value, raw string) any {
	if reflect.PointerTo(v.Type()).Implements(textUnmarshalerType) {
		return raw
	}
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return v.String()
}
