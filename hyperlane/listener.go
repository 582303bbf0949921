package hyperlane

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"
)

// listen opens a TCP listener whose socket options are set through
// net.ListenConfig.Control before bind, so they are real kernel options
// (and, on Linux, inherited by accepted sockets). Per-connection options
// that Go exposes are applied again on every accepted connection.
func listen(ctx context.Context, st *settings) (net.Listener, error) {
	lc := net.ListenConfig{
		Control: func(_, _ string, rc syscall.RawConn) error {
			return controlSocket(rc, st, true)
		},
		KeepAlive: st.keepAlive,
	}
	ln, err := lc.Listen(ctx, "tcp", st.addr)
	if err != nil {
		return nil, fmt.Errorf("hyperlane: listen on %s: %w", st.addr, err)
	}
	return &tunedListener{TCPListener: ln.(*net.TCPListener), st: st}, nil
}

// tunedListener applies connection options to each accepted connection.
type tunedListener struct {
	*net.TCPListener
	st *settings
}

func (l *tunedListener) Accept() (net.Conn, error) {
	c, err := l.TCPListener.AcceptTCP()
	if err != nil {
		return nil, err
	}
	if err := tuneConn(c, l.st); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func tuneConn(c *net.TCPConn, st *settings) error {
	if err := c.SetNoDelay(st.noDelay); err != nil {
		return err
	}
	if st.linger >= 0 {
		if err := c.SetLinger(st.linger); err != nil {
			return err
		}
	}
	if st.keepAlive > 0 {
		if err := c.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: st.keepAlive, Interval: st.keepAlive, Count: 9}); err != nil {
			return err
		}
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	return controlSocket(rc, st, false)
}

// limitListener blocks Accept while n connections are open, so excess
// clients wait in the kernel's accept backlog instead of being reset.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			<-l.slots
			return nil, err
		}
		return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
	}
}

func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

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
