package hyperlane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// MessageType is the kind of a WebSocket data message.
type MessageType int

// The two kinds of data message.
const (
	MessageText   = MessageType(websocket.MessageText)
	MessageBinary = MessageType(websocket.MessageBinary)
)

// String returns "text" or "binary".
func (t MessageType) String() string {
	switch t {
	case MessageText:
		return "text"
	case MessageBinary:
		return "binary"
	}
	return fmt.Sprintf("MessageType(%d)", int(t))
}

// Conn is one WebSocket connection, handed to the handler registered with
// Server.WebSocket. Its methods are safe for concurrent use: any number of
// goroutines may write while the handler reads.
//
// The socket is always read: by the handler itself while it waits in
// Read, and otherwise by the Conn in the background, so pings are
// answered, pongs are seen and a close from the peer is noticed even
// while the handler is busy elsewhere or only writes. A message the
// handler does not read holds back the next one.
//
// Once closed, every method returns a *CloseError saying how; Context
// and Done tell a handler that only writes when that happens.
type Conn struct {
	raw     *websocket.Conn
	netConn net.Conn
	c       *Context
	req     *http.Request
	cfg     *wsConfig

	ctx    context.Context // cancelled with the *CloseError once the connection closed
	cancel context.CancelCauseFunc

	mu           sync.Mutex
	in           chan message // capacity 1: a message a background read left for Read
	reading      bool         // a goroutine is inside raw.Read
	readers      int          // goroutines inside Read
	readSeq      uint64       // Read calls so far
	watch        *time.Timer  // starts a background read when nobody has read for a while
	watchArmed   bool
	watchSeq     uint64 // readSeq when the watch was armed
	cause        *CloseError
	finished     bool // the handler returned: start no background work
	bg           sync.WaitGroup
	pingTimer    *time.Timer
	stopShutdown func() bool
	messages     atomic.Uint64 // data messages read so far
	sent         atomic.Uint64 // data messages written so far
	began        time.Time     // the upgrade, for observers

	wmu        sync.Mutex
	writers    int       // writes in flight
	writeSince time.Time // since when the writes in flight made no progress
	wdog       *time.Timer
	wdogArmed  bool
}

type message struct {
	typ  MessageType
	data []byte
}

func newConn(c *Context, raw *websocket.Conn, netConn net.Conn, cfg *wsConfig) *Conn {
	ws := &Conn{
		raw:     raw,
		netConn: netConn,
		c:       c,
		req:     c.Request(),
		cfg:     cfg,
		in:      make(chan message, 1),
	}
	ws.ctx, ws.cancel = context.WithCancelCause(ws.req.Context())
	raw.SetReadLimit(cfg.readLimit)
	return ws
}

// start arms the reading, the keep-alive and the shutdown watch.
func (ws *Conn) start(shutdown context.Context) {
	ws.mu.Lock()
	ws.scheduleLocked()
	if ws.cfg.pingInterval > 0 {
		ws.pingTimer = time.AfterFunc(ws.cfg.pingInterval, ws.keepAlive)
	}
	ws.mu.Unlock()
	ws.stopShutdown = context.AfterFunc(shutdown, func() {
		ws.background(func() { ws.closeWith(CloseGoingAway, "server shutting down") })
	})
}

// ReadText reads the next message, which must be a text message.
func (ws *Conn) ReadText(ctx context.Context) (string, error) {
	typ, b, err := ws.Read(ctx)
	if err != nil {
		return "", err
	}
	if typ != MessageText {
		return "", fmt.Errorf("hyperlane: websocket: expected a text message, got %v", typ)
	}
	return string(b), nil
}

// ReadJSON reads the next message, text or binary, and decodes it as
// JSON into v.
func (ws *Conn) ReadJSON(ctx context.Context, v any) error {
	_, b, err := ws.Read(ctx)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("hyperlane: websocket: decoding JSON message: %w", err)
	}
	return nil
}

// Write sends one message. The write is bounded by ctx and by the
// route's write timeout; a write that times out closes the connection.
func (ws *Conn) Write(ctx context.Context, typ MessageType, p []byte) error {
	if typ != MessageText && typ != MessageBinary {
		return fmt.Errorf("hyperlane: websocket: cannot write a message of type %v", typ)
	}
	if typ == MessageText && !utf8.Valid(p) {
		return errors.New("hyperlane: websocket: text message is not valid UTF-8")
	}
	wctx := ctx
	if ctx == ws.ctx {
		// It ends only when the connection closed, which fails the write
		// anyway: spare coder/websocket watching it on every write.
		wctx = context.Background()
	}
	ws.beginWrite()
	err := ws.raw.Write(wctx, websocket.MessageType(typ), p)
	ws.endWrite()
	if err != nil {
		return ws.writeFailed(ctx, err)
	}
	ws.sent.Add(1)
	return nil
}

// WriteText sends s as a text message.
func (ws *Conn) WriteText(ctx context.Context, s string) error {
	return ws.Write(ctx, MessageText, []byte(s))
}

// WriteBinary sends p as a binary message.
func (ws *Conn) WriteBinary(ctx context.Context, p []byte) error {
	return ws.Write(ctx, MessageBinary, p)
}

// WriteJSON sends v encoded as JSON in a text message.
func (ws *Conn) WriteJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("hyperlane: websocket: encoding JSON message: %w", err)
	}
	return ws.Write(ctx, MessageText, b)
}

// Ping sends a ping and waits for the peer's pong or ctx's end. The
// route's keep-alive pings on its own; this is for measuring latency.
func (ws *Conn) Ping(ctx context.Context) error {
	if err := ws.raw.Ping(ctx); err != nil {
		if ce := ws.closeErr(); ce != nil {
			return ce
		}
		return fmt.Errorf("hyperlane: websocket: %w", err)
	}
	return nil
}

// Close closes the connection with code and reason (at most 123 bytes,
// longer ones are cut): it sends the close frame and waits up to a few
// seconds for the peer's. When it returns the connection is closed; it
// does nothing when the connection was closed already. The only error is
// for a code that cannot be sent, such as 1005 or 1006.
func (ws *Conn) Close(code CloseCode, reason string) error {
	if !code.sendable() {
		return fmt.Errorf("hyperlane: websocket: close code %d cannot be sent", int(code))
	}
	if !ws.closeWith(code, reason) {
		<-ws.ctx.Done() // every close ends by cancelling it
	}
	return nil
}

// Context returns a context that carries the request's values and is
// cancelled when the connection closes; context.Cause then returns the
// *CloseError.
func (ws *Conn) Context() context.Context { return ws.ctx }

// Done returns a channel closed when the connection closes.
func (ws *Conn) Done() <-chan struct{} { return ws.ctx.Done() }

// Err returns nil while the connection is open and the *CloseError
// saying how it closed afterwards.
func (ws *Conn) Err() error {
	if ws.ctx.Err() == nil {
		return nil
	}
	return context.Cause(ws.ctx)
}

// RemoteAddr returns the peer's "ip:port" as net/http saw it.
func (ws *Conn) RemoteAddr() string { return ws.req.RemoteAddr }

// Subprotocol returns the negotiated subprotocol, or "".
func (ws *Conn) Subprotocol() string { return ws.raw.Subprotocol() }

// Request returns the upgrade request.
func (ws *Conn) Request() *http.Request { return ws.req }

// Get returns an attribute the request middleware stored on the
// request's Context, such as an authenticated user. Once the handler
// returned, the Context is released and Get finds nothing.
//
// The lookup holds the lock that finish takes to mark the handler
// returned, and the Context is released only after finish: so the
// Context cannot be released, or reused by another request, between the
// check and the read.
func (ws *Conn) Get(key string) (any, bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.finished {
		return nil, false
	}
	return ws.c.Get(key)
}

// setCause records how the connection closes; the first cause wins. It
// reports whether this call set it.
func (ws *Conn) setCause(code CloseCode, reason string, err error) bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.cause != nil {
		return false
	}
	ws.cause = &CloseError{Code: code, Reason: reason, err: err}
	return true
}

// closeErr returns the cause once closing began, or nil.
func (ws *Conn) closeErr() *CloseError {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.cause
}

// closeWith runs the close handshake with code, unless another close
// began first. The connection is closed when it returns, whether the peer
// answered in time or not: there is no error worth reporting. It
// reports false when another close had begun, which may still run.
func (ws *Conn) closeWith(code CloseCode, reason string) bool {
	reason = truncateReason(reason)
	if !ws.setCause(code, reason, nil) {
		return false
	}
	// coder/websocket bounds its wait for the peer's close frame, but not
	// the reading of a frame the peer declared and never finishes.
	watchdog := time.AfterFunc(closeHandshakeTimeout, func() { _ = ws.netConn.Close() })
	_ = ws.raw.Close(websocket.StatusCode(code), reason)
	watchdog.Stop()
	ws.cancel(ws.closeErr())
	return true
}

// closeHandshakeTimeout bounds a close handshake: a peer that has not
// answered the close frame by then is dropped.
const closeHandshakeTimeout = 5 * time.Second

// abort drops the connection without a handshake: for a peer that does
// not answer, a write that timed out, or the end of the shutdown grace.
func (ws *Conn) abort(code CloseCode, reason string, err error) {
	ws.setCause(code, reason, err)
	_ = ws.netConn.Close()
	ws.cancel(ws.closeErr())
}

// writeFailed turns a failed write into the error the caller sees. A
// write that failed on its own (a timeout or a network error) leaves a
// partial frame behind, so the connection is dropped.
func (ws *Conn) writeFailed(ctx context.Context, err error) error {
	if ce := ws.closeErr(); ce != nil {
		return ce
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ws.abort(CloseAbnormal, "write failed", err)
	return ws.closeErr()
}

// beginWrite and endWrite bound writes with a watchdog rather than a
// socket deadline: setting a deadline twice per message costs more than
// the rest of Hyperlane's part of a round trip, and a deadline left set
// would fail the pongs and close frames written between messages. The
// watchdog is armed at most once per timeout period; when it finds writes
// that made no progress for the write timeout, it drops the connection,
// which fails them.
func (ws *Conn) beginWrite() {
	if ws.cfg.writeTimeout <= 0 {
		return
	}
	ws.wmu.Lock()
	if ws.writers == 0 {
		ws.writeSince = time.Now()
	}
	ws.writers++
	if !ws.wdogArmed {
		ws.wdogArmed = true
		if ws.wdog == nil {
			ws.wdog = time.AfterFunc(ws.cfg.writeTimeout, ws.watchWrites)
		} else {
			ws.wdog.Reset(ws.cfg.writeTimeout)
		}
	}
	ws.wmu.Unlock()
}

func (ws *Conn) endWrite() {
	if ws.cfg.writeTimeout <= 0 {
		return
	}
	ws.wmu.Lock()
	if ws.writers--; ws.writers > 0 {
		ws.writeSince = time.Now() // progress, for the writes still in flight
	}
	ws.wmu.Unlock()
}

func (ws *Conn) watchWrites() {
	ws.wmu.Lock()
	stalled := time.Since(ws.writeSince)
	switch {
	case ws.writers == 0:
		ws.wdogArmed = false
	case stalled < ws.cfg.writeTimeout:
		ws.wdog.Reset(ws.cfg.writeTimeout - stalled)
	default:
		ws.wdogArmed = false
		ws.wmu.Unlock()
		ws.abort(CloseAbnormal, "write timed out",
			fmt.Errorf("no write progress for %v: %w", ws.cfg.writeTimeout, os.ErrDeadlineExceeded))
		return
	}
	ws.wmu.Unlock()
}

// stopWatchdog stops the write watchdog for good.
func (ws *Conn) stopWatchdog() {
	ws.wmu.Lock()
	if ws.wdog != nil {
		ws.wdog.Stop()
	}
	ws.wdogArmed = true // never armed again
	ws.wmu.Unlock()
}
