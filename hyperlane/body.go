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
		if d > 0 && errors.Is(err, io.EOF) {
			// At the end of the body net/http starts reading in the
			// background; a read deadline left behind would cancel the
			// request context of a long stream.
			setDeadline(b.c.w, time.Time{}, true)
		}
		// After any other error the deadline stays: it bounds what
		// net/http reads of the rest of the body once the handler
		// returns, before it closes the connection. No read runs in the
		// background until the end of a body, so it cancels nothing.
	}
	return n, err
}

func (b *bodyReader) Close() error { return b.src.Close() }

// boundDrain runs when the response is committed (written at the end of
// the request, or a stream or the raw writer begins). net/http reads what
// is left of a body the handler did not read to its end before it sends
// the headers, so that the connection can serve the next request, and
// after the handler it reads some more while it closes the body, with no
// deadline of its own: a client trickling the body of a request to any
// route, a 404 included, would hold the connection for ever, and one
// that stalled past the read idle timeout would never get its answer.
// What is left gets the read idle timeout to arrive. After a failed read
// (a stall, a broken chunk, the limit) the rest cannot be used, so the
// connection closes after this response, and the read deadline the
// failed read left (passed already after a stall) ends what net/http
// still reads before it closes.
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
		return nil, BodyTooLarge(b.limit)
	}
	buf, err := readBody(b, b.cached[:0], c.r.ContentLength)
	if err != nil {
		if b.limited {
			return nil, BodyTooLarge(b.limit)
		}
		return nil, Errorf(http.StatusBadRequest, "reading request body: %w", err)
	}
	b.cached, b.read = buf, true
	return b.cached, nil
}

// firstBodyChunk is what a body is given before any of it arrives: a
// declared length is a promise, not memory to hand out up front.
const firstBodyChunk = 64 << 10

// readBody reads r to its end into buf. With a declared length the
// buffer doubles until the next step would pass half of it, then jumps
// to the length plus one byte to see the end: a body of n bytes ends in
// a buffer of n, not up to 2n, allocating under 2n in all; and a body
// that stalls has cost at most twice what arrived.
func readBody(r io.Reader, buf []byte, declared int64) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			want := max(2*cap(buf), firstBodyChunk)
			if declared > 0 && int64(len(buf)) <= declared && 2*int64(want) >= declared {
				want = int(declared + 1) // the body and one byte to see its end
			}
			grown := make([]byte, len(buf), want)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// BindJSON decodes the JSON request body into v. A body not declared as
// JSON is 415 (see CheckJSONContentType), one over the limit 413, and an
// empty body, malformed JSON or a value of the wrong type 400 naming the
// offset or field.
func (c *Context) BindJSON(v any) error {
	if !c.live() {
		return ErrContextReleased
	}
	if err := c.CheckJSONContentType(); err != nil {
		return err
	}
	body, err := c.Body()
	if err != nil {
		return err
	}
	return DecodeJSON(body, v)
}

// CheckJSONContentType returns a 415 *HTTPError, naming the type
// expected, when the request's Content-Type does not name JSON
// (application/json or application/*+json, parameters allowed), and nil
// when it does. A request without a Content-Type is refused only when it
// has a body (a Content-Length other than 0, or chunked), and accepted
// on a server built WithUntypedJSON: a browser sends a cross-site
// request with such a body without a CORS preflight. BindJSON and typed
// operations call it before they read the body, so a refused body is
// never read; it is there for handlers that decode JSON their own way.
func (c *Context) CheckJSONContentType() error {
	if !c.live() {
		return ErrContextReleased
	}
	ct := c.r.Header.Get("Content-Type")
	switch {
	case IsJSONContentType(ct):
		return nil
	case ct != "":
		return Errorf(http.StatusUnsupportedMediaType, "Content-Type %q is not JSON: send application/json", ct)
	case c.server.settings.untypedJSON || !hasBody(c.r):
		return nil
	}
	return Error(http.StatusUnsupportedMediaType, "request body has no Content-Type: send application/json")
}

// hasBody reports whether the request declares a body: a Content-Length
// other than 0, or a length unknown (chunked).
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// IsJSONContentType reports whether a Content-Type header names JSON:
// application/json or application/*+json, with any parameters. The
// common spellings are answered without parsing.
func IsJSONContentType(ct string) bool {
	switch ct {
	case "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8", "application/json; charset=UTF-8":
		return true
	case "":
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	sub, ok := strings.CutPrefix(mt, "application/")
	return ok && (sub == "json" || len(sub) > len("+json") && strings.HasSuffix(sub, "+json"))
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
