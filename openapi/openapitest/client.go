package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// DefaultDocumentPath is where New fetches the document from unless
// WithDocument moves it: the OpenAPI 3.1 JSON that openapi.New serves.
const DefaultDocumentPath = "/openapi.json"

// Client calls an http.Handler in memory and checks every response
// against the OpenAPI 3.1 document the handler serves. A response that
// breaks the document fails the test (t.Errorf) with a message naming
// the request, the operation and what differs; the response is returned
// either way, so the test goes on to assert what it means to.
type Client struct {
	t       testing.TB
	handler http.Handler
	header  http.Header
	docPath string
	doc     *contract
}

// Option configures a Client.
type Option func(*Client)

// WithDocument fetches the document from path instead of
// DefaultDocumentPath: a moved Config.JSONPath, or the path of a mounted
// app ("/api/v1/openapi.json").
func WithDocument(path string) Option { return func(c *Client) { c.docPath = path } }

// WithHeader sends a header on every request that does not set it
// itself, such as an API key.
func WithHeader(name, value string) Option {
	return func(c *Client) { c.header.Add(name, value) }
}

// New fetches the document h serves (GET /openapi.json, see WithDocument)
// and returns a client whose every response is checked against it. The
// test stops (t.Fatalf) when there is no OpenAPI 3.1 document to fetch.
func New(t testing.TB, h http.Handler, opts ...Option) *Client {
	t.Helper()
	c := &Client{t: t, handler: h, header: http.Header{}, docPath: DefaultDocumentPath}
	for _, o := range opts {
		o(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, c.docPath, nil))
	if w.Code != http.StatusOK {
		t.Fatalf("openapitest: GET %s answered %d, not the OpenAPI document (see WithDocument): %.200s", c.docPath, w.Code, w.Body)
		return c
	}
	doc, err := parseContract(w.Body.Bytes())
	if err != nil {
		t.Fatalf("openapitest: GET %s: %v", c.docPath, err)
		return c
	}
	c.doc = doc
	return c
}

// For returns a client on the same app and document that reports to t:
// for subtests, each of which fails on its own.
func (c *Client) For(t testing.TB) *Client {
	clone := *c
	clone.t = t
	return &clone
}

// Get sends GET path; headers are "Name: value" strings.
func (c *Client) Get(path string, headers ...string) *Response {
	c.t.Helper()
	return c.send(http.MethodGet, path, nil, headers)
}

// Delete sends DELETE path; headers are "Name: value" strings.
func (c *Client) Delete(path string, headers ...string) *Response {
	c.t.Helper()
	return c.send(http.MethodDelete, path, nil, headers)
}

// Post sends POST path with body; see Do for how body is sent.
func (c *Client) Post(path string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.send(http.MethodPost, path, body, headers)
}

// Put sends PUT path with body; see Do for how body is sent.
func (c *Client) Put(path string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.send(http.MethodPut, path, body, headers)
}

// Patch sends PATCH path with body; see Do for how body is sent.
func (c *Client) Patch(path string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.send(http.MethodPatch, path, body, headers)
}

// Do sends a request with any method. body nil sends none; a string,
// []byte or io.Reader is sent as it is, as application/json unless a
// Content-Type header says otherwise (so a malformed body is easy to
// send); any other value is encoded as JSON. headers are "Name: value"
// strings and win over WithHeader.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.send(method, path, body, headers)
}

func (c *Client) send(method, path string, body any, headers []string) *Response {
	c.t.Helper()
	if u, err := url.ParseRequestURI(path); err != nil || !strings.HasPrefix(path, "/") || u.Host != "" {
		c.t.Errorf("openapitest: %s %q: want a path that starts with /, such as /pets/1?limit=2; not sent", method, path)
		return &Response{t: c.t}
	}
	r, err := requestBody(body)
	if err != nil {
		c.t.Fatalf("openapitest: %s %s: encoding the body: %v", method, path, err)
		return &Response{t: c.t}
	}
	req := httptest.NewRequest(method, path, r)
	for name, values := range c.header {
		req.Header[name] = values
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			c.t.Errorf("openapitest: %s %s: header %q is not \"Name: value\"; not sent", method, path, h)
			continue
		}
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.Check(req)
}

// Check serves req with the handler, checks the response against the
// document, and returns it: for a request the helpers cannot build.
func (c *Client) Check(req *http.Request) *Response {
	c.t.Helper()
	w := httptest.NewRecorder()
	c.handler.ServeHTTP(w, req)
	res := w.Result()
	resp := &Response{StatusCode: res.StatusCode, Header: res.Header, Body: w.Body.Bytes(), t: c.t}
	if req.Method == http.MethodHead {
		resp.Body = nil // the recorder keeps what a server would not send
	}
	if c.doc == nil {
		return resp // New has failed the test already
	}
	target := req.Method + " " + req.URL.RequestURI()
	op, err := c.doc.match(req.Method, req.URL.EscapedPath())
	if err != nil {
		c.t.Errorf("openapitest: %s answered %d, but %v in %s", target, resp.StatusCode, err, c.docPath)
		return resp
	}
	resp.Operation = op.id
	if problems := c.doc.check(op, resp.StatusCode, resp.Header, resp.Body); len(problems) > 0 {
		c.t.Errorf("openapitest: %s answered %d, which breaks %s in %s:\n\t%s\n\tbody: %s",
			target, resp.StatusCode, op.name(), c.docPath, strings.Join(problems, "\n\t"), excerpt(resp.Body))
	}
	return resp
}

func requestBody(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case string:
		return strings.NewReader(b), nil
	case []byte:
		return bytes.NewReader(b), nil
	case io.Reader:
		return b, nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(raw), nil
}

// excerpt is the start of a body for a message.
func excerpt(body []byte) string {
	const max = 300
	if len(body) == 0 {
		return "(empty)"
	}
	if len(body) > max {
		return fmt.Sprintf("%s... (%d bytes)", body[:max], len(body))
	}
	return string(body)
}

// Response is what the handler answered.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Operation is the operationId the request matched in the document,
	// "" when it matched none or the operation has no id.
	Operation string

	t testing.TB
}

// JSON decodes the body into v; a body that does not decode fails the
// test.
func (r *Response) JSON(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Errorf("openapitest: decoding the %d response into %T: %v; body: %s", r.StatusCode, v, err, excerpt(r.Body))
	}
}

// String is the status and body, for test messages.
func (r *Response) String() string {
	return fmt.Sprintf("%d %s", r.StatusCode, excerpt(r.Body))
}
