package adapter

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Mount returns an http.Handler that serves h, usually a
// *hyperlane.Server, under prefix in a larger router:
//
//	mux.Handle("/api/", adapter.Mount("/api", s))  // net/http ServeMux
//	r.Mount("/api", adapter.Mount("/api", s))      // chi
//
// The prefix is stripped from the path before h sees it, so the app's
// routes are registered without it: "/api" and "/api/" both reach the
// app's "/", and "/api/users/7" its "/users/7". An escaped path
// (r.URL.RawPath) is stripped alike, keeping Path and RawPath consistent;
// a prefix segment spelled with an escaped slash ("/api%2Fusers") is not
// the prefix. The prefix travels in the request (hyperlane.MountPrefix),
// so redirects and the OpenAPI documents keep it. Everything inside the
// prefix, 404 and 405 included, is answered by h; a request outside it,
// which a well-configured router never sends, gets a plain 404.
//
// The ResponseWriter is passed on untouched, so streaming, http.Flusher,
// http.Hijacker and http.ResponseController work through the mount.
//
// A prefix may hold parameter segments, "{name}", each matching any one
// non-empty segment, for hosts that mount under a parameter:
//
//	mux.Handle("/t/{tenant}/api/", adapter.Mount("/t/{tenant}/api", s))
//
// The app then sees the prefix as matched ("/t/acme/api") in MountPrefix;
// the parameter's value is the host's to read (r.PathValue,
// chi.URLParam).
//
// The prefix follows hyperlane.CleanMountPrefix, as Group.Mount's does:
// it begins with '/', a trailing slash is ignored ("/api/" is "/api"),
// and "" or "/" mount at the root. Mount panics on any other prefix,
// naming it.
func Mount(prefix string, h http.Handler) http.Handler {
	if h == nil {
		panic("adapter: Mount " + quote(prefix) + ": nil handler")
	}
	clean, err := hyperlane.CleanMountPrefix(prefix)
	if err != nil {
		panic("adapter: " + err.Error())
	}
	if clean == "" {
		return h
	}
	m := &mount{prefix: clean, h: h}
	// CleanMountPrefix accepted it, so it parses, and has no catch-all.
	p, _ := hyperlane.ParsePattern(clean)
	if segs := p.Segments(); slices.ContainsFunc(segs, isParam) {
		m.segs = segs
	}
	return m
}

// mount is the handler Mount returns.
type mount struct {
	prefix string
	segs   []hyperlane.Segment // the prefix's segments when it has parameters, else nil
	h      http.Handler
}

func (m *mount) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	prefix, ok := m.prefix, true
	if m.segs != nil {
		prefix, ok = matchSegments(r.URL.Path, m.segs)
	}
	var u *url.URL
	if ok {
		u, ok = stripPrefix(r.URL, prefix)
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	r = hyperlane.WithMountPrefix(r, prefix)
	r.URL = u
	m.h.ServeHTTP(w, r)
}

// matchSegments returns the front of path that segs match: a literal
// segment itself, a parameter any one non-empty segment.
func matchSegments(path string, segs []hyperlane.Segment) (string, bool) {
	i := 0
	for _, seg := range segs {
		if i >= len(path) || path[i] != '/' {
			return "", false
		}
		end := strings.IndexByte(path[i+1:], '/')
		if end < 0 {
			end = len(path)
		} else {
			end += i + 1
		}
		got := path[i+1 : end]
		if got == "" || !isParam(seg) && got != seg.Text {
			return "", false
		}
		i = end
	}
	return path[:i], true
}

// isParam reports whether a prefix segment is a parameter. A regular
// expression is not checked here: like "{name}", "{name:regex}" matches
// any one non-empty segment, as it always has in a mount prefix.
func isParam(seg hyperlane.Segment) bool { return seg.Kind != hyperlane.StaticSegment }

// stripPrefix returns a copy of u with prefix, which has no trailing
// slash, removed from the front of its path, or false when the path does
// not lie under prefix. What remains always begins with '/'.
func stripPrefix(u *url.URL, prefix string) (*url.URL, bool) {
	rest, ok := cutSegments(u.Path, prefix)
	if !ok {
		return nil, false
	}
	out := *u
	out.Path, out.RawPath = rest, ""
	if u.RawPath == "" {
		return &out, true
	}
	n, ok := rawLen(u.RawPath, len(prefix))
	if !ok {
		return nil, false
	}
	if p, err := url.PathUnescape(u.RawPath[:n]); err != nil || p != prefix {
		return nil, false
	}
	rawRest, ok := cutSegments(u.RawPath, u.RawPath[:n])
	if !ok {
		return nil, false
	}
	// Keep RawPath only when it says something Path cannot, as net/url does.
	if (&url.URL{Path: rest}).EscapedPath() != rawRest {
		out.RawPath = rawRest
	}
	return &out, true
}

// cutSegments removes prefix from path when it is made of whole
// segments: path is prefix itself or continues with '/'.
func cutSegments(path, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(path, prefix)
	switch {
	case !ok:
		return "", false
	case rest == "":
		return "/", true
	case rest[0] != '/':
		return "", false
	}
	return rest, true
}

// rawLen returns how many bytes of the escaped path raw spell the first n
// bytes of its unescaped form. It fails when raw is shorter or when an
// escaped slash falls inside those bytes: "%2F" joins segments, it does
// not separate them.
func rawLen(raw string, n int) (int, bool) {
	i := 0
	for ; n > 0; n-- {
		if i >= len(raw) {
			return 0, false
		}
		if raw[i] != '%' {
			i++
			continue
		}
		if i+2 >= len(raw) || raw[i+1] == '2' && (raw[i+2] == 'F' || raw[i+2] == 'f') {
			return 0, false
		}
		i += 3
	}
	return i, true
}

func quote(s string) string { return `"` + s + `"` }
