package hyperlane

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"

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
	Handler string         // the handler's function name
	Meta    map[string]any // free metadata set with the Meta route option
}

// RouteOption configures one route at registration.
type RouteOption func(*RouteInfo)

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
}

// staticRoutes holds the routes of one parameter-free path, by method.
type staticRoutes [numMethods]*route

// router is the routing state of a Server: chi's tree for patterns, a map
// for static paths in front of it, and the routes themselves.
type router struct {
	tree      *chi.Mux
	static    map[string]*staticRoutes
	byPattern [numMethods]map[string]*route // chi pattern -> route
	shapes    map[string]string             // method+shape -> pattern, for duplicates
	routes    []*route
}

func newRouter() router {
	rt := router{
		tree:   chi.NewMux(),
		static: map[string]*staticRoutes{},
		shapes: map[string]string{},
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
	cp, err := compilePattern(pattern)
	if err != nil {
		fail("%v", err)
	}
	if prev, dup := rt.shapes[method+" "+cp.shape]; dup {
		fail("duplicate of %q", prev)
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				fail("%v", r)
			}
		}()
		rt.tree.Method(method, cp.chi, unusedHandler)
	}()
	rt.shapes[method+" "+cp.shape] = pattern
	r := &route{
		info:     RouteInfo{Method: method, Pattern: pattern, Handler: funcName(h)},
		handler:  h,
		groups:   groups,
		tailName: cp.tailName,
	}
	for _, o := range opts {
		o(&r.info)
	}
	rt.byPattern[mi][cp.chi] = r
	if cp.static {
		sr := rt.static[pattern]
		if sr == nil {
			sr = new(staticRoutes)
			rt.static[pattern] = sr
		}
		sr[mi] = r
	}
	rt.routes = append(rt.routes, r)
}

// find resolves method and path to a route, filling c's params. For HEAD
// without its own route it falls back to GET.
func (rt *router) find(c *Context, mi int, path string) *route {
	if sr := rt.static[path]; sr != nil {
		if r := sr[mi]; r != nil {
			return r
		}
		if mi == idxHead && sr[idxGet] != nil {
			return sr[idxGet]
		}
	}
	if r := rt.findInTree(c, mi, path); r != nil || mi != idxHead {
		return r
	}
	return rt.findInTree(c, idxGet, path)
}

func (rt *router) findInTree(c *Context, mi int, path string) *route {
	rctx := &c.rctx
	rctx.Reset()
	pattern := rt.tree.Find(rctx, methods[mi], path)
	if pattern == "" {
		return nil
	}
	r := rt.byPattern[mi][pattern]
	if r != nil {
		c.setParams(rctx.URLParams.Keys, rctx.URLParams.Values, r.tailName)
	}
	return r
}

// allowed appends the methods that would match path to dst, for the Allow
// header of 405 and OPTIONS responses. HEAD is implied by GET.
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

func (rt *router) matches(c *Context, mi int, path string) bool {
	if sr := rt.static[path]; sr != nil && sr[mi] != nil {
		return true
	}
	c.rctx.Reset()
	return rt.tree.Find(&c.rctx, methods[mi], path) != ""
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
