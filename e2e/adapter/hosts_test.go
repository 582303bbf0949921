// Package adapter_test mounts the reference Hyperlane app of
// adapter/mounttest into gin and echo, through their own ways of hosting
// an http.Handler. Those frameworks are test tools here, never
// dependencies of the library.
package adapter_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/adapter/mounttest"
	"github.com/labstack/echo/v4"
)

func TestMountInGin(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "gin") })
	r.Any("/api/*path", gin.WrapH(adapter.Mount("/api", mounttest.App())))
	mounttest.Check(t, mounttest.Serve(t, r)+"/api")
}

func TestMountInEcho(t *testing.T) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, "echo") })
	api := echo.WrapHandler(adapter.Mount("/api", mounttest.App()))
	e.Any("/api", api)
	e.Any("/api/*", api)
	mounttest.Check(t, mounttest.Serve(t, e)+"/api")
}

// TestGinGroupWrapH mounts the app the way gin users write it, with no
// call of this project's: a Group and gin.WrapH. gin passes the full path;
// the app finds its routes below the group's prefix.
func TestGinGroupWrapH(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "gin") })
	g := r.Group("/api/v1")
	g.Any("/*path", gin.WrapH(mounttest.APIApp()))
	base := mounttest.Serve(t, r) + "/api/v1"
	// The document first, as a browser opening /swagger does.
	mounttest.CheckAPI(t, base)
	mounttest.Check(t, base)
}

// TestEchoGroupWrapHandler mounts the app the way echo users write it: a
// Group and echo.WrapHandler.
func TestEchoGroupWrapHandler(t *testing.T) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, "echo") })
	g := e.Group("/api/v1")
	h := echo.WrapHandler(mounttest.APIApp())
	g.Any("", h)
	g.Any("/*", h)
	base := mounttest.Serve(t, e) + "/api/v1"
	mounttest.CheckAPI(t, base)
	mounttest.Check(t, base)
}
