// Package adapter is the bridge between Hyperlane and plain net/http, both
// ways. A *hyperlane.Server is already an http.Handler; this package makes
// the details exact: path prefixes, streaming, middleware and the Context.
//
// Hyperlane inside an existing app:
//
//	s := hyperlane.New()
//	s.Get("/users/{id}", getUser)
//
//	mux := http.NewServeMux()                        // the app you have
//	mux.Handle("/api/", adapter.Mount("/api", s))    // GET /api/users/7
//	mux.Handle("GET /ping", adapter.HTTP(ping))      // one handler, no Server
//
// The usual idioms need no call of this package: with
// mux.Handle("/api/", http.StripPrefix("/api", s)), chi's r.Mount("/api", s),
// gin.WrapH(s) in a Group, echo.WrapHandler(s) in a Group, or behind a
// trusted proxy sending X-Forwarded-Prefix, the app finds its prefix itself
// (see hyperlane.Server.ServeHTTP). Mount states the prefix where only you
// know it: it strips the prefix (escaped paths included), keeps it for
// redirects and the OpenAPI documents, and passes the ResponseWriter on
// untouched so WebSocket and SSE work through it. The same Mount fits chi
// (r.Mount("/api", adapter.Mount("/api", s))), gin
// (gin.WrapH(adapter.Mount("/api", s))) and echo
// (echo.WrapHandler(adapter.Mount("/api", s))).
//
// net/http inside Hyperlane:
//
//	s.Any("/legacy/{rest:.*}", adapter.FromHTTP(legacy))  // an http.Handler as a route
//	s.Get("/admin", admin, adapter.With(basicAuth))       // net/http middleware on one route
//
// Inside either, chi.URLParam(r, name) and r.PathValue(name) read the
// route's parameters and ContextFrom(r) returns the Hyperlane Context.
// What a net/http handler writes is buffered, so Hyperlane's response
// middleware still applies; a streamed response passes through.
//
// For middleware on the whole server, Server.Use takes any
// func(http.Handler) http.Handler directly. See docs/adapter.md for the
// order in which the layers run and the gotchas.
package adapter
