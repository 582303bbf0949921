package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func init() { contenders["hyperlane"] = serveHyperlane }

// hyperlaneRoutes holds registrations added by other files of this
// package (the typed and WebSocket scenarios).
var hyperlaneRoutes []func(s *hyperlane.Server)

// serveHyperlane is Hyperlane with its default (safe) settings: header,
// idle, read-idle and write-idle timeouts, body limit, TCP_NODELAY.
func serveHyperlane(addr string) error {
	return newHyperlane(addr).Run(context.Background())
}

// newHyperlane builds the server serveHyperlane runs.
func newHyperlane(addr string) *hyperlane.Server {
	s := hyperlane.New(hyperlane.WithAddr(addr),
		hyperlane.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, helloText) })
	s.Get("/json", func(c *hyperlane.Context) error { return c.JSON(200, message{Message: helloText}) })
	s.Get("/users/{id}", func(c *hyperlane.Context) error { return c.Text(200, c.Param("id")) })
	for _, add := range hyperlaneRoutes {
		add(s)
	}
	return s
}
