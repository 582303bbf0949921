package hyperlane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultSSEHeartbeat is how long an event stream may stay silent before
// a heartbeat comment is sent, keeping proxies from closing it and
// finding clients that vanished.
const DefaultSSEHeartbeat = 15 * time.Second

// ErrClientGone is the error Send returns once the client disconnected
// or stopped reading (a write that timed out wraps it).
var ErrClientGone = errors.New("hyperlane: client went away")

// errStreamEnded is the error of a stream used after its handler returned.
var errStreamEnded = errors.New("hyperlane: event stream used after its handler returned")

// Event is one Server-Sent Event. Every field is optional, but an event
// must have at least one.
type Event struct {
	// ID becomes the client's last event ID, sent back in the
	// Last-Event-ID header when it reconnects. It may not contain CR, LF
	// or NUL.
	ID string
	// Event is the event type ("message" when empty), the name a browser
	// listens to with addEventListener. It may not contain CR, LF or NUL.
	Event string
	// Data is the payload: a string or []byte is sent as it is,
	// json.RawMessage as given, and any other value as its JSON encoding.
	// Line breaks (CR, LF or CRLF) split it into several data lines,
	// which the client joins with LF.
	Data any
	// Retry tells the client how long to wait before reconnecting,
	// in milliseconds on the wire.
	Retry time.Duration
}

// SSEOption configures an event stream.
type SSEOption func(*sseConfig)

type sseConfig struct {
	heartbeat    time.Duration
	writeTimeout time.Duration
}

// SSEHeartbeat sets the longest silence before a heartbeat comment
// (default 15 s); 0 turns heartbeats off.
func SSEHeartbeat(d time.Duration) SSEOption { return func(c *sseConfig) { c.heartbeat = d } }

// SSEWriteTimeout bounds each write of the stream (default: the server's
// write-idle timeout). A client that stops reading is dropped when it
// passes, and Send returns an error wrapping ErrClientGone. 0 removes it.
func SSEWriteTimeout(d time.Duration) SSEOption { return func(c *sseConfig) { c.writeTimeout = d } }

// EventStream is a Server-Sent Events response, made by Context.SSE. Its
// methods are safe for concurrent use, until the handler returns.
type EventStream struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	lastID string
	cfg    sseConfig
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu           sync.Mutex
	buf          []byte
	lastWrite    time.Time
	timer        *time.Timer
	stopShutdown func() bool

	// For observers: when the stream began, the events and bytes sent,
	// and the server's count of open streams.
	began  time.Time
	events atomic.Uint64
	bytes  atomic.Int64
	open   *atomic.Int64
}

// SSE turns the response into an event stream: it sends the status 200
// with Content-Type text/event-stream, Cache-Control no-cache and
// X-Accel-Buffering no (so that nginx does not buffer it) at once, and
// returns the stream to Send events on. The stream ends when the handler
// returns, when the client goes away and when the server shuts down;
// Done tells which, and Send then fails. Calling SSE again returns the
// same stream.
func (c *Context) SSE(opts ...SSEOption) *EventStream {
	if !c.live() {
		return releasedStream()
	}
	if c.stream != nil {
		return c.stream
	}
	cfg := sseConfig{heartbeat: DefaultSSEHeartbeat, writeTimeout: c.server.settings.writeIdleTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	es := &EventStream{w: c.w, rc: http.NewResponseController(c.w), lastID: c.r.Header.Get("Last-Event-ID"), cfg: cfg}
	es.ctx, es.cancel = context.WithCancelCause(c.r.Context())
	c.stream = es
	if err := c.mayRespond(); err != nil {
		es.cancel(err)
		return es
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	c.status, c.body = http.StatusOK, c.body[:0]
	if err := c.Flush(); err != nil {
		es.cancel(fmt.Errorf("%w: %w", ErrClientGone, err))
		return es
	}
	if c.r.Method == http.MethodHead {
		es.cancel(errors.New("hyperlane: event stream answers HEAD with headers only"))
		return es
	}
	es.mu.Lock()
	defer es.mu.Unlock()
	es.lastWrite = time.Now()
	es.began = es.lastWrite
	es.open = &c.server.rt.streams
	es.open.Add(1)
	es.stopShutdown = context.AfterFunc(c.server.rt.shutdownContext(c.server), func() { es.cancel(ErrServerClosing) })
	if cfg.heartbeat > 0 {
		es.timer = time.AfterFunc(cfg.heartbeat, es.beat)
	}
	return es
}

// Send writes e and flushes it to the client. It returns an error without
// writing for an invalid event (the stream goes on), and the stream's
// error once it ended: ErrClientGone, ErrServerClosing, or the error of a
// stream used after its handler returned.
func (es *EventStream) Send(e Event) error {
	es.mu.Lock()
	defer es.mu.Unlock()
	if err := es.Err(); err != nil {
		return err
	}
	b, err := appendEvent(es.buf[:0], e)
	if err != nil {
		return err
	}
	es.buf = b
	if err := es.writeLocked(b); err != nil {
		return err
	}
	es.events.Add(1)
	return nil
}

// Comment writes a comment line, which clients ignore; heartbeats are
// comments. Line breaks in text start new comment lines.
func (es *EventStream) Comment(text string) error {
	es.mu.Lock()
	defer es.mu.Unlock()
	if err := es.Err(); err != nil {
		return err
	}
	es.buf = appendLines(es.buf[:0], ":", text)
	es.buf = append(es.buf, '\n')
	return es.writeLocked(es.buf)
}

// LastEventID returns the Last-Event-ID header of the request: the ID of
// the last event a reconnecting client received, or "".
func (es *EventStream) LastEventID() string { return es.lastID }

// Context returns a context cancelled when the stream ends; its cause is
// the stream's error.
func (es *EventStream) Context() context.Context { return es.ctx }

// Done returns a channel closed when the stream ends: the client went
// away, a write failed, or the server is shutting down.
func (es *EventStream) Done() <-chan struct{} { return es.ctx.Done() }

// Err returns nil while the stream is open and why it ended afterwards.
func (es *EventStream) Err() error {
	if es.ctx.Err() == nil {
		return nil
	}
	if cause := context.Cause(es.ctx); cause != context.Canceled {
		return cause
	}
	return ErrClientGone // the request's context: the client went away
}

// writeLocked writes and flushes b under the write timeout; a failure
// ends the stream.
func (es *EventStream) writeLocked(b []byte) error {
	if d := es.cfg.writeTimeout; d > 0 {
		setDeadline(es.w, time.Now().Add(d), false)
	}
	_, err := es.w.Write(b)
	if err == nil {
		err = es.rc.Flush()
	}
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrClientGone, err)
		es.cancel(err)
		return err
	}
	es.lastWrite = time.Now()
	es.bytes.Add(int64(len(b)))
	return nil
}

var heartbeat = []byte(": heartbeat\n\n")

// beat sends a heartbeat when the stream was silent for the interval,
// then waits for the next silence.
func (es *EventStream) beat() {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.ctx.Err() != nil {
		return
	}
	idle := time.Since(es.lastWrite)
	if idle >= es.cfg.heartbeat {
		if es.writeLocked(heartbeat) != nil {
			return
		}
		idle = 0
	}
	es.timer.Reset(es.cfg.heartbeat - idle)
}

// end is called when the handler returns, before net/http completes the
// response: no write may follow it.
func (es *EventStream) end() {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.timer != nil {
		es.timer.Stop()
	}
	if es.stopShutdown != nil {
		es.stopShutdown()
	}
	if es.ctx.Err() == nil && es.cfg.writeTimeout > 0 {
		// Room for net/http's last write, the end of the chunked body.
		setDeadline(es.w, time.Now().Add(es.cfg.writeTimeout), false)
	}
	es.cancel(errStreamEnded)
	if es.open != nil {
		es.open.Add(-1)
		es.open = nil
	}
}

// appendEvent encodes e in the text/event-stream format.
func appendEvent(b []byte, e Event) ([]byte, error) {
	if err := checkEventField("ID", e.ID); err != nil {
		return b, err
	}
	if err := checkEventField("Event", e.Event); err != nil {
		return b, err
	}
	if e.Retry < 0 {
		return b, fmt.Errorf("hyperlane: SSE event Retry %v is negative", e.Retry)
	}
	if e.ID == "" && e.Event == "" && e.Retry == 0 && e.Data == nil {
		return b, errors.New("hyperlane: SSE event is empty")
	}
	if e.ID != "" {
		b = append(append(append(b, "id: "...), e.ID...), '\n')
	}
	if e.Event != "" {
		b = append(append(append(b, "event: "...), e.Event...), '\n')
	}
	if e.Retry > 0 {
		b = append(strconv.AppendInt(append(b, "retry: "...), e.Retry.Milliseconds(), 10), '\n')
	}
	switch d := e.Data.(type) {
	case nil:
	case string:
		b = appendLines(b, "data: ", d)
	case []byte:
		b = appendLines(b, "data: ", d)
	case json.RawMessage:
		b = appendLines(b, "data: ", []byte(d))
	default:
		j, err := json.Marshal(d)
		if err != nil {
			return b, fmt.Errorf("hyperlane: SSE event Data: %w", err)
		}
		b = appendLines(b, "data: ", j)
	}
	return append(b, '\n'), nil
}

// checkEventField rejects values that would end the line they are on,
// and with it start another field or event.
func checkEventField(name, v string) error {
	if i := strings.IndexAny(v, "\r\n\x00"); i >= 0 {
		return fmt.Errorf("hyperlane: SSE event %s %q contains a line break or NUL at byte %d", name, v, i)
	}
	return nil
}

// appendLines writes each line of s, whatever its line ending (CRLF, LF
// or CR), as prefix+line+LF, so that no input can end the field early.
func appendLines[T string | []byte](b []byte, prefix string, s T) []byte {
	for {
		i := 0
		for i < len(s) && s[i] != '\r' && s[i] != '\n' {
			i++
		}
		b = append(append(append(b, prefix...), s[:i]...), '\n')
		if i == len(s) {
			return b
		}
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
}
