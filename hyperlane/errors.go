package hyperlane

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
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
	// Err is the cause, never sent to the client. DefaultErrorHandler
	// logs it: at Error level with a 5xx, at Debug level with a 4xx.
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

// Errorf returns an HTTPError whose Detail is formatted as by
// fmt.Errorf, except that the text of each %w operand (the cause) is left
// out, together with the separators (spaces and ":;,-=") before it:
//
//	Errorf(500, "loading user %d: %w", 7, err)    // detail "loading user 7"
//	Errorf(400, "decode %w at offset %d", err, 9) // detail "decode at offset 9"
//	Errorf(502, "%w", err)                        // no detail, only the title
//
// The cause is kept in Err (errors.Join of them when there are several),
// so errors.Is and errors.As see it through the HTTPError, and
// DefaultErrorHandler logs it; its text never reaches the client, whatever
// the status. Format an error with %v to send its text on purpose.
func Errorf(status int, format string, args ...any) *HTTPError {
	err := fmt.Errorf(format, args...)
	wrapped := wrappedArgs(err, format, args)
	if len(wrapped) == 0 {
		return &HTTPError{Status: status, Detail: err.Error()}
	}
	shown := slices.Clone(args)
	causes := make([]error, 0, len(wrapped))
	for _, i := range wrapped {
		causes = append(causes, args[i].(error))
		shown[i] = causeMark{}
	}
	he := &HTTPError{Status: status, Detail: dropCauses(fmt.Errorf(format, shown...).Error()), Err: causes[0]}
	if len(causes) > 1 {
		he.Err = errors.Join(causes...)
	}
	return he
}

// wrappedArgs returns the indexes of the arguments that format wraps
// with %w (err is fmt.Errorf(format, args...)), found by formatting again
// with a numbered stand-in for each error argument and asking the result
// what it wraps.
func wrappedArgs(err error, format string, args []any) []int {
	if errors.Unwrap(err) == nil {
		if _, ok := err.(interface{ Unwrap() []error }); !ok {
			return nil
		}
	}
	var probes []any
	for i, a := range args {
		if _, ok := a.(error); !ok {
			continue
		}
		if probes == nil {
			probes = slices.Clone(args)
		}
		probes[i] = causeProbe{i}
	}
	if probes == nil {
		return nil
	}
	var found []error
	switch w := fmt.Errorf(format, probes...).(type) {
	case interface{ Unwrap() error }:
		found = []error{w.Unwrap()}
	case interface{ Unwrap() []error }:
		found = w.Unwrap()
	}
	var idx []int
	for _, e := range found {
		if p, ok := e.(causeProbe); ok {
			idx = append(idx, p.i)
		}
	}
	return idx
}

// causeProbe stands for error argument i while wrappedArgs looks for %w.
type causeProbe struct{ i int }

func (causeProbe) Error() string { return "" }

// causeMarker is what a cause is formatted as before dropCauses cuts it.
const causeMarker = "\x00hyperlane-cause\x00"

// causeMark stands for a cause in the formatted detail.
type causeMark struct{}

func (causeMark) Error() string                 { return causeMarker }
func (causeMark) Format(s fmt.State, verb rune) { _, _ = io.WriteString(s, causeMarker) }

// causeSeparators are trimmed where a cause is cut out of a detail.
const causeSeparators = " \t:;,-="

// dropCauses cuts each cause out of s with the separators before it ("a:
// <cause>" is "a"), and those after it when nothing precedes ("<cause>:
// b" is "b").
func dropCauses(s string) string {
	parts := strings.Split(s, causeMarker)
	out := parts[0]
	for _, p := range parts[1:] {
		out = strings.TrimRight(out, causeSeparators)
		if out == "" {
			p = strings.TrimLeft(p, causeSeparators)
		}
		out += p
	}
	return out
}

// BodyTooLarge is the 413 problem for a request body over limit bytes:
// the one answer every body reader in Hyperlane and its packages gives.
func BodyTooLarge(limit int64) *HTTPError {
	return Errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", limit)
}

// Error returns the status and the Detail, as sent to the client; the
// cause is not in it (see Unwrap).
func (e *HTTPError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("%d %s: %s", e.Status, http.StatusText(e.Status), e.Detail)
}

// Unwrap returns the cause.
func (e *HTTPError) Unwrap() error { return e.Err }

// WriteProblem writes e as the response: application/problem+json with
// e.Status (500 when it is not a 4xx or 5xx), filling Type, Title and
// Instance when empty. It replaces any buffered body and returns
// ErrCommitted when the response was already sent.
func (c *Context) WriteProblem(e *HTTPError) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
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
		p.Instance = MountPrefix(c.r) + c.r.URL.Path // the path the client asked for
	}
	h := c.w.Header()
	for k, v := range p.Header {
		h[k] = v
	}
	// A length set for the body being replaced would now be wrong.
	delete(h, "Content-Length")
	c.body = c.body[:0]
	if err := json.NewEncoder(c).Encode(&p); err != nil {
		return err
	}
	h["Content-Type"] = valProblem
	h["X-Content-Type-Options"] = valNoSniff
	c.status = p.Status
	c.setBy(termProblem)
	return nil
}

// handleError turns err into a response through the server's error
// handler, or the default mapping. A panicking error handler is logged
// and the default mapping used instead.
func (s *Server) handleError(c *Context, err error) {
	// What the error handler writes replaces the response on purpose.
	outer := c.handlingError
	c.handlingError = true
	defer func() { c.handlingError = outer }()
	if s.errorHandler == nil {
		DefaultErrorHandler(c, err)
		return
	}
	defer func() {
		if rec := recover(); rec != nil {
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			s.log.ErrorContext(c.r.Context(), "panic in error handler",
				"panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			DefaultErrorHandler(c, err)
		}
	}()
	s.errorHandler(c, err)
}

// DefaultErrorHandler maps an error to a response: an *HTTPError is
// written as problem+json, an *http.MaxBytesError as 413, and anything
// else as a 500 whose body does not reveal the error, which is logged.
// Errors of 500 and above are logged at Error level with their cause; a
// 4xx HTTPError with a cause (Err) is logged at Debug level. An error
// that arrives after the response was committed can only be logged.
func DefaultErrorHandler(c *Context, err error) {
	var he *HTTPError
	var mbe *http.MaxBytesError
	var pe panicError
	switch {
	case errors.As(err, &pe):
		// Logged with its stack where it was recovered.
		he = Error(http.StatusInternalServerError, "")
	case errors.As(err, &he):
		switch {
		case he.Status >= 500:
			logError(c, slog.LevelError, err)
		case he.Err != nil:
			// A client's mistake: logged only when asked for, so that
			// clients cannot fill the error log.
			logError(c, slog.LevelDebug, err)
		}
	case errors.As(err, &mbe):
		he = BodyTooLarge(mbe.Limit)
	default:
		logError(c, slog.LevelError, err)
		he = Error(http.StatusInternalServerError, "")
	}
	if werr := c.WriteProblem(he); werr != nil {
		c.Logger().ErrorContext(c.Context(), "error after the response was sent",
			"method", c.Method(), "path", c.Path(), "error", err, "write_error", werr)
	}
}

func logError(c *Context, level slog.Level, err error) {
	args := []any{"method", c.Method(), "path", c.Path(), "error", err}
	var he *HTTPError
	if errors.As(err, &he) {
		args = append(args, "status", he.Status)
		if he.Err != nil {
			args = append(args, "cause", he.Err)
		}
	}
	c.Logger().Log(c.Context(), level, "request failed", args...)
}

// panicError is the error a recovered panic becomes.
type panicError struct{ value any }

func (p panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// recovered logs a panic with its stack, calls the panic hook and returns
// the 500 error that answers it. http.ErrAbortHandler is re-panicked: it
// asks net/http to abort the response.
func (s *Server) recovered(c *Context, rec any) error {
	if rec == http.ErrAbortHandler {
		panic(rec)
	}
	s.log.ErrorContext(c.r.Context(), "panic serving request",
		"method", c.r.Method, "path", c.r.URL.Path, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
	if s.panicHook != nil {
		func() {
			defer func() {
				if r := recover(); r != nil {
					s.log.ErrorContext(c.r.Context(), "panic in panic hook", "panic", fmt.Sprint(r))
				}
			}()
			s.panicHook(c, rec)
		}()
	}
	return &HTTPError{Status: http.StatusInternalServerError, Err: panicError{rec}}
}
