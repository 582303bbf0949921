package hyperlane

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Drain ends serving without losing a request: it stops accepting (new
// clients are refused, or go to another process sharing the socket),
// keeps answering the connections it has for a short settle with
// "Connection: close", then calls Shutdown with the shutdown timeout.
// Run calls it on SIGINT, SIGTERM or cancellation; a process manager
// that hands the socket to a successor calls it once the successor is
// ready. It returns Shutdown's result.
func (s *Server) Drain(ctx context.Context) error {
	grace := s.settings.shutdownTimeout
	settle := min(drainSettle, grace)
	s.log.Info("draining", "settle", settle, "grace", grace)
	s.draining.Store(true)
	s.mu.Lock()
	pl := s.listener
	s.mu.Unlock()
	if pl != nil {
		pl.pause()
		select {
		case <-pl.closed: // Serve ended on its own
		case <-time.After(settle):
		case <-ctx.Done():
		}
	}
	sctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	return s.Shutdown(sctx)
}

// drainSettle is how long Run keeps serving the connections it has after
// it stopped accepting and before net/http's Shutdown begins. Shutdown
// closes keep-alive connections that look idle, though their client may
// be sending a request on them that instant, and drops unanswered a
// request it finishes reading after Shutdown began. During the settle
// every response carries "Connection: close", so that busy keep-alive
// clients get their answer and leave; Shutdown then finds nobody
// mid-request. Measured by e2e/security/drain: without it, every
// keep-alive client busy at the signal lost its request.
const drainSettle = 500 * time.Millisecond

// closeWhileDraining tells the client to close the connection after this
// response once Run has begun to drain. Over HTTP/2 net/http turns it
// into a GOAWAY.
func (s *Server) closeWhileDraining(w http.ResponseWriter) {
	if s.draining.Load() {
		w.Header().Set("Connection", "close")
	}
}

// pausableListener stops accepting without its server noticing: once
// paused its socket is closed, so new clients are refused, and Accept
// waits for Close, which Shutdown calls. Serve would otherwise return
// with the accept error and the drain would not happen.
type pausableListener struct {
	net.Listener
	paused, closed       chan struct{}
	pauseOnce, closeOnce sync.Once
}

func newPausableListener(ln net.Listener) *pausableListener {
	return &pausableListener{Listener: ln, paused: make(chan struct{}), closed: make(chan struct{})}
}

func (l *pausableListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		select {
		case <-l.paused:
			<-l.closed
			return nil, net.ErrClosed
		default:
		}
	}
	return c, err
}

// pause stops accepting; clients already queued in the backlog are reset.
func (l *pausableListener) pause() {
	l.pauseOnce.Do(func() {
		close(l.paused)
		_ = l.Listener.Close()
	})
}

func (l *pausableListener) Close() error {
	l.pause()
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}
