package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi3"
	"github.com/swaggest/openapi-go/openapi31"
)

const (
	mimeJSON    = "application/json"
	mimeProblem = "application/problem+json"
	mimeSSE     = "text/event-stream"
)

// newReflectors returns the OpenAPI 3.1 and 3.0 reflectors, configured
// alike: shared schema names, the required rule of jsonRequired, no null
// types outside JSON bodies, and closed objects when forbid is set
// (Config.ForbidUnknownFields).
func newReflectors(names *schemaNames, forbid bool) (*openapi31.Reflector, *openapi3.Reflector) {
	r31, r30 := openapi31.NewReflector(), openapi3.NewReflector()
	for _, r := range []*jsonschema.Reflector{r31.JSONSchemaReflector(), r30.JSONSchemaReflector()} {
		r.DefaultOptions = append(r.DefaultOptions,
			jsonschema.InterceptDefName(func(t reflect.Type, _ string) string { return names.name(t) }),
			jsonschema.InterceptProp(jsonRules),
			jsonschema.InterceptNullability(nullOnlyInJSON),
		)
		if forbid {
			r.DefaultOptions = append(r.DefaultOptions, jsonschema.InterceptSchema(closedObjects))
		}
	}
	return r31, r30
}

// jsonRules applies to JSON properties the rules the runtime follows:
// required as jsonRequired says, and no null for a property that
// encoding/json leaves out instead of writing null (omitempty,
// omitzero) unless a nullable tag says otherwise. Parameters and form
// fields keep the explicit rule: required:"true" or optional.
func jsonRules(p jsonschema.InterceptPropParams) error {
	if !p.Processed || p.Context.PropertyNameTag != "json" {
		return nil
	}
	tag, ok := p.Field.Tag.Lookup("json")
	if !ok {
		return nil
	}
	if jsonRequired(p.Field) && !slices.Contains(p.ParentSchema.Required, p.Name) {
		p.ParentSchema.Required = append(p.ParentSchema.Required, p.Name)
	}
	if _, explicit := p.Field.Tag.Lookup("nullable"); !explicit && omitted(tag) && p.PropertySchema.Ref == nil {
		p.PropertySchema.RemoveType(jsonschema.Null)
	}
	return nil
}

// closedObjects says additionalProperties: false on the JSON schema of
// every struct with properties. Requests are validated against that
// schema, so a body property the type has no field for becomes a 422
// naming it, where encoding/json would drop it silently (a misspelt
// "emial" would be lost). It is also true of responses: encoding/json
// writes only the fields. A struct that decodes or encodes itself
// (json.Unmarshaler, json.Marshaler...) is left open, as is one whose
// schema already says something (a field tagged additionalProperties).
func closedObjects(p jsonschema.InterceptSchemaParams) (bool, error) {
	if !p.Processed || p.Context.PropertyNameTag != "json" || p.Schema.AdditionalProperties != nil ||
		!p.Value.IsValid() || p.Schema.Ref != nil {
		return false, nil
	}
	t := p.Value.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || len(p.Schema.Properties) == 0 || selfCoded(t) {
		return false, nil
	}
	p.Schema.WithAdditionalProperties(jsonschema.SchemaOrBool{TypeBoolean: new(false)})
	return false, nil
}

// selfCoded reports whether t or *t has its own JSON or text encoding.
func selfCoded(t reflect.Type) bool {
	for _, i := range []reflect.Type{unmarshalerType, marshalerType, textUnmarshalerType, textMarshalerType} {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}

// nullOnlyInJSON drops the null type from parameters, headers and form
// fields: a pointer there means "optional", and null cannot be sent.
// In JSON, null stays where encoding/json can write it (pointers,
// slices and maps without omitempty), so the document tells the truth.
func nullOnlyInJSON(p jsonschema.InterceptNullabilityParams) {
	if p.Context.PropertyNameTag != "json" && p.Schema.Ref == nil {
		p.Schema.RemoveType(jsonschema.Null)
	}
}

// opDoc is everything the document says about one operation.
type opDoc struct {
	method, path string
	cfg          *operationConfig
	id           string

	input        any               // *I, nil without input
	formFields   map[string]string // Go field -> form name, kept out of the query
	body         any               // a value of the Body field's type
	bodyRequired bool

	output   any    // a value of O, nil without a body
	raw      string // content type of a raw output
	status   int
	problems []int // problem+json responses every typed operation has

	stream *eventPlan // an SSE operation's events, nil otherwise
}

// describeOperation adds the operation to both documents and returns its
// OpenAPI 3.1 JSON, from which requests are validated. a.mu is held.
func (a *API) describeOperation(d *opDoc) ([]byte, error) {
	if err := a.describeIn(a.r30, d); err != nil {
		return nil, err
	}
	oc, err := a.describe31(d)
	if err != nil {
		return nil, err
	}
	return json.Marshal(oc.(openapi31.OperationExposer).Operation())
}

func (a *API) describe31(d *opDoc) (openapi.OperationContext, error) {
	oc, err := a.prepare(a.r31, d)
	if err != nil {
		return nil, err
	}
	return oc, a.r31.AddOperation(oc)
}

func (a *API) describeIn(r openapi.Reflector, d *opDoc) error {
	oc, err := a.prepare(r, d)
	if err != nil {
		return err
	}
	return r.AddOperation(oc)
}

// prepare builds the operation context: info, request and responses.
func (a *API) prepare(r openapi.Reflector, d *opDoc) (openapi.OperationContext, error) {
	oc, err := r.NewOperationContext(d.method, d.path)
	if err != nil {
		return nil, err
	}
	c := d.cfg
	oc.SetID(d.id)
	if c.summary != "" {
		oc.SetSummary(c.summary)
	}
	if c.description != "" {
		oc.SetDescription(c.description)
	}
	if len(c.tags) > 0 {
		oc.SetTags(c.tags...)
	}
	if c.deprecated {
		oc.SetIsDeprecated(true)
	}
	for _, s := range c.security {
		oc.AddSecurity(s[0], s[1:]...)
	}
	if d.input != nil {
		opts := []openapi.ContentOption{openapi.WithCustomize(customizeRequest(d.bodyRequired && d.body == nil, c.requestExample))}
		if len(d.formFields) > 0 {
			hidden := map[string]string{}
			for field := range d.formFields {
				hidden[field] = "-"
			}
			opts = append(opts, func(cu *openapi.ContentUnit) {
				cu.SetFieldMapping(openapi.InQuery, hidden)
				cu.SetFieldMapping(openapi.InFormData, d.formFields)
			})
		}
		oc.AddReqStructure(d.input, opts...)
	}
	if d.body != nil {
		oc.AddReqStructure(d.body, openapi.WithContentType(mimeJSON),
			openapi.WithCustomize(customizeRequest(d.bodyRequired, c.requestExample)))
	}
	if d.status != 0 {
		opts := []openapi.ContentOption{openapi.WithHTTPStatus(d.status)}
		var customize func(openapi.ContentOrReference)
		if c.responseExample != nil || d.raw != "" {
			customize = customizeResponse(c.responseExample, d.raw)
		}
		if len(c.limiters) > 0 {
			customize = then(customize, newRateLimitHeaders(c.limiters, false).customize)
		}
		if customize != nil {
			opts = append(opts, openapi.WithCustomize(customize))
		}
		oc.AddRespStructure(d.output, opts...)
	}
	if d.stream != nil {
		a.describeStream(oc, d.stream)
	}
	for _, e := range c.events {
		oc.AddRespStructure(e, openapi.WithHTTPStatus(http.StatusOK), openapi.WithContentType(mimeSSE), func(cu *openapi.ContentUnit) {
			cu.Description = "A stream of Server-Sent Events; the data of each event is this JSON value."
		})
	}
	if len(c.events) > 1 {
		return nil, fmt.Errorf("EventStream takes one payload type per operation; use a type with a oneOf schema for several")
	}
	statuses := map[int]bool{}
	for _, resp := range c.responses {
		statuses[resp.status] = true
		a.addResponse(oc, resp)
	}
	for _, s := range d.problems {
		if !statuses[s] {
			a.addResponse(oc, response{s, problem, problemDescriptions[s]})
		}
	}
	if len(c.limiters) > 0 && !statuses[http.StatusTooManyRequests] {
		a.addTooManyRequests(oc, c.limiters)
	}
	return oc, nil
}

// problemDescriptions describe the error responses operations document
// without being asked.
var problemDescriptions = map[int]string{
	http.StatusBadRequest:          "Malformed request: the body is not valid JSON or form data.",
	http.StatusUnauthorized:        "Missing or invalid credentials.",
	http.StatusUnprocessableEntity: "Validation failed: errors lists every failing field with its location.",
	http.StatusInternalServerError: "Internal server error.",
}

func (a *API) addResponse(oc openapi.OperationContext, resp response) {
	opts := []openapi.ContentOption{openapi.WithHTTPStatus(resp.status), func(cu *openapi.ContentUnit) {
		cu.Description = resp.description
	}}
	switch resp.body.(type) {
	case problemBody, *hyperlane.HTTPError, hyperlane.HTTPError:
		opts = append(opts, openapi.WithContentType(mimeProblem))
		oc.AddRespStructure(hyperlane.HTTPError{}, opts...)
		return
	}
	oc.AddRespStructure(resp.body, opts...)
}

// customizeRequest marks the request body required and sets its example.
func customizeRequest(required bool, example any) func(openapi.ContentOrReference) {
	return func(cor openapi.ContentOrReference) {
		switch b := cor.(type) {
		case *openapi31.RequestBodyOrReference:
			if b.RequestBody == nil {
				return
			}
			if required {
				b.RequestBody.WithRequired(true)
			}
			if m, ok := b.RequestBody.Content[mimeJSON]; ok && example != nil {
				m.Example = &example
				b.RequestBody.Content[mimeJSON] = m
			}
		case *openapi3.RequestBodyOrRef:
			if b.RequestBody == nil {
				return
			}
			if required {
				b.RequestBody.WithRequired(true)
			}
			if m, ok := b.RequestBody.Content[mimeJSON]; ok && example != nil {
				m.Example = &example
				b.RequestBody.Content[mimeJSON] = m
			}
		}
	}
}

// customizeResponse sets the example of the success response and
// describes a raw body as binary unless it is text.
func customizeResponse(example any, raw string) func(openapi.ContentOrReference) {
	binary := raw != "" && !strings.HasPrefix(raw, "text/")
	return func(cor openapi.ContentOrReference) {
		switch r := cor.(type) {
		case *openapi31.ResponseOrReference:
			if r.Response == nil {
				return
			}
			for mt, m := range r.Response.Content {
				if example != nil {
					m.Example = &example
				}
				if binary && mt == raw {
					m.Schema = map[string]any{"type": "string", "format": "binary"}
				}
				r.Response.Content[mt] = m
			}
		case *openapi3.ResponseOrRef:
			if r.Response == nil {
				return
			}
			for mt, m := range r.Response.Content {
				if example != nil {
					m.Example = &example
				}
				if binary && mt == raw {
					format := "binary"
					m.Schema = &openapi3.SchemaOrRef{Schema: (&openapi3.Schema{Format: &format}).WithType(openapi3.SchemaTypeString)}
				}
				r.Response.Content[mt] = m
			}
		}
	}
}
