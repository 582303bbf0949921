package hyperlane

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
)

// listen opens the server's tuned TCP listener. Its socket options are set
// through net.ListenConfig.Control before bind and listen, so they are
// real kernel options: buffer sizes set there also shape the TCP window
// scale that connections negotiate, which setting them after accept
// cannot do. See sockopt_linux.go for how they reach accepted sockets.
func listen(ctx context.Context, st *settings) (net.Listener, error) {
	lc := listenConfig(st)
	ln, err := lc.Listen(ctx, "tcp", st.addr)
	if err != nil {
		return nil, fmt.Errorf("hyperlane: listen on %s: %w", st.addr, err)
	}
	return &tunedListener{TCPListener: ln.(*net.TCPListener), st: st}, nil
}

// tunedListener applies the per-connection options that a listening
// socket cannot pass on to the connections it accepts.
type tunedListener struct {
	*net.TCPListener
	st *settings
}

// Accept returns the next connection, tuned. A connection that cannot be
// tuned (its peer may already have reset it) is closed and skipped: an
// error returned here would stop http.Server.Serve for good.
func (l *tunedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.AcceptTCP()
		if err != nil {
			return nil, err
		}
		if err := tuneConn(c, l.st); err != nil {
			_ = c.Close()
			continue
		}
		return c, nil
	}
}

// limitListener blocks Accept while n connections are open, so excess
// clients wait in the kernel's accept backlog instead of being reset.
// A slot is held from accept until the connection is closed.
// Each time Accept finds every slot taken it counts a wait in cc, and
// notes that it is waiting until a slot frees.
func limitListener(ln net.Listener, n int, cc *connCounter) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{}), cc: cc}
}

type limitedListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	cc        *connCounter
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		l.cc.limitWaits.Add(1)
		l.cc.atLimit.Store(true)
		select {
		case l.slots <- struct{}{}:
			l.cc.atLimit.Store(false)
		case <-l.done:
			l.cc.atLimit.Store(false)
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: l.release}, nil
}

func (l *limitedListener) release() { <-l.slots }

func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedConn gives its slot back on the first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// ReadFrom keeps net/http's sendfile path for file responses.
func (c *limitedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite lets net/http half-close the connection after a response
// that left request data unread (a body over its limit), so the client
// reads the response before the connection goes away.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
