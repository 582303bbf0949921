package openapi

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// socketConfig is what the options of a typed WebSocket declare.
type socketConfig struct {
	receives      []*messageDecl
	sends         []*messageDecl
	discriminator string
	fallback      string                         // DefaultMessage
	onInvalid     func(*InvalidMessageError) any // nil: close with 1007
	invalidType   reflect.Type                   // the type onInvalid returns
	wsOptions     []hyperlane.WebSocketOption
}

// used reports whether any socket option was given.
func (s *socketConfig) used() bool {
	return len(s.receives) > 0 || len(s.sends) > 0 || s.discriminator != "" || s.fallback != "" || s.onInvalid != nil || len(s.wsOptions) > 0
}

// messageDecl is one declared message type of a socket.
type messageDecl struct {
	name   string       // the message's name, and its discriminator value
	typ    reflect.Type // never a pointer
	schema *validator   // incoming messages only, compiled at registration
	// hasDisc: the type has a JSON property named like the
	// discriminator, so the property is validated as part of it.
	hasDisc bool
}

var (
	rawTextType   = reflect.TypeFor[string]()
	rawBinaryType = reflect.TypeFor[[]byte]()
)

// raw reports whether the message is not JSON: a string is a text
// message taken as it is, a []byte a binary one.
func (m *messageDecl) raw() bool { return m.typ == rawTextType || m.typ == rawBinaryType }

// contentType is the message's content type in the document.
func (m *messageDecl) contentType() string {
	switch m.typ {
	case rawTextType:
		return "text/plain"
	case rawBinaryType:
		return "application/octet-stream"
	}
	return mimeJSON
}

// Receives declares a message type the client sends on a typed
// WebSocket (see WebSocket). name is the message's name in the AsyncAPI
// document and, with Discriminator, the value of the discriminator
// property that selects M. Without Discriminator a socket receives one
// JSON type only. Two types are not JSON: string receives any text
// message as it is, and []byte any binary one; a socket may receive
// both, told apart by the frame, but no JSON type beside them.
func Receives[M any](name string) Option {
	return func(c *operationConfig) {
		c.socket.receives = append(c.socket.receives, &messageDecl{name: name, typ: reflect.TypeFor[M]()})
	}
}

// Sends declares a message type the server sends on a typed WebSocket:
// Socket.Send refuses any type not declared. name is the message's name
// in the AsyncAPI document. Send writes a string as a text message and
// a []byte as a binary one, as they are, and any other type as JSON.
func Sends[M any](name string) Option {
	return func(c *operationConfig) {
		c.socket.sends = append(c.socket.sends, &messageDecl{name: name, typ: reflect.TypeFor[M]()})
	}
}

// Discriminator names the JSON property that tells incoming messages
// apart, such as "type" for {"type":"join",...}: its value is the name
// given to Receives. A message without it, or with a value no Receives
// declared, is invalid.
func Discriminator(property string) Option {
	return func(c *operationConfig) { c.socket.discriminator = property }
}

// DefaultMessage names the incoming message an object without the
// Discriminator property is taken for, such as the one message a socket
// received before it had several. Without it such an object is invalid.
func DefaultMessage(name string) Option {
	return func(c *operationConfig) { c.socket.fallback = name }
}

// OnInvalidMessage answers an invalid incoming message (not JSON, an
// unknown discriminator value, or a payload its schema refuses) with the
// message fn returns, whose type E must be declared with Sends, and
// keeps the socket open. Without it an invalid message closes the socket
// with 1007 (invalid payload) and a reason naming the problem.
func OnInvalidMessage[E any](fn func(*InvalidMessageError) E) Option {
	return func(c *operationConfig) {
		if fn == nil {
			c.socket.onInvalid, c.socket.invalidType = nil, nil
			return
		}
		c.socket.onInvalid = func(e *InvalidMessageError) any { return fn(e) }
		c.socket.invalidType = reflect.TypeFor[E]()
	}
}

// SocketOptions passes options of the core's WebSocket endpoints (read
// limit, origins, compression, keep-alive...) to a typed WebSocket. A
// WSBeforeUpgrade hook runs after the input was bound and validated.
func SocketOptions(opts ...hyperlane.WebSocketOption) Option {
	return func(c *operationConfig) { c.socket.wsOptions = append(c.socket.wsOptions, opts...) }
}

// checkMessages checks the declared messages of a socket.
func (s *socketConfig) check() error {
	if len(s.receives) == 0 && len(s.sends) == 0 {
		return fmt.Errorf("no message declared: declare them with openapi.Receives[T](name) and openapi.Sends[T](name)")
	}
	raws := 0
	for _, m := range s.receives {
		if m.raw() {
			raws++
		}
	}
	switch {
	case raws > 0 && raws < len(s.receives):
		return fmt.Errorf("string or []byte (raw text or binary messages) and JSON types cannot be received on one socket")
	case raws > 0 && s.discriminator != "":
		return fmt.Errorf("Discriminator with raw messages: string and []byte are told apart by the frame")
	case raws > 0:
		return nil
	}
	if len(s.receives) > 1 && s.discriminator == "" {
		return fmt.Errorf("%d Receives without a Discriminator: name the property that tells them apart, as in openapi.Discriminator(\"type\")", len(s.receives))
	}
	for _, list := range [][]*messageDecl{s.receives, s.sends} {
		seenName, seenType := map[string]bool{}, map[reflect.Type]bool{}
		for _, m := range list {
			switch {
			case m.name == "":
				return fmt.Errorf("message of type %v has an empty name", m.typ)
			case seenName[m.name]:
				return fmt.Errorf("message name %q declared twice in one direction", m.name)
			case seenType[m.typ]:
				return fmt.Errorf("type %v declared twice in one direction: one type, one message", m.typ)
			case m.typ.Kind() == reflect.Pointer:
				return fmt.Errorf("message type %v is a pointer: declare the type it points to", m.typ)
			}
			seenName[m.name], seenType[m.typ] = true, true
		}
	}
	if s.fallback != "" {
		if s.discriminator == "" {
			return fmt.Errorf("DefaultMessage(%q) without a Discriminator", s.fallback)
		}
		if !slices.ContainsFunc(s.receives, func(m *messageDecl) bool { return m.name == s.fallback }) {
			return fmt.Errorf("DefaultMessage(%q) names no message declared with Receives", s.fallback)
		}
	}
	if s.onInvalid != nil && s.sendsType(s.invalidType) == nil {
		return fmt.Errorf("OnInvalidMessage answers with %v, which no Sends declares", s.invalidType)
	}
	return nil
}

// sendsType returns the declaration of an outgoing type, or nil.
func (s *socketConfig) sendsType(t reflect.Type) *messageDecl {
	for _, m := range s.sends {
		if m.typ == t {
			return m
		}
	}
	return nil
}
