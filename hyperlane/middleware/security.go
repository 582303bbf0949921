package middleware

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Omit, as the value of a SecurityConfig header field, leaves that
// header out.
const Omit = "-"

// Defaults of SecurityHeaders.
const (
	DefaultFrameOptions   = "DENY"
	DefaultReferrerPolicy = "strict-origin-when-cross-origin"
	DefaultHSTSMaxAge     = 365 * 24 * time.Hour
)

// SecurityConfig configures SecurityHeaders. The zero value sends
// X-Content-Type-Options: nosniff, X-Frame-Options: DENY,
// Referrer-Policy: strict-origin-when-cross-origin and, over TLS,
// Strict-Transport-Security: max-age=31536000. Set a string field to
// Omit to leave its header out.
type SecurityConfig struct {
	// ContentTypeOptions is X-Content-Type-Options. Default: "nosniff".
	ContentTypeOptions string
	// FrameOptions is X-Frame-Options. Default: "DENY".
	FrameOptions string
	// ReferrerPolicy is Referrer-Policy.
	// Default: "strict-origin-when-cross-origin".
	ReferrerPolicy string
	// ContentSecurityPolicy is Content-Security-Policy. Default: none,
	// since a policy is specific to each app.
	ContentSecurityPolicy string
	// HSTSMaxAge is the max-age of Strict-Transport-Security, sent only
	// on requests that arrived over TLS. Default: one year; negative
	// leaves the header out.
	HSTSMaxAge time.Duration
	// HSTSIncludeSubdomains adds includeSubDomains to the HSTS header.
	HSTSIncludeSubdomains bool
	// HSTSPreload adds preload to the HSTS header.
	HSTSPreload bool
}

// SecurityHeaders sets defensive response headers (see SecurityConfig)
// before the handler runs, so error responses and streams carry them
// too. A header already set is kept, and a handler that sets one itself
// (a documentation page with its own Content-Security-Policy) replaces
// it. Strict-Transport-Security is sent only when the request came over
// TLS; behind a proxy that terminates TLS, let the proxy send it.
// SecurityHeaders has only a request half.
func SecurityHeaders(cfg ...SecurityConfig) Middleware {
	c := singleConfig("SecurityHeaders", cfg)
	var plain, tls []headerValue
	add := func(name, value, def string) {
		if value == "" {
			value = def
		}
		if value != Omit && value != "" {
			plain = append(plain, headerValue{name, []string{value}})
		}
	}
	add("X-Content-Type-Options", c.ContentTypeOptions, "nosniff")
	add("X-Frame-Options", c.FrameOptions, DefaultFrameOptions)
	add("Referrer-Policy", c.ReferrerPolicy, DefaultReferrerPolicy)
	add("Content-Security-Policy", c.ContentSecurityPolicy, "")
	tls = append(tls, plain...)
	if maxAge := c.HSTSMaxAge; maxAge >= 0 {
		if maxAge == 0 {
			maxAge = DefaultHSTSMaxAge
		}
		v := "max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
		if c.HSTSIncludeSubdomains {
			v += "; includeSubDomains"
		}
		if c.HSTSPreload {
			v += "; preload"
		}
		tls = append(tls, headerValue{"Strict-Transport-Security", []string{v}})
	}
	return Middleware{Request: func(ctx *hyperlane.Context) error {
		set := plain
		if ctx.Request().TLS != nil {
			set = tls
		}
		setMissing(ctx.ResponseHeader(), set)
		return nil
	}}
}

// headerValue is a canonical header name and its shared, never modified
// value, assigned into header maps without allocating.
type headerValue struct {
	name  string
	value []string
}

func setMissing(h http.Header, hvs []headerValue) {
	for _, hv := range hvs {
		if _, ok := h[hv.name]; !ok {
			h[hv.name] = hv.value
		}
	}
}
