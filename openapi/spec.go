package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/swaggest/openapi-go/openapi3"
	"github.com/swaggest/openapi-go/openapi31"
)

// Spec returns the document in version "3.1" or "3.0" (3.0.3) and format
// "json" or "yaml", exactly as it is served.
func (a *API) Spec(version, format string) ([]byte, error) {
	return a.render(version, format, "")
}

// maxRendered bounds the cache of rendered documents (one per version,
// format and mount prefix).
const maxRendered = 64

// render returns the document, with the servers list adjusted for the
// mount prefix. Documents are rendered once and cached until the next
// registration.
func (a *API) render(version, format, prefix string) ([]byte, error) {
	if version != "3.1" && version != "3.0" {
		return nil, fmt.Errorf("openapi: unknown version %q (want 3.1 or 3.0)", version)
	}
	if format != "json" && format != "yaml" {
		return nil, fmt.Errorf("openapi: unknown format %q (want json or yaml)", format)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	key := renderKey{version, format, prefix}
	if b, ok := a.rendered[key]; ok {
		return b, nil
	}
	if err := a.checkDocumented(); err != nil {
		return nil, err
	}
	servers := a.serverList(prefix)
	var b []byte
	var err error
	if version == "3.1" {
		spec := a.r31.SpecEns()
		spec.Servers = nil
		for _, s := range servers {
			spec.Servers = append(spec.Servers, openapi31.Server{URL: s.URL, Description: nonEmpty(s.Description)})
		}
		b, err = marshal(spec, format)
	} else {
		spec := a.r30.SpecEns()
		spec.Servers = nil
		for _, s := range servers {
			spec.Servers = append(spec.Servers, openapi3.Server{URL: s.URL, Description: nonEmpty(s.Description)})
		}
		b, err = marshal(spec, format)
	}
	if err != nil {
		return nil, fmt.Errorf("openapi: rendering the %s document: %w", version, err)
	}
	if len(a.rendered) < maxRendered {
		a.rendered[key] = b
	}
	return b, nil
}

type marshaler interface {
	MarshalJSON() ([]byte, error)
	MarshalYAML() ([]byte, error)
}

func marshal(spec marshaler, format string) ([]byte, error) {
	if format == "yaml" {
		return spec.MarshalYAML()
	}
	raw, err := spec.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// serverList is Config.Servers as seen through a mount prefix: relative
// URLs get the prefix, and a mounted app without servers lists the
// prefix itself, so that clients and Try-it-out call the mounted path.
func (a *API) serverList(prefix string) []Server {
	list := a.config.Servers
	if prefix == "" {
		return list
	}
	if len(list) == 0 {
		return []Server{{URL: prefix}}
	}
	out := make([]Server, 0, len(list))
	for _, s := range list {
		if strings.HasPrefix(s.URL, "/") {
			s.URL = prefix + strings.TrimSuffix(s.URL, "/")
		}
		out = append(out, s)
	}
	return out
}

// invalidate drops rendered documents after a registration; a.mu held.
func (a *API) invalidate() { clear(a.rendered) }

// checkDocumented fails when a route described with Document is not
// registered on the server: the document would promise an endpoint that
// answers 404. a.mu is held.
func (a *API) checkDocumented() error {
	if len(a.documented) == 0 {
		return nil
	}
	have := map[routeKey]bool{}
	for _, r := range a.server.Routes() {
		p, _, err := specPath(r.Pattern)
		if err == nil {
			have[routeKey{r.Method, p}] = true
		}
	}
	for _, d := range a.documented {
		if !have[d] {
			return fmt.Errorf("openapi: %s %s is documented but no such route is registered", d.method, d.pattern)
		}
	}
	return nil
}
