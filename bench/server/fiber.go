package main

import "github.com/gofiber/fiber/v2"

func init() { contenders["fiber"] = serveFiber }

// serveFiber is fiber on fasthttp: not net/http, the reference for what a
// different HTTP stack reaches on the same machine.
func serveFiber(addr string) error {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(helloText) })
	app.Get("/json", func(c *fiber.Ctx) error { return c.JSON(message{Message: helloText}) })
	app.Get("/users/:id", func(c *fiber.Ctx) error { return c.SendString(c.Params("id")) })
	return app.Listen(addr)
}
