package hyperlane

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/go-chi/chi/v5"
)

// Handler handles a request: it reads from the Context and writes the
// response into it. A returned error becomes a problem+json response (see
// Server.ErrorHandler). Request and response middleware are Handlers too.
type Handler func(c *Context) error

// RouteInfo describes a registered route, for tooling such as the OpenAPI
// package, which reads it through Server.Routes.
type RouteInfo struct {
	Method  string         // an upper-case HTTP method
	Pattern string         // the pattern as registered, with any group prefix
	Handler string         // the handler's function name; for a mount, the mounted handler's type
	Meta    map[string]any // free metadata set with the Meta route option

	wrappers []func(Handler) Handler // set by WrapHandler, the first outermost
}

// RouteOption configures one route at registration.
type RouteOption func(*RouteInfo)

// MetaRegisteredBy is the Meta key, with a string value, that says what
// registered a route on the user's behalf and how to move it, such as
// "openapi.New; move it with openapi.Config.JSONPath". A later route with
// the same method and pattern panics quoting it, so the user learns why
// the path is taken whichever was registered first.
const MetaRegisteredBy = "registeredBy"

// Meta attaches a key and value to the route's RouteInfo.Meta.
func Meta(key string, value any) RouteOption {
	return func(ri *RouteInfo) {
		if ri.Meta == nil {
			ri.Meta = map[string]any{}
		}
		ri.Meta[key] = value
	}
}

// methods are the methods the router knows; a route's method must be one.
var methods = [...]string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions,
	http.MethodConnect, http.MethodTrace,
}

const numMethods = len(methods)

// methodIndex maps a method to its slot in methods, or -1.
func methodIndex(m string) int {
	switch m {
	case http.MethodGet:
		return 0
	case http.MethodHead:
		return 1
	case http.MethodPost:
		return 2
	case http.MethodPut:
		return 3
	case http.MethodPatch:
		return 4
	case http.MethodDelete:
		return 5
	case http.MethodOptions:
		return 6
	case http.MethodConnect:
		return 7
	case http.MethodTrace:
		return 8
	}
	return -1
}

const (
	idxGet     = 0
	idxHead    = 1
	idxOptions = 6
)

// route is one method+pattern with its handler and the groups whose
// middleware wraps it, outermost first.
type route struct {
	info     RouteInfo
	handler  Handler
	groups   []*Group
	tailName string
	opID     string // Meta[MetaOperationID], read per request by telemetry
	id       int    // index in router.routes: Context.RouteID

	// overrideWarned is set once the route logged that one terminal
	// helper overrode another (override.go), so it is logged once.
	overrideWarned atomic.Bool
}

// router is the routing state of a Server: chi's tree for patterns, the
// indexes in front of it (routeindex.go), and the routes themselves.
type router struct {
	tree      *chi.Mux
	static    staticIndex
	params    paramIndex
	byPattern [numMethods]map[string]*route // chi pattern -> route
	shapes    map[string]*route             // method+shape -> route, for duplicates
	routes    []*route
}

func newRouter() router {
	rt := router{
		tree:   chi.NewMux(),
		shapes: map[string]*route{},
	}
	for i := range rt.byPattern {
		rt.byPattern[i] = map[string]*route{}
	}
	return rt
}

// unusedHandler fills chi's endpoint slot: Hyperlane looks routes up with
// Mux.Find and never lets chi serve.
var unusedHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// add registers a route, panicking with the pattern named on any problem.
func (rt *router) add(method, pattern string, h Handler, groups []*Group, opts []RouteOption) {
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("hyperlane: route %s %q: %s", method, pattern, fmt.Sprintf(format, args...)))
	}
	mi := methodIndex(method)
	if mi < 0 {
		fail("unsupported method")
	}
	if h == nil {
		fail("nil handler")
	}
	pp, err := ParsePattern(pattern)
	if err != nil {
		fail("%v", err)
	}
	cp := pp.compile()
	if prev, dup := rt.shapes[method+" "+cp.shape]; dup {
		by, _ := prev.info.Meta[MetaRegisteredBy].(string)
		if by != "" {
			by = ", registered by " + by
		}
		fail("duplicate of %q%s", prev.info.Pattern, by)
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				fail("%v", r)
			}
		}()
		rt.tree.Method(method, cp.chi, unusedHandler)
	}()
	r := &route{
		info:     RouteInfo{Method: method, Pattern: pattern, Handler: funcName(h)},
		handler:  h,
		groups:   groups,
		tailName: cp.tailName,
	}
	for _, o := range opts {
		o(&r.info)
	}
	r.handler = r.info.wrap(h)
	r.opID, _ = r.info.Meta[MetaOperationID].(string)
	rt.shapes[method+" "+cp.shape] = r
	rt.byPattern[mi][cp.chi] = r
	if cp.static {
		rt.static.add(mi, pattern, r)
	}
	rt.params.add(mi, pp, r)
	r.id = len(rt.routes)
	rt.routes = append(rt.routes, r)
}

// find resolves method and path to a route, filling c's params: first
// the static index, then the parameter index and chi's tree. HEAD
// without its own route falls back to GET.
func (rt *router) find(c *Context, mi int, path string) *route {
	if sr := rt.static.find(path); sr != nil {
		if r := sr[mi]; r != nil {
			return r
		}
		if mi == idxHead && sr[idxGet] != nil {
			return sr[idxGet]
		}
	}
	r := rt.findParams(c, mi, path)
	if r == nil && mi == idxHead {
		r = rt.findParams(c, idxGet, path)
	}
	return r
}

// findParams resolves a route with parameters, filling c's params.
func (rt *router) findParams(c *Context, mi int, path string) *route {
	if pr, value := rt.params.find(mi, path); pr.route != nil {
		c.addParam(pr.name, value)
		return pr.route
	}
	r := rt.lookup(&c.rctx, mi, path)
	if r != nil {
		c.setParams(c.rctx.URLParams.Keys, c.rctx.URLParams.Values, r.tailName)
	}
	return r
}

// lookup searches chi's tree, leaving the parameters in rctx. A {name}
// parameter never matches an empty segment: chi would match "/a//b"
// against "/a/{x}/b" with x empty. Only a catch-all may be empty.
func (rt *router) lookup(rctx *chi.Context, mi int, path string) *route {
	rctx.Reset()
	pattern := rt.tree.Find(rctx, methods[mi], path)
	if pattern == "" {
		return nil
	}
	r := rt.byPattern[mi][pattern]
	if r == nil {
		return nil
	}
	keys, values := rctx.URLParams.Keys, rctx.URLParams.Values
	for i, v := range values {
		if v == "" && keys[i] != "*" {
			return nil
		}
	}
	return r
}

// matches reports whether a route for method index mi matches path,
// without touching the request's parameters.
func (rt *router) matches(c *Context, mi int, path string) bool {
	if sr := rt.static.find(path); sr != nil && sr[mi] != nil {
		return true
	}
	return rt.lookup(&c.rctx, mi, path) != nil
}

// allowed appends the methods that would match path to dst, for the Allow
// header of 405 and OPTIONS responses. HEAD is implied by GET, and
// OPTIONS is always answered.
func (rt *router) allowed(c *Context, path string, dst []string) []string {
	for mi := range numMethods {
		if rt.matches(c, mi, path) || mi == idxHead && rt.matches(c, idxGet, path) {
			dst = append(dst, methods[mi])
		}
	}
	if len(dst) > 0 && !contains(dst, http.MethodOptions) {
		dst = append(dst, http.MethodOptions)
	}
	return dst
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Routes lists every registered route in registration order.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, len(s.router.routes))
	for i, r := range s.router.routes {
		out[i] = r.info
	}
	return out
}

func funcName(h Handler) string {
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	return strings.TrimSuffix(name, "-fm")
}

// serve is the request path: route lookup, request middleware, handler,
// response middleware, one buffered write.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	r, guess := s.resolveMount(r)
	c := acquireContext(s, w, r)
	groups, handler := s.RootGroup.chain, s.missing
	if limit := s.settings.maxURIBytes; limit > 0 && len(r.RequestURI) > limit {
		handler = uriTooLong
	} else if mi := methodIndex(r.Method); mi >= 0 {
		c.route = s.router.find(c, mi, routingPath(r))
		if c.route == nil && guess {
			s.guessMount(c, mi)
		}
	}
	if c.route != nil {
		groups, handler = c.route.groups, c.route.handler
	}
	s.serveContext(c, groups, handler)
}

// serveContext answers the request c holds with handler under the
// middleware of groups, then releases c: what a route does once matched,
// shared by Server.serve and Group.Handler so that both behave alike,
// draining included.
func (s *Server) serveContext(c *Context, groups []*Group, handler Handler) {
	c.reqBody.install(c)
	if s.observers != nil {
		s.observeBegin(c)
	}
	s.closeWhileDraining(c.w)
	s.run(c, groups, handler)
	// An error here means the client went away; there is no one left to
	// tell.
	_ = c.writeBuffered()
	if s.observers != nil {
		s.observeEnd(c)
	}
	releaseContext(c)
}

// uriTooLong answers a request whose target is over WithMaxURIBytes,
// before routing: no route sees it, the server-wide middleware does.
func uriTooLong(c *Context) error {
	return Errorf(http.StatusRequestURITooLong, "request target of %d bytes is over the limit of %d",
		len(c.r.RequestURI), c.server.settings.maxURIBytes)
}

// routingPath is the path routes are matched against: the path as sent
// when it holds escapes that decoding would change (such as %2F inside a
// segment), the decoded path otherwise. Parameters are unescaped after.
func routingPath(r *http.Request) string {
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.Path
}

// run calls the request middleware of every group, outermost first, then
// the handler unless one of them failed or aborted, then the response
// middleware of every group, innermost first (an onion: the server's runs
// last, so a server-wide Compress sees the body the groups made). Within
// one group both kinds run in the order registered. An error anywhere
// becomes the response and the response middleware still runs, so that
// it sees the final answer.
func (s *Server) run(c *Context, groups []*Group, handler Handler) {
request:
	for _, g := range groups {
		for _, mw := range g.request {
			if c.aborted {
				break request
			}
			if err := s.call(c, mw); err != nil {
				s.handleError(c, err)
				c.aborted = true
			}
		}
	}
	if !c.aborted {
		if err := s.call(c, handler); err != nil {
			s.handleError(c, err)
		}
	}
	c.responding = true
	for i := len(groups) - 1; i >= 0; i-- {
		for _, mw := range groups[i].response {
			if err := s.call(c, mw); err != nil {
				s.handleError(c, err)
			}
		}
	}
}

// call runs h, turning a panic into a logged 500 error.
func (s *Server) call(c *Context, h Handler) (err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = s.recovered(c, rec)
		}
	}()
	return h(c)
}

// routeMissing answers a request no route matched: 405 with Allow when
// the path exists for other methods, 204 with Allow for OPTIONS, a 308 to
// the slash-corrected path when enabled, and 404 otherwise.
func (s *Server) routeMissing(c *Context) error {
	path := routingPath(c.r)
	var buf [numMethods + 1]string
	allowed := s.router.allowed(c, path, buf[:0])
	if len(allowed) == 0 {
		if s.settings.redirectTrailingSlash {
			if alt := toggleSlash(path); alt != "" && s.slashTarget(c, alt) {
				u := *c.r.URL
				u.Path = toggleSlash(u.Path)
				if u.RawPath != "" {
					u.RawPath = alt
				}
				return c.Redirect(http.StatusPermanentRedirect, u.RequestURI())
			}
		}
		return Errorf(http.StatusNotFound, "no route for %s %s", c.r.Method, c.r.URL.Path)
	}
	allow := joinMethods(allowed)
	if c.r.Method == http.MethodOptions {
		c.w.Header().Set("Allow", allow)
		return c.NoContent(http.StatusNoContent)
	}
	return &HTTPError{
		Status: http.StatusMethodNotAllowed,
		Detail: fmt.Sprintf("%s is not allowed on %s", c.r.Method, c.r.URL.Path),
		Header: http.Header{"Allow": {allow}},
	}
}

// slashTarget reports whether alt, the request path with its trailing
// slash toggled, has a route for the request's method (any method for
// OPTIONS). A path starting with "//" is never a target: as a Location it
// would name another host.
func (s *Server) slashTarget(c *Context, alt string) bool {
	if strings.HasPrefix(alt, "//") {
		return false
	}
	mi := methodIndex(c.r.Method)
	switch {
	case mi < 0:
		return false
	case mi == idxOptions:
		var buf [numMethods + 1]string
		return len(s.router.allowed(c, alt, buf[:0])) > 0
	case mi == idxHead && s.router.matches(c, idxGet, alt):
		return true
	}
	return s.router.matches(c, mi, alt)
}

// toggleSlash adds a trailing slash to p or removes it; "" for "/".
func toggleSlash(p string) string {
	if p == "/" || p == "" {
		return ""
	}
	if p[len(p)-1] == '/' {
		return p[:len(p)-1]
	}
	return p + "/"
}

func joinMethods(ms []string) string { return strings.Join(ms, ", ") }
