package hyperlane

import (
	"crypto/tls"
	"log/slog"
	"net/netip"
	"time"
)

// Defaults applied by New. Each guards against a specific abuse; see
// docs/server.md for the reasoning behind every value.
const (
	// DefaultAddr is loopback, so a first run is not exposed to the
	// network; WithAddr(":60000") serves on every interface.
	DefaultAddr              = "127.0.0.1:60000"
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultReadIdleTimeout   = 30 * time.Second
	DefaultWriteIdleTimeout  = 30 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultMaxURIBytes       = 8 << 10
	DefaultMaxBodyBytes      = 8 << 20
	DefaultShutdownTimeout   = 10 * time.Second
)

// settings holds every Server option. The zero value is never used
// directly: New starts from defaultSettings.
type settings struct {
	addr string

	// Socket options applied through net.ListenConfig.Control.
	noDelay     bool
	linger      int // seconds; negative leaves the kernel default (off)
	ttl         int // 0 leaves the kernel default
	readBuffer  int // SO_RCVBUF; 0 leaves the kernel default
	writeBuffer int // SO_SNDBUF; 0 leaves the kernel default
	keepAlive   time.Duration
	reusePort   bool
	maxConns    int // 0 means unlimited

	readHeaderTimeout time.Duration
	idleTimeout       time.Duration
	readIdleTimeout   time.Duration
	writeIdleTimeout  time.Duration
	maxHeaderBytes    int
	maxURIBytes       int
	maxBodyBytes      int64
	shutdownTimeout   time.Duration

	tlsConfig   *tls.Config
	tlsCertFile string
	tlsKeyFile  string
	h2c         bool

	trustedProxies        []netip.Prefix
	redirectTrailingSlash bool
	untypedJSON           bool // JSON bodies may come without a Content-Type

	logger *slog.Logger

	configErr error // from FromEnv: returned by Listen and Serve
}

func defaultSettings() settings {
	return settings{
		addr:              DefaultAddr,
		noDelay:           true,
		linger:            -1,
		keepAlive:         15 * time.Second,
		readHeaderTimeout: DefaultReadHeaderTimeout,
		idleTimeout:       DefaultIdleTimeout,
		readIdleTimeout:   DefaultReadIdleTimeout,
		writeIdleTimeout:  DefaultWriteIdleTimeout,
		maxHeaderBytes:    DefaultMaxHeaderBytes,
		maxURIBytes:       DefaultMaxURIBytes,
		maxBodyBytes:      DefaultMaxBodyBytes,
		shutdownTimeout:   DefaultShutdownTimeout,
	}
}

// Option configures a Server in New.
type Option func(*settings)

// WithAddr sets the TCP address Run listens on, such as "127.0.0.1:8080"
// or ":0" for a free port (read it back with Server.Addr).
func WithAddr(addr string) Option { return func(s *settings) { s.addr = addr } }

// WithNoDelay sets TCP_NODELAY on accepted connections (default on), so
// small responses are not held back by Nagle's algorithm.
func WithNoDelay(on bool) Option { return func(s *settings) { s.noDelay = on } }

// WithLinger sets SO_LINGER in seconds. A negative value (the default)
// leaves lingering off; 0 makes Close reset the connection at once.
func WithLinger(seconds int) Option { return func(s *settings) { s.linger = seconds } }

// WithTTL sets the IP time-to-live (IPv4) or hop limit (IPv6) of outgoing
// packets; 0 keeps the kernel default.
func WithTTL(ttl int) Option { return func(s *settings) { s.ttl = ttl } }

// WithBufferSizes sets SO_RCVBUF and SO_SNDBUF in bytes; 0 keeps the
// kernel's auto-tuning for that direction.
func WithBufferSizes(read, write int) Option {
	return func(s *settings) { s.readBuffer, s.writeBuffer = read, write }
}

// keepAliveProbes is how many unanswered keep-alive probes drop a
// connection (TCP_KEEPCNT).
const keepAliveProbes = 9

// WithKeepAlive sets the TCP keep-alive period (default 15 s): the idle
// time before the first probe and the interval between probes; after
// 9 unanswered probes the connection is dropped, so a peer that vanished
// without a FIN is noticed. 0 or a negative value disables keep-alive.
func WithKeepAlive(period time.Duration) Option {
	return func(s *settings) { s.keepAlive = period }
}

// WithReusePort sets SO_REUSEPORT on the listener so several processes
// can accept on one port (used for zero-downtime restarts). Off by default.
func WithReusePort(on bool) Option { return func(s *settings) { s.reusePort = on } }

// WithMaxConns limits how many connections are served at once. Excess
// connections are not accepted until a slot frees, so they wait in the
// kernel's accept backlog instead of being reset. A slot is held from
// accept until the connection closes, idle keep-alive time included, and
// one HTTP/2 connection carries many requests. 0 (default) is no limit.
func WithMaxConns(n int) Option { return func(s *settings) { s.maxConns = n } }

// WithReadHeaderTimeout bounds the time to read request headers
// (default 10 s): the slowloris defence.
func WithReadHeaderTimeout(d time.Duration) Option {
	return func(s *settings) { s.readHeaderTimeout = d }
}

// WithIdleTimeout bounds how long a keep-alive connection waits for the
// next request (default 120 s).
func WithIdleTimeout(d time.Duration) Option {
	return func(s *settings) { s.idleTimeout = d }
}

// WithReadIdleTimeout bounds the pause between two reads of a request body
// (default 30 s). A body that keeps arriving is never cut; one that stalls
// is. It also bounds the connection after a body read failed or a
// handler answered without reading the body: the answer is sent and the
// socket closed within d. 0 disables it.
func WithReadIdleTimeout(d time.Duration) Option {
	return func(s *settings) { s.readIdleTimeout = d }
}

// WithWriteIdleTimeout bounds each write of a response (default 30 s):
// the deadline is renewed before every streamed write and flush (a
// buffered response renews it once less than half is left), so a stream that
// keeps moving lives on while a client that stops reading is dropped.
// 0 disables it.
func WithWriteIdleTimeout(d time.Duration) Option {
	return func(s *settings) { s.writeIdleTimeout = d }
}

// WithMaxHeaderBytes limits the size of the request head, request line
// and headers together (default 64 KiB); a larger one gets 431. The limit
// is exact from 4097 bytes up (net/http's read buffer sets that floor);
// 0 means net/http's own default, 1 MiB plus 4 KiB.
func WithMaxHeaderBytes(n int) Option { return func(s *settings) { s.maxHeaderBytes = n } }

// WithMaxURIBytes limits the length of the request target, path and
// query as sent (default 8 KiB); a longer one gets 414 problem+json
// before routing. 0 removes the limit, leaving only WithMaxHeaderBytes.
func WithMaxURIBytes(n int) Option { return func(s *settings) { s.maxURIBytes = n } }

// WithMaxBodyBytes limits request bodies read through the Context
// (default 8 MiB); larger bodies get 413. A negative value removes the limit.
func WithMaxBodyBytes(n int64) Option { return func(s *settings) { s.maxBodyBytes = n } }

// WithShutdownTimeout sets the grace period Run gives in-flight requests
// after a signal or context cancellation (default 10 s); connections
// still busy after it are closed. 0 closes them at once.
func WithShutdownTimeout(d time.Duration) Option {
	return func(s *settings) { s.shutdownTimeout = d }
}

// WithTLS serves HTTPS with the given configuration; HTTP/2 is negotiated
// through ALPN. The configuration is cloned.
func WithTLS(cfg *tls.Config) Option { return func(s *settings) { s.tlsConfig = cfg.Clone() } }

// WithTLSFiles serves HTTPS with a certificate and key loaded from PEM files.
func WithTLSFiles(certFile, keyFile string) Option {
	return func(s *settings) { s.tlsCertFile, s.tlsKeyFile = certFile, keyFile }
}

// WithH2C enables HTTP/2 over cleartext TCP with prior knowledge (the
// client starts with the HTTP/2 preface; the "Upgrade: h2c" dance is not
// supported), for use behind proxies that speak h2c. Off by default.
func WithH2C(on bool) Option { return func(s *settings) { s.h2c = on } }

// WithTrustedProxies lists the proxy networks whose X-Forwarded-For and
// X-Real-IP headers Context.ClientIP believes, and whose
// X-Forwarded-Prefix names the path prefix a proxy stripped (see
// Server.ServeHTTP). Without it, ClientIP is the peer address and
// X-Forwarded-Prefix is ignored. It panics on a malformed CIDR, naming it.
func WithTrustedProxies(cidrs ...string) Option {
	prefixes := make([]netip.Prefix, 0, len(cidrs))
	for _, c := range cidrs {
		p, err := parsePrefix(c)
		if err != nil {
			panic("hyperlane: WithTrustedProxies: " + err.Error())
		}
		prefixes = append(prefixes, p)
	}
	return func(s *settings) { s.trustedProxies = prefixes }
}

// WithRedirectTrailingSlash makes a request that misses only by a trailing
// slash redirect with 308 to the registered form. Off by default: routing
// is strict, "/a" and "/a/" are different routes.
func WithRedirectTrailingSlash(on bool) Option {
	return func(s *settings) { s.redirectTrailingSlash = on }
}

// WithUntypedJSON lets Context.BindJSON and typed operations accept a
// JSON body sent with no Content-Type at all. Off by default: a body
// must be declared JSON (application/json or application/*+json), else
// it is refused with 415, because a cross-site fetch can send a body
// with no type, or a text/plain one, without a CORS preflight; requiring
// a JSON type makes the browser ask first. A non-JSON type stays 415
// even when this is on.
func WithUntypedJSON(on bool) Option { return func(s *settings) { s.untypedJSON = on } }

// WithLogger sets the logger for errors, panics and server events
// (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// parsePrefix accepts a CIDR or a bare address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}
