package openapitest

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// event is one Server-Sent Event of a stream body.
type event struct {
	n        int // 1-based position in the stream
	name, id string
	data     string
}

// label names an event in a message: "event 2 (count, id 7)".
func (e event) label() string {
	var attrs []string
	if e.name != "" {
		attrs = append(attrs, e.name)
	}
	if e.id != "" {
		attrs = append(attrs, "id "+e.id)
	}
	if len(attrs) == 0 {
		return fmt.Sprintf("event %d", e.n)
	}
	return fmt.Sprintf("event %d (%s)", e.n, strings.Join(attrs, ", "))
}

// checkEvents checks a text/event-stream body the way the documents of
// package openapi describe one: the media type's schema is that of each
// event's data, as JSON (one type, or a oneOf of the event types).
func (c *contract) checkEvents(ptr string, body []byte) []string {
	s, err := c.schema(ptr)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, e := range parseEvents(body) {
		value, err := jsonschema.UnmarshalJSON(strings.NewReader(e.data))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: the data is not JSON: %v", e.label(), err))
			continue
		}
		if err := s.Validate(value); err != nil {
			for _, d := range details(err) {
				problems = append(problems, fmt.Sprintf("%s: data at %s: %s", e.label(), d.pointer, d.message))
			}
		}
	}
	return problems
}

// parseEvents splits a stream into the events a browser would dispatch:
// data lines joined by newlines, ended by a blank line; comments and
// events without data are left out, as EventSource leaves them out.
func parseEvents(body []byte) []event {
	var events []event
	var cur event
	var data []string
	hasData := false
	lines := strings.Split(strings.ReplaceAll(string(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))), "\r", "\n"), "\n")
	for _, line := range lines {
		if line == "" {
			if hasData {
				cur.n = len(events) + 1
				cur.data = strings.Join(data, "\n")
				events = append(events, cur)
			}
			cur, data, hasData = event{id: cur.id}, nil, false
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "data":
			data, hasData = append(data, value), true
		case "event":
			cur.name = value
		case "id":
			cur.id = value
		}
	}
	return events
}
