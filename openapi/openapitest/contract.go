package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// documentURL is the address the served document is compiled under, so
// that every $ref of its schemas resolves inside it.
const documentURL = "mem://openapitest/openapi.json"

// contract is an OpenAPI 3.1 document ready to check responses: its
// path templates as patterns, its server prefixes, and the schemas it
// holds, compiled on first use.
type contract struct {
	root     map[string]any
	routes   []route
	prefixes []*regexp.Regexp // server URL paths; matched at the start of a request path
	compiler *jsonschema.Compiler

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema // by JSON pointer into the document
}

// route is one entry of the document's paths.
type route struct {
	template string
	pattern  *regexp.Regexp
	params   int // template expressions; fewer is more specific
	literal  int // literal characters; more is more specific
	item     map[string]any
}

// operation is what a request matched: a method of a path item.
type operation struct {
	method, template, id string
	node                 map[string]any
	pointer              string // of node, in the document
}

// name is how messages name the operation: "GET /pets/{id} (getPet)".
func (op *operation) name() string {
	if op.id == "" {
		return op.method + " " + op.template
	}
	return op.method + " " + op.template + " (" + op.id + ")"
}

// parseContract reads a served document. It must be OpenAPI 3.1: its
// schemas are JSON Schema 2020-12, which is what the checks run.
func parseContract(raw []byte) (*contract, error) {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("the document is not JSON: %w", err)
	}
	if v, _ := root["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		return nil, fmt.Errorf("the document is OpenAPI %q; openapitest checks against OpenAPI 3.1 (serve it, or point WithDocument at it)", v)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("the document is not JSON: %w", err)
	}
	c := &contract{root: root, compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}}
	c.compiler.DefaultDraft(jsonschema.Draft2020)
	c.compiler.AssertFormat()
	if err := c.compiler.AddResource(documentURL, doc); err != nil {
		return nil, fmt.Errorf("loading the document's schemas: %w", err)
	}
	paths, _ := root["paths"].(map[string]any)
	for template, item := range paths {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		re, params, literal := templatePattern(template, true)
		c.routes = append(c.routes, route{template: template, pattern: re, params: params, literal: literal, item: c.deref(m)})
	}
	// The OpenAPI rule: a concrete path matches before a templated one.
	sort.Slice(c.routes, func(i, j int) bool {
		a, b := c.routes[i], c.routes[j]
		if a.params != b.params {
			return a.params < b.params
		}
		if a.literal != b.literal {
			return a.literal > b.literal
		}
		return a.template < b.template
	})
	servers, _ := root["servers"].([]any)
	for _, s := range servers {
		raw, _ := s.(map[string]any)["url"].(string)
		p := raw
		if _, after, ok := strings.Cut(raw, "://"); ok {
			// an absolute URL: its path starts after the host
			p = ""
			if i := strings.IndexByte(after, '/'); i >= 0 {
				p = after[i:]
			}
		}
		p = strings.TrimSuffix(p, "/")
		if p == "" {
			continue
		}
		re, _, _ := templatePattern(p, false)
		c.prefixes = append(c.prefixes, re)
	}
	return c, nil
}

// templatePattern turns a path template into a pattern: each {name}
// matches one non-empty segment, everything else itself. whole anchors
// it at the end too; otherwise it matches a prefix ending at a segment.
func templatePattern(template string, whole bool) (re *regexp.Regexp, params, literal int) {
	var b strings.Builder
	b.WriteString("^")
	rest := template
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		closing := strings.IndexByte(rest, '}')
		if open < 0 || closing < open {
			b.WriteString(regexp.QuoteMeta(rest))
			literal += len(rest)
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:open]))
		literal += open
		b.WriteString("[^/]+")
		params++
		rest = rest[closing+1:]
	}
	if whole {
		b.WriteString("$")
	} else {
		b.WriteString("(?:/|$)")
	}
	return regexp.MustCompile(b.String()), params, literal
}

// match finds the operation of a request. The error says why none fits.
func (c *contract) match(method, path string) (*operation, error) {
	paths := []string{path}
	if len(c.prefixes) > 0 {
		paths = paths[:0]
		for _, p := range c.prefixes {
			if loc := p.FindStringIndex(path); loc != nil {
				rest := path[loc[1]:]
				if !strings.HasPrefix(rest, "/") {
					rest = "/" + rest
				}
				paths = append(paths, rest)
			}
		}
		paths = append(paths, path) // a server of "/" or a full URL elsewhere
	}
	var noMethod error
	for _, p := range paths {
		for _, r := range c.routes {
			if !r.pattern.MatchString(p) {
				continue
			}
			lower := strings.ToLower(method)
			node, ok := r.item[lower].(map[string]any)
			if !ok && method == "HEAD" {
				node, ok = r.item["get"].(map[string]any)
				lower = "get"
			}
			if !ok {
				// A router goes on to the next path that matches
				// (DELETE /pets/mine is DELETE /pets/{id} when
				// /pets/mine has no DELETE), and so does the match.
				if noMethod == nil {
					noMethod = fmt.Errorf("the document's path %s has no %s operation", r.template, method)
				}
				continue
			}
			id, _ := node["operationId"].(string)
			return &operation{method: method, template: r.template, id: id, node: c.deref(node),
				pointer: "#/paths/" + escapePointer(r.template) + "/" + lower}, nil
		}
	}
	if noMethod != nil {
		return nil, noMethod
	}
	return nil, fmt.Errorf("no path of the document matches %s", path)
}

// deref follows a local $ref ("#/components/...") to what it names,
// however many times it is chained.
func (c *contract) deref(node map[string]any) map[string]any {
	for range 32 {
		ref, ok := node["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return node
		}
		next, ok := c.lookup(ref).(map[string]any)
		if !ok {
			return node
		}
		node = next
	}
	return node
}

// lookup returns the node at a JSON pointer ("#/a/b") of the document.
func (c *contract) lookup(ptr string) any {
	var node any = c.root
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "#/"), "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[unescapePointer(tok)]
	}
	return node
}

// schema compiles, once, the schema at a JSON pointer of the document.
func (c *contract) schema(ptr string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(documentURL + ptr)
	if err != nil {
		return nil, fmt.Errorf("compiling the schema at %s: %w", ptr, err)
	}
	c.schemas[ptr] = s
	return s, nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}
