package openapi

import (
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// flatEncoder writes a flat struct (see flatFields) whose fields are all
// plain scalars as hyperlane.Context.JSON does, byte for byte: what a
// json.Encoder with its defaults writes (HTML characters escaped, a
// newline after the value).
type flatEncoder struct {
	fields []jsonField
	keys   []string // `"name":`, escaped as encoding/json escapes it
}

// newFlatEncoder returns the encoder for struct t, or nil when t is not
// flat or has a field that is not a plain scalar.
func newFlatEncoder(t reflect.Type) *flatEncoder {
	fields, ok := flatFields(t)
	if !ok {
		return nil
	}
	e := &flatEncoder{fields: fields}
	for _, f := range fields {
		if f.kind == reflect.Invalid {
			return nil
		}
		e.keys = append(e.keys, string(appendJSONString(nil, f.name))+":")
	}
	return e
}

// jsonContentType is Context.JSON's Content-Type, assigned straight into
// the header map; never modified (Header.Add and Set replace or copy it).
var jsonContentType = []string{"application/json; charset=utf-8"}

// write responds with v, a settable struct of the encoder's type, as
// c.JSON(status, v.Addr().Interface()) would. A float that is NaN or
// infinite, which encoding/json refuses with an error, is left to it.
// The object is built in a buffer on the stack (a typical answer fits)
// and copied into the response once.
func (e *flatEncoder) write(c *hyperlane.Context, status int, v reflect.Value) error {
	if c.Committed() {
		return hyperlane.ErrCommitted
	}
	var buf [512]byte
	b, ok := e.appendJSON(buf[:0], v)
	if !ok {
		return c.JSON(status, v.Addr().Interface())
	}
	c.ResponseHeader()["Content-Type"] = jsonContentType
	return c.Blob(status, "", append(b, '\n'))
}

// appendJSON appends the JSON object for v to b, or reports false for a
// float encoding/json cannot write.
func (e *flatEncoder) appendJSON(b []byte, v reflect.Value) ([]byte, bool) {
	next := byte('{')
	for i := range e.fields {
		f := &e.fields[i]
		fv := v.Field(f.index)
		if (f.omitEmpty || f.omitZero) && fv.IsZero() {
			continue // for plain scalars both mean reflect.Value.IsZero, as in encoding/json
		}
		b = append(b, next)
		next = ','
		b = append(b, e.keys[i]...)
		switch f.kind {
		case reflect.String:
			b = appendJSONString(b, fv.String())
		case reflect.Bool:
			b = strconv.AppendBool(b, fv.Bool())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			b = strconv.AppendInt(b, fv.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			b = strconv.AppendUint(b, fv.Uint(), 10)
		case reflect.Float32:
			x := fv.Float()
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return b, false
			}
			b = appendJSONFloat(b, x, 32)
		case reflect.Float64:
			x := fv.Float()
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return b, false
			}
			b = appendJSONFloat(b, x, 64)
		}
	}
	if next == '{' {
		return append(b, '{', '}'), true
	}
	return append(b, '}'), true
}

// appendJSONFloat formats x as encoding/json does, like JavaScript's
// Number.prototype.toString: decimal notation between 1e-6 and 1e21,
// exponent notation outside, with no zero padding of the exponent. For a
// float32 the cutoffs compare as float32.
func appendJSONFloat(b []byte, x float64, bits int) []byte {
	abs := math.Abs(x)
	exp := false
	if abs != 0 {
		if bits == 32 {
			a := float32(abs)
			exp = a < 1e-6 || a >= 1e21
		} else {
			exp = abs < 1e-6 || abs >= 1e21
		}
	}
	if !exp {
		return strconv.AppendFloat(b, x, 'f', -1, bits)
	}
	b = strconv.AppendFloat(b, x, 'e', -1, bits)
	// strconv writes at least two exponent digits: e-07 becomes e-7.
	if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes it with HTML
// escaping on: '"' and '\\' escaped; \b \f \n \r \t short; other
// control characters and '<', '>', '&' as \u00XX; U+2028 and U+2029 as
// \u2028 and \u2029; each byte of invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
