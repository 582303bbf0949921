package openapi

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Handler is a typed operation: it receives the bound and validated input
// and returns the output, written as the response with the success
// status, or an error, written as problem+json.
//
// A nil output with a nil error means one of two things. When the
// handler set the response itself through the Context (c.JSON, c.Blob,
// c.NoContent, c.Status, c.RawWriter, an SSE stream...), that response is
// sent as it is. Otherwise the output must have no body (such as
// struct{} or a struct of header fields), and the success status is
// sent; for an output with a body it is a mistake, answered with a 500
// problem and an error logged naming the operation, never a 200 with an
// empty body.
type Handler[I, O any] func(c *hyperlane.Context, in *I) (*O, error)

// Get registers a typed GET operation on pattern and documents it. Like
// every typed operation, its route carries the operation id as
// hyperlane.Meta(hyperlane.MetaOperationID, id), visible in Server.Routes
// and to telemetry through Context.OperationID.
// r is the API or a Group of it (NewGroup), whose prefix and defaults
// the operation takes.
func Get[I, O any](r Registrar, pattern string, h Handler[I, O], opts ...Option) {
	register(r, http.MethodGet, pattern, h, opts)
}

// Post registers a typed POST operation on pattern and documents it.
func Post[I, O any](r Registrar, pattern string, h Handler[I, O], opts ...Option) {
	register(r, http.MethodPost, pattern, h, opts)
}

// Put registers a typed PUT operation on pattern and documents it.
func Put[I, O any](r Registrar, pattern string, h Handler[I, O], opts ...Option) {
	register(r, http.MethodPut, pattern, h, opts)
}

// Patch registers a typed PATCH operation on pattern and documents it.
func Patch[I, O any](r Registrar, pattern string, h Handler[I, O], opts ...Option) {
	register(r, http.MethodPatch, pattern, h, opts)
}

// Delete registers a typed DELETE operation on pattern and documents it.
func Delete[I, O any](r Registrar, pattern string, h Handler[I, O], opts ...Option) {
	register(r, http.MethodDelete, pattern, h, opts)
}

// operation is a registered typed operation, ready to serve.
type operation[I, O any] struct {
	name    string // "operation \"getUser\" (GET /users/{id})", for errors
	handler Handler[I, O]
	in      *inputPlan
	out     *outputPlan
	status  int
	auth    *authorizer
}

// register documents the operation, prepares its binding and validation
// and adds its route. Any contradiction panics, naming the operation.
func register[I, O any](r Registrar, method, pattern string, h Handler[I, O], opts []Option) {
	rt, fail := startRoute(r, method, pattern, opts)
	sc, cfg, full, path, pathParams := rt.sc, rt.cfg, rt.full, rt.path, rt.pathParams
	api := sc.api
	if h == nil {
		fail(fmt.Errorf("nil handler"))
	}
	if len(cfg.events) > 0 || cfg.request != nil {
		fail(fmt.Errorf("EventStream and Request are for Document; a typed operation is described by its types"))
	}
	if cfg.socket.used() {
		fail(fmt.Errorf("Receives, Sends, Discriminator, OnInvalidMessage and SocketOptions are for openapi.WebSocket"))
	}
	in, err := analyzeInput(reflect.TypeFor[I](), method, pathParams)
	if err != nil {
		fail(err)
	}
	out, err := analyzeOutput(reflect.TypeFor[O]())
	if err != nil {
		fail(err)
	}
	op := &operation[I, O]{handler: h, in: in, out: out, status: cfg.status}
	if op.status == 0 {
		op.status = http.StatusOK
		if !out.hasBody() {
			op.status = http.StatusNoContent
		}
	}
	if op.status < 100 || op.status > 399 {
		fail(fmt.Errorf("success status %d is not 1xx, 2xx or 3xx", op.status))
	}
	if noBodyStatus(op.status) && out.hasBody() {
		fail(fmt.Errorf("Status(%d) with the output %v, which has a body: a %d has none in HTTP, so the body would never reach the client; use a status that has a body or an output without one", op.status, reflect.TypeFor[O](), op.status))
	}
	d := &opDoc{
		method: method, path: path, cfg: cfg, id: cfg.id,
		input:  new(I),
		output: reflect.New(reflect.TypeFor[O]()).Elem().Interface(),
		raw:    out.contentType(), status: op.status,
		problems: []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}
	if d.id == "" {
		d.id = defaultOperationID(method, path)
	}
	d.id = sc.operationID(d.id)
	switch in.body {
	case bodyField:
		d.body = reflect.New(reflect.TypeFor[I]().FieldByIndex(in.bodyIndex).Type).Elem().Interface()
		if t := reflect.TypeOf(d.body); t.Kind() == reflect.Pointer {
			d.body = reflect.New(t.Elem()).Elem().Interface()
		}
		d.bodyRequired = in.bodyRequired
	case bodyJSON:
		d.bodyRequired = in.bodyRequired
	case bodyForm:
		d.formFields = in.formNames
	}
	if len(cfg.security) > 0 {
		d.problems = append(d.problems, http.StatusUnauthorized)
	}

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
	op.name = fmt.Sprintf("operation %q (%s %s)", d.id, method, full)
	routeOpts := cfg.routeOpts(d.id)
	sc.hg.Route([]string{method}, pattern, op.serve, routeOpts...)
}

// serve is the route handler: authorize, bind and validate, call, write.
func (op *operation[I, O]) serve(c *hyperlane.Context) error {
	if op.auth != nil {
		if err := op.auth.check(c); err != nil {
			return err
		}
	}
	in := new(I)
	if err := op.in.bind(c, reflect.ValueOf(in).Elem()); err != nil {
		return err
	}
	out, err := op.handler(c, in)
	if err != nil {
		return err
	}
	if out == nil {
		switch {
		case c.Responded():
			return nil // the handler wrote the response itself
		case op.out.hasBody():
			return fmt.Errorf("openapi: %s returned a nil %T and a nil error, but its output has a body: return the output, an error, or write the response through the Context", op.name, out)
		}
		return c.NoContent(op.status)
	}
	return op.out.write(c, op.status, out)
}
