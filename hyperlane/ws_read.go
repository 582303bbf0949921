package hyperlane

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// watchDelay is how long a connection may go unread before a background
// read starts, so that a close from the peer, pings and pongs are seen
// while the handler does something else.
const watchDelay = 10 * time.Millisecond

// How a Conn reads: a handler blocked in Read with a context that ends
// only with the connection reads the socket itself, on its own goroutine,
// as coder/websocket is meant to be driven; that keeps an echo round trip
// free of goroutine hand-offs. Whenever nobody reads — the handler is busy,
// only writes, or waits on a context of its own — a background goroutine
// reads one message, handling control frames meanwhile, and leaves it for
// the next Read. The state below is guarded by ws.mu.

// Read waits for the next data message. It returns ctx's error when ctx
// ends first, leaving the connection open, and a *CloseError once the
// connection is closed. The returned slice belongs to the caller.
func (ws *Conn) Read(ctx context.Context) (MessageType, []byte, error) {
	select {
	case <-ws.ctx.Done():
		return 0, nil, ws.Err()
	default:
	}
	ws.mu.Lock()
	direct := !ws.reading && len(ws.in) == 0 && ws.readers == 0 && (ctx == ws.ctx || ctx.Done() == nil)
	ws.readers++
	ws.readSeq++
	if direct {
		ws.reading = true
	} else {
		ws.scheduleLocked()
	}
	ws.mu.Unlock()
	defer ws.leaveRead(direct)

	if direct {
		m, err := ws.readOne()
		return m.typ, m.data, err
	}
	select {
	case m := <-ws.in:
		return m.typ, m.data, nil
	case <-ws.ctx.Done():
		return 0, nil, ws.Err()
	case <-ctx.Done():
		if err := ws.Err(); err != nil {
			return 0, nil, err // ctx is, or derives from, the connection's
		}
		return 0, nil, ctx.Err()
	}
}

func (ws *Conn) leaveRead(direct bool) {
	ws.mu.Lock()
	ws.readers--
	if direct {
		ws.reading = false
	}
	ws.scheduleLocked()
	ws.mu.Unlock()
}

// scheduleLocked makes sure the socket will be read: at once when a Read
// waits for a background read, after watchDelay when nobody reads.
func (ws *Conn) scheduleLocked() {
	if !ws.canReadLocked() {
		return
	}
	if ws.readers > 0 {
		ws.readInBackgroundLocked()
		return
	}
	ws.armWatchLocked()
}

// armWatchLocked arms the watch unless it is armed. A handler that reads
// in a loop leaves and enters Read for every message; the watch is not
// reset each time, but checks when it fires whether Read was entered
// since it was armed, and waits another round if so.
func (ws *Conn) armWatchLocked() {
	if ws.watchArmed {
		return
	}
	ws.watchArmed, ws.watchSeq = true, ws.readSeq
	if ws.watch == nil {
		ws.watch = time.AfterFunc(watchDelay, ws.watchFired)
	} else {
		ws.watch.Reset(watchDelay)
	}
}

func (ws *Conn) watchFired() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.watchArmed = false
	if ws.readers > 0 || !ws.canReadLocked() {
		return // someone reads, a message waits, or the connection ended
	}
	if ws.readSeq != ws.watchSeq {
		ws.armWatchLocked() // the handler is reading in a loop
		return
	}
	ws.readInBackgroundLocked()
}

// canReadLocked reports whether a new read may start: nobody reads, no
// message waits for Read, and the connection is open and in use.
func (ws *Conn) canReadLocked() bool {
	return !ws.reading && len(ws.in) == 0 && !ws.finished && ws.ctx.Err() == nil
}

// readInBackgroundLocked starts a goroutine that reads one message and
// leaves it in ws.in, which is empty and stays so until then: only a
// reader puts into it, and there is one reader at a time.
func (ws *Conn) readInBackgroundLocked() {
	ws.reading = true
	ws.bg.Add(1)
	go func() {
		defer ws.bg.Done()
		m, err := ws.readOne()
		ws.mu.Lock()
		defer ws.mu.Unlock()
		ws.reading = false
		if err == nil {
			ws.in <- m
		}
		ws.scheduleLocked()
	}()
}

// readOne reads the next data message from the socket; control frames
// are handled meanwhile. A failure closes the connection and returns the
// *CloseError.
func (ws *Conn) readOne() (message, error) {
	typ, data, err := ws.raw.Read(context.Background())
	if err != nil {
		ws.readFailed(err)
		return message{}, ws.Err()
	}
	if typ == websocket.MessageText && !utf8.Valid(data) {
		ws.closeWith(CloseInvalidPayload, "text message is not valid UTF-8")
		return message{}, ws.Err()
	}
	ws.messages.Add(1)
	return message{typ: MessageType(typ), data: data}, nil
}

// readFailed records why reading stopped and releases the connection.
func (ws *Conn) readFailed(err error) {
	var ce websocket.CloseError
	switch {
	case errors.As(err, &ce):
		// The peer closed; coder/websocket has answered and closed.
		ws.setCause(CloseCode(ce.Code), ce.Reason, nil)
	case errors.Is(err, websocket.ErrMessageTooBig):
		// The 1009 close frame is sent; finish the handshake.
		ws.closeWith(CloseMessageTooBig, fmt.Sprintf("message larger than %d bytes", ws.cfg.readLimit))
	case strings.Contains(err.Error(), errUnmaskedFrame):
		// coder/websocket drops the peer without a word; tell it why,
		// as RFC 6455 section 5.1 allows.
		_ = ws.closeWith(CloseProtocolError, "client frames must be masked")
	default:
		ws.setCause(CloseAbnormal, "", err)
	}
	_ = ws.raw.CloseNow()
	ws.cancel(ws.closeErr())
}

// errUnmaskedFrame is how coder/websocket words a client frame without a
// mask, for which it has no sentinel error; TestWebSocketRawFrames pins it.
const errUnmaskedFrame = "received unmasked frame from client"

// keepAlive pings the peer and drops it when neither a pong nor a
// message comes within the pong timeout. A pong is seen only while the
// socket is read, so it starts a background read when nobody reads.
// While a message waits for Read nothing reads, but the peer has just
// proven alive: that round is skipped.
func (ws *Conn) keepAlive() {
	ws.background(func() {
		ws.mu.Lock()
		waiting := len(ws.in) > 0
		if !waiting && ws.canReadLocked() {
			ws.readInBackgroundLocked()
		}
		ws.mu.Unlock()
		if !waiting {
			seen := ws.messages.Load()
			ctx, cancel := context.WithTimeout(ws.ctx, ws.cfg.pongTimeout)
			err := ws.raw.Ping(ctx)
			cancel()
			// A message that came meanwhile proves the peer alive; its
			// pong may wait unread behind it.
			if err != nil && ws.messages.Load() == seen {
				if ws.closeErr() == nil {
					ws.abort(CloseAbnormal, "no pong within "+ws.cfg.pongTimeout.String(), err)
				}
				return
			}
		}
		ws.mu.Lock()
		if !ws.finished {
			ws.pingTimer.Reset(ws.cfg.pingInterval)
		}
		ws.mu.Unlock()
	})
}

// background runs fn unless the handler has finished; finish waits for it.
func (ws *Conn) background(fn func()) {
	ws.mu.Lock()
	if ws.finished {
		ws.mu.Unlock()
		return
	}
	ws.bg.Add(1)
	ws.mu.Unlock()
	defer ws.bg.Done()
	fn()
}

// finish closes the connection after the handler returned (a no-op when
// it is closed already), waits for the background work, and returns how
// the connection closed.
func (ws *Conn) finish(code CloseCode, reason string) *CloseError {
	ws.mu.Lock()
	ws.finished = true
	if ws.pingTimer != nil {
		ws.pingTimer.Stop()
	}
	if ws.watch != nil {
		ws.watch.Stop()
	}
	ws.mu.Unlock()
	ws.stopShutdown()
	ws.closeWith(code, reason)
	ws.stopWatchdog()
	ws.bg.Wait()
	// Release coder/websocket's side too when the close was an abort;
	// after a handshake this returns at once.
	_ = ws.raw.CloseNow()
	ws.cancel(ws.closeErr())
	return ws.closeErr()
}
