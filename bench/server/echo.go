package main

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func init() { contenders["echo"] = serveEcho }

// serveEcho is echo v4 without its banner.
func serveEcho(addr string) error {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, helloText) })
	e.GET("/json", func(c echo.Context) error { return c.JSON(http.StatusOK, message{Message: helloText}) })
	e.GET("/users/:id", func(c echo.Context) error { return c.String(http.StatusOK, c.Param("id")) })
	return listenAndServe(addr, e)
}
