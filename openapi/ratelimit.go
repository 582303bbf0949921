package openapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi3"
	"github.com/swaggest/openapi-go/openapi31"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// RateLimiter is a rate limit RateLimited can install and document.
// *middleware.RateLimiter (package hyperlane/middleware) is one:
//
//	writes := middleware.NewRateLimiter(middleware.RateLimitConfig{
//		Rate: middleware.Rate{Limit: 5, Period: time.Minute},
//		Key:  middleware.KeyByHeader("X-API-Key"),
//	})
//	openapi.Post(api, "/pets", create, openapi.RateLimited(writes))
type RateLimiter interface {
	// Limit spends one request of the caller's budget: nil to go on, or
	// the 429 problem to answer with.
	Limit(c *hyperlane.Context) error
	// Policy is the RateLimit-Policy header value, such as
	// `"default";q=5;w=60`.
	Policy() string
}

// RateLimited guards a typed operation with l: l.Limit runs before the
// security check and the binding, so a request over the limit costs no
// more than the store's answer. The operation documents a 429 response
// (problem+json with the Retry-After, RateLimit-Policy and RateLimit
// headers), and its success response the RateLimit-Policy and RateLimit
// headers. Several RateLimited options all apply, in order; one limiter
// may guard many operations, which then share its budgets.
//
// Document does not take it (the route's handler is yours): install the
// limiter on the route with hyperlane.WrapHandler or a group, and
// document the 429 with Errors(http.StatusTooManyRequests).
func RateLimited(l RateLimiter) Option {
	if l == nil {
		panic("openapi: RateLimited(nil)")
	}
	return func(c *operationConfig) { c.limiters = append(c.limiters, l) }
}

// limitRoute returns the route option that runs the limiters before the
// operation.
func limitRoute(limiters []RateLimiter) hyperlane.RouteOption {
	return hyperlane.WrapHandler(func(next hyperlane.Handler) hyperlane.Handler {
		return func(c *hyperlane.Context) error {
			for _, l := range limiters {
				if err := l.Limit(c); err != nil {
					return err
				}
			}
			return next(c)
		}
	})
}

// rateLimitHeaders are the headers the limiters' responses carry, for
// the document: the policies joined as one list, as the draft allows.
type rateLimitHeaders struct {
	policies   string
	retryAfter bool // the 429 response
}

func newRateLimitHeaders(limiters []RateLimiter, retryAfter bool) *rateLimitHeaders {
	p := make([]string, len(limiters))
	for i, l := range limiters {
		p[i] = l.Policy()
	}
	return &rateLimitHeaders{policies: strings.Join(p, ", "), retryAfter: retryAfter}
}

type headerDoc struct {
	name, description, typ string
	example                any
}

func (h *rateLimitHeaders) list() []headerDoc {
	var out []headerDoc
	if h.retryAfter {
		out = append(out, headerDoc{"Retry-After", "Seconds until the request would be allowed.", "integer", 12})
	}
	return append(out,
		headerDoc{"RateLimit-Policy", "The quota policies of this operation (draft-ietf-httpapi-ratelimit-headers-10): " +
			"q requests per window of w seconds, per client.", "string", h.policies},
		headerDoc{"RateLimit", "What is left of the client's quota (draft-ietf-httpapi-ratelimit-headers-10): " +
			"r requests now, and all of them back in t seconds.", "string", rateLimitExample(h.policies, h.retryAfter)},
	)
}

// rateLimitExample derives a RateLimit example from the first policy:
// `"default";q=5;w=60` gives `"default";r=0;t=60` when spent, else
// `"default";r=4;t=12`, the answer to a first request.
func rateLimitExample(policies string, spent bool) string {
	first, _, _ := strings.Cut(policies, ",")
	name, params, _ := strings.Cut(strings.TrimSpace(first), ";")
	q, w := "1", "1"
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		switch k {
		case "q":
			q = v
		case "w":
			w = v
		}
	}
	if spent {
		return name + ";r=0;t=" + w
	}
	var n, secs int
	_, _ = fmt.Sscan(q, &n)
	_, _ = fmt.Sscan(w, &secs)
	n = max(n, 1)
	return fmt.Sprintf("%s;r=%d;t=%d", name, n-1, (secs+n-1)/n) // one request spent
}

// customize adds the headers to a response of either document version,
// beside those the library derived.
func (h *rateLimitHeaders) customize(cor openapi.ContentOrReference) {
	switch r := cor.(type) {
	case *openapi31.ResponseOrReference:
		if r.Response == nil {
			return
		}
		for _, hd := range h.list() {
			ex := hd.example
			r.Response.WithHeadersItem(hd.name, openapi31.HeaderOrReference{Header: (&openapi31.Header{
				Schema: map[string]any{"type": hd.typ}, Example: &ex,
			}).WithDescription(hd.description).WithRequired(true)})
		}
	case *openapi3.ResponseOrRef:
		if r.Response == nil {
			return
		}
		for _, hd := range h.list() {
			ex := hd.example
			typ := openapi3.SchemaType(hd.typ)
			r.Response.WithHeadersItem(hd.name, openapi3.HeaderOrRef{Header: (&openapi3.Header{
				Schema: &openapi3.SchemaOrRef{Schema: &openapi3.Schema{Type: &typ}}, Example: &ex,
			}).WithDescription(hd.description).WithRequired(true)})
		}
	}
}

// addTooManyRequests documents the limiters' 429.
func (a *API) addTooManyRequests(oc openapi.OperationContext, limiters []RateLimiter) {
	h := newRateLimitHeaders(limiters, true)
	oc.AddRespStructure(hyperlane.HTTPError{}, openapi.WithHTTPStatus(http.StatusTooManyRequests),
		openapi.WithContentType(mimeProblem), openapi.WithCustomize(h.customize), func(cu *openapi.ContentUnit) {
			cu.Description = "Too many requests: the client's quota (" + h.policies + ") is spent; retry after Retry-After seconds."
		})
}

// then returns a customize function that runs first, then second; either
// may be nil.
func then(first, second func(openapi.ContentOrReference)) func(openapi.ContentOrReference) {
	switch {
	case first == nil:
		return second
	case second == nil:
		return first
	}
	return func(cor openapi.ContentOrReference) { first(cor); second(cor) }
}
