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
func (c *Context) Status(code int) *Context {
	if c.live() {
		c.status = code
	}
	return c
}

// StatusCode returns the response status set so far (200 if none).
func (c *Context) StatusCode() int {
	if !c.live() {
		return 0
	}
	if c.status == 0 {
		return http.StatusOK
	}
	return c.status
}

// ResponseHeader returns the response header map; changes apply until the
// response is committed.
func (c *Context) ResponseHeader() http.Header {
	if !c.live() {
		return http.Header{} // not sent anywhere
	}
	return c.w.Header()
}

// SetHeader sets a response header, replacing existing values.
func (c *Context) SetHeader(key, value string) *Context {
	if !c.live() {
		return c
	}
	c.w.Header().Set(key, value)
	return c
}

// AddHeader adds a value to a response header.
func (c *Context) AddHeader(key, value string) *Context {
	if !c.live() {
		return c
	}
	c.w.Header().Add(key, value)
	return c
}

// DelHeader removes a response header.
func (c *Context) DelHeader(key string) *Context {
	if !c.live() {
		return c
	}
	c.w.Header().Del(key)
	return c
}

// SetCookie adds a Set-Cookie header; an invalid cookie is dropped, as
// net/http does.
func (c *Context) SetCookie(ck *http.Cookie) *Context {
	if !c.live() {
		return c
	}
	http.SetCookie(c.w, ck)
	return c
}

// SetBody replaces the buffered response body with a copy of b.
func (c *Context) SetBody(b []byte) *Context {
	if !c.live() {
		return c
	}
	c.body = append(c.body[:0], b...)
	return c
}

// SetBodyString replaces the buffered response body with s.
func (c *Context) SetBodyString(s string) *Context {
	if !c.live() {
		return c
	}
	c.body = append(c.body[:0], s...)
	return c
}

// ResponseBody returns the buffered response body, for response
// middleware. The slice is borrowed: valid until the handler returns.
func (c *Context) ResponseBody() []byte {
	if !c.live() {
		return nil
	}
	return c.body
}

// Write appends to the buffered body (Context is an io.Writer, so
// templates and encoders write into it). After the response was
// committed by Send or Flush it writes straight to the client.
func (c *Context) Write(b []byte) (int, error) {
	if !c.live() {
		return 0, ErrContextReleased
	}
	if c.committed {
		c.extendWriteDeadline()
		n, err := c.w.Write(b)
		c.sent += int64(n)
		return n, err
	}
	c.body = append(c.body, b...)
	return len(b), nil
}

// Text responds with a text/plain body.
//
// Text and the other terminal helpers (HTML, JSON, Blob, NoContent,
// Redirect, File, FileFS, WriteProblem) each replace the response an
// earlier one set. When the request middleware or the handler calls a
// second one, the later call wins and the first such override on a route
// is logged as a warning naming both; the error handler and response
// middleware replace the response on purpose and are not checked.
func (c *Context) Text(code int, s string) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
	c.w.Header()["Content-Type"] = valTextPlain
	c.status = code
	c.body = append(c.body[:0], s...)
	c.setBy(termText)
	return nil
}

// HTML responds with a text/html body.
func (c *Context) HTML(code int, html string) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
	c.w.Header()["Content-Type"] = valHTML
	c.status = code
	c.body = append(c.body[:0], html...)
	c.setBy(termHTML)
	return nil
}

// JSON responds with v encoded as JSON. An encoding error is returned
// (and so becomes a 500) with the body left empty.
func (c *Context) JSON(code int, v any) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
	c.body = c.body[:0]
	if err := json.NewEncoder(c).Encode(v); err != nil {
		c.body = c.body[:0]
		return err
	}
	c.w.Header()["Content-Type"] = valJSON
	c.status = code
	c.setBy(termJSON)
	return nil
}

// Blob responds with b and the given content type; an empty content type
// lets net/http sniff one.
func (c *Context) Blob(code int, contentType string, b []byte) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
	if contentType != "" {
		c.w.Header().Set("Content-Type", contentType)
	}
	c.status = code
	c.body = append(c.body[:0], b...)
	c.setBy(termBlob)
	return nil
}

// NoContent responds with code and no body.
func (c *Context) NoContent(code int) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
	c.status = code
	c.body = c.body[:0]
	c.setBy(termNoContent)
	return nil
}

// Send writes the status, headers and buffered body now and commits the
// response (Hyperlane's send). Later writes go straight to the client;
// response middleware still runs but can no longer change what was sent.
func (c *Context) Send() error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.mayRespond(); err != nil {
		return err
	}
	return c.writeOut(false)
}

// Flush commits the response if needed and flushes it to the client, for
// streamed bodies. The write deadline is renewed on every flush.
func (c *Context) Flush() error {
	if !c.live() {
		return ErrContextReleased
	}
	if !c.committed {
		if err := c.writeOut(false); err != nil {
			return err
		}
	}
	c.extendWriteDeadline()
	return http.NewResponseController(c.w).Flush()
}

// Committed reports whether the response has been sent or taken over.
func (c *Context) Committed() bool { return c.live() && c.committed }

// Responded reports whether a response was set on c: a status (Status,
// or a terminal helper such as JSON, Blob or NoContent), a body, or a
// commit (Send, Flush, Writer). Headers alone do not count. Package
// openapi uses it to tell a typed operation that wrote its own response
// from one that returned nothing by mistake.
func (c *Context) Responded() bool {
	if !c.live() {
		return false
	}
	return c.committed || c.status != 0 || len(c.body) > 0
}

// RawWriter commits the response and returns the connection's own
// http.ResponseWriter: from then on Hyperlane writes nothing, not the
// buffered status and body, and response middleware cannot change what
// is sent; the caller writes status and body itself. Headers set so far
// are kept. Use it for streaming and for code that must reach the
// connection; BufferedWriter is the one to hand to a net/http handler.
func (c *Context) RawWriter() http.ResponseWriter {
	if !c.live() {
		return &releasedWriter{}
	}
	if !c.committed {
		c.commit(commitStream)
	}
	return c.w
}

// BufferedWriter returns an http.ResponseWriter that writes into the
// Context's buffer without committing, so a net/http handler's response
// passes through response middleware and is written once. It works with
// http.ResponseController: Flush and Hijack commit and stream; the
// deadlines, EnableFullDuplex and Unwrap commit nothing.
func (c *Context) BufferedWriter() http.ResponseWriter {
	if !c.live() {
		return &releasedWriter{}
	}
	return (*bufferedWriter)(c)
}

// Writer is the old name of RawWriter: it commits the response.
//
// Deprecated: use RawWriter (you write everything, Hyperlane nothing) or
// BufferedWriter (written once, after response middleware). Writer will
// be removed in the next release.
func (c *Context) Writer() http.ResponseWriter {
	if !c.live() {
		return &releasedWriter{}
	}
	return c.RawWriter()
}

// ResponseWriter is the old name of BufferedWriter.
//
// Deprecated: use BufferedWriter. ResponseWriter will be removed in the
// next release.
func (c *Context) ResponseWriter() http.ResponseWriter {
	if !c.live() {
		return &releasedWriter{}
	}
	return c.BufferedWriter()
}

// writeBuffered writes the response at the end of the request: status,
// headers and body, once, with Content-Length; nothing when it was
// committed already.
func (c *Context) writeBuffered() error {
	if c.committed {
		return nil
	}
	return c.writeOut(true)
}

// writeOut writes status, headers and body and commits. final says that
// nothing follows (the end of the request): then the body gets its
// Content-Length even beyond net/http's 2 KiB chunking buffer, under
// which net/http computes it itself.
func (c *Context) writeOut(final bool) error {
	if final {
		c.commit(commitFinal)
	} else {
		c.commit(commitStream)
	}
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
	c.w.WriteHeader(status)
	if len(c.body) == 0 || !bodyAllowed(status) {
		return nil
	}
	n, err := c.w.Write(c.body)
	c.sent += int64(n)
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

// bufferedWriter is the http.ResponseWriter of Context.BufferedWriter.
// Until the response is committed, WriteHeader sets the Context's status
// and Write appends to its body; after, both go to the client. It is the
// Context handle under another type, not part of the pooled state, so a
// net/http handler's goroutine that keeps it finds it released instead of
// another request, and making one costs nothing.
type bufferedWriter Context

func (b *bufferedWriter) ctx() *Context { return (*Context)(b) }

func (b *bufferedWriter) Header() http.Header {
	if !b.ctx().live() {
		return http.Header{}
	}
	return b.ctx().w.Header()
}

func (b *bufferedWriter) WriteHeader(code int) {
	if !b.ctx().live() {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		b.ctx().w.WriteHeader(code) // informational: sent at once, as net/http does
		return
	}
	if b.rwWroteHeader {
		return
	}
	b.rwWroteHeader = true
	if b.ctx().committed {
		b.ctx().w.WriteHeader(code)
		return
	}
	b.ctx().status = code
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if !b.ctx().live() {
		return 0, ErrContextReleased
	}
	if !b.rwWroteHeader {
		b.WriteHeader(http.StatusOK)
	}
	return b.ctx().Write(p)
}

// Flush commits what is buffered and flushes it.
func (b *bufferedWriter) Flush() { _ = b.FlushError() }

// FlushError is Flush for http.ResponseController.
func (b *bufferedWriter) FlushError() error {
	if !b.ctx().live() {
		return ErrContextReleased
	}
	if !b.rwWroteHeader {
		b.WriteHeader(http.StatusOK)
	}
	return b.ctx().Flush()
}

// Hijack takes over the connection and commits the response. A status
// written before, such as the 101 of a WebSocket handshake, is sent first,
// as net/http does. When the connection cannot be hijacked (HTTP/2, a
// writer without Hijack) and nothing was written, the response stays
// uncommitted, so the error can still be answered.
func (b *bufferedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c := b.ctx()
	if !c.live() {
		return nil, nil, ErrContextReleased
	}
	if !c.committed && (c.status != 0 || len(c.body) > 0) {
		b.rwWroteHeader = true
		_ = c.writeOut(false)
		sendHeaderNow(c.w)
	}
	conn, rw, err := http.NewResponseController(c.w).Hijack()
	if err == nil && !c.committed {
		c.commit(commitHijack)
	}
	return conn, rw, err
}

// SetReadDeadline is for http.ResponseController.
func (b *bufferedWriter) SetReadDeadline(t time.Time) error {
	if !b.ctx().live() {
		return ErrContextReleased
	}
	return http.NewResponseController(b.ctx().w).SetReadDeadline(t)
}

// SetWriteDeadline is for http.ResponseController.
func (b *bufferedWriter) SetWriteDeadline(t time.Time) error {
	if !b.ctx().live() {
		return ErrContextReleased
	}
	forgetWriteDeadline(b.ctx().r)
	return http.NewResponseController(b.ctx().w).SetWriteDeadline(t)
}

// EnableFullDuplex is for http.ResponseController.
func (b *bufferedWriter) EnableFullDuplex() error {
	if !b.ctx().live() {
		return ErrContextReleased
	}
	return http.NewResponseController(b.ctx().w).EnableFullDuplex()
}

// Unwrap returns the connection's writer, for wrappers that look for an
// interface beneath. It has no side effect: the response stays buffered
// and response middleware can still change it. http.ResponseController
// never needs it, as every method it calls is implemented above (Flush
// and Hijack commit, the deadlines do not). Bytes written to the returned
// writer bypass the buffer; to write around it, use Context.RawWriter,
// which commits.
func (b *bufferedWriter) Unwrap() http.ResponseWriter {
	if !b.ctx().live() {
		return &releasedWriter{}
	}
	return b.ctx().w
}
