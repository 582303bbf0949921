package hyperlane

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
)

// requestIDAttr is middleware.RequestIDAttr, the attribute the RequestID
// middleware stores its id under (middleware imports this package, not
// the reverse; TestDetachOutlivesTheRequest keeps the two equal).
const requestIDAttr = "hyperlane.middleware.request_id"

// Detached is a copy of what work outliving a handler usually needs from
// its request, made by Context.Detach. It is a plain value: it stays
// valid after the handler returned, owns its maps and slices (attribute
// values excepted, which are shared), and is safe for concurrent reads.
type Detached struct {
	Method     string
	Path       string  // the request path, unescaped
	Pattern    string  // the matched route's pattern, or ""
	Params     []Param // the path parameters, in pattern order
	Header     http.Header
	Query      url.Values
	ClientIP   string // as Context.ClientIP saw it
	RemoteAddr string
	RequestID  string // the id middleware.RequestID gave the request, or ""

	attrs map[string]any
	ctx   context.Context
}

// Detach returns a copy of the request for a goroutine that outlives the
// handler, such as background work started by a handler that answers at
// once:
//
//	d := c.Detach()
//	go audit(d.Context(), d.Param("id"), d.RequestID)
//	return c.NoContent(http.StatusAccepted)
//
// Its Context carries the request's values but is not cancelled when the
// request ends; bound the work with a timeout of its own. Detach copies
// the header, query, parameters and attribute map, so it allocates: call
// it only where the copy is handed on. On a released Context it returns a
// zero Detached whose Context is cancelled with ErrContextReleased.
func (c *Context) Detach() Detached {
	if !c.live() {
		return Detached{ctx: releasedContext}
	}
	d := Detached{
		Method:     c.r.Method,
		Path:       c.r.URL.Path,
		Pattern:    c.RoutePattern(),
		Params:     slices.Clone(c.params),
		Header:     c.r.Header.Clone(),
		Query:      url.Values(http.Header(c.QueryValues()).Clone()),
		ClientIP:   c.ClientIP(),
		RemoteAddr: c.r.RemoteAddr,
		attrs:      maps.Clone(c.attrs),
		ctx:        context.WithoutCancel(c.r.Context()),
	}
	d.RequestID, _ = d.attrs[requestIDAttr].(string)
	return d
}

// Param returns the path parameter name, or "".
func (d Detached) Param(name string) string {
	for _, p := range d.Params {
		if p.Key == name {
			return p.Value
		}
	}
	return ""
}

// Get returns the attribute stored under key when Detach was called. The
// value is the one the request held, not a copy of it.
func (d Detached) Get(key string) (any, bool) {
	v, ok := d.attrs[key]
	return v, ok
}

// Context returns a context with the request's values that the end of
// the request does not cancel (context.Background for a zero Detached).
func (d Detached) Context() context.Context {
	if d.ctx == nil {
		return context.Background()
	}
	return d.ctx
}
