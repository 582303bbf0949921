package hyperlane

import (
	"errors"
	"io"
	"net/http"
)

// This file holds the few hooks that let plain net/http code and
// Hyperlane run each other; package adapter builds on them.

// Handler returns h as an http.Handler that serves every request it gets
// without routing: a pooled Context, the request middleware of the group
// and its parents, h, their response middleware, error handling and one
// buffered write — what a route of the group does once it matched. It lets
// one Hyperlane handler sit on another router. The request carries no
// route, so Param and RoutePattern return ""; Server.Use wrappers do not
// apply.
func (g *Group) Handler(h Handler) http.Handler {
	if h == nil {
		panic("hyperlane: Group.Handler: nil handler")
	}
	s, chain := g.server, g.chain
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := acquireContext(s, w, r)
		c.reqBody.install(c)
		s.run(c, chain, h)
		_ = c.writeBuffered()
		releaseContext(c)
	})
}

// SetRequest replaces the request the Context carries, for code that
// derives a new one, as net/http middleware does with r.WithContext or a
// rewritten URL. The matched route and its parameters stay. A replaced
// Body (request decompression, a size cap) is what Body and BindJSON then
// read, under the same size limit as the original.
func (c *Context) SetRequest(r *http.Request) {
	if !c.live() {
		return
	}
	if r == nil {
		panic("hyperlane: Context.SetRequest(nil)")
	}
	c.r, c.query = r, nil
}

// replacedBody reports whether the request's Body is no longer the one
// the Context installed: SetRequest brought a request whose Body wraps or
// replaced it. Body then reads the new one.
func replacedBody(c *Context) bool {
	body := c.r.Body
	return body != nil && body != http.NoBody && body != io.ReadCloser((*requestBody)(c)) &&
		(c.reqBody.src != nil || c.r.ContentLength != 0)
}

// readReplacedBody is Body for a replaced request body. It reads through
// a limit of its own, since the new body may produce more than the client
// sent (a decompressor), and reports 413 when either limit is exceeded.
func (c *Context) readReplacedBody() ([]byte, error) {
	b := &c.reqBody
	limit := b.limit
	if b.src == nil {
		limit = c.server.settings.maxBodyBytes
	}
	var src io.Reader = c.r.Body
	if limit >= 0 {
		src = io.LimitReader(src, limit+1)
	}
	buf, err := readBody(src, b.cached[:0], -1)
	var mbe *http.MaxBytesError
	switch {
	case limit >= 0 && int64(len(buf)) > limit || errors.As(err, &mbe):
		c.w.Header().Set("Connection", "close")
		return nil, BodyTooLarge(limit)
	case err != nil:
		return nil, Errorf(http.StatusBadRequest, "reading request body: %w", err)
	}
	b.cached, b.read = buf, true
	return b.cached, nil
}

// HandleError turns err into the response now, through the server's
// error handler, as the server does with an error a handler returns. Use
// it where the response must be complete before the handler returns, such
// as inside net/http middleware that wraps the handler and inspects what
// it wrote.
func (c *Context) HandleError(err error) {
	if !c.live() {
		return
	}
	if err != nil {
		c.server.handleError(c, err)
	}
}

// sendHeaderNow makes a writer that holds the status back until the
// first Write (gin's does) send it now, before the connection is hijacked:
// net/http's own writer sends a written status on Hijack, such writers
// would lose it.
func sendHeaderNow(w http.ResponseWriter) {
	if x, ok := w.(interface{ WriteHeaderNow() }); ok {
		x.WriteHeaderNow()
	}
}
