package hyperlane

import (
	"net/http"
	"strings"
)

// Group is a set of routes under a common path prefix that share request
// and response middleware. A Server embeds its root group (as RootGroup),
// so every Group method is also a Server method that registers on the
// whole server. Middleware added to a group applies to all its routes,
// including ones registered before it. Around a route the groups nest
// like an onion: request middleware runs outermost first (the server's,
// then each group's), response middleware innermost first (the route's
// group, then its parents, the server's last).
type Group struct {
	server   *Server
	prefix   string
	chain    []*Group // root first, this group last
	request  []Handler
	response []Handler
}

// RootGroup is Group under the name by which Server embeds it. The alias
// exists because an embedded field named Group would hide the Group
// method: with it, s.Group("/api", fn) still opens a sub-group, and
// s.RootGroup is the root group itself.
type RootGroup = Group

// Group registers a sub-group under prefix and calls fn to fill it.
func (g *Group) Group(prefix string, fn func(g *Group)) {
	if prefix != "" && (prefix[0] != '/' || strings.HasSuffix(prefix, "/")) {
		panic("hyperlane: group prefix " + quote(prefix) + " must begin and must not end with '/'")
	}
	if prefix != "" {
		// Checked now, not only when a route is added under it.
		if err := CheckPattern(g.prefix + prefix); err != nil {
			panic("hyperlane: group prefix " + quote(g.prefix+prefix) + ": " + err.Error())
		}
	}
	sub := &Group{server: g.server, prefix: g.prefix + prefix}
	sub.chain = append(append(make([]*Group, 0, len(g.chain)+1), g.chain...), sub)
	fn(sub)
}

// RequestMiddleware appends handlers that run in order before the route
// handler. One that returns an error or calls Context.Abort stops the
// rest and the handler; response middleware still runs. On the Server
// (the root group) they also run before its own 404, 405 and automatic
// OPTIONS answers.
func (g *Group) RequestMiddleware(h ...Handler) { g.request = append(g.request, h...) }

// ResponseMiddleware appends handlers that run in order after the route
// handler (also after an error became a response): after the response
// middleware of the groups nested in g, before that of g's parents and
// the server. They may read and change status, headers and body before
// the single write. On the Server (the root group) they also run for its
// own 404, 405 and automatic OPTIONS answers.
func (g *Group) ResponseMiddleware(h ...Handler) { g.response = append(g.response, h...) }

// Get registers h for GET (and so HEAD) requests matching pattern.
func (g *Group) Get(pattern string, h Handler, opts ...RouteOption) {
	g.Route([]string{http.MethodGet}, pattern, h, opts...)
}

// Head registers h for HEAD requests matching pattern.
func (g *Group) Head(pattern string, h Handler, opts ...RouteOption) {
	g.Route([]string{http.MethodHead}, pattern, h, opts...)
}

// Post registers h for POST requests matching pattern.
func (g *Group) Post(pattern string, h Handler, opts ...RouteOption) {
	g.Route([]string{http.MethodPost}, pattern, h, opts...)
}

// Put registers h for PUT requests matching pattern.
func (g *Group) Put(pattern string, h Handler, opts ...RouteOption) {
	g.Route([]string{http.MethodPut}, pattern, h, opts...)
}

// Patch registers h for PATCH requests matching pattern.
func (g *Group) Patch(pattern string, h Handler, opts ...RouteOption) {
	g.Route([]string{http.MethodPatch}, pattern, h, opts...)
}

// Delete registers h for DELETE requests matching pattern.
func (g *Group) Delete(pattern string, h Handler, opts ...RouteOption) {
	g.Route([]string{http.MethodDelete}, pattern, h, opts...)
}

// Options registers h for OPTIONS requests matching pattern, replacing
// the automatic Allow answer for it.
func (g *Group) Options(pattern string, h Handler, opts ...RouteOption) {
	g.Route([]string{http.MethodOptions}, pattern, h, opts...)
}

// Any registers h for every method the router knows.
func (g *Group) Any(pattern string, h Handler, opts ...RouteOption) {
	g.Route(methods[:], pattern, h, opts...)
}

// Route registers h for each of methods on pattern, under the group's
// prefix: in a group "/api", pattern "" is "/api" and "/" is "/api/". The
// pattern syntax is described in the package documentation; a malformed
// pattern, a bad regular expression or a duplicate method and pattern
// panics naming it.
func (g *Group) Route(methods []string, pattern string, h Handler, opts ...RouteOption) {
	full := g.prefix + pattern
	if pattern == "" {
		full = g.prefix
	}
	for _, m := range methods {
		g.server.router.add(strings.ToUpper(m), full, h, g.chain, opts)
	}
}

func quote(s string) string { return `"` + s + `"` }
