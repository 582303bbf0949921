package hyperlane

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// sockCheck is one socket option read back with getsockopt.
type sockCheck struct {
	name        string
	level, opt  int
	want        int
	onListener  bool
	onConn      bool
	lingerCheck bool // read SO_LINGER; want is the linger time, -1 for off
}

func TestListenerSocketOptions(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		dialHost string // "" dials the listener's own address
		checks   []sockCheck
	}{
		{
			name: "defaults: nodelay on, keep-alive 15s, linger off, no reuseport",
			opts: []Option{WithAddr("127.0.0.1:0")},
			checks: []sockCheck{
				{name: "TCP_NODELAY", level: syscall.IPPROTO_TCP, opt: syscall.TCP_NODELAY, want: 1, onConn: true},
				{name: "SO_KEEPALIVE", level: syscall.SOL_SOCKET, opt: syscall.SO_KEEPALIVE, want: 1, onListener: true, onConn: true},
				{name: "TCP_KEEPIDLE", level: syscall.IPPROTO_TCP, opt: syscall.TCP_KEEPIDLE, want: 15, onListener: true, onConn: true},
				{name: "TCP_KEEPINTVL", level: syscall.IPPROTO_TCP, opt: syscall.TCP_KEEPINTVL, want: 15, onListener: true, onConn: true},
				{name: "TCP_KEEPCNT", level: syscall.IPPROTO_TCP, opt: syscall.TCP_KEEPCNT, want: 9, onListener: true, onConn: true},
				{name: "SO_REUSEPORT", level: syscall.SOL_SOCKET, opt: soReusePort, want: 0, onListener: true},
				{name: "SO_LINGER", lingerCheck: true, want: -1, onListener: true, onConn: true},
			},
		},
		{
			name: "every option tuned is set on the listener and inherited by accepted sockets",
			opts: []Option{
				WithAddr("127.0.0.1:0"), WithTTL(42), WithBufferSizes(32<<10, 48<<10),
				WithReusePort(true), WithLinger(3), WithKeepAlive(7 * time.Second), WithNoDelay(false),
			},
			checks: []sockCheck{
				{name: "IP_TTL", level: syscall.IPPROTO_IP, opt: syscall.IP_TTL, want: 42, onListener: true, onConn: true},
				// Linux doubles the requested buffer sizes to leave room for
				// its bookkeeping, and reports the doubled value.
				{name: "SO_RCVBUF", level: syscall.SOL_SOCKET, opt: syscall.SO_RCVBUF, want: 2 * 32 << 10, onListener: true, onConn: true},
				{name: "SO_SNDBUF", level: syscall.SOL_SOCKET, opt: syscall.SO_SNDBUF, want: 2 * 48 << 10, onListener: true, onConn: true},
				{name: "SO_REUSEPORT", level: syscall.SOL_SOCKET, opt: soReusePort, want: 1, onListener: true},
				{name: "SO_LINGER", lingerCheck: true, want: 3, onListener: true, onConn: true},
				{name: "SO_KEEPALIVE", level: syscall.SOL_SOCKET, opt: syscall.SO_KEEPALIVE, want: 1, onListener: true, onConn: true},
				{name: "TCP_KEEPIDLE", level: syscall.IPPROTO_TCP, opt: syscall.TCP_KEEPIDLE, want: 7, onListener: true, onConn: true},
				{name: "TCP_KEEPINTVL", level: syscall.IPPROTO_TCP, opt: syscall.TCP_KEEPINTVL, want: 7, onListener: true, onConn: true},
				{name: "TCP_NODELAY", level: syscall.IPPROTO_TCP, opt: syscall.TCP_NODELAY, want: 0, onConn: true},
			},
		},
		{
			name: "TTL on an IPv6 socket is the unicast hop limit",
			opts: []Option{WithAddr("[::1]:0"), WithTTL(17)},
			checks: []sockCheck{
				{name: "IPV6_UNICAST_HOPS", level: syscall.IPPROTO_IPV6, opt: syscall.IPV6_UNICAST_HOPS, want: 17, onListener: true, onConn: true},
			},
		},
		{
			name:     "TTL on a dual-stack socket covers IPv4 clients too",
			opts:     []Option{WithAddr(":0"), WithTTL(23)},
			dialHost: "127.0.0.1",
			checks: []sockCheck{
				{name: "IPV6_UNICAST_HOPS", level: syscall.IPPROTO_IPV6, opt: syscall.IPV6_UNICAST_HOPS, want: 23, onListener: true},
				{name: "IP_TTL", level: syscall.IPPROTO_IP, opt: syscall.IP_TTL, want: 23, onListener: true, onConn: true},
			},
		},
		{
			name: "linger 0 is on with a zero timeout (close resets)",
			opts: []Option{WithAddr("127.0.0.1:0"), WithLinger(0)},
			checks: []sockCheck{
				{name: "SO_LINGER", lingerCheck: true, want: 0, onListener: true, onConn: true},
			},
		},
		{
			name: "keep-alive 0 turns probes off",
			opts: []Option{WithAddr("127.0.0.1:0"), WithKeepAlive(0)},
			checks: []sockCheck{
				{name: "SO_KEEPALIVE", level: syscall.SOL_SOCKET, opt: syscall.SO_KEEPALIVE, want: 0, onListener: true, onConn: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, conn := listenAndAccept(t, New(tt.opts...), tt.dialHost)
			for _, c := range tt.checks {
				if c.onListener {
					c.assert(t, "listener", ln.(syscall.Conn))
				}
				if c.onConn {
					c.assert(t, "accepted connection", conn.(syscall.Conn))
				}
			}
		})
	}
}

func TestListenerReusePortSharesAPort(t *testing.T) {
	tests := []struct {
		name      string
		reuse     bool
		wantInUse bool
	}{
		{name: "with SO_REUSEPORT two listeners bind one port", reuse: true},
		{name: "without it the second bind fails", reuse: false, wantInUse: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, err := New(WithAddr("127.0.0.1:0"), WithReusePort(tt.reuse)).Listen(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()
			second, err := New(WithAddr(first.Addr().String()), WithReusePort(tt.reuse)).Listen(context.Background())
			if err == nil {
				second.Close()
			}
			if got := errors.Is(err, syscall.EADDRINUSE); got != tt.wantInUse {
				t.Fatalf("second listen: err = %v, want EADDRINUSE: %v", err, tt.wantInUse)
			}
		})
	}
}

// listenAndAccept opens s's tuned listener, connects to it (on dialHost,
// if set) and returns the listener and the server side of the connection.
func listenAndAccept(t *testing.T, s *Server, dialHost string) (net.Listener, net.Conn) {
	t.Helper()
	ln, err := s.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	addr := ln.Addr().String()
	if dialHost != "" {
		addr = net.JoinHostPort(dialHost, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}
	client, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return ln, conn
}

func (c sockCheck) assert(t *testing.T, where string, sc syscall.Conn) {
	t.Helper()
	rc, err := sc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got int
	var opErr error
	err = rc.Control(func(fd uintptr) {
		if c.lingerCheck {
			var l syscall.Linger
			size := uint32(unsafe.Sizeof(l))
			_, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.SOL_SOCKET, syscall.SO_LINGER,
				uintptr(unsafe.Pointer(&l)), uintptr(unsafe.Pointer(&size)), 0)
			if errno != 0 {
				opErr = errno
			}
			got = int(l.Linger)
			if l.Onoff == 0 {
				got = -1
			}
			return
		}
		got, opErr = syscall.GetsockoptInt(int(fd), c.level, c.opt)
	})
	if err == nil {
		err = opErr
	}
	if err != nil {
		t.Fatalf("%s: getsockopt %s: %v", where, c.name, err)
	}
	if got != c.want {
		t.Errorf("%s: %s = %d, want %d", where, c.name, got, c.want)
	}
}
