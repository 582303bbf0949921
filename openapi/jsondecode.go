package openapi

import (
	"bytes"
	"math"
	"reflect"
	"strconv"
	"unsafe"
)

// flatDecoder decodes a JSON object into a flat struct (see flatFields)
// as json.Unmarshal would, for the documents it handles. It is built
// once per operation and used after validJSON has accepted the body.
type flatDecoder struct {
	fields []jsonField
	keys   [][]byte // fields[i].name, for the case-folded comparison
}

// maxNesting is how deeply encoding/json lets values nest; it refuses
// the whole document beyond.
const maxNesting = 10000

// newFlatDecoder returns the decoder for struct t, or nil when t is not
// flat.
func newFlatDecoder(t reflect.Type) *flatDecoder {
	fields, ok := flatFields(t)
	if !ok || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil
	}
	d := &flatDecoder{fields: fields}
	for _, f := range fields {
		d.keys = append(d.keys, []byte(f.name))
	}
	return d
}

// decode fills v, a settable struct of the decoder's type, from the JSON
// object in data and reports whether it did. It answers false, maybe
// after setting some fields, on the first thing it leaves to
// json.Unmarshal:
//
//   - a document that is not an object, or a key with an escape;
//   - a key that matches no field exactly but does ignoring case;
//   - a field that is not a plain scalar, or a value of another JSON type
//     than its own, or a number that does not fit it;
//   - a value nested deeper than encoding/json allows.
//
// Calling json.Unmarshal with the same data and v then gives exactly
// what it gives alone: the fields set so far hold what it sets them to
// first, from the same keys, and it sets them again. (Only when it
// refuses the document as malformed, nesting too deep, does it set
// nothing; the request then fails with 400 and v is dropped.)
//
// Otherwise the result is json.Unmarshal's: keys match fields exactly,
// unknown keys are skipped, the last of duplicate keys wins, and null
// leaves a field as it was.
func (d *flatDecoder) decode(data []byte, v reflect.Value) bool {
	s := scanner{b: data}
	s.ws()
	if !s.next('{') {
		return false
	}
	s.ws()
	if !s.next('}') {
		for {
			key, ok := s.key()
			if !ok {
				return false
			}
			if i := d.field(key); i >= 0 {
				if !d.store(&s, v.Field(d.fields[i].index), d.fields[i].kind) {
					return false
				}
			} else if d.folds(key) || !s.skip(2) {
				return false
			}
			s.ws()
			if s.next(',') {
				continue
			}
			if s.next('}') {
				break
			}
			return false
		}
	}
	s.ws()
	return s.i == len(s.b)
}

// field returns the index of the field whose key is key, or -1.
func (d *flatDecoder) field(key []byte) int {
	for i := range d.fields {
		if d.fields[i].name == string(key) {
			return i
		}
	}
	return -1
}

// folds reports whether key names a field ignoring case, as
// encoding/json's fallback match does: bytes.EqualFold compares exactly
// as its folded names do, 'K' (Kelvin sign) and 'ſ' included.
func (d *flatDecoder) folds(key []byte) bool {
	for _, k := range d.keys {
		if bytes.EqualFold(key, k) {
			return true
		}
	}
	return false
}

// store reads the value at s.i into f, a field of the given kind.
func (d *flatDecoder) store(s *scanner, f reflect.Value, kind reflect.Kind) bool {
	if kind == reflect.Invalid || s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == 'n':
		return s.literal("null", nil, 0, nil) // a scalar keeps its value
	case c == 't' || c == 'f':
		if kind != reflect.Bool {
			return false
		}
		if c == 't' {
			if !s.literal("true", nil, 0, nil) {
				return false
			}
		} else if !s.literal("false", nil, 0, nil) {
			return false
		}
		f.SetBool(c == 't')
		return true
	case c == '"':
		if kind != reflect.String {
			return false
		}
		raw, special, ok := s.quoted()
		if !ok {
			return false
		}
		f.SetString(str(raw, special))
		return true
	case c == '-' || c >= '0' && c <= '9':
		start := s.i
		if !s.number(nil) {
			return false
		}
		return storeNumber(f, kind, s.b[start:s.i])
	}
	return false // an object or array
}

// storeNumber sets f from the JSON number raw, as encoding/json's
// strconv calls would, or reports false where they fail: a fraction or
// exponent for an integer, a sign for an unsigned one, or overflow.
func storeNumber(f reflect.Value, kind reflect.Kind, raw []byte) bool {
	switch kind {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		neg := raw[0] == '-'
		if neg {
			raw = raw[1:]
		}
		u, ok := parseDigits(raw)
		var n int64
		switch {
		case !ok || u > 1<<63 || !neg && u > math.MaxInt64:
			return false
		case neg:
			n = -int64(u) // #nosec G115 -- u <= 1<<63, and -int64(1<<63) is MinInt64
		default:
			n = int64(u) // #nosec G115 -- u <= MaxInt64
		}
		if f.OverflowInt(n) {
			return false
		}
		f.SetInt(n)
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, ok := parseDigits(raw)
		if !ok || f.OverflowUint(u) {
			return false
		}
		f.SetUint(u)
		return true
	case reflect.Float32, reflect.Float64:
		str := unsafe.String(unsafe.SliceData(raw), len(raw)) // #nosec G103 -- a read-only view of the request bytes, not kept: strconv copies what its errors quote
		x, err := strconv.ParseFloat(str, f.Type().Bits())
		if err != nil || f.OverflowFloat(x) {
			return false
		}
		f.SetFloat(x)
		return true
	}
	return false
}

// parseDigits reads raw, which must be only decimal digits, as a uint64.
func parseDigits(raw []byte) (uint64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var u uint64
	for _, c := range raw {
		if c < '0' || c > '9' || u > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	return u, true
}

// skip moves past the value at s.i, which nests at depth when it is an
// object or array, checking its syntax as s.value does. It answers
// false beyond encoding/json's nesting limit.
func (s *scanner) skip(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	open := s.b[s.i]
	if open != '{' && open != '[' {
		return s.value(nil)
	}
	if depth > maxNesting {
		return false
	}
	s.i++
	s.ws()
	end := byte('}')
	if open == '[' {
		end = ']'
	}
	if s.next(end) {
		return true
	}
	for {
		if open == '{' && !s.skipKey() {
			return false
		}
		s.ws()
		if !s.skip(depth + 1) {
			return false
		}
		s.ws()
		if s.next(end) {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}
