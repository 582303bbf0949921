package adapter_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/adapter"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// get serves one GET through h and prints the status, the Location when
// there is one, and the body.
func get(h http.Handler, target string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	fmt.Print(w.Code, " ")
	if loc := w.Header().Get("Location"); loc != "" {
		fmt.Print("-> ", loc, " ")
	}
	fmt.Println(w.Body.String())
}

// A Hyperlane app mounted at /api in a ServeMux: its routes are written
// without the prefix, and its redirects keep it.
func ExampleMount() {
	s := hyperlane.New()
	s.Get("/users/{id}", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "user "+c.Param("id"))
	})
	s.Get("/me", func(c *hyperlane.Context) error {
		return c.Redirect(http.StatusFound, "/users/7")
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the old app") })
	mux.Handle("/api/", adapter.Mount("/api", s))

	get(mux, "/")
	get(mux, "/api/users/7")
	get(mux, "/api/me")
	// Output:
	// 200 the old app
	// 200 user 7
	// 302 -> /api/users/7
}

// One Hyperlane handler on a ServeMux route, with response middleware.
func ExampleHTTP() {
	hello := func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "hello "+c.Request().PathValue("name"))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /hello/{name}", adapter.HTTP(hello,
		adapter.ResponseMiddleware(func(c *hyperlane.Context) error {
			c.SetBodyString(string(c.ResponseBody()) + "!")
			return nil
		})))

	get(mux, "/hello/gopher")
	// Output:
	// 200 hello gopher!
}

// An existing net/http handler on a Hyperlane route: chi.URLParam and
// r.PathValue read the route's parameters, and Hyperlane's response
// middleware still sees what it wrote.
func ExampleFromHTTP() {
	legacy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "order %s, item %s", chi.URLParam(r, "order"), r.PathValue("item"))
	})
	s := hyperlane.New()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Body-Length", fmt.Sprint(len(c.ResponseBody())))
		return nil
	})
	s.Get("/orders/{order}/items/{item}", adapter.FromHTTP(legacy))

	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/orders/12/items/3", nil))
	fmt.Println(w.Body.String(), "|", w.Header().Get("X-Body-Length"))
	// Output:
	// order 12, item 3 | 16
}

// net/http middleware on one route: here an auth check that answers by
// itself, so the handler never runs.
func ExampleWith() {
	requireKey := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Key") != "secret" {
				http.Error(w, "no key", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	s := hyperlane.New()
	s.Get("/public", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "public") })
	s.Get("/admin", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "admin")
	}, adapter.With(requireKey))

	get(s, "/public")
	get(s, "/admin")
	// Output:
	// 200 public
	// 401 no key
}

// ContextFrom gives a wrapped net/http handler the Hyperlane Context,
// with the attributes request middleware set.
func ExampleContextFrom() {
	s := hyperlane.New()
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.Set("user", "ada")
		return nil
	})
	s.Get("/whoami", adapter.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := hyperlane.Attr[string](adapter.ContextFrom(r), "user")
		io.WriteString(w, user)
	})))

	get(s, "/whoami")
	// Output:
	// 200 ada
}
