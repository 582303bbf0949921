package hyperlane_test

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// TestMiddlewareOnionOrder checks the order of docs/middleware.md over a
// real socket with three levels (server, group, nested group): request
// middleware runs outer-first, response middleware inner-first, each
// level's in the order registered, and a route runs only its own groups.
// A request middleware that fails skips the handler, and every response
// middleware still runs, in the same order.
func TestMiddlewareOnionOrder(t *testing.T) {
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	s.RequestMiddleware(trace("server-req-1"), trace("server-req-2"))
	s.ResponseMiddleware(trace("server-resp-1"), trace("server-resp-2"))
	handler := func(c *hyperlane.Context) error {
		c.AddHeader("X-Trace", "handler")
		return c.Text(http.StatusOK, "ok")
	}
	s.Get("/pets", handler)
	s.Group("/outer", func(g *hyperlane.Group) {
		g.RequestMiddleware(trace("outer-req"))
		g.ResponseMiddleware(trace("outer-resp"))
		g.Get("/pets", handler)
		g.Group("/inner", func(g *hyperlane.Group) {
			g.RequestMiddleware(trace("inner-req"), func(c *hyperlane.Context) error {
				if strings.HasSuffix(c.Path(), "/fail") {
					return hyperlane.Error(http.StatusForbidden, "no")
				}
				return nil
			})
			g.ResponseMiddleware(trace("inner-resp-1"), trace("inner-resp-2"))
			g.Get("/pets", handler)
			g.Get("/fail", handler)
		})
	})
	addr := liveAddr(t, s)

	cases := []struct {
		name   string
		path   string
		status int
		want   []string
	}{
		{"server route: server request middleware, handler, server response middleware", "/pets", 200,
			[]string{"server-req-1", "server-req-2", "handler", "server-resp-1", "server-resp-2"}},
		{"group route: request outer-first, response inner-first", "/outer/pets", 200,
			[]string{"server-req-1", "server-req-2", "outer-req", "handler", "outer-resp", "server-resp-1", "server-resp-2"}},
		{"nested group route: three levels, an onion", "/outer/inner/pets", 200,
			[]string{"server-req-1", "server-req-2", "outer-req", "inner-req", "handler",
				"inner-resp-1", "inner-resp-2", "outer-resp", "server-resp-1", "server-resp-2"}},
		{"failing request middleware: no handler, response middleware still runs inner-first", "/outer/inner/fail", 403,
			[]string{"server-req-1", "server-req-2", "outer-req", "inner-req",
				"inner-resp-1", "inner-resp-2", "outer-resp", "server-resp-1", "server-resp-2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := rawGet(t, addr, tc.path)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Values("X-Trace"); !slices.Equal(got, tc.want) {
				t.Errorf("order:\n got %s\nwant %s", strings.Join(got, " → "), strings.Join(tc.want, " → "))
			}
		})
	}
}

// TestResponseMiddlewareSeesInnerBody checks what the onion is for: a
// server-level response middleware reads the body as the group's
// response middleware left it, and its change is the one sent.
func TestResponseMiddlewareSeesInnerBody(t *testing.T) {
	s := hyperlane.New(hyperlane.WithAddr("127.0.0.1:0"), hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	s.ResponseMiddleware(func(c *hyperlane.Context) error {
		c.SetBodyString("server saw [" + string(c.ResponseBody()) + "]")
		return nil
	})
	s.Group("/api", func(g *hyperlane.Group) {
		g.ResponseMiddleware(func(c *hyperlane.Context) error {
			c.SetBodyString("group saw [" + string(c.ResponseBody()) + "]")
			return nil
		})
		g.Get("/x", func(c *hyperlane.Context) error { return c.Text(http.StatusOK, "handler") })
	})
	addr := liveAddr(t, s)
	_, body := rawGet(t, addr, "/api/x")
	if want := "server saw [group saw [handler]]"; body != want {
		t.Fatalf("body %q, want %q", body, want)
	}
}
