package hyperlane

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Mount serves h for prefix and everything below it: "/api" serves
// "/api", "/api/" and "/api/...". h sees the path with the prefix
// stripped ("/api/users" arrives as "/users", "/api" as "/"), and the
// request carries the prefix for MountPrefix, so a Hyperlane server
// mounted there keeps it in its redirects. The prefix may hold {name}
// segments. h writes through Context.ResponseWriter, so the group's
// response middleware applies to its answers, its own 404s included.
func (g *Group) Mount(prefix string, h http.Handler) {
	if prefix == "" || prefix[0] != '/' || strings.HasSuffix(prefix, "/") {
		panic("hyperlane: mount prefix " + quote(prefix) + " must begin and must not end with '/'")
	}
	if h == nil {
		panic("hyperlane: mount prefix " + quote(prefix) + ": nil handler")
	}
	full := g.prefix + prefix
	cp, err := compilePattern(full)
	if err != nil {
		panic("hyperlane: mount prefix " + quote(full) + ": " + err.Error())
	}
	if cp.tailName != "" {
		panic("hyperlane: mount prefix " + quote(full) + " must be a plain path, without catch-all")
	}
	depth := strings.Count(full, "/")
	serve := func(c *Context) error {
		r := c.Request()
		raw := routingPath(r)
		rest := stripSegments(raw, depth)
		mounted := raw[:len(raw)-len(rest)]
		u := *r.URL
		if r.URL.RawPath != "" {
			u.RawPath = rest
			u.Path, _ = url.PathUnescape(rest)
			mounted, _ = url.PathUnescape(mounted)
		} else {
			u.Path = rest
		}
		if u.Path == "" {
			u.Path, u.RawPath = "/", ""
		}
		r2 := WithMountPrefix(r, mounted)
		r2.URL = &u
		h.ServeHTTP(c.ResponseWriter(), r2)
		return nil
	}
	name := fmt.Sprintf("%T", h)
	opts := []RouteOption{Meta("mount", full), func(ri *RouteInfo) { ri.Handler = name }}
	g.Any(prefix, serve, opts...)
	g.Any(prefix+"/*", serve, opts...)
}

// stripSegments removes the first n segments of p ("/a/b/c", 1 ->
// "/b/c"); "" when nothing is left.
func stripSegments(p string, n int) string {
	i := 0
	for range n {
		j := strings.IndexByte(p[i+1:], '/')
		if j < 0 {
			return ""
		}
		i += j + 1
	}
	return p[i:]
}

type mountPrefixKey struct{}

// WithMountPrefix returns r carrying the path prefix under which the app
// is mounted in a larger server, so that redirects and generated links
// (such as the OpenAPI servers list) keep it. Package adapter sets it.
func WithMountPrefix(r *http.Request, prefix string) *http.Request {
	if prefix == "" {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), mountPrefixKey{}, MountPrefix(r)+prefix))
}

// MountPrefix returns the mount prefix of r, or "" when the app is not
// mounted under one.
func MountPrefix(r *http.Request) string {
	p, _ := r.Context().Value(mountPrefixKey{}).(string)
	return p
}

// MountPrefix returns the path prefix the app is mounted under, or "".
func (c *Context) MountPrefix() string {
	if !c.live() {
		return ""
	}
	return MountPrefix(c.r)
}
