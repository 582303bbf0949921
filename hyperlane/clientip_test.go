package hyperlane_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestClientIP(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		peer    string
		xff     []string
		realIP  string
		want    string
	}{
		{"no proxies trusted: the peer", nil, "203.0.113.5:4000", nil, "", "203.0.113.5"},
		{"spoofed X-Forwarded-For from an untrusted peer is ignored", nil, "203.0.113.5:4000", []string{"1.2.3.4"}, "", "203.0.113.5"},
		{"spoofed X-Real-IP from an untrusted peer is ignored", nil, "203.0.113.5:4000", nil, "1.2.3.4", "203.0.113.5"},
		{"a peer outside the trusted CIDRs is not believed", []string{"10.0.0.0/8"}, "192.0.2.1:1", []string{"1.2.3.4"}, "5.6.7.8", "192.0.2.1"},
		{"trusted proxy: X-Forwarded-For", []string{"10.0.0.0/8"}, "10.1.2.3:80", []string{"198.51.100.7"}, "", "198.51.100.7"},
		{"trusted proxies are skipped from the right", []string{"10.0.0.0/8"}, "10.0.0.1:80", []string{"198.51.100.7, 10.0.0.2, 10.0.0.3"}, "", "198.51.100.7"},
		{"a client-sent hop left of the real client is ignored", []string{"10.0.0.0/8"}, "10.0.0.1:80", []string{"6.6.6.6, 198.51.100.7"}, "", "198.51.100.7"},
		{"several X-Forwarded-For headers are one list", []string{"10.0.0.0/8"}, "10.0.0.1:80", []string{"6.6.6.6", "198.51.100.7, 10.0.0.9"}, "", "198.51.100.7"},
		{"all hops trusted: the left-most", []string{"10.0.0.0/8"}, "10.0.0.1:80", []string{"10.9.9.9, 10.0.0.2"}, "", "10.9.9.9"},
		{"hops with ports", []string{"10.0.0.0/8"}, "10.0.0.1:80", []string{"198.51.100.7:5555, [2001:db8::1]:443"}, "", "2001:db8::1"},
		{"a garbled hop discards X-Forwarded-For", []string{"10.0.0.0/8"}, "10.0.0.1:80", []string{"198.51.100.7, not-an-ip"}, "", "10.0.0.1"},
		{"trusted proxy: X-Real-IP", []string{"10.0.0.0/8"}, "10.0.0.1:80", nil, "198.51.100.8", "198.51.100.8"},
		{"X-Forwarded-For wins over X-Real-IP", []string{"10.0.0.0/8"}, "10.0.0.1:80", []string{"198.51.100.7"}, "198.51.100.8", "198.51.100.7"},
		{"trusted proxy without headers: the peer", []string{"10.0.0.0/8"}, "10.0.0.1:80", nil, "", "10.0.0.1"},
		{"a single trusted address", []string{"127.0.0.1"}, "127.0.0.1:9", []string{"198.51.100.7"}, "", "198.51.100.7"},
		{"IPv6 proxies", []string{"2001:db8::/32"}, "[2001:db8::5]:80", []string{"2001:db9::7"}, "", "2001:db9::7"},
		{"IPv4-mapped IPv6 peer", []string{"10.0.0.0/8"}, "[::ffff:10.0.0.1]:80", []string{"198.51.100.7"}, "", "198.51.100.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := quiet(hyperlane.WithTrustedProxies(tc.trusted...))
			s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, c.ClientIP()) })
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tc.realIP != "" {
				r.Header.Set("X-Real-IP", tc.realIP)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if got := w.Body.String(); got != tc.want {
				t.Fatalf("ClientIP() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTrustedProxiesPanicsOnABadCIDR(t *testing.T) {
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "10.0.0.0/99") {
			t.Fatalf("panic %q does not name the CIDR", msg)
		}
	}()
	hyperlane.WithTrustedProxies("10.0.0.0/8", "10.0.0.0/99")
}
