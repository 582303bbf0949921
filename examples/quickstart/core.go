package main

import (
	"embed"
	"io/fs"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

//go:embed public
var publicFiles embed.FS

// echoLimit is the body limit of POST /echo, below the server default.
const echoLimit = 1 << 20

var (
	started   = time.Now()
	requestID atomic.Uint64
)

// registerCore adds the core routes: text, params, files, redirects, JSON
// echo, health and a panic that the server survives.
func registerCore(s *hyperlane.Server) {
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("Server", "hyperlane")
		c.SetHeader("X-Request-Id", strconv.FormatUint(requestID.Add(1), 10))
		return nil
	})
	s.Get("/", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "Hello hyperlane => /")
	})
	s.Get("/users/{id:\\d+}", func(c *hyperlane.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"id": c.Param("id")})
	})
	public, _ := fs.Sub(publicFiles, "public")
	s.Static("/files", public)
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
