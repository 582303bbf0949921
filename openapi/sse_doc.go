package openapi

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi3"
	"github.com/swaggest/openapi-go/openapi31"
)

// lastEventIDDescription documents the Last-Event-ID header of an SSE
// operation whose input does not declare it.
const lastEventIDDescription = "The id of the last event the client received; a reconnecting client sends it to resume after that event."

// describeStream documents the 200 text/event-stream response of an SSE
// operation, and its Last-Event-ID header. a.mu is held.
//
// Both documents give the media type the schema of the events' data
// (the one type, or a oneOf of them): the shape that openapi-typescript
// and @hey-api/openapi-ts type their clients from, and ogen its SSE
// client. The 3.0 document adds x-ogen-raw-response: ogen generates a
// server by default and has no server encoder for typed SSE, so without
// it ogen refuses the whole document; with it, its client hands back
// the *http.Response of the stream. The 3.1 document stays without it,
// for ogen's typed SSE client (generated client-only, which takes a
// configuration) and every other reader.
func (a *API) describeStream(oc openapi.OperationContext, p *eventPlan) {
	var data any
	vals := make([]any, len(p.types))
	for i, t := range p.types {
		vals[i] = reflect.New(t).Elem().Interface()
	}
	data = vals[0]
	if len(vals) > 1 {
		data = jsonschema.OneOf(vals...)
	}
	desc := a.streamDescription(p)
	oc.AddRespStructure(data, openapi.WithHTTPStatus(http.StatusOK), openapi.WithContentType(mimeSSE),
		func(cu *openapi.ContentUnit) {
			cu.Description = desc
			cu.Customize = func(cor openapi.ContentOrReference) {
				if r, ok := cor.(*openapi3.ResponseOrRef); ok && r.Response != nil {
					if m, ok := r.Response.Content[mimeSSE]; ok {
						m.WithMapOfAnythingItem("x-ogen-raw-response", true)
						r.Response.Content[mimeSSE] = m
					}
				}
			}
		})
	if p.inputHasLastID {
		return
	}
	desc = lastEventIDDescription
	switch o := oc.(type) {
	case openapi31.OperationExposer:
		o.Operation().Parameters = append(o.Operation().Parameters, openapi31.ParameterOrReference{
			Parameter: &openapi31.Parameter{Name: "Last-Event-ID", In: openapi31.ParameterInHeader, Description: &desc,
				Schema: map[string]any{"type": "string", "description": desc}},
		})
	case openapi3.OperationExposer:
		o.Operation().Parameters = append(o.Operation().Parameters, openapi3.ParameterOrRef{
			Parameter: &openapi3.Parameter{Name: "Last-Event-ID", In: openapi3.ParameterInHeader, Description: &desc,
				Schema: &openapi3.SchemaOrRef{Schema: (&openapi3.Schema{Description: &desc}).WithType(openapi3.SchemaTypeString)}},
		})
	}
}

// streamDescription names the events and the schema of each one's data.
func (a *API) streamDescription(p *eventPlan) string {
	var b strings.Builder
	b.WriteString("A stream of Server-Sent Events. The event field names the event; its data is the JSON of the schema named here:")
	j := 0
	for _, name := range p.names {
		if name == "" {
			continue
		}
		label := p.types[j].String() // an unnamed type is described inline
		if p.types[j].Name() != "" && p.types[j].PkgPath() != "" {
			label = a.names.name(p.types[j])
		}
		if name == "message" {
			label += " (the default type: sent without an event line)"
		}
		fmt.Fprintf(&b, "\n- `%s`: %s", name, label)
		j++
	}
	return b.String()
}
