package hyperlane

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// Defaults of a WebSocket route; each can be changed with an option.
const (
	DefaultWSReadLimit    = 1 << 20          // bytes per message; over it the peer is closed with 1009
	DefaultWSPingInterval = 30 * time.Second // time between keep-alive pings
	DefaultWSPongTimeout  = 15 * time.Second // how long a ping waits for its pong
	DefaultWSWriteTimeout = 15 * time.Second // bound of each write
)

// WebSocketHandler serves one WebSocket connection. It runs after the
// request middleware, on the request's own goroutine, and the Context
// stays valid until it returns. When it returns nil the connection is
// closed with 1000; when it returns an error, with 1011 and the error is
// logged, unless the error only says that the connection had closed.
type WebSocketHandler func(c *Context, ws *Conn) error

// WebSocketOption configures a WebSocket route.
type WebSocketOption func(*wsConfig)

type wsConfig struct {
	origins       []string
	subprotocols  []string
	compression   bool
	readLimit     int64
	pingInterval  time.Duration
	pongTimeout   time.Duration
	writeTimeout  time.Duration
	beforeUpgrade []func(*Context) error
	onConnect     func(*Context, *Conn)
	onClose       func(*Context, *Conn, CloseCode, string)
	route         []RouteOption
}

// WSOrigins allows cross-origin browser connections from origins matching
// any of patterns, matched case-insensitively with path.Match against the
// Origin's host ("*.example.com"), or against "scheme://host" when the
// pattern holds "://". Without it only same-origin pages may connect
// (clients that send no Origin, which are not browsers, always may).
// "*" allows every origin, which opens the route to cross-site requests
// riding on the user's cookies. A malformed pattern panics.
func WSOrigins(patterns ...string) WebSocketOption {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			panic(fmt.Sprintf("hyperlane: WSOrigins: malformed pattern %q: %v", p, err))
		}
	}
	return func(c *wsConfig) { c.origins = append(c.origins, patterns...) }
}

// WSSubprotocols lists the subprotocols the route speaks, in order of
// preference; the first the client also offers is chosen (see
// Conn.Subprotocol). A client that offers none of them still connects.
func WSSubprotocols(names ...string) WebSocketOption {
	return func(c *wsConfig) { c.subprotocols = append(c.subprotocols, names...) }
}

// WSCompression enables permessage-deflate (RFC 7692) when the client
// offers it, without context takeover, so that an idle connection keeps
// no compression state. Off by default: it trades CPU for bandwidth and
// pays only for large, repetitive messages.
func WSCompression(on bool) WebSocketOption { return func(c *wsConfig) { c.compression = on } }

// WSReadLimit sets the largest message accepted, in bytes, after
// decompression (default 1 MiB). A larger one closes the connection with
// 1009. It panics unless n > 0.
func WSReadLimit(n int64) WebSocketOption {
	if n <= 0 {
		panic(fmt.Sprintf("hyperlane: WSReadLimit(%d): the limit must be positive", n))
	}
	return func(c *wsConfig) { c.readLimit = n }
}

// WSPing sets the keep-alive: a ping every interval, and a peer whose
// pong does not come within pongTimeout is dropped (defaults 30 s and
// 15 s). An interval of 0 turns keep-alive off. It panics on a negative
// interval or a pongTimeout that is not positive.
func WSPing(interval, pongTimeout time.Duration) WebSocketOption {
	if interval < 0 || pongTimeout <= 0 {
		panic(fmt.Sprintf("hyperlane: WSPing(%v, %v): need interval >= 0 and pongTimeout > 0", interval, pongTimeout))
	}
	return func(c *wsConfig) { c.pingInterval, c.pongTimeout = interval, pongTimeout }
}

// WSWriteTimeout bounds each write (default 15 s): when writes make no
// progress for d, as with a peer that stopped reading, the connection is
// dropped and they fail. 0 removes the bound.
func WSWriteTimeout(d time.Duration) WebSocketOption {
	return func(c *wsConfig) { c.writeTimeout = d }
}

// WSBeforeUpgrade runs fn after the request middleware and before the
// handshake, once the request has passed every check of the server's own:
// it is a valid WebSocket handshake (else 426 or 400), its Origin is
// allowed (else 403) and the server is not shutting down (else 503). So
// fn never runs for a cross-site request the origin check refuses. An
// error rejects the request with an ordinary HTTP response (an *HTTPError
// keeps its status, such as 401 or 429), and no WebSocket is opened.
// Several hooks run in the order given, the first error stopping them,
// so that a layer (such as openapi.WebSocket, which binds the input in
// one) and the route's own checks both run.
func WSBeforeUpgrade(fn func(c *Context) error) WebSocketOption {
	return func(c *wsConfig) { c.beforeUpgrade = append(c.beforeUpgrade, fn) }
}

// WSOnConnect runs fn once the connection is open, before the handler.
func WSOnConnect(fn func(c *Context, ws *Conn)) WebSocketOption {
	return func(c *wsConfig) { c.onConnect = fn }
}

// WSOnClose runs fn after the connection closed, with the close code and
// reason, whichever side closed (CloseAbnormal when it dropped).
func WSOnClose(fn func(c *Context, ws *Conn, code CloseCode, reason string)) WebSocketOption {
	return func(c *wsConfig) { c.onClose = fn }
}

// WSRouteOptions applies route options to the endpoint's GET route, as
// Get takes them: Meta, or a WrapHandler option such as adapter.With,
// whose middleware then runs before the handshake and may answer
// instead of it.
func WSRouteOptions(opts ...RouteOption) WebSocketOption {
	return func(c *wsConfig) { c.route = append(c.route, opts...) }
}

// WebSocket registers h as a WebSocket endpoint of the group (on a
// Server, of its root group): a GET route that upgrades the connection
// after the request middleware ran. A request that is not a WebSocket
// handshake gets 426 Upgrade Required.
func (g *Group) WebSocket(pattern string, h WebSocketHandler, opts ...WebSocketOption) {
	if h == nil {
		panic("hyperlane: WebSocket route " + quote(g.prefix+pattern) + ": nil handler")
	}
	cfg := &wsConfig{
		readLimit:    DefaultWSReadLimit,
		pingInterval: DefaultWSPingInterval,
		pongTimeout:  DefaultWSPongTimeout,
		writeTimeout: DefaultWSWriteTimeout,
	}
	for _, o := range opts {
		o(cfg)
	}
	s := g.server
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	route := append([]RouteOption{Meta("websocket", true),
		func(ri *RouteInfo) { ri.Handler = strings.TrimSuffix(name, "-fm") }}, cfg.route...)
	g.Get(pattern, func(c *Context) error { return s.serveWebSocket(c, h, cfg) }, route...)
}

// serveWebSocket checks the handshake, then the origin, then runs the
// before-upgrade hook, upgrades, and runs h until the connection is
// closed. Every refusal the server makes on its own comes before the
// hook, so that the hook's side effects (a reserved name, a counter, a
// "taken" answer) never happen for a request that would be refused
// anyway, above all a cross-site one.
func (s *Server) serveWebSocket(c *Context, h WebSocketHandler, cfg *wsConfig) (herr error) {
	r := c.Request()
	if err := checkHandshake(r); err != nil {
		return err
	}
	if err := checkOrigin(r, cfg.origins); err != nil {
		return err
	}
	shutdown := s.rt.shutdownContext(s)
	if shutdown.Err() != nil {
		return Error(http.StatusServiceUnavailable, "server shutting down")
	}
	for _, hook := range cfg.beforeUpgrade {
		if err := hook(c); err != nil {
			return err
		}
	}
	opts := &websocket.AcceptOptions{
		InsecureSkipVerify: true, // the origin was checked above
		Subprotocols:       cfg.subprotocols,
	}
	if cfg.compression {
		opts.CompressionMode = websocket.CompressionNoContextTakeover
	}
	hw := &hijackWriter{ResponseWriter: c.RawWriter()}
	raw, err := websocket.Accept(hw, r, opts)
	if err != nil {
		// Accept has answered; the handshake was valid, so the writer
		// could not be hijacked (HTTP/2, or a wrapper without Hijack).
		c.Logger().WarnContext(r.Context(), "websocket upgrade failed", "path", r.URL.Path, "error", err)
		return nil
	}
	c.Status(http.StatusSwitchingProtocols) // what access logs and response middleware see
	ws := newConn(c, raw, hw.conn, cfg)
	ws.began, c.ws = time.Now(), ws
	s.rt.track(ws)
	ws.start(shutdown)
	defer func() {
		rec := recover()
		code, reason := CloseNormal, ""
		switch {
		case rec != nil:
			code, reason = CloseInternalError, "internal error"
		case herr != nil && !endedByClose(ws, herr):
			c.Logger().ErrorContext(r.Context(), "websocket handler failed", "path", r.URL.Path, "error", herr)
			code, reason = CloseInternalError, "internal error"
		}
		herr = nil
		ce := ws.finish(code, reason)
		if cfg.onClose != nil {
			cfg.onClose(c, ws, ce.Code, ce.Reason)
		}
		s.rt.untrack(ws)
		if rec != nil {
			panic(rec)
		}
	}()
	if cfg.onConnect != nil {
		cfg.onConnect(c, ws)
	}
	return h(c, ws)
}

// endedByClose reports whether a handler's error only says that the
// connection closed under it.
func endedByClose(ws *Conn, err error) bool {
	if CloseStatus(err) != -1 {
		return true
	}
	return ws.closeErr() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, net.ErrClosed))
}

// checkHandshake answers requests that are not a WebSocket handshake
// Hyperlane can accept, with a problem naming what is missing.
func checkHandshake(r *http.Request) error {
	if r.ProtoMajor != 1 || r.ProtoMinor < 1 {
		// HTTP/1.0 has no upgrade; HTTP/2 and 3 cannot be hijacked.
		return &HTTPError{
			Status: http.StatusUpgradeRequired,
			Detail: fmt.Sprintf("WebSocket needs HTTP/1.1, not %s", r.Proto),
			Header: http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}},
		}
	}
	// HEAD reaches GET routes too; a handshake is a GET only.
	if r.Method != http.MethodGet || !headerHasToken(r.Header, "Connection", "upgrade") || !headerHasToken(r.Header, "Upgrade", "websocket") {
		return &HTTPError{
			Status: http.StatusUpgradeRequired,
			Detail: "this endpoint speaks WebSocket only: send a GET with Upgrade: websocket",
			Header: http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}},
		}
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		return &HTTPError{
			Status: http.StatusUpgradeRequired,
			Detail: fmt.Sprintf("unsupported Sec-WebSocket-Version %q; only 13 is supported", r.Header.Get("Sec-WebSocket-Version")),
			Header: http.Header{"Sec-WebSocket-Version": {"13"}, "Upgrade": {"websocket"}, "Connection": {"Upgrade"}},
		}
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return Error(http.StatusBadRequest, "the handshake needs exactly one Sec-WebSocket-Key header")
	}
	if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keys[0])); err != nil || len(k) != 16 {
		return Error(http.StatusBadRequest, "Sec-WebSocket-Key must be 16 bytes in base64")
	}
	return nil
}

// checkOrigin allows requests without Origin (not from a browser), from
// the request's own host, and from origins matching a pattern.
func checkOrigin(r *http.Request, patterns []string) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return Errorf(http.StatusForbidden, "origin %q is not allowed", origin)
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	for _, p := range patterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return nil
		}
	}
	return Errorf(http.StatusForbidden, "origin %q is not allowed", origin)
}

// headerHasToken reports whether the comma-separated header name holds
// token, case-insensitively.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// hijackWriter keeps the connection coder/websocket hijacks, so that
// Hyperlane can set its write deadline and drop it without a handshake.
type hijackWriter struct {
	http.ResponseWriter
	conn net.Conn
}

// Hijack hijacks through the writers beneath and keeps the connection.
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.conn = conn
	}
	return conn, brw, err
}

// Unwrap returns the writer beneath, for http.ResponseController.
func (w *hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// WriteHeaderNow is what coder/websocket calls after writing the 101, so
// that writers that defer the status (gin's) send it before the hijack.
func (w *hijackWriter) WriteHeaderNow() { sendHeaderNow(w.ResponseWriter) }
