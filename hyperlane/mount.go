package hyperlane

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Mount serves h for prefix and everything below it, under the group's
// prefix: "/api" serves "/api", "/api/" and "/api/...". h sees the path
// with the prefix stripped ("/api/users" arrives as "/users", "/api" as
// "/"), and the request carries the prefix for MountPrefix, so a
// Hyperlane server mounted there keeps it in its redirects. The prefix
// follows CleanMountPrefix, as adapter.Mount's does: "/api/" is "/api",
// and "" or "/" mounts h at the group itself; any other malformed prefix
// panics, naming it. It may hold {name} segments. h writes through
// Context.BufferedWriter, so the group's response middleware applies to
// its answers, its own 404s included.
func (g *Group) Mount(prefix string, h http.Handler) {
	full, err := CleanMountPrefix(prefix)
	if err == nil && g.prefix != "" {
		// Checked again in full: a parameter name may repeat the group's.
		full, err = CleanMountPrefix(g.prefix + full)
	}
	if err != nil {
		panic("hyperlane: " + err.Error())
	}
	if h == nil {
		panic("hyperlane: mount prefix " + quote(prefix) + ": nil handler")
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
		h.ServeHTTP(c.BufferedWriter(), r2)
		return nil
	}
	name := fmt.Sprintf("%T", h)
	opts := []RouteOption{Meta("mount", cmp.Or(full, "/")), func(ri *RouteInfo) { ri.Handler = name }}
	rel := full[len(g.prefix):] // the cleaned prefix, relative to the group
	if full == "" {
		g.Any("/", serve, opts...) // the server's root: "" is no pattern
	} else {
		g.Any(rel, serve, opts...)
	}
	g.Any(rel+"/*", serve, opts...)
}

// CleanMountPrefix checks a mount prefix and returns it in the form
// Group.Mount and adapter.Mount use, with one rule for both: it begins
// with '/'; one trailing '/' is dropped, as net/http's "/api/" subtree
// patterns and chi's Mount let users write it, so "/api/" is "/api";
// "" and "/" are the root and return ""; segments are non-empty, may be
// {name} or {name:regex} parameters, and no catch-all ("*" or
// {name:.*}) is allowed, since a mount already covers everything below
// its prefix. The error names the prefix and the problem.
func CleanMountPrefix(prefix string) (string, error) {
	if prefix == "" || prefix == "/" {
		return "", nil
	}
	bad := func(why string, err error) (string, error) {
		if err != nil {
			return "", fmt.Errorf("mount prefix %s: %w", quote(prefix), err)
		}
		return "", fmt.Errorf("mount prefix %s %s", quote(prefix), why)
	}
	if prefix[0] != '/' {
		return bad("must begin with '/'", nil)
	}
	clean := strings.TrimSuffix(prefix, "/")
	if strings.Contains(clean+"/", "//") { // "//", "/a//b", "/a//"
		return bad("has an empty segment", nil)
	}
	p, err := ParsePattern(clean)
	if err != nil {
		return bad("", err)
	}
	if p.Tail() != "" {
		return bad("must be a plain path, without catch-all", nil)
	}
	return clean, nil
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
	mv := &mountValue{prefix: prefix}
	if outer, _ := r.Context().Value(mountPrefixKey{}).(*mountValue); outer != nil {
		mv.prefix, mv.resolved = outer.prefix+prefix, outer.resolved
	}
	return r.WithContext(context.WithValue(r.Context(), mountPrefixKey{}, mv))
}

// MountPrefix returns the mount prefix of r, or "" when the app is not
// mounted under one. Inside a Hyperlane app it is the whole prefix the
// request reached the app under, however the app was mounted (see
// Server.ServeHTTP).
func MountPrefix(r *http.Request) string {
	if mv, _ := r.Context().Value(mountPrefixKey{}).(*mountValue); mv != nil {
		return mv.prefix
	}
	return ""
}

// MountPrefix returns the path prefix the app is mounted under, or "".
func (c *Context) MountPrefix() string {
	if !c.live() {
		return ""
	}
	return MountPrefix(c.r)
}
