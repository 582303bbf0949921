package hyperlane_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// trace returns middleware that appends name to the X-Trace response
// header, recording the order middleware ran in.
func trace(name string) hyperlane.Handler {
	return func(c *hyperlane.Context) error {
		c.AddHeader("X-Trace", name)
		return nil
	}
}

func traceOf(w *httptest.ResponseRecorder) string {
	return strings.Join(w.Header().Values("X-Trace"), ",")
}

func TestGroupMiddlewareOrder(t *testing.T) {
	s := quiet()
	s.RequestMiddleware(trace("server-req"))
	s.ResponseMiddleware(trace("server-resp"))
	handler := func(c *hyperlane.Context) error {
		c.AddHeader("X-Trace", "handler")
		return c.Text(200, c.RoutePattern())
	}
	s.Get("/top", handler)
	s.Group("/outer", func(outer *hyperlane.Group) {
		outer.Get("/x", handler) // registered before the group's middleware: still wrapped
		outer.Get("", handler)   // the prefix itself
		outer.RequestMiddleware(trace("outer-req"))
		outer.ResponseMiddleware(trace("outer-resp"))
		outer.Group("/inner", func(inner *hyperlane.Group) {
			inner.RequestMiddleware(trace("inner-req"))
			inner.ResponseMiddleware(trace("inner-resp"))
			inner.Get("/y/{id}", handler)
		})
		outer.Group("/sibling", func(sib *hyperlane.Group) {
			sib.Get("/z", handler)
		})
	})
	s.Group("", func(g *hyperlane.Group) {
		g.RequestMiddleware(trace("noprefix-req"))
		g.Get("/plain", handler)
	})

	tests := []struct{ name, path, body, trace string }{
		{"server middleware wraps a root route", "/top", "/top",
			"server-req,handler,server-resp"},
		{"group middleware wraps routes registered before it", "/outer/x", "/outer/x",
			"server-req,outer-req,handler,outer-resp,server-resp"},
		{"nested group: request server, outer, inner; response inner, outer, server", "/outer/inner/y/7", "/outer/inner/y/{id}",
			"server-req,outer-req,inner-req,handler,inner-resp,outer-resp,server-resp"},
		{"a sibling group does not get the inner middleware", "/outer/sibling/z", "/outer/sibling/z",
			"server-req,outer-req,handler,outer-resp,server-resp"},
		{"pattern \"\" in a group is the prefix itself", "/outer", "/outer",
			"server-req,outer-req,handler,outer-resp,server-resp"},
		{"a group without prefix", "/plain", "/plain",
			"server-req,noprefix-req,handler,server-resp"},
		{"a 404 inside a group prefix runs only server middleware", "/outer/missing", "",
			"server-req,server-resp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(s, "GET", tc.path, "")
			if tc.body != "" && w.Body.String() != tc.body {
				t.Fatalf("body = %q, want %q", w.Body, tc.body)
			}
			if got := traceOf(w); got != tc.trace {
				t.Fatalf("trace = %s\nwant    %s", got, tc.trace)
			}
		})
	}
}

func TestRequestMiddlewareFlow(t *testing.T) {
	tests := []struct {
		name  string
		mw    hyperlane.Handler
		code  int
		trace string
	}{
		{"all run in order", trace("first"), 200, "first,second,handler,resp"},
		{"Abort stops later request middleware and the handler",
			func(c *hyperlane.Context) error {
				c.Abort()
				return c.Text(http.StatusUnauthorized, "no")
			}, 401, "resp"},
		{"an error stops them and becomes the response",
			func(c *hyperlane.Context) error { return hyperlane.Error(http.StatusForbidden, "forbidden") },
			403, "resp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := quiet()
			var aborted bool
			s.RequestMiddleware(tc.mw, trace("second"))
			s.ResponseMiddleware(func(c *hyperlane.Context) error {
				aborted = c.IsAborted()
				return trace("resp")(c)
			})
			s.Get("/", func(c *hyperlane.Context) error {
				c.AddHeader("X-Trace", "handler")
				return nil
			})
			w := do(s, "GET", "/", "")
			if w.Code != tc.code || traceOf(w) != tc.trace {
				t.Fatalf("got %d %s, want %d %s", w.Code, traceOf(w), tc.code, tc.trace)
			}
			if aborted != (tc.code != 200) {
				t.Fatalf("IsAborted() in response middleware = %v", aborted)
			}
		})
	}
}

func TestResponseMiddlewareSeesAndChangesTheResponse(t *testing.T) {
	s := quiet()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Saw", fmt.Sprintf("%d %s", c.StatusCode(), c.ResponseBody()))
		return nil
	})
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		if c.StatusCode() == http.StatusTeapot {
			c.Status(http.StatusOK).SetBodyString("rewritten").SetHeader("Content-Type", "text/x-rewritten")
		}
		return nil
	})
	s.Get("/tea", func(c *hyperlane.Context) error { return c.Text(http.StatusTeapot, "short and stout") })
	s.Get("/err", func(c *hyperlane.Context) error { return hyperlane.Error(http.StatusConflict, "taken") })

	w := do(s, "GET", "/tea", "")
	if w.Code != 200 || w.Body.String() != "rewritten" || w.Header().Get("Content-Type") != "text/x-rewritten" {
		t.Fatalf("response middleware change lost: %d %q %q", w.Code, w.Body, w.Header().Get("Content-Type"))
	}
	if got := w.Header().Get("X-Saw"); got != "418 short and stout" {
		t.Fatalf("first response middleware saw %q", got)
	}
	w = do(s, "GET", "/err", "")
	if got := w.Header().Get("X-Saw"); w.Code != 409 || !strings.HasPrefix(got, "409 {") {
		t.Fatalf("response middleware after an error saw %q (status %d)", got, w.Code)
	}
}

func TestResponseMiddlewareErrorStillRunsTheRest(t *testing.T) {
	s := quiet()
	s.ResponseMiddleware(func(c *hyperlane.Context) error { return hyperlane.Error(http.StatusBadGateway, "upstream") })
	s.ResponseMiddleware(trace("after"))
	s.Get("/", say("ok"))
	w := do(s, "GET", "/", "")
	if w.Code != http.StatusBadGateway || traceOf(w) != "after" {
		t.Fatalf("got %d trace %q", w.Code, traceOf(w))
	}
	if p := problem(t, w); p.Detail != "upstream" {
		t.Fatalf("problem %+v", p)
	}
}

func TestMount(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "mounted root") })
	mux.HandleFunc("GET /echo/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Mount-Prefix", hyperlane.MountPrefix(r))
		fmt.Fprintf(w, "path=%s raw=%s query=%s", r.URL.Path, r.URL.RawPath, r.URL.RawQuery)
	})
	mux.HandleFunc("POST /created", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "made")
	})

	inner := quiet()
	inner.Get("/old", func(c *hyperlane.Context) error { return c.Redirect(http.StatusFound, "/new") })

	router := chi.NewRouter()
	router.Get("/hi/{name}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi "+chi.URLParam(r, "name")) })

	s := quiet()
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Resp", fmt.Sprint(c.StatusCode()))
		return nil
	})
	s.Mount("/mux", mux)
	s.Get("/mux/own", say("hyperlane route beside the mount"))
	s.Group("/orgs/{org}", func(g *hyperlane.Group) {
		g.Mount("/app", inner)
	})
	s.Mount("/chi", router)

	tests := []struct {
		name, method, path string
		code               int
		body, prefix       string
	}{
		{"prefix is stripped", "GET", "/mux/echo/a/b?x=1", 200, "path=/echo/a/b raw= query=x=1", "/mux"},
		{"escapes kept after stripping", "GET", "/mux/echo/a%2Fb", 200, "path=/echo/a/b raw=/echo/a%2Fb query=", "/mux"},
		{"the prefix alone is the mounted root", "GET", "/mux", 200, "mounted root", ""},
		{"the prefix with a slash is the mounted root", "GET", "/mux/", 200, "mounted root", ""},
		{"status from the mounted handler", "POST", "/mux/created", 201, "made", ""},
		{"404 inside comes from the mounted handler", "GET", "/mux/nothing", 404, "404 page not found\n", ""},
		{"a Hyperlane route beside the mount wins", "GET", "/mux/own", 200, "hyperlane route beside the mount", ""},
		{"a chi router mounted routes on the stripped path", "GET", "/chi/hi/gopher", 200, "hi gopher", ""},
		{"a path merely starting with the prefix is not mounted", "GET", "/muxx/echo/a", 404, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(s, tc.method, tc.path, "")
			if w.Code != tc.code || (tc.body != "" && w.Body.String() != tc.body) {
				t.Fatalf("%s %s = %d %q, want %d %q", tc.method, tc.path, w.Code, w.Body, tc.code, tc.body)
			}
			if got := w.Header().Get("X-Resp"); got != fmt.Sprint(tc.code) {
				t.Fatalf("response middleware saw status %q, want %d", got, tc.code)
			}
			if tc.prefix != "" && w.Header().Get("X-Mount-Prefix") != tc.prefix {
				t.Fatalf("MountPrefix = %q, want %q", w.Header().Get("X-Mount-Prefix"), tc.prefix)
			}
		})
	}
	t.Run("a mounted Hyperlane app redirects under its prefix", func(t *testing.T) {
		w := do(s, "GET", "/orgs/acme/app/old", "")
		if w.Code != http.StatusFound || w.Header().Get("Location") != "/orgs/acme/app/new" {
			t.Fatalf("got %d Location %q", w.Code, w.Header().Get("Location"))
		}
	})
	t.Run("Routes lists the mount with the handler type", func(t *testing.T) {
		var found bool
		for _, r := range s.Routes() {
			if r.Pattern == "/mux/*" && r.Method == "GET" {
				found = r.Handler == "*http.ServeMux" && r.Meta["mount"] == "/mux"
			}
		}
		if !found {
			t.Fatalf("no GET /mux/* route naming *http.ServeMux in %+v", s.Routes())
		}
	})
}

// A Server is its root group: s.RootGroup is a *Group that registers on
// the server, and the Group methods (Handler among them) are the
// server's, with the root group's middleware.
func TestServerIsItsRootGroup(t *testing.T) {
	s := quiet()
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		c.SetHeader("X-Root", "ran")
		return nil
	})
	module := func(g *hyperlane.Group) { g.Get("/module", say("module route")) }
	module(s.RootGroup)
	bridged := s.Handler(say("bridged"))

	app, bare := httptest.NewServer(s), httptest.NewServer(bridged)
	defer app.Close()
	defer bare.Close()
	for _, tc := range []struct{ name, url, body string }{
		{"a route added through RootGroup is the server's", app.URL + "/module", "module route"},
		{"Server.Handler runs the root group's middleware", bare.URL + "/anything", "bridged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 || string(body) != tc.body || res.Header.Get("X-Root") != "ran" {
				t.Fatalf("got %d %q X-Root %q, want 200 %q with the root middleware", res.StatusCode, body, res.Header.Get("X-Root"), tc.body)
			}
		})
	}
}
