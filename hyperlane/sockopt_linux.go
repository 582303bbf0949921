package hyperlane

import (
	"fmt"
	"math"
	"net"
	"syscall"
)

// soReusePort is SO_REUSEPORT; package syscall does not name it on Linux.
const soReusePort = 0xf

// listenConfig sets every socket option once, on the listening socket.
// Linux copies a listener's options (buffer sizes, TTL, linger,
// keep-alive and its timers) to each socket it accepts, so accepting a
// connection costs no further system call; the tests read the options
// back on accepted connections to prove it. KeepAlive is -1 so that the
// net package does not override the inherited keep-alive settings.
func listenConfig(st *settings) net.ListenConfig {
	return net.ListenConfig{
		Control: func(network, _ string, rc syscall.RawConn) error {
			var err error
			if cerr := rc.Control(func(fd uintptr) { err = setListenerOptions(int(fd), network, st) }); cerr != nil {
				return cerr
			}
			return err
		},
		KeepAlive: -1,
	}
}

// sockopt is one integer socket option.
type sockopt struct {
	level, opt, value int
	name              string
}

func setListenerOptions(fd int, network string, st *settings) error {
	var opts []sockopt
	if st.reusePort {
		opts = append(opts, sockopt{syscall.SOL_SOCKET, soReusePort, 1, "SO_REUSEPORT"})
	}
	if st.readBuffer > 0 {
		opts = append(opts, sockopt{syscall.SOL_SOCKET, syscall.SO_RCVBUF, st.readBuffer, "SO_RCVBUF"})
	}
	if st.writeBuffer > 0 {
		opts = append(opts, sockopt{syscall.SOL_SOCKET, syscall.SO_SNDBUF, st.writeBuffer, "SO_SNDBUF"})
	}
	if st.ttl > 0 {
		if network == "tcp6" {
			opts = append(opts, sockopt{syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, st.ttl, "IPV6_UNICAST_HOPS"})
		} else {
			opts = append(opts, sockopt{syscall.IPPROTO_IP, syscall.IP_TTL, st.ttl, "IP_TTL"})
		}
	}
	if st.keepAlive > 0 {
		secs := max(1, int(st.keepAlive.Seconds()))
		opts = append(opts,
			sockopt{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1, "SO_KEEPALIVE"},
			sockopt{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, secs, "TCP_KEEPIDLE"},
			sockopt{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, secs, "TCP_KEEPINTVL"},
			sockopt{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, keepAliveProbes, "TCP_KEEPCNT"},
		)
	}
	for _, o := range opts {
		if err := syscall.SetsockoptInt(fd, o.level, o.opt, o.value); err != nil {
			return fmt.Errorf("hyperlane: setsockopt %s=%d: %w", o.name, o.value, err)
		}
	}
	if st.ttl > 0 && network == "tcp6" {
		// A dual-stack socket also carries IPv4 traffic; an IPv6-only one
		// refuses the option, and its hop limit is already set.
		_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_TTL, st.ttl)
	}
	if st.linger >= 0 {
		l := syscall.Linger{Onoff: 1, Linger: int32(min(st.linger, math.MaxInt32))} // #nosec G115 -- clamped to int32
		if err := syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &l); err != nil {
			return fmt.Errorf("hyperlane: setsockopt SO_LINGER=%d: %w", st.linger, err)
		}
	}
	return nil
}

// tuneConn applies what an accepted socket does not inherit: the net
// package turns TCP_NODELAY on for every accepted connection, so only
// turning it off needs a call.
func tuneConn(c *net.TCPConn, st *settings) error {
	if !st.noDelay {
		return c.SetNoDelay(false)
	}
	return nil
}
