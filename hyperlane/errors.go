package hyperlane

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// HTTPError is an RFC 9457 problem detail. Returned from a handler, it is
// written as application/problem+json with its Status.
type HTTPError struct {
	Type     string        `json:"type,omitempty"`
	Title    string        `json:"title,omitempty"`
	Status   int           `json:"status"`
	Detail   string        `json:"detail,omitempty"`
	Instance string        `json:"instance,omitempty"`
	Errors   []ErrorDetail `json:"errors,omitempty"`

	// Header holds extra response headers, such as Allow on a 405.
	Header http.Header `json:"-"`
	// Err is the cause, logged but never sent to the client.
	Err error `json:"-"`
}

// ErrorDetail locates one problem in the request, such as a field that
// failed validation.
type ErrorDetail struct {
	Location string `json:"location,omitempty"` // "path.id", "query.limit", "body.name"
	Message  string `json:"message"`
	Value    any    `json:"value,omitempty"`
}

// Error returns an HTTPError with the given status and detail.
func Error(status int, detail string) *HTTPError {
	return &HTTPError{Status: status, Detail: detail}
}

// Errorf returns an HTTPError whose detail is formatted; a %w verb keeps
// the wrapped error as the (logged, never sent) cause.
func Errorf(status int, format string, args ...any) *HTTPError {
	err := fmt.Errorf(format, args...)
	return &HTTPError{Status: status, Detail: err.Error(), Err: errors.Unwrap(err)}
}

// Error implements error.
func (e *HTTPError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("%d %s: %s", e.Status, http.StatusText(e.Status), e.Detail)
}

// Unwrap returns the cause.
func (e *HTTPError) Unwrap() error { return e.Err }

// WriteProblem writes e as the response: application/problem+json with
// e.Status, filling Type, Title and Instance when empty.
func (c *Context) WriteProblem(e *HTTPError) error {
	c.live()
	p := *e
	if p.Status < 400 || p.Status > 599 {
		p.Status = http.StatusInternalServerError
	}
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Instance == "" {
		p.Instance = c.r.URL.Path
	}
	h := c.w.Header()
	for k, v := range p.Header {
		h[k] = v
	}
	c.body = c.body[:0]
	if err := json.NewEncoder(c).Encode(&p); err != nil {
		return err
	}
	h["Content-Type"] = valProblem
	h["X-Content-Type-Options"] = valNoSniff
	c.status = p.Status
	return nil
}

// handleError turns err into a response through the server's error
// handler, or the default mapping.
func (s *Server) handleError(c *Context, err error) {
	if s.errorHandler != nil {
		s.errorHandler(c, err)
		return
	}
	DefaultErrorHandler(c, err)
}

// DefaultErrorHandler maps an error to a response: an *HTTPError is
// written as problem+json, an *http.MaxBytesError as 413, and anything
// else as a 500 whose body does not reveal the error, which is logged.
func DefaultErrorHandler(c *Context, err error) {
	var he *HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		if he.Status >= 500 {
			c.Logger().ErrorContext(c.Context(), "request failed",
				"method", c.Method(), "path", c.Path(), "status", he.Status, "error", err)
		}
	case errors.As(err, &mbe):
		he = Errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", mbe.Limit)
	default:
		c.Logger().ErrorContext(c.Context(), "request failed",
			"method", c.Method(), "path", c.Path(), "error", err)
		he = Error(http.StatusInternalServerError, "")
	}
	if werr := c.WriteProblem(he); werr != nil {
		c.Logger().Error("writing problem response", "error", werr)
	}
}
