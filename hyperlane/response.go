package hyperlane

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
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

// ErrCommitted is returned by Send, WriteProblem and the terminal helpers
// (Text, JSON, Redirect, File...) once the response was committed by
// Send, Flush, Writer or a file: what they would write can no longer be.
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
	if c.committed {
		return ErrCommitted
	}
	c.w.Header()["Content-Type"] = valTextPlain
	c.status = code
	c.body = append(c.body[:0], s...)
	return nil
}

// HTML responds with a text/html body.
func (c *Context) HTML(code int, html string) error {
	c.live()
	if c.committed {
		return ErrCommitted
	}
	c.w.Header()["Content-Type"] = valHTML
	c.status = code
	c.body = append(c.body[:0], html...)
	return nil
}

// JSON responds with v encoded as JSON. An encoding error is returned
// (and so becomes a 500) with the body left empty.
func (c *Context) JSON(code int, v any) error {
	c.live()
	if c.committed {
		return ErrCommitted
	}
	c.body = c.body[:0]
	if err := json.NewEncoder((*bodyBuffer)(c)).Encode(v); err != nil {
		c.body = c.body[:0]
		return err
	}
	c.w.Header()["Content-Type"] = valJSON
	c.status = code
	return nil
}

// Blob responds with b and the given content type; an empty content type
// lets net/http sniff one.
func (c *Context) Blob(code int, contentType string, b []byte) error {
	c.live()
	if c.committed {
		return ErrCommitted
	}
	if contentType != "" {
		c.w.Header().Set("Content-Type", contentType)
	}
	c.status = code
	c.body = append(c.body[:0], b...)
	return nil
}

// NoContent responds with code and no body.
func (c *Context) NoContent(code int) error {
	c.live()
	if c.committed {
		return ErrCommitted
	}
	c.status = code
	c.body = c.body[:0]
	return nil
}

// Send writes the status, headers and buffered body now and commits the
// response (Hyperlane's send). Later writes go straight to the client;
// response middleware still runs but can no longer change what was sent.
func (c *Context) Send() error {
	c.live()
	if c.committed {
		return ErrCommitted
	}
	return c.writeOut(false)
}

// Flush commits the response if needed and flushes it to the client, for
// streamed bodies. The write deadline is renewed on every flush.
func (c *Context) Flush() error {
	c.live()
	if !c.committed {
		if err := c.writeOut(false); err != nil {
			return err
		}
	}
	c.extendWriteDeadline()
	return http.NewResponseController(c.w).Flush()
}

// Committed reports whether the response has been sent or taken over.
func (c *Context) Committed() bool { c.live(); return c.committed }

// Responded reports whether a response was set on c: a status (Status,
// or a terminal helper such as JSON, Blob or NoContent), a body, or a
// commit (Send, Flush, Writer). Headers alone do not count. Package
// openapi uses it to tell a typed operation that wrote its own response
// from one that returned nothing by mistake.
func (c *Context) Responded() bool {
	c.live()
	return c.committed || c.status != 0 || len(c.body) > 0
}

// Writer returns the raw http.ResponseWriter and commits the response:
// the buffered status and body are then not written by Hyperlane; the
// caller writes everything itself. Headers set so far are kept.
func (c *Context) Writer() http.ResponseWriter {
	c.live()
	if !c.committed {
		c.committed = true
		c.reqBody.boundDrain()
		c.extendWriteDeadline()
	}
	return c.w
}

// ResponseWriter returns an http.ResponseWriter that writes into the
// Context's buffer, so a net/http handler's response passes through
// response middleware and is written once. Flush and Hijack commit and
// stream, and it works with http.ResponseController.
func (c *Context) ResponseWriter() http.ResponseWriter { c.live(); c.bw.c = c; return &c.bw }

// writeBuffered writes the response at the end of the request: status,
// headers and body, once, with Content-Length.
func (c *Context) writeBuffered() error { return c.writeOut(true) }

// writeOut writes status, headers and body and commits. final says that
// nothing follows (the end of the request): then the body gets its
// Content-Length even beyond net/http's 2 KiB chunking buffer, under
// which net/http computes it itself.
func (c *Context) writeOut(final bool) error {
	c.committed = true
	c.reqBody.boundDrain()
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	h := c.w.Header()
	if final && len(c.body) > 2048 && bodyAllowed(status) {
		if _, ok := h["Content-Length"]; !ok {
			h["Content-Length"] = []string{strconv.Itoa(len(c.body))}
		}
	}
	if final {
		c.renewFinalWriteDeadline()
	} else {
		c.extendWriteDeadline()
	}
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

// extendWriteDeadline renews the write-idle deadline before a write. The
// connection is found before the clock is read, so a writer without
// deadlines (a recorder, a test double) costs no time.Now.
func (c *Context) extendWriteDeadline() {
	if d := c.server.settings.writeIdleTimeout; d > 0 {
		if dl := deadlines(c.w); dl != nil {
			_ = dl.SetWriteDeadline(time.Now().Add(d))
			forgetWriteDeadline(c.r)
		}
	}
}

// connDeadlines is what the writer of a connection offers for deadlines.
type connDeadlines interface {
	SetWriteDeadline(time.Time) error
	SetReadDeadline(time.Time) error
}

// setDeadline sets the write (or read) deadline of the connection behind
// w, when there is one.
func setDeadline(w http.ResponseWriter, t time.Time, read bool) {
	switch dl := deadlines(w); {
	case dl == nil:
	case read:
		_ = dl.SetReadDeadline(t)
	default:
		_ = dl.SetWriteDeadline(t)
	}
}

// deadlines finds the deadline setter behind w, or nil. It walks Unwrap
// itself instead of using http.ResponseController, whose "not supported"
// error would allocate on writers without deadlines, such as
// httptest.ResponseRecorder.
func deadlines(w http.ResponseWriter) connDeadlines {
	for {
		switch x := w.(type) {
		case connDeadlines:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// bodyBuffer appends to the buffered body whatever the response state,
// for encoders that must never reach a committed stream.
type bodyBuffer Context

func (b *bodyBuffer) Write(p []byte) (int, error) {
	b.body = append(b.body, p...)
	return len(p), nil
}

// bufferedWriter is the http.ResponseWriter of Context.ResponseWriter.
// Until the response is committed, WriteHeader sets the Context's status
// and Write appends to its body; after, both go to the client.
type bufferedWriter struct {
	c           *Context
	wroteHeader bool
}

func (b *bufferedWriter) Header() http.Header { return b.c.w.Header() }

func (b *bufferedWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		b.c.w.WriteHeader(code) // informational: sent at once, as net/http does
		return
	}
	if b.wroteHeader {
		return
	}
	b.wroteHeader = true
	if b.c.committed {
		b.c.w.WriteHeader(code)
		return
	}
	b.c.status = code
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if !b.wroteHeader {
		b.WriteHeader(http.StatusOK)
	}
	return b.c.Write(p)
}

// Flush commits what is buffered and flushes it.
func (b *bufferedWriter) Flush() { _ = b.FlushError() }

// FlushError is Flush for http.ResponseController.
func (b *bufferedWriter) FlushError() error {
	if !b.wroteHeader {
		b.WriteHeader(http.StatusOK)
	}
	return b.c.Flush()
}

// Hijack takes over the connection; the response counts as committed.
// A status written before, such as the 101 of a WebSocket handshake, is
// sent first, as net/http does.
func (b *bufferedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	pending := !b.c.committed && (b.c.status != 0 || len(b.c.body) > 0)
	w := b.Unwrap()
	if pending {
		sendHeaderNow(w)
	}
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err == nil {
		b.c.committed = true
	}
	return conn, rw, err
}

// SetReadDeadline is for http.ResponseController.
func (b *bufferedWriter) SetReadDeadline(t time.Time) error {
	return http.NewResponseController(b.c.w).SetReadDeadline(t)
}

// SetWriteDeadline is for http.ResponseController.
func (b *bufferedWriter) SetWriteDeadline(t time.Time) error {
	forgetWriteDeadline(b.c.r)
	return http.NewResponseController(b.c.w).SetWriteDeadline(t)
}

// EnableFullDuplex is for http.ResponseController.
func (b *bufferedWriter) EnableFullDuplex() error {
	return http.NewResponseController(b.c.w).EnableFullDuplex()
}

// Unwrap returns the underlying writer. The response is committed first,
// since whoever unwraps may write around the buffer: what is buffered is
// sent, and a status not chosen yet is left to the caller.
func (b *bufferedWriter) Unwrap() http.ResponseWriter {
	c := b.c
	if !c.committed {
		if c.status == 0 && len(c.body) == 0 {
			c.committed = true
			c.reqBody.boundDrain()
		} else {
			b.wroteHeader = true
			_ = c.writeOut(false)
		}
	}
	return c.w
}
