package hyperlane

import (
	"net/http"
	"net/url"
	"strings"
)

// Redirect responds with code (a 3xx) and a Location header.
//
//   - A relative URL ("edit", "../list", "?page=2") is resolved against
//     the request path, and a path-absolute one ("/login") is kept; both
//     get the mount prefix when the app is mounted under one (see
//     WithMountPrefix). The result always names a path on this host: its
//     leading slashes are collapsed to one and backslashes are escaped, so
//     a request for "//evil.com/x" redirected to "login" goes to
//     "/evil.com/login" (as net/http's http.Redirect does), never to the
//     host evil.com.
//   - A URL that begins with "//" or "/\" is such a path too, not a
//     scheme-relative URL: Redirect(302, "//evil.com/x") sends
//     "/evil.com/x". A target built as "/" + input thus stays on this host.
//     To send the client to another host, give the scheme
//     ("https://example.org/x").
//   - A URL with a scheme ("https://example.org/x", "mailto:...") is sent
//     as given. Redirect does not check it: a target taken from the request
//     (a "?next=" parameter) must be checked by the handler, for instance
//     by refusing one whose url.Parse has a Scheme or Host.
//
// A code outside 300-399 or a location that does not parse is a 500.
func (c *Context) Redirect(code int, location string) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
	if code < 300 || code > 399 {
		return Errorf(http.StatusInternalServerError, "redirect with non-3xx status %d", code)
	}
	if len(location) > 1 && location[0] == '/' && (location[1] == '/' || location[1] == '\\') {
		// A path that url.Parse would read as //host: keep it a path.
		location = "/" + strings.TrimLeft(location, "/\\")
	}
	u, err := url.Parse(location)
	if err != nil {
		return Errorf(http.StatusInternalServerError, "invalid redirect location: %w", err)
	}
	if u.Scheme == "" && u.Host == "" {
		location = c.localLocation(u)
	}
	c.w.Header().Set("Location", location)
	c.status = code
	c.body = c.body[:0]
	c.setBy(termRedirect)
	return nil
}

// localLocation returns the Location of u, a reference without scheme or
// host: resolved against the request when relative, under the mount
// prefix, and starting with exactly one "/" so that no browser reads it
// as //host or /\host (EscapedPath escapes backslashes).
func (c *Context) localLocation(u *url.URL) string {
	if !strings.HasPrefix(u.Path, "/") {
		u = c.r.URL.ResolveReference(u)
	}
	p := u.EscapedPath()
	if prefix := MountPrefix(c.r); prefix != "" {
		p = (&url.URL{Path: prefix}).EscapedPath() + p
	}
	var b strings.Builder
	b.WriteByte('/')
	b.WriteString(strings.TrimLeft(p, "/"))
	if u.ForceQuery || u.RawQuery != "" {
		b.WriteByte('?')
		b.WriteString(u.RawQuery)
	}
	if u.Fragment != "" {
		b.WriteByte('#')
		b.WriteString(u.EscapedFragment())
	}
	return b.String()
}
