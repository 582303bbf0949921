package openapi

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// Document describes a route registered the plain way (s.Get and
// friends), such as a WebSocket upgrade, a file download or a
// Server-Sent Events stream: the options give its summary, tags,
// security, responses (Response, Errors, EventStream) and input
// (Request). Nothing is bound or validated; the handler stays in charge,
// so only a 500 is documented besides what the options declare (a
// secured route adds 401). The route must exist by the time the document
// is served, or serving it fails naming the route. Without a declared
// response the operation documents a bare 200. On a Group, pattern is
// relative to the group's prefix (as on its Hyperlane group) and the
// group's defaults apply.
func Document(r Registrar, method, pattern string, opts ...Option) {
	method = strings.ToUpper(method)
	if r == nil {
		panic(fmt.Sprintf("openapi: Document %s %s: nil API or Group", method, pattern))
	}
	sc := r.scope()
	api := sc.api
	cfg, full, err := sc.operationConfig(pattern, opts)
	fail := func(err error) {
		panic(fmt.Sprintf("openapi: Document %s %s: %v", method, full, err))
	}
	if err != nil {
		fail(err)
	}
	path, pathParams, err := specPath(full)
	if err != nil {
		fail(err)
	}
	if cfg.status != 0 {
		fail(fmt.Errorf("Status is for typed operations; use Response to document what the route sends"))
	}
	if len(cfg.limiters) > 0 {
		fail(fmt.Errorf("RateLimited installs its limiter on typed operations only; wrap this route with hyperlane.WrapHandler(...) or a group's middleware and document Errors(http.StatusTooManyRequests)"))
	}
	d := &opDoc{method: method, path: path, cfg: cfg, id: cfg.id,
		problems: []int{http.StatusInternalServerError}}
	if d.id == "" {
		d.id = defaultOperationID(method, path)
	}
	d.id = sc.operationID(d.id)
	if cfg.request != nil {
		t := reflect.TypeOf(cfg.request)
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		in, err := analyzeInput(t, method, pathParams)
		if err != nil {
			fail(err)
		}
		d.input = reflect.New(t).Interface()
		d.bodyRequired = in.bodyRequired
		d.formFields = in.formNames
		if in.body == bodyField {
			d.body = reflect.New(t.FieldByIndex(in.bodyIndex).Type).Elem().Interface()
		}
	} else if len(pathParams) > 0 {
		fail(fmt.Errorf("the pattern has parameters %v; describe them with openapi.Request(T{}) and path tags", pathParams))
	}
	if len(cfg.responses) == 0 && len(cfg.events) == 0 {
		cfg.responses = append(cfg.responses, response{http.StatusOK, nil, "OK"})
	}
	if len(cfg.security) > 0 {
		d.problems = append(d.problems, http.StatusUnauthorized)
	}

	api.mu.Lock()
	defer api.mu.Unlock()
	for _, s := range cfg.security {
		if _, ok := api.schemes[s[0]]; !ok {
			fail(fmt.Errorf("unknown security scheme %q (define it in Config.SecuritySchemes)", s[0]))
		}
	}
	if err := api.claimID(d.id, method, full); err != nil {
		fail(sc.idError(err, d.id))
	}
	if _, err := api.describeOperation(d); err != nil {
		fail(err)
	}
	api.documented = append(api.documented, routeKey{method, path})
	api.invalidate()
}
