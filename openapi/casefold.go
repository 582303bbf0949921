package openapi

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// encoding/json binds an object key to a field whose name matches it
// ignoring case, while the schema, like JSON itself, matches keys
// exactly. A body such as {"name":"ok","NAME":"<over maxLength>"} would
// pass validation ("NAME" is just another property) and then bind the
// unvalidated value. Bodies with such keys are refused instead: the byte
// scan leaves them to the decoded path, which finds them with foldedKey.

// foldsOnto reports whether key is not a property of k but equals one
// ignoring case, as encoding/json folds it.
func (k *check) foldsOnto(key []byte) bool {
	for name := range k.props {
		if strings.EqualFold(string(key), name) {
			return true
		}
	}
	return false
}

// foldedKey returns the path, such as "owner.NAME", of the first object
// key in doc that encoding/json would bind to a field of t spelled
// differently, or "" when there is none. doc is what encoding/json
// decodes into any, or a tree with arrays compacted (see treeDecoder):
// compact gives their items' indices in the body.
func foldedKey(doc any, t reflect.Type, compact map[*any][]int) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return "" // it decodes itself
	}
	switch d := doc.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFieldsOf(t)
			for key, val := range d {
				ft, ok := fields[key]
				if !ok {
					for name := range fields {
						if strings.EqualFold(key, name) {
							return key
						}
					}
					continue
				}
				if sub := foldedKey(val, ft, compact); sub != "" {
					return key + "." + sub
				}
			}
		case reflect.Map:
			for key, val := range d {
				if sub := foldedKey(val, t.Elem(), compact); sub != "" {
					return key + "." + sub
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, val := range d {
				if sub := foldedKey(val, t.Elem(), compact); sub != "" {
					if m, ok := compact[&d[0]]; ok && m[i] >= 0 {
						i = m[i]
					}
					return strconv.Itoa(i) + "." + sub
				}
			}
		}
	}
	return ""
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	jsonFieldCache  sync.Map // reflect.Type -> map[string]reflect.Type
)

// jsonFieldsOf maps the JSON names of t's fields, promoted ones
// included, to their types. Fields bound from parameters are left out:
// the binder clears whatever the body put there.
func jsonFieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := jsonFieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	collectJSONFields(t, m, 0)
	jsonFieldCache.Store(t, m)
	return m
}

func collectJSONFields(t reflect.Type, m map[string]reflect.Type, depth int) {
	for i := range t.NumField() {
		f := t.Field(i)
		if isParamField(f) {
			continue
		}
		tag, hasTag := f.Tag.Lookup("json")
		name := strings.Split(tag, ",")[0]
		if name == "-" && tag == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct && depth < 8 {
			collectJSONFields(ft, m, depth+1)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if !hasTag || name == "" {
			name = f.Name
		}
		if _, dup := m[name]; !dup {
			m[name] = f.Type
		}
	}
}

func isParamField(f reflect.StructField) bool {
	for _, tag := range paramTags {
		if _, ok := f.Tag.Lookup(tag); ok {
			return true
		}
	}
	return false
}
