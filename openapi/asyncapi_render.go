package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// AsyncAPI returns the AsyncAPI 3.0 document of the API's typed
// WebSockets, Server-Sent Events operations and broadcast rooms, in
// format "json" or "yaml", exactly as it is served except for its
// servers' host: "localhost" here, the request's Host when served.
func (a *API) AsyncAPI(format string) ([]byte, error) {
	return a.renderAsync(format, "localhost", false, "")
}

// renderAsync renders the AsyncAPI document, cached until the next
// registration.
func (a *API) renderAsync(format, host string, secure bool, prefix string) ([]byte, error) {
	if format != "json" && format != "yaml" {
		return nil, fmt.Errorf("openapi: unknown format %q (want json or yaml)", format)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	key := renderKey{version: host + "|" + strconv.FormatBool(secure), format: format, prefix: prefix}
	if b, ok := a.async.rendered[key]; ok {
		return b, nil
	}
	if err := a.checkDocumented(); err != nil {
		return nil, err
	}
	doc, err := a.asyncDocument(host, secure, prefix)
	if err != nil {
		return nil, fmt.Errorf("openapi: rendering the AsyncAPI document: %w", err)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: rendering the AsyncAPI document: %w", err)
	}
	var out bytes.Buffer
	if format == "json" {
		if err := json.Indent(&out, raw, "", "  "); err != nil {
			return nil, err
		}
		out.WriteByte('\n')
	} else {
		var tree any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&tree); err != nil {
			return nil, err
		}
		writeYAML(&out, tree, doc.keys(), 0)
	}
	if len(a.async.rendered) < maxRendered {
		a.async.rendered[key] = out.Bytes()
	}
	return out.Bytes(), nil
}

// serveAsync answers the AsyncAPI document in format, its servers on the
// host the request was sent to.
func (a *API) serveAsync(format string) hyperlane.Handler {
	return func(c *hyperlane.Context) error {
		r := c.Request()
		b, err := a.renderAsync(format, r.Host, r.TLS != nil, c.MountPrefix())
		if err != nil {
			return err
		}
		c.SetHeader("Cache-Control", "no-cache")
		return c.Blob(200, contentTypes[format], b)
	}
}

// ordered is a JSON object that keeps its keys in insertion order.
type ordered struct {
	k []string
	v []any
}

func (o *ordered) set(k string, v any) { o.k, o.v = append(o.k, k), append(o.v, v) }

func (o *ordered) keys() []string { return o.k }

// MarshalJSON writes the keys in order.
func (o *ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.k {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.v[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeYAML writes a decoded JSON value as block YAML: maps with sorted
// keys (the top level in order top), and every string JSON-quoted,
// which YAML reads as the same string.
func writeYAML(b *bytes.Buffer, v any, top []string, indent int) {
	pad := strings.Repeat("  ", indent)
	switch v := v.(type) {
	case map[string]any:
		keys := top
		if keys == nil {
			keys = sortedKeys(v)
		}
		for _, k := range keys {
			b.WriteString(pad)
			b.WriteString(yamlKey(k))
			b.WriteByte(':')
			writeYAMLValue(b, v[k], indent)
		}
	case []any:
		for _, e := range v {
			b.WriteString(pad)
			b.WriteByte('-')
			switch e.(type) {
			case map[string]any, []any:
				if isEmpty(e) {
					writeYAMLValue(b, e, indent)
					continue
				}
				var inner bytes.Buffer
				writeYAML(&inner, e, nil, indent+1)
				// The first line goes after the dash.
				b.WriteByte(' ')
				b.Write(bytes.TrimPrefix(inner.Bytes(), []byte(pad+"  ")))
			default:
				writeYAMLValue(b, e, indent)
			}
		}
	}
}

func writeYAMLValue(b *bytes.Buffer, v any, indent int) {
	switch v.(type) {
	case map[string]any, []any:
		if isEmpty(v) {
			if _, ok := v.([]any); ok {
				b.WriteString(" []\n")
			} else {
				b.WriteString(" {}\n")
			}
			return
		}
		b.WriteByte('\n')
		writeYAML(b, v, nil, indent+1)
		return
	}
	raw, _ := json.Marshal(v)
	b.WriteByte(' ')
	b.Write(raw)
	b.WriteByte('\n')
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// yamlKey writes a key plain when YAML reads it back as the same string,
// else JSON-quoted.
func yamlKey(k string) string {
	plain := k != ""
	for i, r := range k {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '.')
		plain = plain && ok
	}
	switch strings.ToLower(k) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		plain = false
	}
	if plain {
		return k
	}
	raw, _ := json.Marshal(k)
	return string(raw)
}
