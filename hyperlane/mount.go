package hyperlane

import (
	"context"
	"net/http"
)

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
func (c *Context) MountPrefix() string { c.live(); return MountPrefix(c.r) }
