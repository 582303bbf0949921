package openapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// SocketHandler serves one connection of a typed WebSocket: in is the
// bound and validated input of the handshake, s the open socket. Its
// return closes the socket as a core WebSocketHandler's does (1000 for
// nil, 1011 for an error).
type SocketHandler[I any] func(c *hyperlane.Context, in *I, s *Socket) error

// WebSocket registers a typed WebSocket endpoint on pattern and
// describes it in the AsyncAPI document (see AsyncAPI). I is its input:
// path, query, header and cookie fields bound and validated before the
// upgrade, exactly like a typed operation's, so a bad handshake gets the
// same 422 problem+json and the same Security and RateLimited options
// apply. Its messages are declared with options:
//
//	openapi.WebSocket(api, "/rooms/{room}", serveRoom,
//		openapi.Discriminator("type"),
//		openapi.Receives[Join]("join"), openapi.Receives[Say]("say"),
//		openapi.Sends[Said]("said"), openapi.Sends[Oops]("error"),
//		openapi.OnInvalidMessage(func(e *openapi.InvalidMessageError) Oops { ... }))
//
// Socket.Receive decodes each incoming message into its declared type,
// validated against the type's JSON Schema (the one the document shows);
// Socket.Send sends only declared types. An invalid incoming message is
// never dropped silently: it closes the socket with 1007 and a reason
// naming the problem, or, with OnInvalidMessage, is answered with a
// message and the socket stays open. The route carries the operation id
// (hyperlane.MetaOperationID), like a typed operation's. Registration
// panics on a contradiction, naming it.
func WebSocket[I any](r Registrar, pattern string, h SocketHandler[I], opts ...Option) {
	method := http.MethodGet
	rt, fail := startRoute(r, "WebSocket", pattern, opts)
	sc, cfg, full, path, pathParams := rt.sc, rt.cfg, rt.full, rt.path, rt.pathParams
	api := sc.api
	if h == nil {
		fail(errors.New("nil handler"))
	}
	if len(cfg.events) > 0 || cfg.request != nil || cfg.status != 0 || len(cfg.sseOptions) > 0 {
		fail(errors.New("EventStream, Request, Status and StreamOptions are not for a WebSocket: it is described by its input and message types"))
	}
	if err := cfg.socket.check(); err != nil {
		fail(err)
	}
	in, err := analyzeInput(reflect.TypeFor[I](), method, pathParams)
	if err != nil {
		fail(err)
	}
	if in.body != bodyNone {
		fail(errors.New("the handshake is a GET: the input has no body; declare messages with Receives"))
	}
	d := &opDoc{
		method: method, path: path, cfg: cfg, id: cfg.id, input: new(I),
		problems: []int{http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}
	if d.id == "" {
		d.id = defaultOperationID(method, path)
	}
	d.id = sc.operationID(d.id)
	ep := &socketEndpoint[I]{handler: h, in: in, cfg: &cfg.socket, name: fmt.Sprintf("WebSocket %q (%s)", d.id, full)}

	api.mu.Lock()
	defer api.mu.Unlock()
	if ep.auth, err = api.authorizer(cfg.security); err != nil {
		fail(err)
	}
	if err := api.claimID(d.id, method, full); err != nil {
		fail(sc.idError(err, d.id))
	}
	// The handshake's parameters are described in a document of their
	// own: the OpenAPI document lists HTTP operations, and the AsyncAPI
	// one gives the socket its channel. Validation compiles from it.
	opJSON, schemas, err := api.scratchOperation(d)
	if err != nil {
		fail(err)
	}
	if err := compileValidation(in, opJSON, schemas); err != nil {
		fail(err)
	}
	for _, m := range cfg.socket.receives {
		if m.raw() {
			continue
		}
		if err := api.compileMessage(m, cfg.socket.discriminator); err != nil {
			fail(fmt.Errorf("message %q (%v): %w", m.name, m.typ, err))
		}
	}
	ch := &channelDoc{kind: channelSocket, id: d.id, address: path, cfg: cfg, receives: cfg.socket.receives, sends: cfg.socket.sends,
		discriminator: cfg.socket.discriminator, fallback: cfg.socket.fallback, invalid: cfg.socket.sendsType(cfg.socket.invalidType)}
	if err := ch.handshake(opJSON, schemas, api.async.schemas); err != nil {
		fail(err)
	}
	if err := api.addChannel(ch); err != nil {
		fail(err)
	}
	routeOpts := cfg.routeOpts(d.id)
	// Binding is the first hook: a WSBeforeUpgrade among SocketOptions
	// runs after it, on a bound and authorized request.
	wsOpts := append([]hyperlane.WebSocketOption{hyperlane.WSRouteOptions(routeOpts...), hyperlane.WSBeforeUpgrade(ep.admit)},
		cfg.socket.wsOptions...)
	sc.hg.WebSocket(pattern, ep.serve, wsOpts...)
}

// socketInputKey is the Context attribute holding the bound input from
// the handshake to the handler.
const socketInputKey = "openapi.socket.input"

// socketEndpoint is a registered typed WebSocket, ready to serve.
type socketEndpoint[I any] struct {
	handler SocketHandler[I]
	in      *inputPlan
	cfg     *socketConfig
	auth    *authorizer
	name    string
}

// admit authorizes and binds the handshake, before the upgrade: an error
// is an ordinary HTTP answer (401, 422 problem+json).
func (ep *socketEndpoint[I]) admit(c *hyperlane.Context) error {
	if ep.auth != nil {
		if err := ep.auth.check(c); err != nil {
			return err
		}
	}
	in := new(I)
	if err := ep.in.bind(c, reflect.ValueOf(in).Elem()); err != nil {
		return err
	}
	c.Set(socketInputKey, in)
	return nil
}

func (ep *socketEndpoint[I]) serve(c *hyperlane.Context, ws *hyperlane.Conn) error {
	v, _ := c.Get(socketInputKey)
	in, ok := v.(*I)
	if !ok {
		return fmt.Errorf("openapi: %s: BUG: the handshake's input was not bound", ep.name)
	}
	return ep.handler(c, in, &Socket{ws: ws, cfg: ep.cfg})
}

// Socket is the open connection of a typed WebSocket: it receives the
// declared incoming messages and sends the declared outgoing ones. Like
// a hyperlane.Conn, one goroutine may receive while others send.
type Socket struct {
	ws  *hyperlane.Conn
	cfg *socketConfig
}

// Receive waits for the next valid incoming message and returns it as a
// value of its declared type (a type switch tells them apart). An
// invalid message is answered as the endpoint declares (see
// OnInvalidMessage): answered and skipped, or the socket is closed with
// 1007 and Receive returns an error wrapping both the *CloseError and
// the *InvalidMessageError. Receive returns the connection's error once
// it closed, which the handler can return as it is.
func (s *Socket) Receive(ctx context.Context) (any, error) {
	for {
		typ, b, err := s.ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		v, bad := s.cfg.decode(typ, b)
		if bad == nil {
			return v, nil
		}
		if s.cfg.onInvalid != nil {
			if err := s.Send(s.cfg.onInvalid(bad)); err != nil {
				return nil, err
			}
			continue
		}
		_ = s.ws.Close(hyperlane.CloseInvalidPayload, closeReason(bad.Error()))
		return nil, fmt.Errorf("%w: %w", s.ws.Err(), bad)
	}
}

// Send sends v, a value (or pointer to a value) of a type declared with
// Sends, as a JSON text message. Any other type is an error, and nothing
// is sent.
func (s *Socket) Send(v any) error {
	t := reflect.TypeOf(v)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || s.cfg.sendsType(t) == nil {
		return fmt.Errorf("openapi: Socket.Send: %v is not a declared outgoing message; declare it with openapi.Sends[%v](name)", t, t)
	}
	switch v := v.(type) {
	case string:
		return s.ws.WriteText(s.ws.Context(), v)
	case []byte:
		return s.ws.WriteBinary(s.ws.Context(), v)
	}
	return s.ws.WriteJSON(s.ws.Context(), v)
}

// Conn returns the underlying connection, for what the typed socket does
// not cover (ping, subprotocol, remote address).
func (s *Socket) Conn() *hyperlane.Conn { return s.ws }

// Close closes the socket with code and reason (see hyperlane.Conn.Close).
func (s *Socket) Close(code hyperlane.CloseCode, reason string) error {
	return s.ws.Close(code, reason)
}

// maxCloseReason is the longest close reason RFC 6455 allows, in bytes.
const maxCloseReason = 123

// closeReason cuts s to a close reason, valid UTF-8 (RFC 6455 wants
// it) cut on a character boundary.
func closeReason(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxCloseReason {
		return s
	}
	cut := maxCloseReason - len("…")
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
