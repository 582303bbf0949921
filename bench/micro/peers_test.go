package micro

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/julienschmidt/httprouter"
	"github.com/labstack/echo/v4"
)

// A peer builds the two routers of the benchmark: the simple one (static,
// param, json) and the GitHub API one. With echo set, a GitHub handler
// answers its route's index and parameters (for the test); without, it
// only writes the status, as Hyperlane's benchmark handler does.
type peer struct {
	simple func() http.Handler
	github func(routes []apiRoute, echo bool) http.Handler
}

var peers = map[string]peer{
	"chi":        {simpleChi, githubChi},
	"servemux":   {simpleServeMux, githubServeMux},
	"gin":        {simpleGin, githubGin},
	"echo":       {simpleEcho, githubEcho},
	"httprouter": {simpleHTTPRouter, githubHTTPRouter},
}

var (
	ctText = []string{"text/plain; charset=utf-8"}
	ctJSON = []string{"application/json; charset=utf-8"}
)

type message struct {
	Message string `json:"message"`
}

// The handlers write like Hyperlane's: the Content-Type assigned in the
// header map, the body in one write.
func text(w http.ResponseWriter, s string) {
	w.Header()["Content-Type"] = ctText
	_, _ = io.WriteString(w, s)
}

func writeJSON(w http.ResponseWriter) {
	w.Header()["Content-Type"] = ctJSON
	_ = json.NewEncoder(w).Encode(message{Message: "Hello, World!"})
}

// answer is the GitHub handler of the test: route index and parameters.
func answer(w http.ResponseWriter, i int, names []string, param func(string) string) {
	var b strings.Builder
	b.WriteString(itoa(i))
	for _, n := range names {
		b.WriteString(" " + n + "=" + param(n))
	}
	text(w, b.String())
}

func simpleChi() http.Handler {
	m := chi.NewMux()
	m.Get("/hello", func(w http.ResponseWriter, r *http.Request) { text(w, "hello") })
	m.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) { text(w, chi.URLParam(r, "id")) })
	m.Get("/json", func(w http.ResponseWriter, r *http.Request) { writeJSON(w) })
	return m
}

func githubChi(routes []apiRoute, echo bool) http.Handler {
	m := chi.NewMux()
	for i, rt := range routes {
		m.MethodFunc(rt.method, rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			if echo {
				answer(w, i, rt.params, func(k string) string { return chi.URLParam(r, k) })
				return
			}
			w.WriteHeader(http.StatusOK)
		})
	}
	return m
}

func simpleServeMux() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) { text(w, "hello") })
	m.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) { text(w, r.PathValue("id")) })
	m.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) { writeJSON(w) })
	return m
}

func githubServeMux(routes []apiRoute, echo bool) http.Handler {
	m := http.NewServeMux()
	for i, rt := range routes {
		m.HandleFunc(rt.method+" "+rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			if echo {
				answer(w, i, rt.params, r.PathValue)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
	}
	return m
}

func simpleGin() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/hello", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
	e.GET("/users/:id", func(c *gin.Context) { c.String(http.StatusOK, c.Param("id")) })
	e.GET("/json", func(c *gin.Context) { c.JSON(http.StatusOK, message{Message: "Hello, World!"}) })
	return e
}

func githubGin(routes []apiRoute, echo bool) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	for i, rt := range routes {
		e.Handle(rt.method, rt.colon, func(c *gin.Context) {
			if echo {
				answer(c.Writer, i, rt.params, c.Param)
				return
			}
			c.Status(http.StatusOK)
		})
	}
	return e
}

func simpleEcho() http.Handler {
	e := echo.New()
	e.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "hello") })
	e.GET("/users/:id", func(c echo.Context) error { return c.String(http.StatusOK, c.Param("id")) })
	e.GET("/json", func(c echo.Context) error { return c.JSON(http.StatusOK, message{Message: "Hello, World!"}) })
	return e
}

func githubEcho(routes []apiRoute, echoed bool) http.Handler {
	e := echo.New()
	for i, rt := range routes {
		e.Add(rt.method, rt.colon, func(c echo.Context) error {
			if echoed {
				answer(c.Response(), i, rt.params, c.Param)
				return nil
			}
			return c.NoContent(http.StatusOK)
		})
	}
	return e
}

func simpleHTTPRouter() http.Handler {
	m := httprouter.New()
	m.GET("/hello", func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) { text(w, "hello") })
	m.GET("/users/:id", func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) { text(w, ps.ByName("id")) })
	m.GET("/json", func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) { writeJSON(w) })
	return m
}

func githubHTTPRouter(routes []apiRoute, echo bool) http.Handler {
	m := httprouter.New()
	for i, rt := range routes {
		m.Handle(rt.method, rt.colon, func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
			if echo {
				answer(w, i, rt.params, ps.ByName)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
	}
	return m
}
