package adapter

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// FromHTTP runs an existing http.Handler as a Hyperlane route handler:
//
//	s.Get("/metrics", adapter.FromHTTP(promhttp.Handler()))
//	s.Any("/legacy/{rest:.*}", adapter.FromHTTP(legacyMux))
//
// The handler sees the full request path (a catch-all pattern hands it a
// whole sub-tree; wrap it in http.StripPrefix, or use Server.Mount, to
// strip the route's prefix). Inside it, the route's parameters are
// readable with r.PathValue(name) and chi.URLParam(r, name), and
// ContextFrom(r) returns the Hyperlane Context.
//
// What the handler writes is buffered in the Context, so Hyperlane's
// response middleware still sees and may change its status, headers and
// body. A Content-Length the handler set is dropped when it matches the
// buffered body, so middleware that changes the body cannot make it lie.
// A handler that streams (Flush or Hijack, directly or through
// http.ResponseController) commits the response: from then on its bytes
// go to the client untouched and response middleware can only observe.
// Deadlines set through http.ResponseController, and Unwrap, commit
// nothing.
func FromHTTP(h http.Handler) hyperlane.Handler {
	if h == nil {
		panic("adapter: FromHTTP: nil handler")
	}
	return func(c *hyperlane.Context) error {
		r := bridgeRequest(c)
		h.ServeHTTP(c.BufferedWriter(), r)
		dropStaleLength(c)
		return nil
	}
}

// ContextFrom returns the Hyperlane Context of a request that came through
// FromHTTP, Wrap or With, or nil. Like the Context itself, it is valid
// only until the Hyperlane handler returns.
func ContextFrom(r *http.Request) *hyperlane.Context {
	c, _ := r.Context().Value(contextKey{}).(*hyperlane.Context)
	return c
}

type contextKey struct{}

// bridgeRequest returns the Context's request prepared for net/http code:
// it carries the Context (for ContextFrom), chi's route context with the
// route's parameters (for chi.URLParam) and the parameters as path values
// (for r.PathValue). It is built once per request; the chi route context
// is attached only here, so routes that never leave Hyperlane never pay
// for it.
func bridgeRequest(c *hyperlane.Context) *http.Request {
	r := c.Request()
	if ContextFrom(r) == c {
		return r
	}
	params := c.Params()
	rctx := chi.NewRouteContext()
	if outer := chi.RouteContext(r.Context()); outer != nil {
		// A host chi router's parameters stay readable; chi searches
		// from the end, so the route's own parameters win on a clash.
		rctx.URLParams.Keys = append(rctx.URLParams.Keys, outer.URLParams.Keys...)
		rctx.URLParams.Values = append(rctx.URLParams.Values, outer.URLParams.Values...)
		rctx.RoutePatterns = append(rctx.RoutePatterns, outer.RoutePatterns...)
	}
	for _, p := range params {
		rctx.URLParams.Add(p.Key, p.Value)
	}
	if pattern := c.RoutePattern(); pattern != "" {
		rctx.RoutePatterns = append(rctx.RoutePatterns, pattern)
	}
	ctx := context.WithValue(context.WithValue(r.Context(), chi.RouteCtxKey, rctx), contextKey{}, c)
	if len(params) == 0 {
		r = r.WithContext(ctx)
	} else {
		// Clone, not WithContext: path values set on a shallow copy
		// would write into the host router's match slice.
		r = r.Clone(ctx)
		for _, p := range params {
			r.SetPathValue(p.Key, p.Value)
		}
	}
	c.SetRequest(r)
	return r
}

// dropStaleLength removes a Content-Length that describes the buffered
// body, so that it is recomputed when the response is written. Response
// middleware that changes the body then cannot leave a wrong length.
func dropStaleLength(c *hyperlane.Context) {
	if c.Committed() || c.Method() == http.MethodHead {
		return
	}
	h := c.ResponseHeader()
	if v, ok := h["Content-Length"]; ok && len(v) == 1 && v[0] == strconv.Itoa(len(c.ResponseBody())) {
		delete(h, "Content-Length")
	}
}
