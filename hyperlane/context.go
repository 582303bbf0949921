package hyperlane

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"

	"github.com/go-chi/chi/v5"
)

// Context carries one request and its response through middleware and
// handler. Contexts are pooled: a Context, and anything it returns that
// is documented as borrowed (Params, Body), is valid only until the
// handler returns. Copy what a goroutine needs before starting it; using a
// Context after its request finished panics, and the race detector
// reports a goroutine that keeps using it.
type Context struct {
	w      http.ResponseWriter
	r      *http.Request
	server *Server
	route  *route

	rctx   chi.Context // route lookup state, reused across requests
	params []Param

	status    int
	body      []byte
	committed bool // headers are on the wire, or the writer was taken
	aborted   bool

	attrs   map[string]any
	query   url.Values
	reqBody bodyReader
	bw      bufferedWriter
	sw      streamWriter
	stream  *EventStream // the SSE stream, ended when the handler returns
}

// Param is one path parameter of the matched route.
type Param struct {
	Key   string
	Value string
}

// maxPooledBody caps the response buffer a pooled Context keeps, so one
// large response does not pin its memory for the life of the pool.
const maxPooledBody = 64 << 10

var contextPool = sync.Pool{New: func() any { return new(Context) }}

func acquireContext(s *Server, w http.ResponseWriter, r *http.Request) *Context {
	c := contextPool.Get().(*Context)
	c.w, c.r, c.server = w, r, s
	return c
}

func releaseContext(c *Context) {
	if c.stream != nil {
		c.stream.end() // stops its heartbeats before net/http finishes the response
		c.stream = nil
	}
	c.w, c.r, c.server, c.route = nil, nil, nil, nil
	c.params = c.params[:0]
	c.status = 0
	if cap(c.body) > maxPooledBody {
		c.body = nil
	}
	c.body = c.body[:0]
	c.committed, c.aborted = false, false
	if len(c.attrs) > 0 {
		clear(c.attrs)
	}
	c.query = nil
	c.reqBody.reset()
	c.bw, c.sw = bufferedWriter{}, streamWriter{}
	contextPool.Put(c)
}

// live panics when the Context is used after its request finished: the
// one misuse a pool cannot otherwise survive.
func (c *Context) live() {
	if c.r == nil {
		panic("hyperlane: Context used after its handler returned (copy values before starting goroutines)")
	}
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
func (c *Context) Request() *http.Request { c.live(); return c.r }

// Context returns the request's context.Context, cancelled when the client
// goes away or the server shuts down.
func (c *Context) Context() context.Context { c.live(); return c.r.Context() }

// Done returns a channel closed when the client goes away.
func (c *Context) Done() <-chan struct{} { return c.Context().Done() }

// Method returns the request method.
func (c *Context) Method() string { c.live(); return c.r.Method }

// Path returns the request path, unescaped.
func (c *Context) Path() string { c.live(); return c.r.URL.Path }

// Param returns the path parameter name of the matched route, or "".
func (c *Context) Param(name string) string {
	c.live()
	for _, p := range c.params {
		if p.Key == name {
			return p.Value
		}
	}
	return ""
}

// Params returns all path parameters in pattern order. The slice is
// borrowed: valid until the handler returns.
func (c *Context) Params() []Param { c.live(); return c.params }

// RoutePattern returns the pattern of the matched route, or "" when no
// route matched (404, 405 and automatic OPTIONS answers).
func (c *Context) RoutePattern() string {
	c.live()
	if c.route == nil {
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
	c.live()
	if c.query == nil {
		c.query = c.r.URL.Query()
	}
	return c.query
}

// Header returns the first value of the request header name, or "".
func (c *Context) Header(name string) string { c.live(); return c.r.Header.Get(name) }

// Cookie returns the value of the request cookie name, or "".
func (c *Context) Cookie(name string) string {
	c.live()
	ck, err := c.r.Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}

// RemoteAddr returns the peer's "ip:port" as net/http saw it.
func (c *Context) RemoteAddr() string { c.live(); return c.r.RemoteAddr }

// Abort stops the remaining request middleware and the route handler;
// response middleware still runs.
func (c *Context) Abort() { c.live(); c.aborted = true }

// IsAborted reports whether Abort was called.
func (c *Context) IsAborted() bool { c.live(); return c.aborted }

// Set stores an attribute for the rest of this request.
func (c *Context) Set(key string, value any) {
	c.live()
	if c.attrs == nil {
		c.attrs = make(map[string]any, 4)
	}
	c.attrs[key] = value
}

// Get returns the attribute stored under key.
func (c *Context) Get(key string) (any, bool) {
	c.live()
	v, ok := c.attrs[key]
	return v, ok
}

// Attributes calls fn for every attribute set on the request.
func (c *Context) Attributes(fn func(key string, value any)) {
	c.live()
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

// Server returns the Server handling the request.
func (c *Context) Server() *Server { c.live(); return c.server }

// Logger returns the server's logger.
func (c *Context) Logger() *slog.Logger { c.live(); return c.server.log }
