package middleware

import (
	"net/http"
	"strings"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// Middleware is one Hyperlane middleware as the two halves it may need:
// Request runs before the route handler and Response after it. Either
// may be nil. Pass it to Install, which registers both halves so that
// neither is forgotten, or register the halves yourself.
type Middleware struct {
	Request  hyperlane.Handler
	Response hyperlane.Handler
}

// Registrar is where middleware is registered: a *hyperlane.Server or a
// *hyperlane.Group.
type Registrar interface {
	RequestMiddleware(h ...hyperlane.Handler)
	ResponseMiddleware(h ...hyperlane.Handler)
}

// Install registers mws on r like layers of net/http middleware: the
// first is the outermost. Request halves run in the order given and
// response halves in the reverse order, so the first middleware sees the
// request first and the finished response last.
//
// Install appends to what r already holds: middleware registered on r
// before Install runs before these request halves and before these
// response halves. Handlers of your own can join the layers as
// Middleware{Request: h} or Middleware{Response: h}.
func Install(r Registrar, mws ...Middleware) {
	for _, m := range mws {
		if m.Request != nil {
			r.RequestMiddleware(m.Request)
		}
	}
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i].Response != nil {
			r.ResponseMiddleware(mws[i].Response)
		}
	}
}

// addVary adds token to the Vary header unless it is listed already.
func addVary(h http.Header, token string) {
	for _, v := range h["Vary"] {
		if hasToken(v, token) {
			return
		}
	}
	h["Vary"] = append(h["Vary"], token)
}

// hasToken reports whether the comma-separated list s holds token or "*",
// compared case-insensitively.
func hasToken(s, token string) bool {
	for s != "" {
		var t string
		t, s, _ = strings.Cut(s, ",")
		t = strings.TrimSpace(t)
		if t == "*" || strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

// singleConfig returns the one optional config passed to a constructor,
// or its zero value.
func singleConfig[T any](name string, cfgs []T) T {
	var cfg T
	switch len(cfgs) {
	case 0:
	case 1:
		cfg = cfgs[0]
	default:
		panic("middleware: " + name + " takes at most one config")
	}
	return cfg
}
