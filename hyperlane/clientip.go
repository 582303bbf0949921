package hyperlane

import (
	"net"
	"net/netip"
	"strings"
)

// ClientIP returns the client's IP address. X-Forwarded-For and X-Real-IP
// are believed only when the peer is a trusted proxy (WithTrustedProxies):
// the address is then the right-most one in X-Forwarded-For that is not a
// trusted proxy itself, so a client cannot spoof it by sending the header.
func (c *Context) ClientIP() string {
	c.live()
	peer := peerAddr(c.r.RemoteAddr)
	trusted := c.server.settings.trustedProxies
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return addrString(peer, c.r.RemoteAddr)
	}
	if xff := c.r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			if a = a.Unmap(); !isTrusted(a, trusted) {
				return a.String()
			}
		}
	}
	if a, err := netip.ParseAddr(strings.TrimSpace(c.r.Header.Get("X-Real-IP"))); err == nil {
		return a.Unmap().String()
	}
	return peer.String()
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func addrString(a netip.Addr, fallback string) string {
	if a.IsValid() {
		return a.String()
	}
	return fallback
}

func isTrusted(a netip.Addr, nets []netip.Prefix) bool {
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
