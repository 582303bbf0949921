package middleware

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Timeout is net/http middleware, for Server.Use, that gives each request
// a budget of d. When the budget is spent, the handler's request context
// is cancelled (ctx.Err() is context.DeadlineExceeded and context.Cause
// names the timeout) and, unless the handler started its response in
// time, the client gets 503 with an application/problem+json body.
// Whatever the late handler writes afterwards is discarded: its writes
// return http.ErrHandlerTimeout and never reach the connection.
//
// The handler runs in a goroutine of its own while Timeout waits for it
// or for the deadline; that goroutine, a context with its timer and a
// shallow copy of the request are the cost, per request. Nothing is
// buffered: the response goes straight through once the handler starts
// writing it, and from then on Timeout waits for the handler to finish
// (a response already under way cannot become a 503), so a response
// that is flushed as it is made streams normally. Hyperlane writes a
// buffered response in one go when the handler and response middleware
// are done, so for them the budget covers all of that work.
//
// A timed-out handler is not stopped, only told through its context:
// Timeout answers and returns at once, and the handler's goroutine
// finishes on its own. That is safe with Hyperlane, whose pipeline owns
// its pooled Context until it returns; handlers that ignore their
// context keep using CPU until they end.
//
// WebSocket upgrades and event streams (Accept: text/event-stream) pass
// through untouched, since they are meant to outlive any budget. Timeout
// panics if d is not positive.
func Timeout(d time.Duration) func(http.Handler) http.Handler {
	if d <= 0 {
		panic(fmt.Sprintf("middleware: Timeout needs a positive duration, got %v", d))
	}
	cause := fmt.Errorf("middleware: handler exceeded its %v timeout: %w", d, context.DeadlineExceeded)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isLongLived(r) {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithTimeoutCause(r.Context(), d, cause)
			defer cancel()
			tw := timeoutWriters.Get().(*timeoutWriter)
			tw.w, tw.ctx = w, ctx
			go tw.serve(next, r.WithContext(ctx))
			gotDone := false
			select {
			case <-tw.done:
				gotDone = true
			case <-ctx.Done():
			}
			if won, finished := tw.expire(); won {
				if r.Context().Err() == nil { // else the client is gone
					writeTimeoutProblem(w, r, d)
				}
				if finished { // else tw now belongs to the handler's goroutine
					if !gotDone {
						<-tw.done
					}
					tw.reset()
				}
				return
			}
			if !gotDone {
				<-tw.done // the response is under way: let the handler end it
			}
			p := tw.panicked
			tw.finish(w)
			if p != nil {
				panic(p)
			}
		})
	}
}

// isLongLived reports whether r asks for a WebSocket or an event stream.
func isLongLived(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" && hasToken(r.Header.Get("Connection"), "upgrade") {
		return true
	}
	for _, a := range r.Header.Values("Accept") {
		if strings.Contains(a, "text/event-stream") {
			return true
		}
	}
	return false
}

// timeoutWriter stands between a handler and the real writer. Until the
// handler writes, headers go to a map of its own and the deadline can
// still win; the first write claims the real writer under mu, and from
// then on the handler owns it. Once the deadline won, the handler never
// touches the real writer again.
type timeoutWriter struct {
	mu       sync.Mutex
	w        http.ResponseWriter
	ctx      context.Context // the handler's, with the deadline
	header   http.Header
	claimed  bool // the handler owns w
	finished bool // the handler returned
	late     bool // ... after its context ended
	expired  bool // the deadline won: w is no longer ours
	panicked any
	done     chan struct{} // signalled when the handler returns unless expired
}

var timeoutWriters = sync.Pool{New: func() any {
	return &timeoutWriter{header: make(http.Header), done: make(chan struct{}, 1)}
}}

// serve runs the handler; on the handler's goroutine.
func (tw *timeoutWriter) serve(next http.Handler, r *http.Request) {
	defer func() {
		rec := recover()
		tw.mu.Lock()
		tw.finished, tw.late, tw.panicked = true, tw.ctx.Err() != nil, rec
		expired := tw.expired
		tw.mu.Unlock()
		if expired {
			// Timeout has answered and returned: a late panic has no one
			// to reach, and tw goes back to the pool from here.
			tw.reset()
			return
		}
		tw.done <- struct{}{}
	}()
	next.ServeHTTP(tw, r)
}

// expire decides, once the handler finished or the deadline passed, who
// answers. The handler does when it claimed the response in time or
// finished in time; otherwise the deadline wins (won) and the real
// writer is no longer the handler's. finished reports whether the
// handler had returned.
func (tw *timeoutWriter) expire() (won, finished bool) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.claimed || (tw.finished && !tw.late) {
		return false, tw.finished
	}
	tw.expired = true
	return true, tw.finished
}

// finish completes a response the handler left unclaimed (only headers,
// or nothing) and returns tw to the pool.
func (tw *timeoutWriter) finish(w http.ResponseWriter) {
	if !tw.claimed && len(tw.header) > 0 {
		copyHeader(w.Header(), tw.header)
	}
	tw.reset()
}

func (tw *timeoutWriter) reset() {
	tw.w, tw.ctx, tw.panicked = nil, nil, nil
	tw.claimed, tw.finished, tw.late, tw.expired = false, false, false, false
	clear(tw.header)
	timeoutWriters.Put(tw)
}

// claim hands the real writer to the handler, unless the deadline
// passed first. It must hold tw.mu.
func (tw *timeoutWriter) claim() bool {
	switch {
	case tw.expired:
		return false
	case tw.claimed:
		return true
	case tw.ctx.Err() != nil:
		return false // too late: the deadline answers
	}
	tw.claimed = true
	copyHeader(tw.w.Header(), tw.header)
	return true
}

// Header returns the handler's header map until the response starts,
// then the real one (for trailers).
func (tw *timeoutWriter) Header() http.Header {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.claimed && !tw.expired {
		return tw.w.Header()
	}
	return tw.header
}

func (tw *timeoutWriter) WriteHeader(code int) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		if !tw.expired && !tw.claimed && tw.ctx.Err() == nil {
			copyHeader(tw.w.Header(), tw.header) // 1xx carry the headers so far
			tw.w.WriteHeader(code)
		}
		return
	}
	if tw.claim() {
		tw.w.WriteHeader(code)
	}
}

func (tw *timeoutWriter) Write(p []byte) (int, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if !tw.claim() {
		return 0, http.ErrHandlerTimeout
	}
	return tw.w.Write(p)
}

// FlushError flushes the real writer; used by http.ResponseController.
func (tw *timeoutWriter) FlushError() error {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if !tw.claim() {
		return http.ErrHandlerTimeout
	}
	return http.NewResponseController(tw.w).Flush()
}

// Flush implements http.Flusher.
func (tw *timeoutWriter) Flush() { _ = tw.FlushError() }

// Hijack takes over the connection; the deadline can then no longer
// answer for the handler.
func (tw *timeoutWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if !tw.claim() {
		return nil, nil, http.ErrHandlerTimeout
	}
	return http.NewResponseController(tw.w).Hijack()
}

// SetReadDeadline renews the connection's read deadline while the
// request is still ours, so body-reading deadlines keep working.
func (tw *timeoutWriter) SetReadDeadline(t time.Time) error {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.expired {
		return http.ErrHandlerTimeout
	}
	return http.NewResponseController(tw.w).SetReadDeadline(t)
}

// SetWriteDeadline renews the connection's write deadline while the
// request is still ours.
func (tw *timeoutWriter) SetWriteDeadline(t time.Time) error {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.expired {
		return http.ErrHandlerTimeout
	}
	return http.NewResponseController(tw.w).SetWriteDeadline(t)
}

func copyHeader(dst, src http.Header) {
	for k, vv := range src {
		dst[k] = vv
	}
}

// writeTimeoutProblem answers for a handler over its budget.
func writeTimeoutProblem(w http.ResponseWriter, r *http.Request, d time.Duration) {
	body, _ := json.Marshal(&hyperlane.HTTPError{
		Type:     "about:blank",
		Title:    http.StatusText(http.StatusServiceUnavailable),
		Status:   http.StatusServiceUnavailable,
		Detail:   fmt.Sprintf("the request took longer than %v", d),
		Instance: r.URL.Path,
	})
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(body)
}
