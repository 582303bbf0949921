package openapi

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// validator validates request values against one schema of the
// document. Its reference engine is github.com/santhosh-tekuri/jsonschema
// (full JSON Schema 2020-12). Valid requests are the common case, so a
// schema that uses only the keywords the reflector writes is also
// compiled into a check, a small evaluator that only answers "valid or
// not" without allocating. When the check says valid, the request is
// valid; otherwise the reference engine decides and explains, so a check
// can never reject what the schema accepts. Tests hold the two engines
// to the same verdicts.
type validator struct {
	check *check // nil: the schema needs the reference engine
	full  *jsonschema.Schema
}

// validJSON reports whether the check accepts the JSON document data
// without decoding it; false means "decode and Validate".
func (vd *validator) validJSON(data []byte) bool {
	return vd.check != nil && vd.check.validJSON(data)
}

// Validate returns nil when v is valid, else the reference engine's
// *jsonschema.ValidationError.
func (vd *validator) Validate(v any) error {
	if vd.check != nil && vd.check.valid(v) {
		return nil
	}
	return vd.full.Validate(v)
}

// check is one compiled schema node. Zero values mean "no constraint".
type check struct {
	types    typeSet
	enum     []any
	constant *any
	props    map[string]*check
	required []string
	addl     *check // additionalProperties schema
	noAddl   bool   // additionalProperties: false
	items    *check
	minItems int
	maxItems int // -1: none
	unique   bool
	min, max *float64
	exMin    *float64
	exMax    *float64
	multiple float64
	minLen   int
	maxLen   int // -1: none
	pattern  *regexp.Regexp
	format   *jsonschema.Schema // the reference engine, for asserted formats
	allOf    []*check
	anyOf    []*check
	oneOf    []*check
	not      *check
	ref      *check
	never    bool // the false schema
	bareRef  bool // only a $ref: validJSON follows it directly
}

type typeSet uint8

const (
	tNull typeSet = 1 << iota
	tBoolean
	tObject
	tArray
	tNumber
	tInteger
	tString
)

var typeNames = map[string]typeSet{
	"null": tNull, "boolean": tBoolean, "object": tObject, "array": tArray,
	"number": tNumber, "integer": tInteger, "string": tString,
}

// annotations are keywords that never fail validation.
var annotations = map[string]bool{
	"description": true, "title": true, "default": true, "examples": true, "example": true,
	"deprecated": true, "readOnly": true, "writeOnly": true, "$comment": true,
	"contentMediaType": true, "contentEncoding": true, "$schema": true,
}

// annotationFormats are OpenAPI formats the reference engine does not
// assert either.
var annotationFormats = map[string]bool{
	"int32": true, "int64": true, "float": true, "double": true, "binary": true, "byte": true, "password": true,
}

// checkCompiler compiles the schemas of one document into checks.
type checkCompiler struct {
	root    map[string]any
	refs    map[string]*check
	formats map[string]*jsonschema.Schema
	full    *jsonschema.Compiler
}

// errUnsupported means a schema needs the reference engine.
var errUnsupported = fmt.Errorf("keyword needs the reference engine")

func (cc *checkCompiler) compile(node any) (*check, error) {
	switch n := node.(type) {
	case bool:
		return &check{never: !n, maxItems: -1, maxLen: -1}, nil
	case map[string]any:
		return cc.compileObject(n)
	}
	return nil, errUnsupported
}

func (cc *checkCompiler) compileObject(n map[string]any) (*check, error) {
	k := &check{maxItems: -1, maxLen: -1}
	for key, v := range n {
		var err error
		switch key {
		case "type":
			k.types, err = types(v)
		case "enum":
			list, ok := v.([]any)
			if !ok {
				return nil, errUnsupported
			}
			k.enum = list
		case "const":
			k.constant = &v
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return nil, errUnsupported
			}
			k.props = make(map[string]*check, len(props))
			for name, p := range props {
				if k.props[name], err = cc.compile(p); err != nil {
					return nil, err
				}
			}
		case "required":
			list, ok := v.([]any)
			if !ok {
				return nil, errUnsupported
			}
			for _, r := range list {
				s, ok := r.(string)
				if !ok {
					return nil, errUnsupported
				}
				k.required = append(k.required, s)
			}
		case "additionalProperties":
			if b, ok := v.(bool); ok {
				k.noAddl = !b
			} else {
				k.addl, err = cc.compile(v)
			}
		case "items":
			k.items, err = cc.compile(v)
		case "minItems":
			k.minItems, err = count(v)
		case "maxItems":
			k.maxItems, err = count(v)
		case "uniqueItems":
			k.unique = v == true
		case "minimum":
			k.min, err = number(v)
		case "maximum":
			k.max, err = number(v)
		case "exclusiveMinimum":
			k.exMin, err = number(v)
		case "exclusiveMaximum":
			k.exMax, err = number(v)
		case "multipleOf":
			var f *float64
			if f, err = number(v); err == nil {
				k.multiple = *f
			}
		case "minLength":
			k.minLen, err = count(v)
		case "maxLength":
			k.maxLen, err = count(v)
		case "pattern":
			s, ok := v.(string)
			if !ok {
				return nil, errUnsupported
			}
			k.pattern, err = regexp.Compile(s)
		case "format":
			s, _ := v.(string)
			if !annotationFormats[s] {
				k.format, err = cc.formatSchema(s)
			}
		case "allOf", "anyOf", "oneOf":
			list, ok := v.([]any)
			if !ok {
				return nil, errUnsupported
			}
			subs := make([]*check, len(list))
			for i, s := range list {
				if subs[i], err = cc.compile(s); err != nil {
					return nil, err
				}
			}
			switch key {
			case "allOf":
				k.allOf = subs
			case "anyOf":
				k.anyOf = subs
			default:
				k.oneOf = subs
			}
		case "not":
			k.not, err = cc.compile(v)
		case "$ref":
			s, _ := v.(string)
			k.ref, err = cc.resolve(s)
		default:
			if !annotations[key] {
				return nil, errUnsupported
			}
		}
		if err != nil {
			return nil, err
		}
	}
	k.bareRef = k.onlyRef()
	return k, nil
}

// resolve compiles the component a $ref names, once; a recursive schema
// refers to the check being compiled.
func (cc *checkCompiler) resolve(ref string) (*check, error) {
	if k, ok := cc.refs[ref]; ok {
		return k, nil
	}
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	schemas, _ := cc.root["components"].(map[string]any)["schemas"].(map[string]any)
	node, found := schemas[name]
	if !ok || !found {
		return nil, errUnsupported
	}
	k := &check{maxItems: -1, maxLen: -1}
	cc.refs[ref] = k
	compiled, err := cc.compile(node)
	if err != nil {
		return nil, err
	}
	*k = *compiled
	return k, nil
}

// formatSchema compiles {"format": f} with the reference engine, which
// knows the formats and asserts them as it does for the full schema.
func (cc *checkCompiler) formatSchema(f string) (*jsonschema.Schema, error) {
	if s, ok := cc.formats[f]; ok {
		return s, nil
	}
	url := "mem://openapi/format/" + f
	if err := cc.full.AddResource(url, map[string]any{"format": f}); err != nil {
		return nil, err
	}
	s, err := cc.full.Compile(url)
	if err != nil {
		return nil, err
	}
	cc.formats[f] = s
	return s, nil
}

func types(v any) (typeSet, error) {
	var out typeSet
	switch t := v.(type) {
	case string:
		out = typeNames[t]
	case []any:
		for _, e := range t {
			s, _ := e.(string)
			out |= typeNames[s]
		}
	}
	if out == 0 {
		return 0, errUnsupported
	}
	return out, nil
}

func number(v any) (*float64, error) {
	f, ok := v.(float64)
	if !ok {
		return nil, errUnsupported
	}
	return &f, nil
}

func count(v any) (int, error) {
	f, ok := v.(float64)
	if !ok || f < 0 || f != math.Trunc(f) {
		return 0, errUnsupported
	}
	return int(f), nil
}
