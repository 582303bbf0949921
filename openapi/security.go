package openapi

import (
	"fmt"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/swaggest/openapi-go"
)

// SecurityScheme is a way callers authenticate, listed in the document's
// components.securitySchemes under Name. Build one with APIKey, Bearer
// or Basic.
type SecurityScheme struct {
	Name        string // the key operations refer to with Security(Name)
	Type        string // "apiKey" or "http"
	In          string // apiKey: "header", "query" or "cookie"
	Param       string // apiKey: the header, query or cookie name
	Scheme      string // http: "bearer" or "basic"
	Format      string // bearer: a hint such as "JWT"
	Description string

	// Check, when set, enforces the scheme on the typed operations that
	// require it: it runs before the input is bound and returns nil to let
	// the request through, or an error (usually a 401 *hyperlane.HTTPError)
	// that becomes the response.
	Check func(c *hyperlane.Context) error
}

// APIKey is a scheme that sends a key in a header, query parameter or
// cookie (in is "header", "query" or "cookie").
func APIKey(name, in, param, description string) SecurityScheme {
	return SecurityScheme{Name: name, Type: "apiKey", In: in, Param: param, Description: description}
}

// Bearer is an HTTP bearer token scheme; format is a hint such as "JWT".
func Bearer(name, format, description string) SecurityScheme {
	return SecurityScheme{Name: name, Type: "http", Scheme: "bearer", Format: format, Description: description}
}

// Basic is the HTTP basic authentication scheme.
func Basic(name, description string) SecurityScheme {
	return SecurityScheme{Name: name, Type: "http", Scheme: "basic", Description: description}
}

// addScheme writes s into both documents, panicking on a scheme that
// cannot be described.
func (a *API) addScheme(s *SecurityScheme) {
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("openapi: security scheme %q: %s", s.Name, fmt.Sprintf(format, args...)))
	}
	if s.Name == "" {
		fail("empty name")
	}
	if _, dup := a.schemes[s.Name]; dup {
		fail("defined twice")
	}
	for _, spec := range []openapi.SpecSchema{a.r31.SpecSchema(), a.r30.SpecSchema()} {
		switch {
		case s.Type == "apiKey":
			if s.Param == "" {
				fail("an apiKey scheme needs Param, the header, query or cookie name")
			}
			switch s.In {
			case "header", "query", "cookie":
			default:
				fail("In is %q, want header, query or cookie", s.In)
			}
			spec.SetAPIKeySecurity(s.Name, s.Param, openapi.In(s.In), s.Description)
		case s.Type == "http" && s.Scheme == "bearer":
			spec.SetHTTPBearerTokenSecurity(s.Name, s.Format, s.Description)
		case s.Type == "http" && s.Scheme == "basic":
			spec.SetHTTPBasicSecurity(s.Name, s.Description)
		default:
			fail("type %q with scheme %q is not supported (use APIKey, Bearer or Basic)", s.Type, s.Scheme)
		}
	}
	if s.Description == "" {
		// The setters above write an empty description; leave it out.
		a.r31.Spec.Components.SecuritySchemes[s.Name].SecurityScheme.Description = nil
		ss := a.r30.Spec.Components.SecuritySchemes.MapOfSecuritySchemeOrRefValues[s.Name].SecurityScheme
		if ss.HTTPSecurityScheme != nil {
			ss.HTTPSecurityScheme.Description = nil
		}
		if ss.APIKeySecurityScheme != nil {
			ss.APIKeySecurityScheme.Description = nil
		}
	}
	a.schemes[s.Name] = s
}

// authorizer enforces an operation's security: alternatives, of which one
// must pass. Nil when no required scheme has a Check.
type authorizer []func(c *hyperlane.Context) error

func (a *API) authorizer(security [][]string) (authorizer, error) {
	var checks authorizer
	unchecked := false
	for _, req := range security {
		s, ok := a.schemes[req[0]]
		if !ok {
			return nil, fmt.Errorf("unknown security scheme %q (define it in Config.SecuritySchemes)", req[0])
		}
		if s.Check == nil {
			unchecked = true
			continue
		}
		checks = append(checks, s.Check)
	}
	if unchecked {
		// An alternative is not enforced here, so none can be: a
		// request might pass through it.
		return nil, nil
	}
	return checks, nil
}

// check returns nil when any alternative passes, else the first error.
func (checks authorizer) check(c *hyperlane.Context) error {
	var first error
	for _, fn := range checks {
		err := fn(c)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}
