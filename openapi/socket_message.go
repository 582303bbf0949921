package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/swaggest/jsonschema-go"
)

// InvalidMessageError describes an incoming WebSocket message that was
// refused: not JSON, without a known discriminator value, or refused by
// its type's schema. OnInvalidMessage turns it into an answer; without
// it, its Error text (cut to 123 bytes) is the reason of the 1007 close.
type InvalidMessageError struct {
	// Message is the name of the declared message the payload was taken
	// for, "" when none could be chosen.
	Message string
	// Detail says what is wrong in one sentence.
	Detail string
	// Errors lists every failing value, located under "message" as a
	// 422's are under "body" ("message.text").
	Errors []hyperlane.ErrorDetail
}

// Error implements error: the detail, then the failing values.
func (e *InvalidMessageError) Error() string {
	var b strings.Builder
	b.WriteString("invalid message")
	if e.Message != "" {
		fmt.Fprintf(&b, " %q", e.Message)
	}
	b.WriteString(": ")
	b.WriteString(e.Detail)
	for i, d := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(d.Location + " " + d.Message)
	}
	return b.String()
}

// compileMessage reflects an incoming message type's schema with the
// document's reflector (so that it has the OpenAPI document's component
// name) and compiles its validator. a.mu is held.
func (a *API) compileMessage(m *messageDecl, discriminator string) error {
	schema, err := a.messageSchema(m.typ)
	if err != nil {
		return err
	}
	closure := map[string]any{}
	collectRefs(schema, a.async.schemas, closure)
	raw, err := json.Marshal(map[string]any{"components": map[string]any{"schemas": closure}, "message": schema})
	if err != nil {
		return err
	}
	set, err := newSchemaSet(raw)
	if err != nil {
		return err
	}
	if m.schema, err = set.validator("#/message", set.root["message"]); err != nil {
		return fmt.Errorf("compiling its schema: %w", err)
	}
	if discriminator != "" {
		m.hasDisc = hasProperty(schema, a.async.schemas, discriminator)
	}
	return nil
}

// messageSchema reflects t into a schema (a $ref for a named type), the
// component schemas it names kept in a.async.schemas. a.mu is held.
func (a *API) messageSchema(t reflect.Type) (map[string]any, error) {
	s, err := a.r31.Reflect(reflect.New(t).Elem().Interface(),
		jsonschema.DefinitionsPrefix(componentsPrefix),
		jsonschema.CollectDefinitions(func(name string, s jsonschema.Schema) {
			if sm, err := s.ToSchemaOrBool().ToSimpleMap(); err == nil {
				a.async.schemas[name] = sm
			}
		}),
		jsonschema.RootRef)
	if err != nil {
		return nil, err
	}
	return s.ToSchemaOrBool().ToSimpleMap()
}

const componentsPrefix = "#/components/schemas/"

// hasProperty reports whether the object schema (through $ref) declares
// property.
func hasProperty(schema map[string]any, components map[string]map[string]any, property string) bool {
	for range 8 {
		ref, _ := schema["$ref"].(string)
		name, ok := strings.CutPrefix(ref, componentsPrefix)
		if !ok {
			break
		}
		schema = components[name]
	}
	props, _ := schema["properties"].(map[string]any)
	_, ok := props[property]
	return ok
}

// decode turns an incoming message into a value of its declared type,
// or says why it cannot.
func (s *socketConfig) decode(typ hyperlane.MessageType, b []byte) (any, *InvalidMessageError) {
	if len(s.receives) > 0 && s.receives[0].raw() {
		for _, m := range s.receives {
			switch {
			case m.typ == rawTextType && typ == hyperlane.MessageText:
				return string(b), nil
			case m.typ == rawBinaryType && typ == hyperlane.MessageBinary:
				return b, nil
			}
		}
		return nil, &InvalidMessageError{Detail: fmt.Sprintf("this socket does not take %v messages", typ)}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	err := dec.Decode(&doc)
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			err = errors.New("data after the JSON value")
		}
	}
	if err != nil {
		return nil, &InvalidMessageError{Detail: "not JSON: " + err.Error()}
	}
	if len(s.receives) == 0 {
		return nil, &InvalidMessageError{Detail: "this socket receives no message"}
	}
	m := s.receives[0]
	instance := doc
	if d := s.discriminator; d != "" {
		obj, _ := doc.(map[string]any)
		value, _ := obj[d].(string)
		if _, present := obj[d]; !present && obj != nil && s.fallback != "" {
			value = s.fallback
		}
		m = nil
		for _, r := range s.receives {
			if r.name == value && obj != nil {
				m = r
			}
		}
		if m == nil {
			return nil, &InvalidMessageError{Detail: fmt.Sprintf("%q must be one of %s", d, s.names())}
		}
		if !m.hasDisc {
			// The type does not hold the discriminator: validate the rest.
			rest := make(map[string]any, len(obj))
			for k, v := range obj {
				if k != d {
					rest[k] = v
				}
			}
			instance = rest
		}
	}
	if verr := m.schema.Validate(instance); verr != nil {
		return nil, &InvalidMessageError{Message: m.name, Detail: "the payload does not match its schema",
			Errors: validationDetails(verr, "message", instance)}
	}
	v := reflect.New(m.typ)
	if err := json.Unmarshal(b, v.Interface()); err != nil {
		return nil, &InvalidMessageError{Message: m.name, Detail: "cannot decode it: " + err.Error()}
	}
	return v.Elem().Interface(), nil
}

// names lists the incoming message names, JSON-quoted.
func (s *socketConfig) names() string {
	q := make([]string, len(s.receives))
	for i, r := range s.receives {
		q[i] = fmt.Sprintf("%q", r.name)
	}
	return strings.Join(q, ", ")
}
