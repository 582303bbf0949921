package adapter

import (
	"bytes"
	"net/http"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// With is a route option that wraps the route's handler in net/http
// middleware, the first outermost, so any func(http.Handler) http.Handler
// of the ecosystem can guard a single route:
//
//	s.Get("/admin", admin, adapter.With(basicAuth, chimw.NoCache))
//	openapi.Delete(api, "/pets/{id}", deletePet, openapi.RouteOptions(adapter.With(requireToken)))
//
// Keep the option in a variable to guard several routes, or every route
// of a group, alike; each route builds its own chain, so a middleware with
// state (a rate limiter) holds it per route. See Wrap for how the
// middleware and the handler meet.
func With(mw ...func(http.Handler) http.Handler) hyperlane.RouteOption {
	checkMiddleware(mw)
	return hyperlane.WrapHandler(func(h hyperlane.Handler) hyperlane.Handler { return Wrap(h, mw...) })
}

// Wrap returns h wrapped in net/http middleware, the first outermost, for
// places that take a handler rather than route options, such as
// adapter.HTTP. The chain is built once, here. Per request:
//
//   - The middleware sees the request with ContextFrom, chi.URLParam and
//     r.PathValue working, and the Context's buffered ResponseWriter.
//   - A middleware that answers without calling next (a failed auth
//     check) writes into the Context; the handler does not run.
//   - A request the middleware passes on replaced (r.WithContext, a new
//     URL or Body) is what the handler reads through the Context, and
//     what response middleware sees afterwards.
//   - A handler's error becomes its problem response inside the chain, so
//     middleware that inspects the status sees it.
//   - When the middleware wrapped the ResponseWriter (to compress, count
//     or log), the handler's buffered status and body are written through
//     that wrapper into the Context, so the middleware sees and may
//     transform them; response middleware then sees the result.
//
// A handler that streams (SSE, WebSocket, Flush, Writer) writes to the
// connection directly: writer-wrapping middleware does not see those
// bytes. Panics pass through the middleware (a recoverer in it catches
// them) to Hyperlane's own recovery.
func Wrap(h hyperlane.Handler, mw ...func(http.Handler) http.Handler) hyperlane.Handler {
	if h == nil {
		panic("adapter: Wrap: nil handler")
	}
	checkMiddleware(mw)
	var next http.Handler = &inner{h: h}
	for i := len(mw) - 1; i >= 0; i-- {
		next = mw[i](next)
	}
	return func(c *hyperlane.Context) error {
		next.ServeHTTP(c.BufferedWriter(), bridgeRequest(c))
		return nil
	}
}

func checkMiddleware(mw []func(http.Handler) http.Handler) {
	for _, m := range mw {
		if m == nil {
			panic("adapter: nil middleware")
		}
	}
}

// inner is the end of a Wrap chain: it runs the Hyperlane handler on the
// Context the request carries.
type inner struct{ h hyperlane.Handler }

func (in *inner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := ContextFrom(r)
	if c == nil {
		// A middleware replaced the request's context with one not
		// derived from it: there is no Context to run the handler on.
		http.Error(w, "adapter: a middleware dropped the request context that carries the Hyperlane Context", http.StatusInternalServerError)
		return
	}
	c.SetRequest(r)
	if err := in.h(c); err != nil {
		c.HandleError(err)
	}
	if w == c.BufferedWriter() || c.Committed() {
		return
	}
	// Replay the buffered response through the middleware's writer, which
	// ends in the Context's buffer again. The body is copied first, since
	// the writer appends to the very buffer it is read from.
	body := bytes.Clone(c.ResponseBody())
	c.SetBody(nil)
	w.WriteHeader(c.StatusCode())
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
}
