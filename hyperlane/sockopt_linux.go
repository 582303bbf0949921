package hyperlane

import (
	"fmt"
	"syscall"
)

// soReusePort is SO_REUSEPORT on Linux; package syscall does not name it.
const soReusePort = 0xf

// controlSocket sets the configured socket options on a raw socket. On the
// listener it also sets SO_REUSEPORT; buffer sizes and TTL are set on both,
// since not every kernel lets an accepted socket inherit them.
func controlSocket(rc syscall.RawConn, st *settings, listener bool) error {
	var opErr error
	set := func(fd uintptr, level, opt, value int, name string) {
		if opErr == nil {
			if err := syscall.SetsockoptInt(int(fd), level, opt, value); err != nil {
				opErr = fmt.Errorf("hyperlane: setsockopt %s=%d: %w", name, value, err)
			}
		}
	}
	err := rc.Control(func(fd uintptr) {
		if listener && st.reusePort {
			set(fd, syscall.SOL_SOCKET, soReusePort, 1, "SO_REUSEPORT")
		}
		if st.readBuffer > 0 {
			set(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, st.readBuffer, "SO_RCVBUF")
		}
		if st.writeBuffer > 0 {
			set(fd, syscall.SOL_SOCKET, syscall.SO_SNDBUF, st.writeBuffer, "SO_SNDBUF")
		}
		if st.ttl > 0 {
			// The socket may be IPv4 or IPv6; set the option for its family.
			if family, err := syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_DOMAIN); err == nil && family == syscall.AF_INET6 {
				set(fd, syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, st.ttl, "IPV6_UNICAST_HOPS")
				// A dual-stack socket also carries IPv4 traffic.
				if err := syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL, st.ttl); err != nil {
					_ = err // IPv6-only sockets reject it; the hop limit is set
				}
			} else {
				set(fd, syscall.IPPROTO_IP, syscall.IP_TTL, st.ttl, "IP_TTL")
			}
		}
		if st.linger >= 0 {
			l := syscall.Linger{Onoff: 1, Linger: int32(st.linger)}
			if err := syscall.SetsockoptLinger(int(fd), syscall.SOL_SOCKET, syscall.SO_LINGER, &l); err != nil && opErr == nil {
				opErr = fmt.Errorf("hyperlane: setsockopt SO_LINGER=%d: %w", st.linger, err)
			}
		}
	})
	if err != nil {
		return err
	}
	return opErr
}
