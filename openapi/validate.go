package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// operationURL is the address the schemas of one operation are compiled
// under; each operation has its own compiler.
const operationURL = "mem://openapi/operation.json"

// compileValidation compiles, from the operation as it stands in the
// OpenAPI 3.1 document, the JSON Schemas that requests are validated
// against: each parameter's schema and the request body's. op is the
// operation's JSON and schemas the document's component schemas; the
// schemas that op refers to are compiled along with it, so $ref resolves
// exactly as in the document.
func compileValidation(plan *inputPlan, op []byte, schemas map[string]map[string]any) error {
	var opDoc map[string]any
	if err := json.Unmarshal(op, &opDoc); err != nil {
		return err
	}
	closure := map[string]any{}
	collectRefs(opDoc, schemas, closure)
	raw, err := json.Marshal(map[string]any{
		"components": map[string]any{"schemas": closure},
		"operation":  opDoc,
	})
	if err != nil {
		return err
	}
	set, err := newSchemaSet(raw)
	if err != nil {
		return err
	}
	root, compile := set.root, set.validator
	params, _ := root["operation"].(map[string]any)["parameters"].([]any)
	for _, pm := range plan.params {
		i := slices.IndexFunc(params, func(p any) bool {
			m, _ := p.(map[string]any)
			return m["in"] == pm.in && m["name"] == pm.name
		})
		if i < 0 {
			return fmt.Errorf("BUG: parameter %s is missing from the document", pm.location)
		}
		schema, _ := params[i].(map[string]any)["schema"].(map[string]any)
		if trivial(schema) {
			continue
		}
		if pm.schema, err = compile(fmt.Sprintf("#/operation/parameters/%d/schema", i), schema); err != nil {
			return fmt.Errorf("compiling the schema of %s: %w", pm.location, err)
		}
		if pm.def != nil {
			if verr := pm.schema.Validate(jsonValue(*pm.def, pm.defRaw)); verr != nil {
				d := validationDetails(verr, pm.location, nil)[0]
				return fmt.Errorf("default %q of %s contradicts its schema: %s", pm.defRaw, pm.location, d.Message)
			}
		}
	}
	if plan.body == bodyNone {
		return nil
	}
	content, _ := root["operation"].(map[string]any)["requestBody"].(map[string]any)["content"].(map[string]any)
	for _, mt := range []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"} {
		if m, ok := content[mt].(map[string]any); ok {
			ptr := "#/operation/requestBody/content/" + strings.ReplaceAll(mt, "/", "~1") + "/schema"
			if plan.bodySchema, err = compile(ptr, m["schema"]); err != nil {
				return fmt.Errorf("compiling the request body schema: %w", err)
			}
			return nil
		}
	}
	return fmt.Errorf("BUG: the request body is missing from the document")
}

// schemaSet compiles validators from one JSON document holding schemas.
type schemaSet struct {
	root  map[string]any // the document as encoding/json decodes it
	full  *jsonschema.Compiler
	check *checkCompiler
}

func newSchemaSet(raw []byte) (*schemaSet, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(operationURL, doc); err != nil {
		return nil, err
	}
	return &schemaSet{root: root, full: c,
		check: &checkCompiler{root: root, refs: map[string]*check{}, formats: map[string]*jsonschema.Schema{}, full: c}}, nil
}

// validator compiles the schema at the JSON pointer ptr ("#/a/b"), which
// is node in the decoded document.
func (set *schemaSet) validator(ptr string, node any) (*validator, error) {
	full, err := set.full.Compile(operationURL + ptr)
	if err != nil {
		return nil, err
	}
	vd := &validator{full: full}
	if k, err := set.check.compile(node); err == nil {
		vd.check = k
	}
	return vd, nil
}

// collectRefs copies into closure every component schema that v refers
// to, directly or through other components.
func collectRefs(v any, schemas map[string]map[string]any, closure map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			name, found := strings.CutPrefix(ref, "#/components/schemas/")
			if s, ok := schemas[name]; found && ok {
				if _, seen := closure[name]; !seen {
					closure[name] = s
					collectRefs(s, schemas, closure)
				}
			}
		}
		for _, e := range v {
			collectRefs(e, schemas, closure)
		}
	case []any:
		for _, e := range v {
			collectRefs(e, schemas, closure)
		}
	}
}

// trivial reports whether a parameter schema asks nothing that binding
// does not already enforce: a type (the decoder checks it) and
// annotations. Such parameters skip validation.
func trivial(s map[string]any) bool {
	for k, v := range s {
		switch k {
		case "type", "description", "title", "default", "examples", "example", "deprecated", "$comment", "readOnly", "writeOnly":
		case "format":
			switch v {
			case "int32", "int64", "float", "double":
			default:
				return false
			}
		case "items":
			if m, ok := v.(map[string]any); !ok || !trivial(m) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// maxDetails bounds the details of one 422: a body can fail in as many
// places as it has values.
const maxDetails = 100

// validationFailed is the 422 problem listing every failing field, the
// first maxDetails of them.
func validationFailed(errs []hyperlane.ErrorDetail) error {
	order := map[string]int{inPath: 0, inQuery: 1, inHeader: 2, inCookie: 3, inBody: 4}
	slices.SortStableFunc(errs, func(a, b hyperlane.ErrorDetail) int {
		la, _, _ := strings.Cut(a.Location, ".")
		lb, _, _ := strings.Cut(b.Location, ".")
		if d := order[la] - order[lb]; d != 0 {
			return d
		}
		if la == inBody {
			return strings.Compare(a.Location, b.Location)
		}
		return 0
	})
	detail := "1 field failed validation"
	if len(errs) > 1 {
		detail = fmt.Sprintf("%d fields failed validation", len(errs))
	}
	if len(errs) > maxDetails {
		detail += fmt.Sprintf(" (the first %d are listed)", maxDetails)
		errs = errs[:maxDetails]
	}
	return &hyperlane.HTTPError{Status: http.StatusUnprocessableEntity, Detail: detail, Errors: errs}
}

// validationDetails flattens a validation error of instance into one
// detail per failing value, located under prefix ("body", "query.tag")
// and carrying the value when it is a short scalar.
func validationDetails(err error, prefix string, instance any) []hyperlane.ErrorDetail {
	return mappedDetails(err, prefix, instance, nil)
}

// mappedDetails is validationDetails for an instance whose paths differ
// from the body's: real maps a path in instance to the body's (nil:
// the same).
func mappedDetails(err error, prefix string, instance any, real func([]string) ([]string, bool)) []hyperlane.ErrorDetail {
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return []hyperlane.ErrorDetail{{Location: prefix, Message: err.Error()}}
	}
	if real == nil {
		real = func(p []string) ([]string, bool) { return p, true }
	}
	var out []hyperlane.ErrorDetail
	flatten(verr, prefix, instance, real, &out)
	return out
}

func flatten(e *jsonschema.ValidationError, prefix string, instance any, real func([]string) ([]string, bool), out *[]hyperlane.ErrorDetail) {
	path, inBody := real(e.InstanceLocation)
	if !inBody {
		return // about a filler the tree added
	}
	at := func(name string) string {
		return locate(prefix, append(slices.Clip(path), name))
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		for _, c := range e.Causes {
			flatten(c, prefix, instance, real, out)
		}
		return
	case *kind.Required:
		for _, name := range k.Missing {
			*out = append(*out, hyperlane.ErrorDetail{Location: at(name), Message: "is required"})
		}
		return
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			*out = append(*out, hyperlane.ErrorDetail{Location: at(name), Message: "is not allowed"})
		}
		return
	}
	if len(e.Causes) > 0 && !isChoice(e.ErrorKind) {
		for _, c := range e.Causes {
			flatten(c, prefix, instance, real, out)
		}
		return
	}
	*out = append(*out, hyperlane.ErrorDetail{
		Location: locate(prefix, path),
		Message:  describe(e.ErrorKind),
		Value:    scalarAt(instance, e.InstanceLocation),
	})
}

// scalarAt returns the value at path in a JSON document when it is a
// scalar worth echoing, else nil.
func scalarAt(doc any, path []string) any {
	for _, tok := range path {
		switch d := doc.(type) {
		case map[string]any:
			doc = d[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(d) {
				return nil
			}
			doc = d[i]
		default:
			return nil
		}
	}
	switch v := doc.(type) {
	case string:
		return echo(v)
	case bool, float64, int64, uint64, json.Number:
		return v
	}
	return nil
}

func isChoice(k jsonschema.ErrorKind) bool {
	switch k.(type) {
	case *kind.AnyOf, *kind.OneOf, *kind.Not:
		return true
	}
	return false
}

// locate joins a location; each key from the body is cut as quote cuts
// it, so that a 1 MB key does not make a 1 MB answer.
func locate(prefix string, path []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, tok := range path {
		b.WriteByte('.')
		if len(tok) > maxEcho {
			tok = tok[:maxEcho] + "…"
		}
		b.WriteString(tok)
	}
	return b.String()
}

var printer = message.NewPrinter(language.English)

// describe words a failed keyword the way a client developer reads it.
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = article(w)
		}
		return "must be " + strings.Join(want, " or ") + ", got " + k.Got
	case *kind.Enum:
		return "must be one of " + joinJSON(k.Want)
	case *kind.Const:
		return "must be " + joinJSON([]any{k.Want})
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %s long", plural(k.Want, "character"))
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %s long", plural(k.Want, "character"))
	case *kind.Minimum:
		return "must be at least " + rat(k.Want)
	case *kind.Maximum:
		return "must be at most " + rat(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be greater than " + rat(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be less than " + rat(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + rat(k.Want)
	case *kind.Pattern:
		return "must match the pattern " + k.Want
	case *kind.Format:
		return "must be a valid " + k.Want
	case *kind.MinItems:
		return "must have at least " + plural(k.Want, "item")
	case *kind.MaxItems:
		return "must have at most " + plural(k.Want, "item")
	case *kind.UniqueItems:
		return fmt.Sprintf("must not repeat items (%d and %d are equal)", k.Duplicates[0], k.Duplicates[1])
	}
	return k.LocalizedString(printer)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func article(t string) string {
	if t == "integer" || t == "object" || t == "array" {
		return "an " + t
	}
	if t == "null" {
		return t
	}
	return "a " + t
}

func rat(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return fmt.Sprint(f)
}

func joinJSON(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		b, _ := json.Marshal(v)
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}
