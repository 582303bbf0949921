package hyperlane

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// bodyReader replaces a request body: it enforces the body limit without
// net/http.MaxBytesReader's allocation, and renews the read deadline
// before every read, so a body that keeps arriving is never cut while one
// that stalls is. It lives inside the pooled Context.
type bodyReader struct {
	c       *Context
	src     io.ReadCloser
	limit   int64 // < 0: no limit
	n       int64
	err     error
	cached  []byte
	read    bool // cached holds the whole body
	limited bool // the limit was exceeded
}

func (b *bodyReader) reset() {
	b.c, b.src, b.err, b.n, b.limited = nil, nil, nil, 0, false
	if cap(b.cached) > maxPooledBody {
		b.cached = nil
	}
	b.cached, b.read = b.cached[:0], false
}

// install puts the reader in front of r.Body when there is a body.
func (b *bodyReader) install(c *Context) {
	r := c.r
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	b.c, b.src, b.limit = c, r.Body, c.server.settings.maxBodyBytes
	r.Body = (*requestBody)(c)
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.limit >= 0 && int64(len(p)) > b.limit-b.n+1 {
		p = p[:b.limit-b.n+1]
	}
	d := b.c.server.settings.readIdleTimeout
	if d > 0 {
		setDeadline(b.c.w, time.Now().Add(d), true)
	}
	n, err := b.src.Read(p)
	b.n += int64(n)
	if b.limit >= 0 && b.n > b.limit {
		n -= int(b.n - b.limit)
		b.n = b.limit
		b.limited = true
		// The rest of the body is not drained: ask net/http to close.
		b.c.w.Header().Set("Connection", "close")
		err = &http.MaxBytesError{Limit: b.limit}
	}
	if err != nil {
		b.err = err
		if d > 0 {
			// A read deadline left behind would cancel the request
			// context of a long stream once net/http reads in background.
			setDeadline(b.c.w, time.Time{}, true)
		}
	}
	return n, err
}

func (b *bodyReader) Close() error { return b.src.Close() }

// boundDrain runs before the response is sent. net/http reads what is
// left of a body the handler did not read to its end before it answers,
// so that the connection can serve the next request, and sets no
// deadline of its own: a client trickling the body of a request to any
// route, a 404 included, would hold the connection for ever, and one
// that stalled past the read idle timeout would never get its answer.
// What is left gets the read idle timeout to arrive; after a failed read
// (a stall, a broken chunk) the rest cannot be found, so the connection
// closes after this response instead.
func (b *bodyReader) boundDrain() {
	switch {
	case b.c == nil || errors.Is(b.err, io.EOF):
		return // no body, or it was read to its end
	case b.err != nil:
		b.c.w.Header().Set("Connection", "close")
	default:
		if d := b.c.server.settings.readIdleTimeout; d > 0 {
			setDeadline(b.c.w, time.Now().Add(d), true)
		}
	}
}

// Body reads the whole request body, at most the server's body limit
// (413 beyond it). It can be called again and returns the same bytes;
// the slice is borrowed, valid until the handler returns.
func (c *Context) Body() ([]byte, error) {
	if !c.live() {
		return nil, ErrContextReleased
	}
	b := &c.reqBody
	if b.read {
		return b.cached, nil
	}
	if replacedBody(c) {
		return c.readReplacedBody()
	}
	if b.src == nil {
		b.read = true
		return nil, nil
	}
	if b.limit >= 0 && c.r.ContentLength > b.limit {
		c.w.Header().Set("Connection", "close")
		return nil, Errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", b.limit)
	}
	buf := bytes.NewBuffer(b.cached[:0])
	if _, err := buf.ReadFrom(b); err != nil {
		if b.limited {
			return nil, Errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", b.limit)
		}
		return nil, Errorf(http.StatusBadRequest, "reading request body: %w", err)
	}
	b.cached, b.read = buf.Bytes(), true
	return b.cached, nil
}

// BindJSON decodes the JSON request body into v. A Content-Type other
// than JSON is 415, a body over the limit 413, and malformed JSON or a
// value of the wrong type 400 naming the offset or field.
func (c *Context) BindJSON(v any) error {
	if !c.live() {
		return ErrContextReleased
	}
	if ct := c.r.Header.Get("Content-Type"); ct != "" && !IsJSONContentType(ct) {
		return Errorf(http.StatusUnsupportedMediaType, "Content-Type %q is not JSON", ct)
	}
	body, err := c.Body()
	if err != nil {
		return err
	}
	return DecodeJSON(body, v)
}

// IsJSONContentType reports whether a Content-Type header names JSON
// (application/json or any +json type).
func IsJSONContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// DecodeJSON decodes body into v, turning decoder errors into 400
// problems that say where the JSON is wrong.
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return Error(http.StatusBadRequest, "request body is empty, expected JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return Errorf(http.StatusBadRequest, "unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil
}

func jsonProblem(err error) *HTTPError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return Errorf(http.StatusBadRequest, "malformed JSON at offset %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		msg := fmt.Sprintf("expected %s, got %s", typ.Type, typ.Value)
		if typ.Field == "" {
			return Errorf(http.StatusBadRequest, "JSON value at offset %d: %s", typ.Offset, msg)
		}
		he := Errorf(http.StatusBadRequest, "JSON field %q: %s", typ.Field, msg)
		he.Errors = []ErrorDetail{{Location: "body." + typ.Field, Message: msg}}
		return he
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Error(http.StatusBadRequest, "malformed JSON: unexpected end of input")
	default:
		return Errorf(http.StatusBadRequest, "malformed JSON: %v", err)
	}
}

// SetBodyLimit changes the body limit for this request, before the body
// is read: a route that expects small bodies can lower the server's.
func (c *Context) SetBodyLimit(n int64) *Context {
	if !c.live() {
		return c
	}
	c.reqBody.limit = n
	return c
}
