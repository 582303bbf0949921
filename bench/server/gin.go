package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func init() { contenders["gin"] = serveGin }

// serveGin is gin in release mode without its default logger.
func serveGin(addr string) error {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, helloText) })
	r.GET("/json", func(c *gin.Context) { c.JSON(http.StatusOK, message{Message: helloText}) })
	r.GET("/users/:id", func(c *gin.Context) { c.String(http.StatusOK, c.Param("id")) })
	return listenAndServe(addr, r)
}
