//go:build !linux

package hyperlane

import (
	"errors"
	"net"
	"syscall"
)

// listenConfig uses the portable net package API: keep-alive through
// ListenConfig, the other options on each accepted connection in
// tuneConn. SO_REUSEPORT and the TTL have no portable API and are
// refused rather than silently ignored.
func listenConfig(st *settings) net.ListenConfig {
	lc := net.ListenConfig{
		Control: func(_, _ string, _ syscall.RawConn) error {
			if st.reusePort || st.ttl > 0 {
				return errors.New("hyperlane: SO_REUSEPORT and TTL are supported on Linux only")
			}
			return nil
		},
		KeepAlive: -1,
	}
	if st.keepAlive > 0 {
		lc.KeepAliveConfig = net.KeepAliveConfig{
			Enable: true, Idle: st.keepAlive, Interval: st.keepAlive, Count: keepAliveProbes,
		}
	}
	return lc
}

func tuneConn(c *net.TCPConn, st *settings) error {
	if !st.noDelay {
		if err := c.SetNoDelay(false); err != nil {
			return err
		}
	}
	if st.linger >= 0 {
		if err := c.SetLinger(st.linger); err != nil {
			return err
		}
	}
	if st.readBuffer > 0 {
		if err := c.SetReadBuffer(st.readBuffer); err != nil {
			return err
		}
	}
	if st.writeBuffer > 0 {
		return c.SetWriteBuffer(st.writeBuffer)
	}
	return nil
}
