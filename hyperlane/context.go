package hyperlane

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
)

// Context carries one request and its response through middleware and
// handler.
//
// A Context is valid only until its handler returns (for a WebSocket
// handler, until it returns and the connection is closed). The state
// behind it is pooled and serves the next request; the *Context a handler
// got never does, so a Context used after its handler returned is told
// apart from the new owner. Such a use never panics and never reaches
// another request: the call does nothing, methods that return an error
// return ErrContextReleased, the others return zero values (Context and
// Done a cancelled context, Request an empty request, ResponseHeader an
// empty header that is not sent). The first such use is logged once per
// Server, as a warning with its stack.
//
// What a Context returns as borrowed (Params, Body, ResponseBody) is valid
// only until the handler returns too. To hand work to a goroutine, give it
// Detach's copy instead of the Context. A Context is not safe for
// concurrent use: goroutines started by a handler that still runs must
// not use it either.
type Context struct {
	// The pooled request state, whose fields methods reach through the
	// handle. The handle is live while the state names it its owner: see
	// lifetime.go.
	*contextState
}

// contextState is the pooled part of a Context: everything one request
// uses, kept and reset between requests.
type contextState struct {
	// owner is the handle of the request the state serves, nil while it
	// is pooled. Releasing clears it before anything else, which makes
	// every handle issued so far stale.
	owner  atomic.Pointer[Context]
	server *Server // for good: each Server pools its own states

	handles []Context // this state's handles, each handed out once
	next    int       // the next unused one

	w     http.ResponseWriter
	r     *http.Request
	route *route

	rctx   chi.Context // route lookup state, reused across requests
	params []Param

	status    int
	body      []byte
	committed bool // headers are on the wire, or the writer was taken
	aborted   bool

	// For the override warning (override.go): the terminal helper that
	// last set the response, and whether calls count at all now.
	terminal      terminal
	responding    bool // response middleware runs
	handlingError bool // the error handler runs

	attrs   map[string]any
	query   url.Values
	reqBody bodyReader
	stream  *EventStream // the SSE stream, ended when the handler returns

	rwWroteHeader bool // BufferedWriter's writer has its status

	// For observers (observe.go): when the request arrived (set only
	// while there are observers), the body bytes written, and the
	// WebSocket connection the request became.
	started time.Duration // since clockBase; 0 when not set
	sent    int64
	ws      *Conn
}

// Param is one path parameter of the matched route.
type Param struct {
	Key   string
	Value string
}

// setParams copies the route's parameters out of chi's lookup state,
// unescaping them when routing used the raw path. The tail catch-all,
// "*" in chi, is stored under the name the pattern gave it.
func (c *Context) setParams(keys, values []string, tailName string) {
	for i, k := range keys {
		if k == "*" && tailName != "" {
			k = tailName
		}
		c.addParam(k, values[i])
	}
}

// addParam adds one parameter from the routing path, unescaping it when
// routing used the raw path.
func (c *Context) addParam(k, v string) {
	if c.r.URL.RawPath != "" {
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
	}
	c.params = append(c.params, Param{Key: k, Value: v})
}

// Request returns the underlying *http.Request.
func (c *Context) Request() *http.Request {
	if !c.live() {
		return releasedRequest()
	}
	return c.r
}

// Context returns the request's context.Context, cancelled when the client
// goes away or the server shuts down.
func (c *Context) Context() context.Context {
	if !c.live() {
		return releasedContext
	}
	return c.r.Context()
}

// Done returns a channel closed when the client goes away.
func (c *Context) Done() <-chan struct{} { return c.Context().Done() }

// Method returns the request method.
func (c *Context) Method() string {
	if !c.live() {
		return ""
	}
	return c.r.Method
}

// Path returns the request path, unescaped.
func (c *Context) Path() string {
	if !c.live() {
		return ""
	}
	return c.r.URL.Path
}

// Param returns the path parameter name of the matched route, or "".
func (c *Context) Param(name string) string {
	if !c.live() {
		return ""
	}
	for _, p := range c.params {
		if p.Key == name {
			return p.Value
		}
	}
	return ""
}

// Params returns all path parameters in pattern order. The slice is
// borrowed: valid until the handler returns.
func (c *Context) Params() []Param {
	if !c.live() {
		return nil
	}
	return c.params
}

// RoutePattern returns the pattern of the matched route, or "" when no
// route matched (404, 405 and automatic OPTIONS answers).
func (c *Context) RoutePattern() string {
	if !c.live() || c.route == nil {
		return ""
	}
	return c.route.info.Pattern
}

// Query returns the first value of the query parameter name, or "".
func (c *Context) Query(name string) string {
	vs := c.QueryValues()[name]
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// QueryValues returns all query parameters, parsed once per request.
func (c *Context) QueryValues() url.Values {
	if !c.live() {
		return url.Values{}
	}
	if c.query == nil {
		c.query = c.r.URL.Query()
	}
	return c.query
}

// Header returns the first value of the request header name, or "".
func (c *Context) Header(name string) string {
	if !c.live() {
		return ""
	}
	return c.r.Header.Get(name)
}

// Cookie returns the value of the request cookie name, or "".
func (c *Context) Cookie(name string) string {
	if !c.live() {
		return ""
	}
	ck, err := c.r.Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}

// RemoteAddr returns the peer's "ip:port" as net/http saw it.
func (c *Context) RemoteAddr() string {
	if !c.live() {
		return ""
	}
	return c.r.RemoteAddr
}

// Abort stops the remaining request middleware and the route handler;
// response middleware still runs.
func (c *Context) Abort() {
	if c.live() {
		c.aborted = true
	}
}

// IsAborted reports whether Abort was called.
func (c *Context) IsAborted() bool { return c.live() && c.aborted }

// Set stores an attribute for the rest of this request.
func (c *Context) Set(key string, value any) {
	if !c.live() {
		return
	}
	if c.attrs == nil {
		c.attrs = make(map[string]any, 4)
	}
	c.attrs[key] = value
}

// Get returns the attribute stored under key.
func (c *Context) Get(key string) (any, bool) {
	if !c.live() {
		return nil, false
	}
	v, ok := c.attrs[key]
	return v, ok
}

// Attributes calls fn for every attribute set on the request.
func (c *Context) Attributes(fn func(key string, value any)) {
	if !c.live() {
		return
	}
	for k, v := range c.attrs {
		fn(k, v)
	}
}

// Attr returns the attribute stored under key as a T, and whether it was
// present with that type.
func Attr[T any](c *Context, key string) (T, bool) {
	v, ok := c.Get(key)
	t, isT := v.(T)
	return t, ok && isT
}

// Server returns the Server handling the request. The state keeps it,
// so it is returned even after the handler returned (the use is logged).
func (c *Context) Server() *Server {
	_ = c.live() // only to report a late use: the state keeps its server
	return c.server
}

// Logger returns the server's logger; like Server, even after the
// handler returned.
func (c *Context) Logger() *slog.Logger {
	_ = c.live() // only to report a late use: the state keeps its server
	return c.server.log
}
