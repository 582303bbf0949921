package openapitest

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

// check returns every way the response breaks the operation's
// responses: each a line that names where (a status, a header, a JSON
// pointer into the body) and what the document says instead.
func (c *contract) check(op *operation, status int, header http.Header, body []byte) []string {
	responses, _ := op.node["responses"].(map[string]any)
	key, resp := documentedStatus(responses, status)
	if resp == nil {
		return []string{fmt.Sprintf("status %d is not documented (documented: %s)", status, strings.Join(sortedKeys(responses), ", "))}
	}
	ptr := op.pointer + "/responses/" + escapePointer(key)
	if ref, ok := resp["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
		ptr = c.resolvedPointer(ref)
	}
	resp = c.deref(resp)
	var problems []string
	problems = append(problems, c.checkHeaders(resp, ptr, header)...)
	problems = append(problems, c.checkContent(op, resp, ptr, status, header, body)...)
	return problems
}

// documentedStatus finds the response of a status: its own code, then
// its range ("4XX"), then "default".
func documentedStatus(responses map[string]any, status int) (string, map[string]any) {
	code := strconv.Itoa(status)
	for _, key := range []string{code, code[:1] + "XX", code[:1] + "xx", "default"} {
		if r, ok := responses[key].(map[string]any); ok {
			return key, r
		}
	}
	return "", nil
}

// checkHeaders: each required header is present, and each documented
// header present holds a value its schema allows. Headers the document
// does not name are not checked (servers and middleware add many).
func (c *contract) checkHeaders(resp map[string]any, ptr string, header http.Header) []string {
	headers, _ := resp["headers"].(map[string]any)
	var problems []string
	for _, name := range sortedKeys(headers) {
		if strings.EqualFold(name, "Content-Type") {
			continue // OpenAPI: ignored as a header; the content map says it
		}
		h, _ := headers[name].(map[string]any)
		h = c.deref(h)
		values := header.Values(name)
		if len(values) == 0 {
			if required, _ := h["required"].(bool); required {
				problems = append(problems, fmt.Sprintf("required header %s is missing", name))
			}
			continue
		}
		schema, ok := h["schema"].(map[string]any)
		if !ok {
			continue
		}
		sptr := ptr + "/headers/" + escapePointer(name) + "/schema"
		if ref, ok := headers[name].(map[string]any)["$ref"].(string); ok {
			sptr = c.resolvedPointer(ref) + "/schema"
		}
		s, err := c.schema(sptr)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if err := s.Validate(headerValue(c.deref(schema), values)); err != nil {
			for _, d := range details(err) {
				problems = append(problems, fmt.Sprintf("header %s: %q: %s", name, strings.Join(values, ", "), d.message))
			}
		}
	}
	return problems
}

// resolvedPointer follows a chain of $refs and returns the pointer of
// the node it ends at.
func (c *contract) resolvedPointer(ref string) string {
	for range 32 {
		next, ok := c.lookup(ref).(map[string]any)
		if !ok {
			return ref
		}
		r, ok := next["$ref"].(string)
		if !ok || !strings.HasPrefix(r, "#/") {
			return ref
		}
		ref = r
	}
	return ref
}

// headerValue is a header's text as its schema's type reads it (simple
// style): a number, a boolean, or a comma-separated array.
func headerValue(schema map[string]any, values []string) any {
	text := strings.Join(values, ",")
	if typeOf(schema, "array") {
		items, _ := schema["items"].(map[string]any)
		var out []any
		for _, v := range strings.Split(text, ",") {
			out = append(out, scalar(items, strings.TrimSpace(v)))
		}
		return out
	}
	return scalar(schema, text)
}

func scalar(schema map[string]any, text string) any {
	switch {
	case typeOf(schema, "integer"), typeOf(schema, "number"):
		if v, err := jsonschema.UnmarshalJSON(strings.NewReader(text)); err == nil {
			if _, isNumber := v.(interface{ String() string }); isNumber {
				return v
			}
		}
	case typeOf(schema, "boolean"):
		if b, err := strconv.ParseBool(text); err == nil {
			return b
		}
	}
	return text
}

// typeOf reports whether a schema's type is, or includes, t.
func typeOf(schema map[string]any, t string) bool {
	switch v := schema["type"].(type) {
	case string:
		return v == t
	case []any:
		return slices.Contains(v, any(t))
	}
	return false
}

// checkContent: the Content-Type is one the response documents, and a
// JSON body matches the schema of that media type.
func (c *contract) checkContent(op *operation, resp map[string]any, ptr string, status int, header http.Header, body []byte) []string {
	content, _ := resp["content"].(map[string]any)
	ctype := header.Get("Content-Type")
	if len(body) == 0 {
		if len(content) > 0 && op.method != http.MethodHead && !noBodyStatus(status) {
			return []string{fmt.Sprintf("the body is empty; the document describes %s", strings.Join(sortedKeys(content), ", "))}
		}
		return nil
	}
	if noBodyStatus(status) {
		// An in-memory recorder keeps these bytes; a server drops them
		// (net/http's Write returns http.ErrBodyNotAllowed), so no client
		// ever sees what the document may describe.
		return []string{fmt.Sprintf("a body of %d bytes on a %d, which HTTP sends without one: a server drops it", len(body), status)}
	}
	if len(content) == 0 {
		return []string{fmt.Sprintf("a body of %d bytes (%s) where the document describes none", len(body), orNone(ctype))}
	}
	mediaType, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return []string{fmt.Sprintf("Content-Type %q is not a media type; the document describes %s", ctype, strings.Join(sortedKeys(content), ", "))}
	}
	if strings.Contains(mediaType, "*") {
		return []string{fmt.Sprintf("Content-Type %s is a wildcard, not the type of a body: a response names its own (documented: %s)", ctype, strings.Join(sortedKeys(content), ", "))}
	}
	key := documentedMedia(content, mediaType)
	if key == "" {
		return []string{fmt.Sprintf("Content-Type %s is not documented (documented: %s)", ctype, strings.Join(sortedKeys(content), ", "))}
	}
	media, _ := content[key].(map[string]any)
	if _, ok := media["schema"]; !ok {
		return nil
	}
	schemaPtr := ptr + "/content/" + escapePointer(key) + "/schema"
	if mediaType == "text/event-stream" {
		return c.checkEvents(schemaPtr, body)
	}
	if !isJSON(mediaType) {
		return nil // a document of another kind: its type is what the document promises
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []string{fmt.Sprintf("the %s body is not JSON: %v", mediaType, err)}
	}
	s, err := c.schema(schemaPtr)
	if err != nil {
		return []string{err.Error()}
	}
	err = s.Validate(value)
	if err == nil {
		return nil
	}
	var problems []string
	for _, d := range details(err) {
		problems = append(problems, fmt.Sprintf("body at %s: %s", d.pointer, d.message))
	}
	return problems
}

// documentedMedia finds the content key a media type falls under: the
// type itself (keys may carry parameters), then "type/*", then "*/*".
func documentedMedia(content map[string]any, mediaType string) string {
	major, _, _ := strings.Cut(mediaType, "/")
	for _, want := range []string{mediaType, major + "/*", "*/*"} {
		for key := range content {
			if k, _, err := mime.ParseMediaType(key); err == nil && k == want {
				return key
			}
		}
	}
	return ""
}

// noBodyStatus reports whether a response with status has no body in
// HTTP: 1xx, 204 No Content and 304 Not Modified.
func noBodyStatus(status int) bool {
	return status < 200 || status == http.StatusNoContent || status == http.StatusNotModified
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// detail is one leaf of a validation error: the JSON pointer of the
// value that breaks the schema, and how.
type detail struct{ pointer, message string }

func details(err error) []detail {
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return []detail{{"", err.Error()}}
	}
	var out []detail
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		loc := ""
		for _, tok := range e.InstanceLocation {
			loc += "/" + escapePointer(tok)
		}
		if req, ok := e.ErrorKind.(*kind.Required); ok {
			for _, name := range req.Missing {
				out = append(out, detail{loc + "/" + escapePointer(name), "required property is missing"})
			}
			return
		}
		out = append(out, detail{loc, e.ErrorKind.LocalizedString(printer)})
	}
	walk(verr)
	for i := range out {
		if out[i].pointer == "" {
			out[i].pointer = `"" (the whole body)`
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pointer < out[j].pointer })
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func orNone(ctype string) string {
	if ctype == "" {
		return "no Content-Type"
	}
	return "Content-Type " + ctype
}
