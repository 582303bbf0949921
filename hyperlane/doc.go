// Package hyperlane is a web framework on net/http and chi: one Context
// per request, handlers and middleware as plain functions, request
// middleware before the route and response middleware after it, native
// WebSocket and Server-Sent Events, and a tuned TCP listener.
//
// A first app:
//
//	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:60000"))
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
//	log.Fatal(s.Run(context.Background()))
//
// # Patterns
//
//	/about              static: matched exactly, found through a map
//	/users/{id}         one path segment, read with c.Param("id")
//	/users/{id:\d+}     one segment matching the whole regular expression
//	/files/{path:.*}    the rest of the path, slashes included (also {path:^.*$});
//	                    only as the last segment
//	/assets/*           chi's catch-all, read with c.Param("*")
//
// Matching is strict about trailing slashes unless WithRedirectTrailingSlash
// is set. A request that matches no route gets 404; one whose path exists
// for other methods gets 405 with an Allow header; HEAD is served by the
// GET route and OPTIONS is answered with Allow. Errors are RFC 9457
// problem details (application/problem+json).
//
// # Request path
//
// Use middleware (net/http) -> route lookup -> pooled Context -> request
// middleware -> handler -> response middleware -> one buffered write with
// Content-Length. Send, Flush, Writer and File stream instead.
//
// A Context is pooled: it is valid only until the handler returns.
package hyperlane
