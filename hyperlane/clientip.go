package hyperlane

import (
	"net"
	"net/netip"
	"strings"
)

// ClientIP returns the client's IP address. X-Forwarded-For and X-Real-IP
// are believed only when the peer is a trusted proxy (WithTrustedProxies):
// the address is then the right-most one in X-Forwarded-For that is not a
// trusted proxy itself (the left-most when all are), so a client cannot
// spoof it by sending the header; without X-Forwarded-For, X-Real-IP.
// A hop that is not an address makes the whole X-Forwarded-For ignored.
func (c *Context) ClientIP() string {
	if !c.live() {
		return ""
	}
	peer := peerAddr(c.r.RemoteAddr)
	trusted := c.server.settings.trustedProxies
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return addrString(peer, c.r.RemoteAddr)
	}
	if xff := c.r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		var left netip.Addr
		for i := len(hops) - 1; i >= 0; i-- {
			a := parseHop(hops[i])
			if !a.IsValid() {
				left = netip.Addr{} // a garbled chain: believe none of it
				break
			}
			if !isTrusted(a, trusted) {
				return a.String()
			}
			left = a
		}
		if left.IsValid() {
			return left.String() // every hop is a proxy: the first is the client
		}
	}
	if a := parseHop(c.r.Header.Get("X-Real-IP")); a.IsValid() {
		return a.String()
	}
	return peer.String()
}

// parseHop parses one address of a forwarding header: "1.2.3.4",
// "2001:db8::1", or either with a port ("1.2.3.4:80", "[2001:db8::1]:80").
// The zero Addr means it is not an address.
func parseHop(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
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
