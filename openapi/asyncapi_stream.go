package openapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"

	"github.com/swaggest/openapi-go/openapi31"
)

// DocumentEvents describes a plain Server-Sent Events route (one served
// by a hyperlane handler with c.SSE, not by SSE) as a channel of the
// AsyncAPI document: E declares its events as SSE's event type does, a
// struct of pointer fields tagged event:"name". Summary, Description,
// Tags and OperationID describe it; Request documents its query
// parameters. Like Document, it is documentation only, and a document
// asked for while no GET route is registered on pattern is an error, so
// it cannot describe an endpoint that answers 404.
func DocumentEvents[E any](r Registrar, pattern string, opts ...Option) {
	rt, fail := startRoute(r, "DocumentEvents", pattern, opts)
	sc, cfg, path, pathParams := rt.sc, rt.cfg, rt.path, rt.pathParams
	api := sc.api
	if cfg.status != 0 || len(cfg.events) > 0 || len(cfg.limiters) > 0 || cfg.socket.used() {
		fail(errors.New("it takes Summary, Description, Tags, OperationID and Request: the stream is described by E"))
	}
	events, err := analyzeEvents(reflect.TypeFor[E]())
	if err != nil {
		fail(err)
	}
	id := cfg.id
	if id == "" {
		id = defaultOperationID(http.MethodGet, path)
	}
	id = sc.operationID(id)
	ch := &channelDoc{kind: channelSSE, id: id, address: path, cfg: cfg, sends: eventDecls(events), params: map[string]string{}}
	for _, p := range pathParams {
		ch.params[p] = ""
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if cfg.request != nil {
		t := reflect.TypeOf(cfg.request)
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if _, err := analyzeInput(t, http.MethodGet, pathParams); err != nil {
			fail(err)
		}
		op, schemas, err := api.scratchOperation(&opDoc{method: http.MethodGet, path: path, cfg: cfg, id: id, input: reflect.New(t).Interface()})
		if err == nil {
			err = ch.handshake(op, schemas, api.async.schemas)
		}
		if err != nil {
			fail(err)
		}
	}
	if err := api.addChannel(ch); err != nil {
		fail(err)
	}
	api.documented = append(api.documented, routeKey{http.MethodGet, path})
}

// scratchOperation describes an operation in an OpenAPI document of its
// own, not the API's: the parameters of a WebSocket handshake or a plain
// event stream, which the AsyncAPI document gives their channel. It
// returns the operation's JSON and that document's component schemas.
func (a *API) scratchOperation(d *opDoc) ([]byte, map[string]map[string]any, error) {
	scratch, _ := newReflectors(a.names, a.config.ForbidUnknownFields)
	oc, err := a.prepare(scratch, d)
	if err != nil {
		return nil, nil, err
	}
	if err := scratch.AddOperation(oc); err != nil {
		return nil, nil, err
	}
	op, err := json.Marshal(oc.(openapi31.OperationExposer).Operation())
	return op, scratch.SpecEns().ComponentsEns().Schemas, err
}
