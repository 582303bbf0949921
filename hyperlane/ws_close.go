package hyperlane

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// CloseCode is a WebSocket close status code (RFC 6455, section 7.4).
// Applications may use their own codes in 4000-4999.
type CloseCode int

// Close codes defined by RFC 6455 that Hyperlane sends or reports.
const (
	CloseNormal          CloseCode = 1000 // the handler returned, or the peer said goodbye
	CloseGoingAway       CloseCode = 1001 // the server shuts down, or a browser tab closed
	CloseProtocolError   CloseCode = 1002 // the peer broke the protocol
	CloseUnsupportedData CloseCode = 1003 // a message type the endpoint cannot take
	CloseNoStatus        CloseCode = 1005 // reported only: the close frame had no code
	CloseAbnormal        CloseCode = 1006 // reported only: the connection dropped without a close frame
	CloseInvalidPayload  CloseCode = 1007 // a text message that is not UTF-8
	ClosePolicyViolation CloseCode = 1008 // a message that breaks the endpoint's rules
	CloseMessageTooBig   CloseCode = 1009 // a message over the read limit
	CloseInternalError   CloseCode = 1011 // the handler failed
	CloseTryAgainLater   CloseCode = 1013 // overloaded; reconnect later
)

// String returns the code with its RFC name, such as "1000 normal closure".
func (c CloseCode) String() string {
	name := ""
	switch c {
	case CloseNormal:
		name = "normal closure"
	case CloseGoingAway:
		name = "going away"
	case CloseProtocolError:
		name = "protocol error"
	case CloseUnsupportedData:
		name = "unsupported data"
	case CloseNoStatus:
		name = "no status"
	case CloseAbnormal:
		name = "abnormal closure"
	case CloseInvalidPayload:
		name = "invalid payload"
	case ClosePolicyViolation:
		name = "policy violation"
	case CloseMessageTooBig:
		name = "message too big"
	case CloseInternalError:
		name = "internal error"
	case CloseTryAgainLater:
		name = "try again later"
	}
	if name == "" {
		return fmt.Sprint(int(c))
	}
	return fmt.Sprintf("%d %s", int(c), name)
}

// sendable reports whether c may be sent in a close frame.
func (c CloseCode) sendable() bool {
	switch {
	case c == 1004 || c == CloseNoStatus || c == CloseAbnormal || c == 1015:
		return false
	case c >= 1000 && c <= 1014, c >= 3000 && c <= 4999:
		return true
	}
	return false
}

// CloseError is the error a Conn returns once it is closed, and the cause
// of its Context: the code and reason of the close, whichever side sent
// it. A connection that dropped without a close frame reports
// CloseAbnormal, with the network error as the cause (see errors.Unwrap).
type CloseError struct {
	Code   CloseCode
	Reason string
	err    error
}

// Error implements error.
func (e *CloseError) Error() string {
	msg := "hyperlane: websocket closed: " + e.Code.String()
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	return msg
}

// Unwrap returns the network error behind an abnormal closure, or nil.
func (e *CloseError) Unwrap() error { return e.err }

// CloseStatus returns the close code carried by err, or -1 when err is
// not a *CloseError.
func CloseStatus(err error) CloseCode {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return -1
}

// maxCloseReason is the longest reason a close frame can carry: a control
// frame holds 125 bytes, two of which are the code.
const maxCloseReason = 123

// truncateReason cuts s to fit a close frame, on a rune boundary.
func truncateReason(s string) string {
	if len(s) <= maxCloseReason {
		return s
	}
	s = s[:maxCloseReason]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
