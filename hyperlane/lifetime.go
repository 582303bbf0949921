package hyperlane

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"runtime/debug"
)

// This file holds the life of a Context: the pooled state, the handles
// handed to handlers, and what a handle does once its request is over.

// ErrContextReleased is returned by the methods of a Context that is used
// after its handler returned, such as from a goroutine the handler
// started. The call did nothing. Test for it with errors.Is.
var ErrContextReleased = errors.New("hyperlane: Context used after its handler returned")

// maxPooledBody caps the response buffer a pooled Context keeps, so one
// large response does not pin its memory for the life of the pool.
const maxPooledBody = 64 << 10

// maxHandleSlab bounds how many Context handles one allocation
// provides. A handle is never handed out twice, so that a stale one cannot
// become live again; each pooled state draws its handles from slabs it
// allocates, of 8 handles first, twice as many each time after, up to
// this many (2 KiB): a state that serves one long request costs little,
// a busy one allocates once per 256 requests (8 bytes a request). The
// garbage collector frees a slab once no handle in it is referenced.
const maxHandleSlab = 256

// newHandle returns a handle of st no one has held before.
func (st *contextState) newHandle() *Context {
	if st.next == len(st.handles) {
		st.handles = make([]Context, min(max(2*len(st.handles), 8), maxHandleSlab))
		for i := range st.handles {
			st.handles[i].contextState = st
		}
		st.next = 0
	}
	c := &st.handles[st.next]
	st.next++
	return c
}

func acquireContext(s *Server, w http.ResponseWriter, r *http.Request) *Context {
	st := s.contexts.Get().(*contextState)
	st.w, st.r = w, r
	c := st.newHandle()
	st.owner.Store(c)
	return c
}

func releaseContext(c *Context) {
	st := c.contextState
	// First: every handle issued for this request is stale from here on,
	// before anything it could still reach is reset or reused.
	st.owner.Store(nil)
	if st.stream != nil {
		st.stream.end() // stops its heartbeats before net/http finishes the response
		st.stream = nil
	}
	st.w, st.r, st.route = nil, nil, nil
	st.params = st.params[:0]
	st.status = 0
	if cap(st.body) > maxPooledBody {
		st.body = nil
	}
	st.body = st.body[:0]
	st.committed, st.aborted, st.rwWroteHeader = false, false, false
	st.terminal, st.responding, st.handlingError = termNone, false, false
	if len(st.attrs) > 0 {
		clear(st.attrs)
	}
	st.query = nil
	st.started, st.sent, st.ws = 0, 0, nil
	st.reqBody.reset()
	st.server.contexts.Put(st)
}

// live reports whether c still belongs to its request: whether the state
// still names c its owner. Every method checks it first and does nothing
// when it is false. Only c's own field and the state's atomic owner are
// read before the answer, so a stale handle never reads, let alone
// writes, the state of the request that reuses it.
//
// A Context not made by a server (the zero value) has no state: using it
// panics, as it always did; it is not a Context that outlived its request.
func (c *Context) live() bool {
	return c.contextState.owner.Load() == c || c.released()
}

// released logs the first use of a released Context on a server, with
// the stack that made it, so the bug can be found without taking the
// process down. It returns false, for live.
func (c *Context) released() bool {
	if c.server == nil {
		return false // a state made outside a server, in tests
	}
	if c.server.contextMisused.CompareAndSwap(false, true) {
		c.server.log.Warn("hyperlane: Context used after its handler returned; the call did nothing "+
			"(later uses are not logged). Hand a goroutine Context.Detach's copy instead.",
			"error", ErrContextReleased, "stack", string(debug.Stack()))
	}
	return false
}

// releasedContext is what Context returns on a released Context: already
// cancelled, with ErrContextReleased as its cause. It is never modified.
var releasedContext = func() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(ErrContextReleased)
	return ctx
}()

// releasedRequest is what Request returns on a released Context: an
// empty GET of "/" whose context is cancelled, so code that reads it finds
// nothing instead of crashing. A new one each time: callers may modify it.
func releasedRequest() *http.Request {
	r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{},
		Body: http.NoBody, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, RequestURI: "/"}
	return r.WithContext(releasedContext)
}

// releasedWriter is what Writer and ResponseWriter return on a released
// Context: it writes nothing and says so.
type releasedWriter struct{ h http.Header }

func (w *releasedWriter) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}
func (w *releasedWriter) Write([]byte) (int, error) { return 0, ErrContextReleased }
func (w *releasedWriter) WriteHeader(int)           {}

// releasedStream is what SSE returns on a released Context: a stream that
// has ended with ErrContextReleased, so Send and Comment fail and Done is
// closed.
func releasedStream() *EventStream {
	es := &EventStream{}
	es.ctx, es.cancel = context.WithCancelCause(context.Background())
	es.cancel(ErrContextReleased)
	return es
}

// Flush and FlushError make a late flush, direct or through
// http.ResponseController, report the release too.
func (w *releasedWriter) Flush()            {}
func (w *releasedWriter) FlushError() error { return ErrContextReleased }

// requestBody is the Body of the request a handler sees: the pooled body
// reader, reached through the handle. A goroutine that kept the request
// (not only the Context) then reads nothing of the request the state
// serves next. Closing after the end is harmless and not reported: outer
// net/http code may close the body it handed in.
type requestBody Context

func (b *requestBody) Read(p []byte) (int, error) {
	c := (*Context)(b)
	if !c.live() {
		return 0, ErrContextReleased
	}
	return c.reqBody.Read(p)
}

func (b *requestBody) Close() error {
	c := (*Context)(b)
	if c.contextState.owner.Load() != c {
		return nil
	}
	return c.reqBody.Close()
}
