package hyperlane

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// ErrServerClosing is the cause a WebSocket connection or event stream
// reports when it ended because the server began to shut down.
var ErrServerClosing = errors.New("hyperlane: server shutting down")

// realtime is a Server's view of its long-lived streams. net/http's
// Shutdown does not see hijacked connections, so WebSocket connections are
// counted here and Shutdown waits for their handlers; both WebSocket
// connections and event streams end through ctx, cancelled when Shutdown
// starts.
type realtime struct {
	once   sync.Once
	ctx    context.Context // cancelled with ErrServerClosing by Shutdown
	cancel context.CancelCauseFunc

	streams atomic.Int64 // event streams open, for Server.Stats

	mu    sync.Mutex
	conns map[*Conn]struct{}
	idle  chan struct{} // closed when conns becomes empty; nil while none wait
}

// shutdownContext returns the context cancelled when s begins to shut down.
func (rt *realtime) shutdownContext(s *Server) context.Context {
	rt.once.Do(func() {
		rt.ctx, rt.cancel = context.WithCancelCause(context.Background())
		s.OnShutdown(func() { rt.cancel(ErrServerClosing) })
		// A Shutdown that began before the hook was registered did not
		// run it; it has closed ShuttingDown already.
		select {
		case <-s.ShuttingDown():
			rt.cancel(ErrServerClosing)
		default:
		}
	})
	return rt.ctx
}

// track counts a connection until its handler ends.
func (rt *realtime) track(ws *Conn) {
	rt.mu.Lock()
	if rt.conns == nil {
		rt.conns = make(map[*Conn]struct{})
	}
	rt.conns[ws] = struct{}{}
	rt.mu.Unlock()
}

func (rt *realtime) untrack(ws *Conn) {
	rt.mu.Lock()
	delete(rt.conns, ws)
	if len(rt.conns) == 0 && rt.idle != nil {
		close(rt.idle)
		rt.idle = nil
	}
	rt.mu.Unlock()
}

// drain waits until every WebSocket handler has returned. When ctx ends
// first, the connections left are closed without a handshake and ctx's
// error is returned; their handlers then end on their own.
func (rt *realtime) drain(ctx context.Context) error {
	rt.mu.Lock()
	if len(rt.conns) == 0 {
		rt.mu.Unlock()
		return nil
	}
	if rt.idle == nil {
		rt.idle = make(chan struct{})
	}
	idle := rt.idle
	rt.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
	}
	rt.mu.Lock()
	left := make([]*Conn, 0, len(rt.conns))
	for ws := range rt.conns {
		left = append(left, ws)
	}
	rt.mu.Unlock()
	for _, ws := range left {
		ws.abort(CloseGoingAway, "server shutdown grace period over", ctx.Err())
	}
	return ctx.Err()
}
