package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func init() { contenders["hyperlane-nodeadline"] = serveHyperlaneNoDeadline }

// serveHyperlaneNoDeadline is Hyperlane without its write-idle deadline
// (WithWriteIdleTimeout(0)), to show what keeping that deadline costs.
func serveHyperlaneNoDeadline(addr string) error {
	s := hyperlane.New(hyperlane.WithAddr(addr), hyperlane.WithWriteIdleTimeout(0),
		hyperlane.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, helloText) })
	return s.Run(context.Background())
}
