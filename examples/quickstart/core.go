package main

import (
	"embed"
	"io/fs"
	"net/http"
	"runtime"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

//go:embed public
var publicFiles embed.FS

// echoLimit is the body limit of POST /echo, below the server default.
const echoLimit = 1 << 20

var started = time.Now()

// registerCore adds the core routes: text, params, files, redirects, JSON
// echo, health and a panic that the server survives.
func registerCore(s *hyperlane.Server) {
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("Server", "hyperlane")
		return nil
	})
	middleware.Install(s,
		middleware.RequestID(),
		middleware.AccessLog(nil), // the server's logger: stderr
		middleware.SecurityHeaders(),
		middleware.Compress(),
	)
	s.Get("/", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "Hello hyperlane => /")
	})
	s.Get("/users/{id:\\d+}", func(c *hyperlane.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"id": c.Param("id")})
	})
	public, _ := fs.Sub(publicFiles, "public")
	s.StaticFS("/files", public) // embedded: no links to follow
	s.Get("/old", func(c *hyperlane.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/")
	})
	s.Post("/echo", func(c *hyperlane.Context) error {
		var v any
		if err := c.SetBodyLimit(echoLimit).BindJSON(&v); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	})
	s.Get("/health", func(c *hyperlane.Context) error {
		return c.JSON(http.StatusOK, map[string]any{
			"status":         "ok",
			"uptime_seconds": time.Since(started).Seconds(),
			"goroutines":     runtime.NumGoroutine(),
		})
	})
	s.Get("/panic", func(c *hyperlane.Context) error {
		panic("quickstart: /panic was called")
	})
}
