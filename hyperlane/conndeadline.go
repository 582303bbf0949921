package hyperlane

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// A buffered response is written once, at the end of its request.
// Renewing the connection's write deadline before each one costs two clock
// reads and a timer update: a few percent of a small request. The deadline
// stays on the connection between requests, so on HTTP/1 the final write
// of a buffered response renews it only when less than half of the
// write-idle timeout is left: that write may still block for at least half
// the timeout, and never for longer than all of it. Whether half is left
// is read from a clock that ticks every clockTick while the server serves
// (a precise clock read costs as much as the renewal), for timeouts long
// enough that its lag is nothing next to half of them. Every other write path
// (a stream, a flush, the raw writer, a deadline set through
// Context.BufferedWriter) renews or sets the deadline itself and so makes
// the next final write renew it again.

// connDeadline is the write deadline this package last set on an HTTP/1
// connection, in Unix nanoseconds; 0 when unknown.
type connDeadline struct{ until atomic.Int64 }

type connDeadlineKey struct{}

// withConnDeadline is the http.Server's ConnContext: one connDeadline per
// connection.
func withConnDeadline(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connDeadlineKey{}, new(connDeadline))
}

func connDeadlineOf(r *http.Request) *connDeadline {
	cd, _ := r.Context().Value(connDeadlineKey{}).(*connDeadline)
	return cd
}

// renewFinalWriteDeadline is extendWriteDeadline for the one write of a
// buffered response at the end of its request.
func (c *Context) renewFinalWriteDeadline() {
	d := c.server.settings.writeIdleTimeout
	if d <= 0 {
		return
	}
	dl := deadlines(c.w)
	if dl == nil {
		return
	}
	var cd *connDeadline
	if c.r.ProtoMajor == 1 { // HTTP/2 deadlines are per stream
		cd = connDeadlineOf(c.r)
	}
	if cd != nil && cd.until.Load()-c.clockNow(d) >= int64(d/2) {
		return
	}
	until := time.Now().Add(d)
	_ = dl.SetWriteDeadline(until)
	if cd != nil {
		cd.until.Store(until.UnixNano())
	}
}

// clockNow is the time, in Unix nanoseconds, for deciding whether half of
// the timeout d is left: from the coarse clock, pushed forward by how far
// it may lag, when d is long enough; read exactly otherwise.
func (c *Context) clockNow(d time.Duration) int64 {
	if d >= coarseTimeout {
		if now := c.server.clock.now.Load(); now != 0 {
			return now + int64(clockSlack)
		}
	}
	return time.Now().UnixNano()
}

// forgetWriteDeadline records that the connection's write deadline was
// set by something other than renewFinalWriteDeadline.
func forgetWriteDeadline(r *http.Request) {
	if cd := connDeadlineOf(r); cd != nil {
		cd.until.Store(0)
	}
}

// coarseClock is the wall clock in Unix nanoseconds, updated every
// clockTick while the server serves; 0 when it does not run.
type coarseClock struct{ now atomic.Int64 }

const (
	clockTick     = 50 * time.Millisecond
	clockSlack    = 10 * clockTick  // how far the clock may lag, a starved ticker included
	coarseTimeout = 2 * time.Second // below it, half the timeout is too close to clockSlack
)

// start runs the clock; calling the function it returns stops it.
func (cl *coarseClock) start() (stop func()) {
	cl.now.Store(time.Now().UnixNano())
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(clockTick)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				cl.now.Store(time.Now().UnixNano())
			case <-done:
				cl.now.Store(0)
				return
			}
		}
	}()
	return func() { close(done) }
}
