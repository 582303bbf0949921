package openapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"unicode"
)

// Typed operations mostly read and write flat structs of strings,
// numbers and booleans. For those, jsondecode.go and jsonencode.go do
// what encoding/json does without its general machinery. Both work from
// the field list below, which names fields exactly as encoding/json
// does, and both answer "not done" whenever a case is not theirs, so
// that encoding/json decides.

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	name      string       // the object key
	index     int          // in the struct
	kind      reflect.Kind // reflect.Invalid: not a plain scalar, left to encoding/json
	omitEmpty bool
	omitZero  bool
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// flatFields lists the fields encoding/json reads and writes in struct t,
// in struct order, or reports false when t is not flat. A flat struct
// has no embedded fields (they bring promotion and its conflict rules),
// no two fields with the same key (encoding/json would drop both), and
// does not marshal or unmarshal itself. Its fields may be of any type;
// those that are not plain scalars keep kind reflect.Invalid.
func flatFields(t reflect.Type) ([]jsonField, bool) {
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	pt := reflect.PointerTo(t)
	for _, it := range []reflect.Type{marshalerType, unmarshalerType, textMarshalerType, textUnmarshalerType} {
		if pt.Implements(it) {
			return nil, false
		}
	}
	var fields []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, false
		}
		tag := sf.Tag.Get("json")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validKeyName(name) {
			name = sf.Name
		}
		for _, f := range fields {
			if f.name == name {
				return nil, false
			}
		}
		f := jsonField{name: name, index: i, omitEmpty: hasOption(opts, "omitempty"), omitZero: hasOption(opts, "omitzero")}
		if plainScalar(sf.Type) && !hasOption(opts, "string") {
			f.kind = sf.Type.Kind()
		}
		fields = append(fields, f)
	}
	return fields, true
}

// plainScalar reports whether values of t are a JSON string, number or
// boolean with nothing to customise them: a type with methods might be
// a json.Number or implement one of the marshaling interfaces.
func plainScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return reflect.PointerTo(t).NumMethod() == 0
	}
	return false
}

// validKeyName reports whether encoding/json takes name from a json tag
// as the key: letters, digits, and punctuation other than quotes,
// backslash and comma. Otherwise it uses the Go field name.
func validKeyName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r) {
			return false
		}
	}
	return true
}

// hasOption reports whether the comma-separated tag options hold opt.
func hasOption(opts, opt string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == opt {
			return true
		}
	}
	return false
}
