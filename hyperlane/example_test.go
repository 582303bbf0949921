package hyperlane_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// printGet serves one GET request in memory and prints status, one header and
// body, the way a test of an app would look at it.
func printGet(h http.Handler, target, header string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
	line := fmt.Sprint(w.Code)
	if header != "" {
		line += " " + header + "=" + w.Header().Get(header)
	}
	fmt.Println(line, strings.TrimSpace(w.Body.String()))
}

// A first app: one route, tested in memory with net/http/httptest. Run it
// for real with s.Run(ctx).
func Example() {
	s := hyperlane.New()
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("Server", "hyperlane")
		return nil
	})
	s.Get("/", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "Hello hyperlane => /")
	})

	printGet(s, "/", "Server")
	// Output: 200 Server=hyperlane Hello hyperlane => /
}

// Path parameters: {name} is one segment, {name:regex} one segment that
// matches the whole expression, {name:.*} the rest of the path.
func ExampleGroup_Get() {
	s := hyperlane.New()
	s.Get("/users/{id:\\d+}", func(c *hyperlane.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"id": c.Param("id")})
	})
	s.Get("/files/{path:.*}", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "file "+c.Param("path"))
	})

	printGet(s, "/users/42", "Content-Type")
	printGet(s, "/users/abc", "")
	printGet(s, "/files/css/site.css", "")
	// Output:
	// 200 Content-Type=application/json; charset=utf-8 {"id":"42"}
	// 404 {"type":"about:blank","title":"Not Found","status":404,"detail":"no route for GET /users/abc","instance":"/users/abc"}
	// 200 file css/site.css
}

// Groups share a prefix and middleware: request middleware runs before the
// handler (the server's first, then the group's), response middleware
// after it in the reverse order (the group's first, then the server's),
// like layers of an onion.
func ExampleGroup_Group() {
	s := hyperlane.New()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.AddHeader("X-Trace", "server")
		return nil
	})
	s.Group("/admin", func(g *hyperlane.Group) {
		g.RequestMiddleware(func(c *hyperlane.Context) error {
			if c.Header("Authorization") == "" {
				c.Abort() // the handler is skipped; response middleware still runs
				return c.Text(http.StatusUnauthorized, "who are you?")
			}
			return nil
		})
		g.ResponseMiddleware(func(c *hyperlane.Context) error {
			c.AddHeader("X-Trace", "admin")
			return nil
		})
		g.Get("/stats", func(c *hyperlane.Context) error {
			return c.Text(http.StatusOK, "42 users")
		})
	})

	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/admin/stats", nil))
	fmt.Println(w.Code, w.Body, w.Header().Values("X-Trace"))

	r := httptest.NewRequest("GET", "/admin/stats", nil)
	r.Header.Set("Authorization", "Bearer t")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body, w.Header().Values("X-Trace"))
	// Output:
	// 401 who are you? [admin server]
	// 200 42 users [admin server]
}

// Handlers return errors. An *HTTPError (from Error or Errorf) becomes an
// RFC 9457 problem+json response; any other error a 500 that does not
// reveal it (it is logged instead).
func ExampleError() {
	s := hyperlane.New()
	s.Get("/pets/{id}", func(c *hyperlane.Context) error {
		if c.Param("id") != "1" {
			return hyperlane.Errorf(http.StatusNotFound, "no pet %s", c.Param("id"))
		}
		return c.Text(http.StatusOK, "Rex")
	})
	s.Post("/pets", func(c *hyperlane.Context) error {
		var pet struct{ Name string }
		if err := c.BindJSON(&pet); err != nil {
			return err // 400, 413 or 415, saying what is wrong
		}
		return c.JSON(http.StatusCreated, pet)
	})

	printGet(s, "/pets/1", "")
	printGet(s, "/pets/7", "Content-Type")

	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/pets", strings.NewReader(`{"Name": 5}`))
	r.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Body)
	fmt.Println(w.Code, strings.TrimSpace(string(b)))
	// Output:
	// 200 Rex
	// 404 Content-Type=application/problem+json {"type":"about:blank","title":"Not Found","status":404,"detail":"no pet 7","instance":"/pets/7"}
	// 400 {"type":"about:blank","title":"Bad Request","status":400,"detail":"JSON field \"Name\": expected string, got number","instance":"/pets","errors":[{"location":"body.Name","message":"expected string, got number"}]}
}

// Errorf formats the detail the client reads; an error it wraps with %w
// is the cause, kept for errors.Is and the log but left out of the
// detail, with the separator before it.
func ExampleErrorf() {
	errDB := errors.New("pq: password authentication failed for user app")
	err := hyperlane.Errorf(http.StatusInternalServerError, "loading user %d: %w", 7, errDB)
	fmt.Printf("detail %q, cause %v\n", err.Detail, errors.Is(err, errDB))
	// Output: detail "loading user 7", cause true
}

// Any http.Handler can serve a subtree; it sees the path without the
// prefix, and the server's response middleware still applies.
func ExampleGroup_Mount() {
	legacy := http.NewServeMux()
	legacy.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "legacy saw %s", r.URL.Path)
	})
	s := hyperlane.New()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Served-By", "hyperlane")
		return nil
	})
	s.Mount("/legacy", legacy)

	printGet(s, "/legacy/hello", "X-Served-By")
	// Output: 200 X-Served-By=hyperlane legacy saw /hello
}

// Attributes carry values from middleware to handlers; Attr reads them
// with their type.
func ExampleAttr() {
	type user struct{ Name string }
	s := hyperlane.New()
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.Set("user", user{Name: "ada"})
		return nil
	})
	s.Get("/me", func(c *hyperlane.Context) error {
		u, ok := hyperlane.Attr[user](c, "user")
		if !ok {
			return hyperlane.Error(http.StatusUnauthorized, "no user")
		}
		return c.Text(http.StatusOK, "hello "+u.Name)
	})

	printGet(s, "/me", "")
	// Output: 200 hello ada
}

// A handler that decodes JSON its own way, here a stream of values,
// applies the rule BindJSON follows first: the body must say it is JSON,
// else 415 before a byte of it is read.
func ExampleContext_CheckJSONContentType() {
	s := hyperlane.New()
	s.Post("/events", func(c *hyperlane.Context) error {
		if err := c.CheckJSONContentType(); err != nil {
			return err
		}
		dec := json.NewDecoder(c.Request().Body)
		n := 0
		for dec.More() {
			var v any
			if err := dec.Decode(&v); err != nil {
				return hyperlane.Errorf(http.StatusBadRequest, "event %d: %v", n+1, err)
			}
			n++
		}
		return c.Text(http.StatusOK, fmt.Sprintf("%d events", n))
	})
	for _, ct := range []string{"application/json", "text/plain", ""} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/events", strings.NewReader(`{"a":1} {"b":2}`))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		s.ServeHTTP(w, r)
		fmt.Printf("%q: %d %s\n", ct, w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// "application/json": 200 2 events
	// "text/plain": 415 {"type":"about:blank","title":"Unsupported Media Type","status":415,"detail":"Content-Type \"text/plain\" is not JSON: send application/json","instance":"/events"}
	// "": 415 {"type":"about:blank","title":"Unsupported Media Type","status":415,"detail":"request body has no Content-Type: send application/json","instance":"/events"}
}

// CheckPattern is the check every route registration runs: a pattern in
// another router's syntax fails with the form to write, while a colon
// inside a segment stays literal.
func ExampleCheckPattern() {
	for _, p := range []string{"/users/{id}", "/v1/items:batchGet", "/users/:id", "/static/*filepath"} {
		fmt.Printf("%s: %v\n", p, hyperlane.CheckPattern(p))
	}
	// Output:
	// /users/{id}: <nil>
	// /v1/items:batchGet: <nil>
	// /users/:id: segment ":id" is another router's parameter syntax: write "{id}"
	// /static/*filepath: segment "*filepath" is another router's parameter syntax: write "{filepath:.*}" (or "*") as the last segment
}

// ParsePattern gives the parsed form the router uses: the parameter
// names, the tail catch-all and the OpenAPI path, regular expressions
// dropped.
func ExampleParsePattern() {
	for _, s := range []string{"/orgs/{org}/repos/{id:[0-9]+}", "/files/{path:.*}"} {
		p, err := hyperlane.ParsePattern(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		path, ok := p.OpenAPIPath()
		fmt.Printf("%s: params %q, tail %q, OpenAPI path %q %v\n", p, p.Params(), p.Tail(), path, ok)
	}
	// Output:
	// /orgs/{org}/repos/{id:[0-9]+}: params ["org" "id"], tail "", OpenAPI path "/orgs/{org}/repos/{id}" true
	// /files/{path:.*}: params ["path"], tail "path", OpenAPI path "" false
}
