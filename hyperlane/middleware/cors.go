package middleware

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// DefaultCORSMaxAge is how long browsers may cache a preflight answer.
const DefaultCORSMaxAge = 10 * time.Minute

// CORSConfig configures CORS. AllowedOrigins must name at least one
// origin; the other fields have defaults.
type CORSConfig struct {
	// AllowedOrigins lists the origins allowed to read responses:
	// "https://app.example.com" exactly, "https://*.example.com" for any
	// subdomain (not the bare domain), or "*" for every origin. An origin
	// is scheme://host[:port] with no path.
	AllowedOrigins []string
	// AllowedMethods may be requested by a preflight. GET, HEAD and POST
	// need no preflight and are always allowed. Default: GET, HEAD, POST.
	AllowedMethods []string
	// AllowedHeaders may be sent by the client; "*" allows any.
	// Default: Accept, Content-Type, X-Requested-With.
	AllowedHeaders []string
	// ExposedHeaders are response headers the client may read beyond the
	// CORS-safelisted ones (Access-Control-Expose-Headers).
	ExposedHeaders []string
	// AllowCredentials lets the client send cookies and read the response
	// of a credentialed request. It cannot be combined with origin "*".
	AllowCredentials bool
	// MaxAge is how long a preflight answer may be cached, in whole
	// seconds. Default: 10 minutes; negative sends 0 (no caching).
	MaxAge time.Duration
}

// CORS answers cross-origin requests from the allowed origins (see
// CORSConfig). A preflight (OPTIONS with Origin and
// Access-Control-Request-Method) is answered by CORS itself with 204 and
// the request is aborted, so no handler runs; it carries the allowed
// methods, headers and max age only when origin, method and headers are
// all allowed. Other requests from an allowed origin get
// Access-Control-Allow-Origin (and Credentials, Expose-Headers) before
// the handler runs, so error responses and streams carry them too. A
// disallowed origin gets no CORS headers at all. Vary: Origin is set
// whenever the answer depends on the origin.
//
// Install CORS on the Server, not a Group: a preflight for a path with
// no OPTIONS route runs only the server's middleware. Put it before
// middleware that may reject a request (authentication), since browsers
// send preflights without credentials.
//
// CORS panics on a config it cannot honour: no origins, a malformed
// origin, or "*" together with AllowCredentials.
func CORS(cfg CORSConfig) Middleware {
	p := newCORSPolicy(cfg)
	return Middleware{Request: p.handle}
}

// corsPolicy is a CORSConfig checked and prepared for the request path:
// header values are built once and assigned without allocating.
type corsPolicy struct {
	anyOrigin   bool // "*" without credentials: the answer never varies
	exact       []string
	wildcards   []originPattern
	methods     map[string]bool
	anyHeader   bool
	headers     map[string]bool // lower case
	credentials bool

	valMethods []string
	valHeaders []string // configured list, sent when "*" is not used
	valExposed []string
	valMaxAge  []string
	valStar    []string
	valTrue    []string
}

// originPattern is "scheme://*suffix": any non-empty host label run
// between the scheme and the suffix.
type originPattern struct{ prefix, suffix string }

func newCORSPolicy(cfg CORSConfig) *corsPolicy {
	if len(cfg.AllowedOrigins) == 0 {
		panic("middleware: CORS needs at least one entry in AllowedOrigins")
	}
	p := &corsPolicy{
		credentials: cfg.AllowCredentials,
		methods:     map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true},
		headers:     map[string]bool{},
		valStar:     []string{"*"},
		valTrue:     []string{"true"},
	}
	for _, o := range cfg.AllowedOrigins {
		p.addOrigin(o)
	}
	methods := cfg.AllowedMethods
	if methods == nil {
		methods = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	}
	var ms []string
	for _, m := range methods {
		m = strings.ToUpper(strings.TrimSpace(m))
		if m == "" {
			panic("middleware: CORS AllowedMethods holds an empty method")
		}
		p.methods[m] = true
		ms = append(ms, m)
	}
	p.valMethods = []string{strings.Join(ms, ", ")}
	headers := cfg.AllowedHeaders
	if headers == nil {
		headers = []string{"Accept", "Content-Type", "X-Requested-With"}
	}
	var hs []string
	for _, h := range headers {
		h = strings.TrimSpace(h)
		if h == "*" {
			p.anyHeader = true
			continue
		}
		p.headers[strings.ToLower(h)] = true
		hs = append(hs, http.CanonicalHeaderKey(h))
	}
	if len(hs) > 0 {
		p.valHeaders = []string{strings.Join(hs, ", ")}
	}
	if len(cfg.ExposedHeaders) > 0 {
		p.valExposed = []string{strings.Join(cfg.ExposedHeaders, ", ")}
	}
	maxAge := cfg.MaxAge
	switch {
	case maxAge == 0:
		maxAge = DefaultCORSMaxAge
	case maxAge < 0:
		maxAge = 0
	}
	p.valMaxAge = []string{strconv.FormatInt(int64(maxAge/time.Second), 10)}
	return p
}

func (p *corsPolicy) addOrigin(o string) {
	if o == "*" {
		if p.credentials {
			panic(`middleware: CORS origin "*" cannot be combined with AllowCredentials; list the origins instead`)
		}
		p.anyOrigin = true
		return
	}
	scheme, host, ok := strings.Cut(o, "://")
	if !ok || scheme == "" || host == "" || strings.ContainsAny(host, "/?#") {
		panic("middleware: CORS origin " + strconv.Quote(o) + " must be scheme://host[:port], with no path")
	}
	switch strings.Count(host, "*") {
	case 0:
		p.exact = append(p.exact, o)
	case 1:
		if !strings.HasPrefix(host, "*.") || len(host) < 3 {
			panic("middleware: CORS origin pattern " + strconv.Quote(o) + ` may use "*" only as its first label, as in https://*.example.com`)
		}
		p.wildcards = append(p.wildcards, originPattern{prefix: scheme + "://", suffix: host[1:]})
	default:
		panic("middleware: CORS origin pattern " + strconv.Quote(o) + ` has more than one "*"`)
	}
}

func (p *corsPolicy) handle(c *hyperlane.Context) error {
	r := c.Request()
	h := c.ResponseHeader()
	origin := r.Header.Get("Origin")
	preflight := r.Method == http.MethodOptions && origin != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
	if preflight {
		p.preflight(c, r, h, origin)
		return nil
	}
	if p.anyOrigin {
		// The same answer for every origin, with or without one: nothing
		// for a cache to vary on.
		h["Access-Control-Allow-Origin"] = p.valStar
		if p.valExposed != nil {
			h["Access-Control-Expose-Headers"] = p.valExposed
		}
		return nil
	}
	addVary(h, "Origin")
	if origin == "" || !p.allowedOrigin(origin) {
		return nil
	}
	h["Access-Control-Allow-Origin"] = []string{origin}
	if p.credentials {
		h["Access-Control-Allow-Credentials"] = p.valTrue
	}
	if p.valExposed != nil {
		h["Access-Control-Expose-Headers"] = p.valExposed
	}
	return nil
}

// preflight answers an OPTIONS preflight with 204 and aborts the request.
func (p *corsPolicy) preflight(c *hyperlane.Context, r *http.Request, h http.Header, origin string) {
	c.Abort()
	_ = c.NoContent(http.StatusNoContent)
	addVary(h, "Origin")
	addVary(h, "Access-Control-Request-Method")
	addVary(h, "Access-Control-Request-Headers")
	if !p.anyOrigin && !p.allowedOrigin(origin) {
		return
	}
	method := r.Header.Get("Access-Control-Request-Method")
	if !p.methods[strings.ToUpper(method)] {
		return
	}
	requested := strings.Join(r.Header.Values("Access-Control-Request-Headers"), ",")
	if !p.allowedHeaders(requested) {
		return
	}
	if p.anyOrigin {
		h["Access-Control-Allow-Origin"] = p.valStar
	} else {
		h["Access-Control-Allow-Origin"] = []string{origin}
	}
	if p.credentials {
		h["Access-Control-Allow-Credentials"] = p.valTrue
	}
	h["Access-Control-Allow-Methods"] = p.valMethods
	switch {
	case p.anyHeader && requested != "":
		// Echo the request: a literal "*" means no header at all to a
		// credentialed request.
		h["Access-Control-Allow-Headers"] = []string{requested}
	case p.valHeaders != nil:
		h["Access-Control-Allow-Headers"] = p.valHeaders
	}
	h["Access-Control-Max-Age"] = p.valMaxAge
}

func (p *corsPolicy) allowedOrigin(origin string) bool {
	for _, o := range p.exact {
		if strings.EqualFold(o, origin) {
			return true
		}
	}
	for _, w := range p.wildcards {
		if len(origin) <= len(w.prefix)+len(w.suffix) ||
			!hasPrefixFold(origin, w.prefix) || !hasSuffixFold(origin, w.suffix) {
			continue
		}
		if isHostLabels(origin[len(w.prefix) : len(origin)-len(w.suffix)]) {
			return true
		}
	}
	return false
}

// allowedHeaders reports whether every header of a comma-separated
// Access-Control-Request-Headers value is allowed.
func (p *corsPolicy) allowedHeaders(list string) bool {
	if p.anyHeader {
		return true
	}
	for list != "" {
		var name string
		name, list, _ = strings.Cut(list, ",")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !p.headers[strings.ToLower(name)] {
			return false
		}
	}
	return true
}

// isHostLabels reports whether s is one or more DNS labels, the part a
// "*" in an origin pattern stands for.
func isHostLabels(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return !strings.Contains(s, "..")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
