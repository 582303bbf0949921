package openapi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// StreamHandler is a typed Server-Sent Events operation: it receives the
// bound and validated input and sends events through send. Until the
// first event (or Open) nothing is written, so an error returned before
// it is answered as problem+json, like any typed operation's, and the
// handler may still answer otherwise (c.NoContent(204) tells a browser's
// EventSource to stop reconnecting). A handler that returns nil having
// sent nothing answers an empty stream. Once the stream is open, an
// error can only be logged.
type StreamHandler[I, E any] func(c *hyperlane.Context, in *I, send *Sender[E]) error

// SSE registers a typed GET operation that streams Server-Sent Events
// and documents it. I is the input, bound and validated like any typed
// operation's (path, query, header and cookie fields; a 4xx problem
// before the stream starts). E declares the events: a struct whose
// fields are pointers, one per event type, each tagged with the event's
// name:
//
//	type PetEvents struct {
//		Added   *Pet     `event:"added"`
//		Removed *PetID   `event:"removed"`
//		Notice  *Notice  `event:"notice"`
//	}
//
// The handler sends one event at a time with the one field set
// (send.Send(PetEvents{Added: &p})): the event's name is the tag, its
// data the JSON encoding of the value. An event named "message", the
// type a client assumes when none is given (EventSource.onmessage), is
// sent without an event line. The document gives the 200
// response the content type text/event-stream with the data schema (a
// oneOf of them for several events, each a component), names the events
// in its description, and documents the Last-Event-ID request header
// unless I declares it. Registration panics on an E that breaks these
// rules, naming the field.
func SSE[I, E any](r Registrar, pattern string, h StreamHandler[I, E], opts ...Option) {
	method := http.MethodGet
	rt, fail := startRoute(r, "SSE "+method, pattern, opts)
	sc, cfg, full, path, pathParams := rt.sc, rt.cfg, rt.full, rt.path, rt.pathParams
	api := sc.api
	if h == nil {
		fail(errors.New("nil handler"))
	}
	if cfg.socket.used() {
		fail(errors.New("Receives, Sends, Discriminator, OnInvalidMessage and SocketOptions are for openapi.WebSocket"))
	}
	if len(cfg.events) > 0 || cfg.request != nil || cfg.status != 0 {
		fail(errors.New("EventStream, Request and Status are not for SSE: the stream is described by its types and answers 200"))
	}
	in, err := analyzeInput(reflect.TypeFor[I](), method, pathParams)
	if err != nil {
		fail(err)
	}
	if in.body != bodyNone {
		fail(errors.New("an SSE operation is a GET: its input has no body"))
	}
	events, err := analyzeEvents(reflect.TypeFor[E]())
	if err != nil {
		fail(err)
	}
	d := &opDoc{
		method: method, path: path, cfg: cfg, id: cfg.id,
		input:  new(I),
		stream: events,
		// No 400: a GET has no body to be malformed. A handler that answers
		// 400 itself declares it (Errors).
		problems: []int{http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}
	if d.id == "" {
		d.id = defaultOperationID(method, path)
	}
	d.id = sc.operationID(d.id)
	for _, p := range in.params {
		if p.in == inHeader && p.key == lastEventIDHeader {
			events.inputHasLastID = true
		}
	}
	if len(cfg.security) > 0 {
		d.problems = append(d.problems, http.StatusUnauthorized)
	}
	op := &streamOperation[I, E]{handler: h, in: in, events: events, sseOpts: cfg.sseOptions}

	api.mu.Lock()
	defer api.mu.Unlock()
	if op.auth, err = api.authorizer(cfg.security); err != nil {
		fail(err)
	}
	if err := api.claimID(d.id, method, full); err != nil {
		fail(sc.idError(err, d.id))
	}
	doc, err := api.describeOperation(d)
	if err != nil {
		fail(err)
	}
	api.invalidate()
	if err := compileValidation(in, doc, api.r31.SpecEns().ComponentsEns().Schemas); err != nil {
		fail(err)
	}
	ch := &channelDoc{kind: channelSSE, id: d.id, address: path, cfg: cfg, sends: eventDecls(events)}
	if err := ch.handshake(doc, api.r31.SpecEns().ComponentsEns().Schemas, api.async.schemas); err != nil {
		fail(err)
	}
	if err := api.addChannel(ch); err != nil {
		fail(err)
	}
	routeOpts := cfg.routeOpts(d.id)
	sc.hg.Route([]string{method}, pattern, op.serve, routeOpts...)
}

// StreamOptions configures the event stream of an SSE operation, such as
// its heartbeat (hyperlane.SSEHeartbeat) or write timeout.
func StreamOptions(opts ...hyperlane.SSEOption) Option {
	return func(c *operationConfig) { c.sseOptions = append(c.sseOptions, opts...) }
}

// lastEventIDHeader is the header a reconnecting client sends, in
// canonical form.
const lastEventIDHeader = "Last-Event-Id"

// eventPlan is what an SSE operation's event type E declares.
type eventPlan struct {
	typ            reflect.Type
	names          []string // event name of field i, "" for a field that is not an event
	types          []reflect.Type
	inputHasLastID bool // the input declares the Last-Event-ID header itself
}

// analyzeEvents checks E: a struct of pointer fields tagged with unique
// event names.
func analyzeEvents(t reflect.Type) (*eventPlan, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("the event type %v is not a struct of event fields", t)
	}
	p := &eventPlan{typ: t, names: make([]string, t.NumField())}
	seen := map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, tagged := f.Tag.Lookup("event")
		switch {
		case !f.IsExported() || name == "-":
			continue
		case !tagged || name == "":
			return nil, fmt.Errorf("event type %v: field %s has no event name: tag it event:\"name\"", t, f.Name)
		case strings.ContainsAny(name, "\r\n\x00"):
			return nil, fmt.Errorf("event type %v: field %s: event name %q has a line break or NUL", t, f.Name, name)
		case f.Type.Kind() != reflect.Pointer:
			return nil, fmt.Errorf("event type %v: field %s is a %v, not a pointer: Send sends the one field that is set", t, f.Name, f.Type)
		}
		if other, dup := seen[name]; dup {
			return nil, fmt.Errorf("event type %v: fields %s and %s have the same event name %q", t, other, f.Name, name)
		}
		seen[name] = f.Name
		p.names[i] = name
		p.types = append(p.types, f.Type.Elem())
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("event type %v declares no event: give it a pointer field tagged event:\"name\"", t)
	}
	return p, nil
}

// streamOperation is a registered SSE operation, ready to serve.
type streamOperation[I, E any] struct {
	handler StreamHandler[I, E]
	in      *inputPlan
	events  *eventPlan
	auth    *authorizer
	sseOpts []hyperlane.SSEOption
}

func (op *streamOperation[I, E]) serve(c *hyperlane.Context) error {
	if op.auth != nil {
		if err := op.auth.check(c); err != nil {
			return err
		}
	}
	in := new(I)
	if err := op.in.bind(c, reflect.ValueOf(in).Elem()); err != nil {
		return err
	}
	send := &Sender[E]{c: c, plan: op.events, opts: op.sseOpts}
	if err := op.handler(c, in, send); err != nil {
		return err
	}
	if !c.Responded() {
		// No event, no other answer: the empty stream the document
		// promises (200 text/event-stream), not an untyped empty 200.
		send.Open()
	}
	return nil
}

// Sender sends the events of an SSE operation. The stream opens at the
// first event (or Open): until then the handler may still answer with
// an error or another response. Its methods are safe for concurrent use
// until the handler returns.
type Sender[E any] struct {
	c    *hyperlane.Context
	plan *eventPlan
	opts []hyperlane.SSEOption
	once sync.Once
	es   atomic.Pointer[hyperlane.EventStream] // nil until opened
}

// EventOption sets a field of one event besides its name and data.
type EventOption func(*hyperlane.Event)

// EventID sets the event's id, which the client sends back as the
// Last-Event-ID header when it reconnects.
func EventID(id string) EventOption { return func(e *hyperlane.Event) { e.ID = id } }

// EventRetry tells the client how long to wait before reconnecting.
func EventRetry(d time.Duration) EventOption { return func(e *hyperlane.Event) { e.Retry = d } }

// Send sends the one event set in e: exactly one of its fields must be
// non-nil, or Send returns an error naming them and sends nothing. Data
// that JSON cannot encode is an error too, returned before the stream
// opens. It
// opens the stream first if needed, and returns the stream's error once
// it ended (hyperlane.ErrClientGone when the client left).
func (s *Sender[E]) Send(e E, opts ...EventOption) error {
	v := reflect.ValueOf(&e).Elem()
	ev := hyperlane.Event{}
	var set []string
	for i, name := range s.plan.names {
		if name == "" || v.Field(i).IsNil() {
			continue
		}
		set = append(set, s.plan.typ.Field(i).Name)
		ev.Event, ev.Data = name, v.Field(i).Interface()
	}
	if ev.Event == "message" {
		ev.Event = "" // the default type: no event line, as browsers' onmessage expects
	}
	if len(set) != 1 {
		return fmt.Errorf("openapi: Send: set exactly one event field of %v, not %d %v", s.plan.typ, len(set), set)
	}
	for _, o := range opts {
		o(&ev)
	}
	// Encoded before the stream opens: data that cannot be encoded (a
	// NaN, a channel, a failing MarshalJSON) is an error the handler can
	// still answer as a 500, not an empty 200 stream that EventSource
	// would reconnect to forever.
	raw, err := json.Marshal(ev.Data)
	if err != nil {
		return fmt.Errorf("openapi: Send: encoding the data of the %q event: %w", cmp.Or(ev.Event, "message"), err)
	}
	ev.Data = json.RawMessage(raw)
	return s.stream().Send(ev)
}

// Open sends the 200 and the stream's headers now, before any event, so
// that the client sees the stream open while the handler waits for its
// first event. Once open, the handler can no longer answer otherwise.
func (s *Sender[E]) Open() { s.stream() }

// Comment sends a comment line, which clients ignore, opening the stream
// if needed.
func (s *Sender[E]) Comment(text string) error { return s.stream().Comment(text) }

// LastEventID returns the Last-Event-ID header of the request: the id of
// the last event a reconnecting client received, or "".
func (s *Sender[E]) LastEventID() string { return s.c.Header("Last-Event-ID") }

// Context returns the request's context before the stream opens, and the
// stream's afterwards, cancelled when the stream ends.
func (s *Sender[E]) Context() context.Context {
	if es := s.es.Load(); es != nil {
		return es.Context()
	}
	return s.c.Context()
}

// Done returns a channel closed when the client goes away or the stream
// ends (see hyperlane.EventStream.Done).
func (s *Sender[E]) Done() <-chan struct{} { return s.Context().Done() }

// stream opens the event stream on first use.
func (s *Sender[E]) stream() *hyperlane.EventStream {
	s.once.Do(func() { s.es.Store(s.c.SSE(s.opts...)) })
	return s.es.Load()
}
