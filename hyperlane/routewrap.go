package hyperlane

// WrapHandler returns a RouteOption that wraps the route's handler in wrap
// when the route is registered. It lets a decorator guard one route,
// typed OpenAPI operations included (through openapi.RouteOptions);
// package adapter builds its With option, net/http middleware on one
// route, on it. Several wrappers apply in order, the first outermost;
// RouteInfo.Handler keeps naming the wrapped handler. A route registered
// for several methods is wrapped once per method.
func WrapHandler(wrap func(Handler) Handler) RouteOption {
	if wrap == nil {
		panic("hyperlane: WrapHandler(nil)")
	}
	return func(ri *RouteInfo) { ri.wrappers = append(ri.wrappers, wrap) }
}

// wrap applies the route's wrappers to h, the first outermost.
func (ri *RouteInfo) wrap(h Handler) Handler {
	for i := len(ri.wrappers) - 1; i >= 0; i-- {
		if h = ri.wrappers[i](h); h == nil {
			panic("hyperlane: route " + ri.Method + " " + quote(ri.Pattern) + ": a WrapHandler wrapper returned nil")
		}
	}
	return h
}
