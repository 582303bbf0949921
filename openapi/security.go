package openapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

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
	Realm       string // basic: the realm of its WWW-Authenticate challenge; the API's Title when empty
	Description string

	// Check, when set, enforces the scheme on the typed operations that
	// require it: it runs before the input is bound and returns nil to let
	// the request through, or an error (usually a 401 *hyperlane.HTTPError)
	// that becomes the response. A 401 carries a WWW-Authenticate
	// challenge (RFC 9110 §11.6.1) for each scheme the operation accepts:
	// "Bearer", `Basic realm="<Realm>"`, or for an API key
	// `APIKey header="X-API-Key"` (query= or cookie= for the other
	// places), which names where the key goes.
	Check func(c *hyperlane.Context) error
}

// challenge is the scheme's WWW-Authenticate challenge; title is the
// API's, the realm of a basic scheme without one.
func (s *SecurityScheme) challenge(title string) string {
	switch {
	case s.Type == "apiKey":
		return "APIKey " + s.In + "=" + quotedString(s.Param)
	case s.Scheme == "bearer":
		return "Bearer"
	}
	realm := s.Realm
	if realm == "" {
		realm = title
	}
	return "Basic realm=" + quotedString(realm) + `, charset="UTF-8"`
}

// quotedString writes v as an HTTP quoted-string (RFC 9110 §5.6.4).
func quotedString(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
		case r < ' ' && r != '\t' || r == 0x7f:
			continue // not allowed in a header value
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
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
type authorizer struct {
	checks     []func(c *hyperlane.Context) error
	challenges []string // WWW-Authenticate, one per alternative
}

func (a *API) authorizer(security [][]string) (*authorizer, error) {
	var auth authorizer
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
		auth.checks = append(auth.checks, s.Check)
		auth.challenges = append(auth.challenges, s.challenge(a.config.Title))
	}
	if unchecked || len(auth.checks) == 0 {
		// An alternative is not enforced here, so none can be: a
		// request might pass through it.
		return nil, nil
	}
	return &auth, nil
}

// check returns nil when any alternative passes, else the first error;
// a 401 gets the challenge of every alternative.
func (auth *authorizer) check(c *hyperlane.Context) error {
	var first error
	for _, fn := range auth.checks {
		err := fn(c)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	var he *hyperlane.HTTPError
	if errors.As(first, &he) && he.Status == http.StatusUnauthorized {
		for _, ch := range auth.challenges {
			c.AddHeader("WWW-Authenticate", ch)
		}
	}
	return first
}
