package hyperlane

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
)

// mountValue is what a request's context says about the mount prefix.
// resolved is set once a Hyperlane server worked the prefix out, so that
// a server mounted inside it (Group.Mount) takes the prefix as given.
type mountValue struct {
	prefix   string
	resolved bool
}

// Which one-time warning; each is logged at most once per server.
const (
	warnGuessed = iota
	warnUnknown
	warnForwarded
	numMountWarnings
)

// maxGuessDepth bounds how many leading segments a non-stripping host's
// path is searched through for the app's routes (see guessMount).
const maxGuessDepth = 8

// resolveMount returns r as the app serves it: carrying, for MountPrefix,
// the whole prefix the app is mounted under, and with the URL's path
// relative to the app. The prefix is read, outermost first, from
//
//   - X-Forwarded-Prefix, believed only from a trusted proxy
//     (WithTrustedProxies, as ClientIP) and only when it is a clean path;
//   - what the host stripped from the path: adapter.Mount and Group.Mount
//     say it in the request, http.StripPrefix leaves the request target
//     (r.RequestURI) longer than the path by exactly the prefix;
//   - chi's Mount and Route, which do not strip the path but record in
//     their route context the path left for the mounted handler.
//
// guess reports whether none of those spoke and the app runs under a
// handler other than itself, so that guessMount may look for the routes
// below leading segments of the path (gin, echo). Without any prefix, r
// is returned as it is, without allocating.
func (s *Server) resolveMount(r *http.Request) (_ *http.Request, guess bool) {
	ctx := r.Context()
	mv, _ := ctx.Value(mountPrefixKey{}).(*mountValue)
	if mv != nil && mv.resolved {
		return r, false
	}
	forwarded := s.forwardedPrefix(r)
	stripped, known := strippedPrefix(r)
	if !known && mv == nil {
		s.warnMount(warnUnknown, "hyperlane: the request path was changed before it reached the app in a way that is not a prefix strip, so its mount prefix is unknown: redirects, problem instances and the OpenAPI servers carry none. Mount the app with http.StripPrefix(prefix, app) or adapter.Mount(prefix, app)",
			"request_target", r.RequestURI, "path", r.URL.Path)
	}
	outer := stripped
	if mv != nil && !strings.HasSuffix(stripped, mv.prefix) {
		outer = mv.prefix // adapter.Mount said it; the target disagrees
	}
	u := r.URL
	if p := r.URL.Path; p == "" || p[0] != '/' {
		// http.StripPrefix("/api/", app) leaves "users" for "/api/users".
		u = &url.URL{}
		*u = *r.URL
		u.Path = "/" + p
		if u.RawPath != "" {
			u.RawPath = "/" + u.RawPath
		}
	}
	inner := ""
	chiSpoke := false
	if rctx := chi.RouteContext(ctx); rctx != nil && rctx.RoutePath != "" {
		chiSpoke = true
		if cut, rest, ok := cutRoutePath(u, rctx.RoutePath); ok && cut != "" {
			if p, ok := cleanPrefix(cut); ok && p != "" {
				inner = p
				u = rest
			}
		}
	}
	guess = mv == nil && stripped == "" && !chiSpoke
	if forwarded == "" && outer == "" && inner == "" && u == r.URL {
		return r, guess // the hot path: not mounted, nothing to copy
	}
	prefix := forwarded + outer + inner
	r2 := r.WithContext(context.WithValue(ctx, mountPrefixKey{}, &mountValue{prefix: prefix, resolved: true}))
	r2.URL = u
	return r2, guess
}

// forwardedPrefix returns the X-Forwarded-Prefix of a trusted proxy in
// the form of CleanMountPrefix, or "" when there is none, when the peer
// is not trusted, or when the value is not a clean path (several values,
// "//host", dot segments, control characters...).
func (s *Server) forwardedPrefix(r *http.Request) string {
	v, ok := r.Header["X-Forwarded-Prefix"]
	if !ok {
		return ""
	}
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || !isTrusted(peer, s.settings.trustedProxies) {
		s.warnMount(warnForwarded, "hyperlane: X-Forwarded-Prefix ignored: the peer is not a trusted proxy; list the proxy with WithTrustedProxies (HYPERLANE_TRUSTED_PROXIES) to believe it",
			"peer", r.RemoteAddr)
		return ""
	}
	if len(v) == 1 {
		if p, ok := cleanPrefix(v[0]); ok {
			return p
		}
	}
	s.warnMount(warnForwarded, "hyperlane: X-Forwarded-Prefix ignored: not one clean path such as /api",
		"peer", r.RemoteAddr, "value", strings.Join(v, ", "))
	return ""
}

// strippedPrefix returns what the host removed from the front of the
// path, comparing the path with the request target as the client sent
// it (r.RequestURI, which http.StripPrefix and adapter.Mount leave as it
// was). known is false when the path was changed in another way.
func strippedPrefix(r *http.Request) (prefix string, known bool) {
	target := r.RequestURI
	if target == "" || target == "*" {
		return "", true // not from a server (a test's request), or OPTIONS *
	}
	if target[0] != '/' { // absolute form: scheme://host/path
		i := strings.Index(target, "://")
		if i < 0 {
			return "", true
		}
		j := strings.IndexByte(target[i+3:], '/')
		if j < 0 {
			return "", true
		}
		target = target[i+3+j:]
	}
	if q := strings.IndexByte(target, '?'); q >= 0 {
		target = target[:q]
	}
	path := r.URL.Path
	if target == path || target == r.URL.RawPath && target != "" {
		return "", true // the fast, common case: nothing stripped
	}
	orig, err := url.PathUnescape(target)
	if err != nil {
		return "", false
	}
	if orig == path || orig == path+"/" || orig+"/" == path {
		return "", true // nothing stripped, or only a trailing slash changed
	}
	if !strings.HasSuffix(orig, path) {
		return "", false
	}
	cut := orig[:len(orig)-len(path)]
	if path != "" && path[0] != '/' {
		if !strings.HasSuffix(cut, "/") {
			return "", false // "/apiusers" stripped to "users": no segment boundary
		}
	}
	p, ok := cleanPrefix(cut)
	if !ok {
		return "", false
	}
	return p, true
}

// cutRoutePath splits u's path where chi's route context says the
// mounted handler's own path (routePath) begins: cut is the decoded
// prefix in front of it, rest a copy of u whose path is routePath. ok is
// false when the path does not end with routePath.
func cutRoutePath(u *url.URL, routePath string) (cut string, rest *url.URL, ok bool) {
	rp := u.Path
	if u.RawPath != "" {
		rp = u.RawPath // chi routes on the raw path when there is one, as Hyperlane does
	}
	var restPath string
	switch {
	case routePath == "/" && !strings.HasSuffix(rp, "/"):
		cut, restPath = rp, "/" // chi Mount("/api", h) sends "/api" to h as "/"
	case strings.HasSuffix(rp, routePath):
		cut, restPath = rp[:len(rp)-len(routePath)], routePath
	default:
		return "", nil, false
	}
	if cut == "" {
		return "", u, true
	}
	out := *u
	if u.RawPath != "" {
		var err1, err2 error
		cut, err1 = url.PathUnescape(cut)
		out.Path, err2 = url.PathUnescape(restPath)
		if err1 != nil || err2 != nil {
			return "", nil, false
		}
		out.RawPath = restPath
		if (&url.URL{Path: out.Path}).EscapedPath() == restPath {
			out.RawPath = ""
		}
	} else {
		out.Path = restPath
	}
	return cut, &out, true
}

// guessMount looks for the app's routes below the first few segments of
// the path of a request no route matched, when the app runs under a
// handler that passes the full path without saying what it routed on
// (gin's WrapH, echo's WrapHandler, any router without StripPrefix). The
// first, shortest, prefix under which some route matches, in any method,
// is taken as the mount prefix, and c's request is replaced by one
// relative to it. The app's root "/" is guessed only under a prefix
// already found that way ("/api/v1/" once "/api/v1/pets" was served), so
// that a path under no route does not reach it. It reports whether it
// found a route.
func (s *Server) guessMount(c *Context, mi int) bool {
	r := c.r
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if srv == nil || srv.Handler == http.Handler(s) {
		return false // the app is the server's own handler: no host around it
	}
	rp := routingPath(r)
	var buf [numMethods + 1]string
	i := 0
	for range maxGuessDepth {
		var cut, rest string
		if j := strings.IndexByte(rp[i+1:], '/'); j >= 0 {
			i += j + 1
			cut, rest = rp[:i], rp[i:]
		} else {
			cut, rest = rp, "/" // "/api/v1" for the root of "/api/v1", as echo sends it
		}
		if rest == "/" && !s.guessed.has(cut) || len(s.router.allowed(c, rest, buf[:0])) == 0 {
			if cut == rp {
				return false
			}
			continue
		}
		if rest != "/" {
			s.guessed.add(cut)
		}
		u := *r.URL
		if r.URL.RawPath != "" {
			var err error
			if cut, err = url.PathUnescape(cut); err != nil {
				return false
			}
			u.Path, _ = url.PathUnescape(rest)
			u.RawPath = rest
			if (&url.URL{Path: u.Path}).EscapedPath() == rest {
				u.RawPath = ""
			}
		} else {
			u.Path = rest
		}
		p, ok := cleanPrefix(cut)
		if !ok || p == "" {
			return false
		}
		prefix := MountPrefix(r) + p
		r2 := r.WithContext(context.WithValue(r.Context(), mountPrefixKey{}, &mountValue{prefix: prefix, resolved: true}))
		r2.URL = &u
		c.r, c.query = r2, nil
		s.warnMount(warnGuessed, "hyperlane: the app is served by a handler that passes it full paths, so its mount prefix was found by matching routes below it; state it with http.StripPrefix(prefix, app) or adapter.Mount(prefix, app) to make it exact",
			"path", r.URL.Path, "prefix", prefix)
		if mi >= 0 {
			c.route = s.router.find(c, mi, routingPath(r2))
		}
		return true
	}
	return false
}

// cleanPrefix returns p in the form of CleanMountPrefix ("/api/" is
// "/api", "" and "/" are ""), or false when p is not a clean path that a
// Location header or a page may carry: it must begin with '/', have no
// empty, "." or ".." segment, and hold only printable characters that
// need no escaping in a path (RFC 3986 unreserved, sub-delimiters but
// ',', ':' and '@'), or valid UTF-8 beyond ASCII.
func cleanPrefix(p string) (string, bool) {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return "", true
	}
	if p[0] != '/' || len(p) > 1024 || !utf8.ValidString(p) {
		return "", false
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
	}
	for i := 0; i < len(p); i++ {
		if b := p[i]; b < utf8.RuneSelf && !pathByte[b] {
			return "", false
		}
	}
	return p, true
}

// pathByte marks the ASCII bytes a clean prefix may hold.
var pathByte = func() (t [utf8.RuneSelf]bool) {
	for _, b := range []byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+;=:@/") {
		t[b] = true
	}
	return t
}()

// warnMount logs one of the mount warnings, once per server.
func (s *Server) warnMount(which int, msg string, args ...any) {
	if s.mountWarned[which].CompareAndSwap(false, true) {
		s.log.Warn(msg, args...)
	}
}

// maxGuessed bounds the prefixes guessMount remembers.
const maxGuessed = 16

// guessedPrefixes are the prefixes guessMount found, as escaped paths:
// under them, and only them, the app's root may be guessed.
type guessedPrefixes struct {
	mu  sync.Mutex
	set map[string]struct{}
}

func (g *guessedPrefixes) has(p string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.set[p]
	return ok
}

func (g *guessedPrefixes) add(p string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.set == nil {
		g.set = make(map[string]struct{})
	}
	if len(g.set) < maxGuessed {
		g.set[p] = struct{}{}
	}
}
