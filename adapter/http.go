package adapter

import (
	"net/http"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// HTTP returns one Hyperlane handler as an http.Handler for any router:
//
//	mux.Handle("GET /hello", adapter.HTTP(func(c *hyperlane.Context) error {
//		return c.Text(http.StatusOK, "hello")
//	}))
//
// Each request gets a pooled Context and runs as a matched route would:
// request middleware, h, response middleware, errors turned into problem
// responses, panics into a logged 500, then one buffered write (or a
// stream, when h streams). No routing happens, so c.Param reads nothing;
// a path value of the host router is c.Request().PathValue(name).
//
// Without options the handler runs on a private server with default
// settings. WithServer borrows an existing server's settings, logger,
// error handler and server-wide middleware; RequestMiddleware and
// ResponseMiddleware add middleware for this handler only.
func HTTP(h hyperlane.Handler, opts ...Option) http.Handler {
	if h == nil {
		panic("adapter: HTTP: nil handler")
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	s := cfg.server
	if s == nil {
		s = hyperlane.New()
	}
	var out http.Handler
	s.Group("", func(g *hyperlane.Group) {
		g.RequestMiddleware(cfg.request...)
		g.ResponseMiddleware(cfg.response...)
		out = g.Handler(h)
	})
	return out
}

// Option configures the handler HTTP returns.
type Option func(*config)

type config struct {
	server   *hyperlane.Server
	request  []hyperlane.Handler
	response []hyperlane.Handler
}

// WithServer runs the handler as part of s: with its settings (body limit,
// timeouts), logger, error handler, panic hook and server-wide request and
// response middleware. Its routes and Server.Use wrappers do not apply.
func WithServer(s *hyperlane.Server) Option {
	if s == nil {
		panic("adapter: WithServer(nil)")
	}
	return func(c *config) { c.server = s }
}

// RequestMiddleware adds handlers that run, in order, before the handler,
// after any server-wide ones. One that returns an error or calls Abort
// stops the rest and the handler; response middleware still runs.
func RequestMiddleware(h ...hyperlane.Handler) Option {
	return func(c *config) { c.request = append(c.request, h...) }
}

// ResponseMiddleware adds handlers that run, in order, after the handler,
// after any server-wide ones, and may change status, headers and body
// before the single write.
func ResponseMiddleware(h ...hyperlane.Handler) Option {
	return func(c *config) { c.response = append(c.response, h...) }
}
