package openapi

import (
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Registrar is where typed operations are registered: the API itself
// (its root, or Config.Prefix) or a Group of it. Get, Post, Put, Patch,
// Delete and Document take either.
type Registrar interface {
	// scope is unexported: only *API and *Group are registrars.
	scope() *scope
}

// Group is a set of typed operations under a common path prefix that
// share default tags, security, declared error responses, an operation
// id prefix and request/response middleware, like huma's NewGroup or
// FastAPI's APIRouter. It sits on a hyperlane.Group, so its middleware
// nests with the server's and the parent groups' as an onion (see
// hyperlane.Group). Create one with NewGroup; groups nest.
type Group struct {
	sc *scope
}

// scope is what a registrar applies to an operation registered on it.
type scope struct {
	api      *API
	hg       *hyperlane.Group // where its routes are added
	prefix   string           // full path prefix of hg
	defaults operationConfig  // tags, security, responses, ... for its operations
	idPrefix string
}

func (a *API) scope() *scope {
	if a == nil {
		panic("openapi: a nil *API: create it with openapi.New")
	}
	return &a.root
}

func (g *Group) scope() *scope {
	if g == nil || g.sc == nil {
		panic("openapi: a nil or zero *openapi.Group: create it with openapi.NewGroup")
	}
	return g.sc
}

// NewGroup creates a group of typed operations under prefix, inside
// parent (the API or another Group): an operation registered on it with
// pattern "/{id}" serves, and is documented, at parent's prefix + prefix
// + "/{id}". The options are the defaults of its operations:
//
//   - Tags: added before the operation's own tags (and after the
//     parent's);
//   - Security: the requirement of every operation that sets none of its
//     own; an operation's Security replaces it, and NoSecurity removes it
//     (an inner group's Security or NoSecurity replaces the parent's);
//   - OperationIDPrefix: prefixes every operation id, explicit or
//     derived ("v1" + "listPets" is "v1ListPets"); nested prefixes join
//     the same way;
//   - Errors, Response, Deprecated, RouteOptions: added to every
//     operation's own.
//
// NewGroup panics on a prefix that is empty, does not begin with '/',
// ends with '/' or is not clean (such as "/a//b" or "/a/../b"), and on
// an option that describes one operation only (Summary, OperationID,
// Status, ...).
func NewGroup(parent Registrar, prefix string, opts ...Option) *Group {
	if parent == nil {
		panic("openapi.NewGroup: nil parent: pass the *openapi.API or a *openapi.Group")
	}
	p := parent.scope()
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("openapi.NewGroup %q: %s", prefix, fmt.Sprintf(format, args...)))
	}
	if err := checkPrefix(prefix); err != nil {
		fail("%v", err)
	}
	cfg := &operationConfig{}
	for _, o := range opts {
		o(cfg)
	}
	if name := operationOnly(cfg); name != "" {
		fail("%s describes one operation; a group takes Tags, Security, NoSecurity, OperationIDPrefix, Errors, Response, Deprecated, RateLimited and RouteOptions", name)
	}
	if cfg.noSecurity && len(cfg.security) > 0 {
		fail("NoSecurity and Security together")
	}
	if err := checkResponses(cfg.responses); err != nil {
		fail("%v", err)
	}
	p.api.mu.Lock()
	for _, s := range cfg.security {
		if _, ok := p.api.schemes[s[0]]; !ok {
			p.api.mu.Unlock()
			fail("unknown security scheme %q (define it in Config.SecuritySchemes)", s[0])
		}
	}
	p.api.mu.Unlock()
	sc := &scope{api: p.api, prefix: p.prefix + prefix, idPrefix: joinID(p.idPrefix, cfg.idPrefix)}
	func() {
		defer func() {
			if r := recover(); r != nil {
				fail("%v", r)
			}
		}()
		p.hg.Group(prefix, func(g *hyperlane.Group) { sc.hg = g })
	}()
	sc.defaults = p.defaults.inherit(cfg)
	return &Group{sc: sc}
}

// RequestMiddleware appends handlers that run before the group's routes,
// after those of the server and the parent groups (hyperlane.Group).
func (g *Group) RequestMiddleware(h ...hyperlane.Handler) { g.scope().hg.RequestMiddleware(h...) }

// ResponseMiddleware appends handlers that run after the group's routes,
// before those of the parent groups and the server (hyperlane.Group).
func (g *Group) ResponseMiddleware(h ...hyperlane.Handler) { g.scope().hg.ResponseMiddleware(h...) }

// Hyperlane returns the hyperlane.Group the group's routes live in, for
// plain routes (WebSocket, files, Server-Sent Events) beside the typed
// ones; document those with Document on the Group.
func (g *Group) Hyperlane() *hyperlane.Group { return g.scope().hg }

// Prefix returns the group's full path prefix.
func (g *Group) Prefix() string { return g.scope().prefix }

// API returns the API the group belongs to.
func (g *Group) API() *API { return g.scope().api }

// OperationIDPrefix is a group option: every operation id of the group
// (explicit or derived) gets this prefix, joined in lowerCamelCase:
// "v1" + "listPets" is "v1ListPets". It keeps ids unique when the same
// resources appear in several groups of one document.
func OperationIDPrefix(p string) Option { return func(c *operationConfig) { c.idPrefix += p } }

// NoSecurity documents and serves an operation (or a group's operations)
// without the security its group requires.
func NoSecurity() Option { return func(c *operationConfig) { c.noSecurity = true } }

// operationOnly names the first option in cfg that only an operation may
// take, or "".
func operationOnly(c *operationConfig) string {
	switch {
	case c.summary != "":
		return "Summary"
	case c.description != "":
		return "Description"
	case c.id != "":
		return "OperationID"
	case c.status != 0:
		return "Status"
	case c.requestExample != nil:
		return "RequestExample"
	case c.responseExample != nil:
		return "ResponseExample"
	case c.request != nil:
		return "Request"
	case len(c.events) > 0:
		return "EventStream"
	case c.socket.used():
		return "a WebSocket option (Receives, Sends, Discriminator, OnInvalidMessage, SocketOptions)"
	}
	return ""
}

// inherit returns the defaults of a group or an operation: d (the
// parent's) with c's settings applied on top.
func (d operationConfig) inherit(c *operationConfig) operationConfig {
	out := *c
	out.tags = appendNew(append([]string(nil), d.tags...), c.tags...)
	switch {
	case len(c.security) > 0:
	case c.noSecurity:
		out.security = nil
	default:
		out.security = d.security
	}
	out.noSecurity = false
	out.deprecated = d.deprecated || c.deprecated
	out.responses = append(append([]response(nil), d.responses...), c.responses...)
	out.routeOptions = append(append([]hyperlane.RouteOption(nil), d.routeOptions...), c.routeOptions...)
	out.limiters = append(append([]RateLimiter(nil), d.limiters...), c.limiters...)
	return out
}

// operationConfig applies opts over the registrar's defaults, for an
// operation registered with pattern; it returns the full pattern.
func (sc *scope) operationConfig(pattern string, opts []Option) (*operationConfig, string, error) {
	full := sc.prefix + pattern
	if sc.prefix != "" && pattern != "" && pattern[0] != '/' {
		return nil, full, fmt.Errorf("pattern %q under prefix %q must begin with '/' (or be \"\" for the prefix itself), as in %q", pattern, sc.prefix, "/"+pattern)
	}
	cfg := &operationConfig{}
	for _, o := range opts {
		o(cfg)
	}
	if cfg.idPrefix != "" {
		return nil, full, fmt.Errorf("OperationIDPrefix is a group option (openapi.NewGroup); set the operation's id with OperationID")
	}
	if cfg.noSecurity && len(cfg.security) > 0 {
		return nil, full, fmt.Errorf("NoSecurity and Security together")
	}
	if err := checkResponses(cfg.responses); err != nil {
		return nil, full, err
	}
	merged := sc.defaults.inherit(cfg)
	return &merged, full, nil
}

// typedRoute is a typed route being registered: its registrar's scope,
// its options over the registrar's defaults, its full pattern and its
// described path with the path parameters.
type typedRoute struct {
	sc         *scope
	cfg        *operationConfig
	full, path string
	pathParams []string
}

// startRoute begins the registration of a typed route. It and the
// returned fail panic, with "openapi: <what> <pattern>: " before the
// reason.
func startRoute(r Registrar, what, pattern string, opts []Option) (*typedRoute, func(error)) {
	if r == nil {
		panic(fmt.Sprintf("openapi: %s %s: nil API or Group", what, pattern))
	}
	rt := &typedRoute{sc: r.scope()}
	var err error
	rt.cfg, rt.full, err = rt.sc.operationConfig(pattern, opts)
	fail := func(err error) {
		panic(fmt.Sprintf("openapi: %s %s: %v", what, rt.full, err))
	}
	if err != nil {
		fail(err)
	}
	if rt.path, rt.pathParams, err = specPath(rt.full); err != nil {
		fail(err)
	}
	return rt, fail
}

// checkResponses refuses a documented body on a status that HTTP sends
// without one (1xx, 204, 304): the server drops it, so the document
// would promise what no client receives.
func checkResponses(rs []response) error {
	for _, r := range rs {
		if r.body != nil && noBodyStatus(r.status) {
			return fmt.Errorf("Response(%d, %T, ...): a %d has no body in HTTP; pass nil as the body", r.status, r.body, r.status)
		}
	}
	return nil
}

// noBodyStatus reports whether HTTP sends a response of status without
// a body: 1xx, 204 No Content and 304 Not Modified.
func noBodyStatus(status int) bool {
	return status < 200 || status == http.StatusNoContent || status == http.StatusNotModified
}

// operationID is the final id of an operation: its own or derived one
// with the group's prefix.
func (sc *scope) operationID(id string) string { return joinID(sc.idPrefix, id) }

// idError completes an error of API.claimID on id: when id is taken and
// the group prefixed it, the message says so. a.mu is held.
func (sc *scope) idError(err error, id string) error {
	if _, taken := sc.api.ids[id]; !taken {
		return err
	}
	switch {
	case sc.idPrefix != "":
		return fmt.Errorf("%w (the id has the group's OperationIDPrefix %q)", err, sc.idPrefix)
	case sc != &sc.api.root:
		return fmt.Errorf("%w, or give the group an OperationIDPrefix (for API versions, each its own API with Config.Prefix)", err)
	}
	return err
}

// joinID joins id prefixes and ids in lowerCamelCase.
func joinID(prefix, id string) string {
	if prefix == "" {
		return id
	}
	if id == "" {
		return prefix
	}
	return prefix + strings.ToUpper(id[:1]) + id[1:]
}

// appendNew appends the values not yet in s.
func appendNew(s []string, vs ...string) []string {
	for _, v := range vs {
		found := false
		for _, have := range s {
			found = found || have == v
		}
		if !found {
			s = append(s, v)
		}
	}
	return s
}

// checkPrefix accepts a clean path prefix such as "/v1" or
// "/orgs/{org}": it begins with '/', does not end with '/', and has no
// empty, "." or ".." segment.
func checkPrefix(prefix string) error {
	switch {
	case prefix == "":
		return fmt.Errorf("empty prefix; a prefix is a path such as \"/v1\"")
	case prefix[0] != '/':
		return fmt.Errorf("the prefix must begin with '/', as in %q", "/"+prefix)
	case strings.Trim(prefix, "/") == "":
		return fmt.Errorf("%q is the root, no prefix; a prefix is a path such as \"/v1\"", prefix)
	case strings.HasSuffix(prefix, "/"):
		return fmt.Errorf("the prefix must not end with '/', as in %q", strings.TrimRight(prefix, "/"))
	case path.Clean(prefix) != prefix:
		return fmt.Errorf("the prefix is not a clean path (empty, \".\" or \"..\" segment); did you mean %q?", path.Clean(prefix))
	case strings.ContainsAny(prefix, "?#"):
		return fmt.Errorf("the prefix holds '?' or '#'; it is a path only")
	}
	return nil
}

// initPrefix applies Config.Prefix to a configuration with defaults:
// every document and page path moves under it. It also prepares the
// API's root scope. Called by New.
func (a *API) initPrefix() {
	c := &a.config
	if c.Prefix != "" {
		if err := checkPrefix(c.Prefix); err != nil {
			panic(fmt.Sprintf("openapi.New: Config.Prefix %q: %v", c.Prefix, err))
		}
		for _, p := range []*string{&c.JSONPath, &c.YAMLPath, &c.JSON30Path, &c.YAML30Path, &c.SwaggerPath, &c.RapiDocPath, &c.AsyncAPIJSONPath, &c.AsyncAPIYAMLPath, &c.AsyncAPIPath} {
			if *p != Disabled {
				*p = c.Prefix + *p
			}
		}
	}
	a.root = scope{api: a, hg: a.server.RootGroup, prefix: c.Prefix}
	if c.Prefix != "" {
		a.server.Group(c.Prefix, func(g *hyperlane.Group) { a.root.hg = g })
	}
}

// commandName is the name of the command printing the document: "openapi",
// or for an API under Config.Prefix "/v2", "openapi-v2", so that several
// APIs of one server each have their own.
func commandName(prefix string) string {
	if prefix == "" {
		return CommandName
	}
	return CommandName + strings.ReplaceAll(prefix, "/", "-")
}
