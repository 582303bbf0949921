package openapi

import (
	"net/http"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Option configures one operation: its documentation, its success
// status, the responses it declares and the security it requires.
type Option func(*operationConfig)

type operationConfig struct {
	summary, description string
	tags                 []string
	id                   string
	deprecated           bool
	security             [][]string // alternatives, each: scheme name then scopes
	status               int
	responses            []response
	requestExample       any
	responseExample      any
	request              any                   // Document only: the input struct described
	events               []any                 // Document only: Server-Sent Events payloads
	sseOptions           []hyperlane.SSEOption // SSE only
	routeOptions         []hyperlane.RouteOption
	idPrefix             string        // group only: OperationIDPrefix
	noSecurity           bool          // NoSecurity
	limiters             []RateLimiter // RateLimited, typed operations only
	socket               socketConfig  // WebSocket only: its messages
}

// response is one declared response besides the success one.
type response struct {
	status      int
	body        any // nil: no content; problem or *hyperlane.HTTPError: problem+json
	description string
}

// Summary sets the operation's one-line summary.
func Summary(s string) Option { return func(c *operationConfig) { c.summary = s } }

// Description sets the operation's description (Markdown).
func Description(s string) Option { return func(c *operationConfig) { c.description = s } }

// Tags groups the operation under tags; describe them in Config.Tags.
func Tags(tags ...string) Option {
	return func(c *operationConfig) { c.tags = append(c.tags, tags...) }
}

// OperationID replaces the operation id derived from method and path.
// Ids are unique: registering a second operation with the same id panics.
func OperationID(id string) Option { return func(c *operationConfig) { c.id = id } }

// Deprecated marks the operation deprecated.
func Deprecated() Option { return func(c *operationConfig) { c.deprecated = true } }

// Security requires the named security scheme (see Config.SecuritySchemes)
// with optional OAuth scopes. Several Security options are alternatives:
// a request passes with any one of them. A scheme with a Check function
// is enforced on typed operations before the input is bound, and every
// secured operation documents a 401 response.
func Security(scheme string, scopes ...string) Option {
	return func(c *operationConfig) {
		c.security = append(c.security, append([]string{scheme}, scopes...))
	}
}

// Status sets the success status of a typed operation. The default is
// 200, or 204 when the output type has no body. Registration panics on
// a 1xx, 204 or 304 with an output type that has a body, which HTTP
// would never send.
func Status(code int) Option { return func(c *operationConfig) { c.status = code } }

// Response documents another response the operation may send: its status,
// a value of the body type (nil for no body) and a description. Use a
// *hyperlane.HTTPError (or Errors) for problem+json error responses.
// A body on a 1xx, 204 or 304, which HTTP sends without one, panics at
// registration.
func Response(status int, body any, description string) Option {
	return func(c *operationConfig) {
		c.responses = append(c.responses, response{status, body, description})
	}
}

// Errors documents problem+json error responses the operation may send,
// such as 404 or 409, besides the 400, 422 and 500 every operation has.
func Errors(statuses ...int) Option {
	return func(c *operationConfig) {
		for _, s := range statuses {
			c.responses = append(c.responses, response{s, problem, http.StatusText(s)})
		}
	}
}

// RequestExample sets the example of the request body in the document.
func RequestExample(v any) Option { return func(c *operationConfig) { c.requestExample = v } }

// ResponseExample sets the example of the success response body.
func ResponseExample(v any) Option { return func(c *operationConfig) { c.responseExample = v } }

// Request describes the input of a route registered with Document: a
// struct tagged like the input of a typed operation (path, query,
// header, cookie, json, form). It is documentation only.
func Request(v any) Option { return func(c *operationConfig) { c.request = v } }

// EventStream documents a Server-Sent Events response: a 200 of
// text/event-stream whose events carry the JSON payloads given (one
// value per event type).
func EventStream(payloads ...any) Option {
	return func(c *operationConfig) { c.events = append(c.events, payloads...) }
}

// RouteOptions passes options, such as hyperlane.Meta, to the route a
// typed operation registers.
func RouteOptions(opts ...hyperlane.RouteOption) Option {
	return func(c *operationConfig) { c.routeOptions = append(c.routeOptions, opts...) }
}

// problem stands for the problem+json schema in a response: only its
// type matters.
const problem = problemBody(0)

type problemBody int

// routeOpts are the options of a typed route with operation id id: the
// id as hyperlane.MetaOperationID, the rate limiters (outermost: before
// auth and binding), then the RouteOptions given.
func (c *operationConfig) routeOpts(id string) []hyperlane.RouteOption {
	opts := []hyperlane.RouteOption{hyperlane.Meta(hyperlane.MetaOperationID, id)}
	if len(c.limiters) > 0 {
		opts = append(opts, limitRoute(c.limiters))
	}
	return append(opts, c.routeOptions...)
}
