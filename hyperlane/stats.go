package hyperlane

import (
	"net"
	"net/http"
	"sync/atomic"
)

// Stats is a snapshot of what a Server holds open, for health endpoints
// and metrics. Reading it costs a few atomic loads and one short lock.
type Stats struct {
	// OpenConns is the number of HTTP connections open: accepted and not
	// yet closed. A connection that became a WebSocket leaves it and
	// counts in WebSockets instead.
	OpenConns int64
	// MaxConns is the WithMaxConns limit, 0 without one.
	MaxConns int
	// ConnLimitWaits counts the times the server found MaxConns
	// connections open and stopped accepting until one closed; new
	// clients wait in the kernel's accept backlog meanwhile, and are
	// refused by the kernel when it is full.
	ConnLimitWaits uint64
	// AtConnLimit is true while the server waits so.
	AtConnLimit bool
	// WebSockets is the number of WebSocket connections whose handler runs.
	WebSockets int
	// EventStreams is the number of Server-Sent Events streams open.
	EventStreams int64
	// Draining is true once Drain or Shutdown began.
	Draining bool
}

// Stats returns a snapshot of the server's connections and streams.
func (s *Server) Stats() Stats {
	s.rt.mu.Lock()
	ws := len(s.rt.conns)
	s.rt.mu.Unlock()
	return Stats{
		OpenConns:      s.conns.open.Load(),
		MaxConns:       max(s.settings.maxConns, 0),
		ConnLimitWaits: s.conns.limitWaits.Load(),
		AtConnLimit:    s.conns.atLimit.Load(),
		WebSockets:     ws,
		EventStreams:   s.rt.streams.Load(),
		Draining:       s.draining.Load() || isClosed(s.closing),
	}
}

// Ready reports whether the server accepts new work: it is serving and
// neither draining nor shutting down. A readiness probe (such as
// /health/ready) answers from it, so that a load balancer stops sending
// requests as soon as a drain begins, while liveness stays true.
func (s *Server) Ready() bool {
	return isClosed(s.serving) && !s.draining.Load() && !isClosed(s.closing)
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// connCounter counts the server's connections: net/http reports their
// states to track, the connection limit its waits.
type connCounter struct {
	open       atomic.Int64
	limitWaits atomic.Uint64
	atLimit    atomic.Bool
}

// track is the http.Server's ConnState hook.
func (cc *connCounter) track(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		cc.open.Add(1)
	case http.StateClosed, http.StateHijacked:
		cc.open.Add(-1)
	}
}
