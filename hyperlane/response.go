package hyperlane

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Shared header values, assigned straight into the header map so that
// setting a common Content-Type costs no allocation. They are never
// modified: Header.Add and Set replace or copy them.
var (
	valTextPlain = []string{"text/plain; charset=utf-8"}
	valJSON      = []string{"application/json; charset=utf-8"}
	valHTML      = []string{"text/html; charset=utf-8"}
	valProblem   = []string{"application/problem+json"}
	valNoSniff   = []string{"nosniff"}
)

// ErrCommitted is returned when a response is written after it was
// already sent with Send, Flush or Writer.
var ErrCommitted = errors.New("hyperlane: response already committed")

// Status sets the response status code.
func (c *Context) Status(code int) *Context { c.live(); c.status = code; return c }

// StatusCode returns the response status set so far (200 if none).
func (c *Context) StatusCode() int {
	c.live()
	if c.status == 0 {
		return http.StatusOK
	}
	return c.status
}

// ResponseHeader returns the response header map; changes apply until the
// response is committed.
func (c *Context) ResponseHeader() http.Header { c.live(); return c.w.Header() }

// SetHeader sets a response header, replacing existing values.
func (c *Context) SetHeader(key, value string) *Context {
	c.live()
	c.w.Header().Set(key, value)
	return c
}

// AddHeader adds a value to a response header.
func (c *Context) AddHeader(key, value string) *Context {
	c.live()
	c.w.Header().Add(key, value)
	return c
}

// DelHeader removes a response header.
func (c *Context) DelHeader(key string) *Context {
	c.live()
	c.w.Header().Del(key)
	return c
}

// SetCookie adds a Set-Cookie header; an invalid cookie is dropped, as
// net/http does.
func (c *Context) SetCookie(ck *http.Cookie) *Context {
	c.live()
	http.SetCookie(c.w, ck)
	return c
}

// SetBody replaces the buffered response body with a copy of b.
func (c *Context) SetBody(b []byte) *Context {
	c.live()
	c.body = append(c.body[:0], b...)
	return c
}

// SetBodyString replaces the buffered response body with s.
func (c *Context) SetBodyString(s string) *Context {
	c.live()
	c.body = append(c.body[:0], s...)
	return c
}

// ResponseBody returns the buffered response body, for response
// middleware. The slice is borrowed: valid until the handler returns.
func (c *Context) ResponseBody() []byte { c.live(); return c.body }

// Write appends to the buffered body (Context is an io.Writer, so
// templates and encoders write into it). After the response was
// committed by Send or Flush it writes straight to the client.
func (c *Context) Write(b []byte) (int, error) {
	c.live()
	if c.committed {
		c.extendWriteDeadline()
		return c.w.Write(b)
	}
	c.body = append(c.body, b...)
	return len(b), nil
}

// Text responds with a text/plain body.
func (c *Context) Text(code int, s string) error {
	c.live()
	c.w.Header()["Content-Type"] = valTextPlain
	c.status = code
	c.body = append(c.body[:0], s...)
	return nil
}

// HTML responds with a text/html body.
func (c *Context) HTML(code int, html string) error {
	c.live()
	c.w.Header()["Content-Type"] = valHTML
	c.status = code
	c.body = append(c.body[:0], html...)
	return nil
}

// JSON responds with v encoded as JSON.
func (c *Context) JSON(code int, v any) error {
	c.live()
	c.body = c.body[:0]
	if err := json.NewEncoder(c).Encode(v); err != nil {
		c.body = c.body[:0]
		return err
	}
	c.w.Header()["Content-Type"] = valJSON
	c.status = code
	return nil
}

// Blob responds with b and the given content type.
func (c *Context) Blob(code int, contentType string, b []byte) error {
	c.live()
	c.w.Header().Set("Content-Type", contentType)
	c.status = code
	c.body = append(c.body[:0], b...)
	return nil
}

// NoContent responds with code and no body.
func (c *Context) NoContent(code int) error {
	c.live()
	c.status = code
	c.body = c.body[:0]
	return nil
}

// Redirect responds with code (a 3xx) and a Location header. A relative
// URL is resolved against the request path, and a path-absolute one gets
// the mount prefix when the app is mounted under one (see WithMountPrefix).
func (c *Context) Redirect(code int, location string) error {
	c.live()
	if code < 300 || code > 399 {
		return Errorf(http.StatusInternalServerError, "redirect with non-3xx status %d", code)
	}
	u, err := url.Parse(location)
	if err != nil {
		return Errorf(http.StatusInternalServerError, "invalid redirect location: %v", err)
	}
	if u.Scheme == "" && u.Host == "" {
		if !strings.HasPrefix(u.Path, "/") && u.Path != "" {
			u = c.r.URL.ResolveReference(u)
			u.Scheme, u.Host, u.User = "", "", nil
		}
		if strings.HasPrefix(u.Path, "/") {
			u.Path = MountPrefix(c.r) + u.Path
		}
		location = u.String()
	}
	c.w.Header().Set("Location", location)
	c.status = code
	c.body = c.body[:0]
	return nil
}

// Send writes the status, headers and buffered body now and commits the
// response (Hyperlane's send). Later writes go straight to the client.
func (c *Context) Send() error {
	c.live()
	if c.committed {
		return ErrCommitted
	}
	return c.writeBuffered()
}

// Flush commits the response if needed and flushes it to the client, for
// streamed bodies. The write deadline is renewed on every flush.
func (c *Context) Flush() error {
	c.live()
	if !c.committed {
		if err := c.writeBuffered(); err != nil {
			return err
		}
	}
	c.extendWriteDeadline()
	return http.NewResponseController(c.w).Flush()
}

// Committed reports whether the response has been sent or taken over.
func (c *Context) Committed() bool { c.live(); return c.committed }

// Writer returns the raw http.ResponseWriter and commits the response:
// the buffered status and body are then not written by Hyperlane; the
// caller writes everything itself.
func (c *Context) Writer() http.ResponseWriter {
	c.live()
	if !c.committed {
		c.committed = true
		c.extendWriteDeadline()
	}
	return c.w
}

// ResponseWriter returns an http.ResponseWriter that writes into the
// Context's buffer, so a net/http handler's response passes through
// response middleware. Flush and Hijack commit and stream; Unwrap returns
// the underlying writer for http.ResponseController.
func (c *Context) ResponseWriter() http.ResponseWriter { c.live(); c.bw.c = c; return &c.bw }

// writeBuffered writes status, headers and body once, with Content-Length.
func (c *Context) writeBuffered() error {
	c.committed = true
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	h := c.w.Header()
	// net/http computes Content-Length itself for a body that fits its
	// 2 KiB chunking buffer; beyond that, say it so the body is not chunked.
	if len(c.body) > 2048 && bodyAllowed(status) {
		if _, ok := h["Content-Length"]; !ok {
			h["Content-Length"] = []string{strconv.Itoa(len(c.body))}
		}
	}
	c.extendWriteDeadline()
	c.w.WriteHeader(status)
	if len(c.body) == 0 || !bodyAllowed(status) {
		return nil
	}
	_, err := c.w.Write(c.body)
	return err
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// extendWriteDeadline renews the write-idle deadline before a write.
func (c *Context) extendWriteDeadline() {
	if d := c.server.settings.writeIdleTimeout; d > 0 {
		setDeadline(c.w, time.Now().Add(d), false)
	}
}

// setDeadline sets the write (or read) deadline of the connection behind
// w. It walks Unwrap itself instead of using http.ResponseController,
// whose "not supported" error would allocate on writers without
// deadlines, such as httptest.ResponseRecorder.
func setDeadline(w http.ResponseWriter, t time.Time, read bool) {
	for {
		switch x := w.(type) {
		case interface {
			SetWriteDeadline(time.Time) error
			SetReadDeadline(time.Time) error
		}:
			if read {
				_ = x.SetReadDeadline(t)
			} else {
				_ = x.SetWriteDeadline(t)
			}
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}

// bufferedWriter is the http.ResponseWriter of Context.ResponseWriter.
type bufferedWriter struct{ c *Context }

func (b *bufferedWriter) Header() http.Header { return b.c.w.Header() }

func (b *bufferedWriter) WriteHeader(code int) {
	switch {
	case b.c.committed:
		b.c.w.WriteHeader(code)
	case b.c.status == 0:
		b.c.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.c.status == 0 {
		b.c.status = http.StatusOK
	}
	return b.c.Write(p)
}

func (b *bufferedWriter) Flush() { _ = b.c.Flush() }

func (b *bufferedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !b.c.committed {
		b.c.committed = true
	}
	return http.NewResponseController(b.c.w).Hijack()
}

// Unwrap returns the underlying writer. The response is committed first,
// since whoever unwraps may write around the buffer.
func (b *bufferedWriter) Unwrap() http.ResponseWriter {
	if !b.c.committed {
		_ = b.c.writeBufferedHeaderOnly()
	}
	return b.c.w
}

// writeBufferedHeaderOnly commits status and buffered body without
// writing the status for a handler that has not chosen one yet.
func (c *Context) writeBufferedHeaderOnly() error {
	if c.status == 0 && len(c.body) == 0 {
		c.committed = true
		return nil
	}
	return c.writeBuffered()
}
