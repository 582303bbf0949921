// Package middleware holds Hyperlane's built-in middleware: request ids,
// access logs, CORS, security headers, compression, rate limits and
// timeouts.
//
// Hyperlane middleware is a plain hyperlane.Handler registered as request
// middleware (before the route handler) or response middleware (after
// it, before the single buffered write). Some middleware needs both
// halves, such as an access log that notes the start time and logs at the
// end, so every constructor here returns a Middleware with a Request and a
// Response half, and Install registers both:
//
//	s := hyperlane.New()
//	middleware.Install(s,
//		middleware.RequestID(),                 // outermost
//		middleware.AccessLog(logger),
//		middleware.CORS(middleware.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}}),
//		middleware.SecurityHeaders(),
//		middleware.Compress(),                  // innermost
//	)
//	s.Use(middleware.Timeout(5 * time.Second))
//
// Install treats the list like layers of net/http middleware: the first
// is the outermost, so request halves run in the order given and response
// halves in the reverse order. With the order above, every request gets
// an id first, the access log times everything and logs last (with the
// id, the final status and the compressed size), CORS answers preflights
// before anything else can reject them, and compression is the first
// response half to run, on the body the handler left. Response
// middleware that changes the body must run before Compress: list it
// after Compress (as Middleware{Response: h}), or register it on the
// server before calling Install.
//
// Group response middleware runs after the server's, so a group must not
// change a body that the server's Compress has already compressed.
//
// Middleware state travels between halves as Context attributes
// (RequestIDFrom reads the request id).
//
// Timeout is different: it must wrap the whole pipeline, so it is
// net/http middleware for Server.Use. Any func(http.Handler) http.Handler
// works there, chi's middleware package included.
package middleware
