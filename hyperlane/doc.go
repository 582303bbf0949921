// Package hyperlane is a web framework on net/http and chi: one Context
// per request, handlers and middleware as plain functions, request
// middleware before the route and response middleware after it, native
// WebSocket and Server-Sent Events, and a tuned TCP listener.
//
// A first app:
//
//	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:60000"), hyperlane.FromEnv())
//	s.RequestMiddleware(func(c *hyperlane.Context) error {
//		c.SetHeader("Server", "hyperlane")
//		return nil
//	})
//	s.Get("/", func(c *hyperlane.Context) error {
//		return c.Text(200, "Hello hyperlane => /")
//	})
//	s.Get("/users/{id:\\d+}", func(c *hyperlane.Context) error {
//		return c.JSON(200, map[string]string{"id": c.Param("id")})
//	})
//	if err := s.Run(context.Background()); err != nil {
//		log.Fatal(err)
//	}
//
// Run serves until SIGINT or SIGTERM, drains in-flight requests and
// returns nil, so the program exits 0. FromEnv lets the HYPERLANE_*
// variables (HYPERLANE_ADDR, ...) override the options before it.
//
// A Server is an http.Handler: test it with net/http/httptest, mount it in
// any Go server, wrap it with any func(http.Handler) http.Handler.
//
// # Patterns
//
//	/about              static: matched exactly, found through a map
//	/users/{id}         one non-empty segment, read with c.Param("id");
//	                    a final one is found through a map on its prefix
//	/users/{id:\d+}     one segment the regular expression matches whole
//	                    (not "abc", not "1a")
//	/files/{path:.*}    the rest of the path, slashes included (also
//	                    {path:^.*$}); only as the last segment
//	/assets/*           chi's catch-all, read with c.Param("*")
//
// A static segment wins over a regular expression, which wins over a plain
// parameter, which wins over a catch-all. Parameter values are decoded
// ("a%2Fb" gives "a/b"). A malformed pattern, a bad regular expression or
// a duplicate method and pattern panics at registration, naming the
// pattern. So does another router's syntax, with the form to write:
// "/users/:id" (write "/users/{id}"), "/static/*filepath" ("{filepath:.*}"),
// "<id>", "{path...}"; a colon inside a segment stays literal
// ("/v1/items:batchGet"). See CheckPattern.
//
// Matching is strict about trailing slashes unless WithRedirectTrailingSlash
// is set. A request that matches no route gets 404; one whose path exists
// for other methods gets 405 with an Allow header; HEAD is served by the
// GET route and OPTIONS is answered 204 with Allow. Errors are RFC 9457
// problem details (application/problem+json): return Error, Errorf or an
// *HTTPError from a handler; any other error is a 500 that is logged and
// not shown. The cause an Errorf wraps with %w is logged, never sent.
//
// # Request path
//
// Use middleware (net/http) -> route lookup -> pooled Context -> request
// middleware (server's, then each group's) -> handler -> response
// middleware (the reverse: each group's, innermost first, then the
// server's) -> one buffered write with Content-Length.
// Send, Flush, Writer and File stream instead. A panic anywhere becomes a
// logged 500 and the connection keeps serving.
//
// A Context, and the slices it lends, are valid only until the handler
// returns; a later use does nothing (ErrContextReleased), is logged once,
// and never reaches another request. Goroutines take Context.Detach's copy.
//
// The guides are in the repository's docs/ folder: getting-started.md,
// routing.md, context.md, middleware.md and server.md.
package hyperlane
