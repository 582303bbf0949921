package hyperlane

import "time"

// Observer watches every request a Server answers, for telemetry such as
// metrics and traces. Both functions run in the request's goroutine and
// must not block; either may be nil.
//
// Begin runs once the request was routed, before any middleware, so
// RoutePattern and OperationID are known already; it must not panic. End
// runs once the response was written (or, for a WebSocket or event stream, once the
// handler returned and the stream ended), before the Context is released:
// RoutePattern, OperationID, StatusCode, Started, RequestBytes,
// ResponseBytes and StreamStats then describe the finished request.
type Observer struct {
	Begin func(c *Context)
	End   func(c *Context)
}

// Observe adds an observer; observers run in the order added. Like
// routes, observers are added before serving.
func (s *Server) Observe(o Observer) {
	if o.Begin == nil && o.End == nil {
		panic("hyperlane: Observe: Observer has neither Begin nor End")
	}
	s.observers = append(s.observers, o)
}

// MetaOperationID is the Meta key, with a string value, naming the
// operation a route serves. Package openapi sets it to the operationId
// of every typed operation; Context.OperationID returns it, so that
// telemetry can label requests by operation without importing openapi.
const MetaOperationID = "openapi.operationId"

// OperationID returns the operation id of the matched route (see
// MetaOperationID), or "" when the route has none or no route matched.
func (c *Context) OperationID() string {
	if !c.live() || c.route == nil {
		return ""
	}
	return c.route.opID
}

// RouteID returns a small number that identifies the matched route: its
// index in Server.Routes (registration order), or -1 when no route
// matched. Telemetry indexes per-route state by it instead of hashing
// the pattern on every request.
func (c *Context) RouteID() int {
	if !c.live() || c.route == nil {
		return -1
	}
	return c.route.id
}

// Started returns when the request arrived. It is set only while the
// server has an Observer (reading the clock costs time on every request);
// it is the zero time otherwise.
func (c *Context) Started() time.Time {
	if !c.live() || c.started == 0 {
		return time.Time{}
	}
	return clockBase.Add(c.started)
}

// clockBase is the origin of Context.started: a duration since it is
// read from the monotonic clock alone, which costs half of time.Now, and
// time.Since of the Time it gives back reads only that clock again.
var clockBase = time.Now()

// RequestBytes returns the size of the request body: the bytes read from
// it so far, or its Content-Length when it was not read; 0 when unknown.
func (c *Context) RequestBytes() int64 {
	if !c.live() {
		return 0
	}
	if n := c.reqBody.n; n > 0 {
		return n
	}
	return max(c.r.ContentLength, 0)
}

// ResponseBytes returns the size of the response body Hyperlane wrote:
// the buffered body, what Context.Write sent after a commit, and the
// events of an event stream. Bytes written to the writer RawWriter
// returns, or by a WebSocket, are not counted.
func (c *Context) ResponseBytes() int64 {
	if !c.live() {
		return 0
	}
	n := c.sent
	if c.stream != nil {
		n += c.stream.bytes.Load()
	}
	return n
}

// StreamKind names the kind of long-lived stream a request became.
type StreamKind string

// The stream kinds StreamStats reports.
const (
	StreamWebSocket StreamKind = "websocket"
	StreamSSE       StreamKind = "sse"
)

// StreamStats describes the WebSocket session or event stream a request
// became: when it began (the upgrade, or the first flush of the stream)
// and how many messages went each way. An event stream receives none;
// comments and heartbeats are not events.
type StreamStats struct {
	Kind     StreamKind
	Began    time.Time
	Received uint64
	Sent     uint64
}

// StreamStats returns the stream the request became, and false for a
// plain request. Read it in an Observer's End to record the session.
func (c *Context) StreamStats() (StreamStats, bool) {
	if !c.live() {
		return StreamStats{}, false
	}
	switch {
	case c.ws != nil:
		return StreamStats{Kind: StreamWebSocket, Began: c.ws.began,
			Received: c.ws.messages.Load(), Sent: c.ws.sent.Load()}, true
	case c.stream != nil && !c.stream.began.IsZero():
		return StreamStats{Kind: StreamSSE, Began: c.stream.began, Sent: c.stream.events.Load()}, true
	}
	return StreamStats{}, false
}

// observeBegin runs the observers' Begin halves and notes the start time.
func (s *Server) observeBegin(c *Context) {
	c.started = max(time.Since(clockBase), 1) // 0 means "not set"
	for _, o := range s.observers {
		if o.Begin != nil {
			o.Begin(c)
		}
	}
}

// observeEnd runs the observers' End halves, a panic in one logged and
// the others still run: the response is sent already.
func (s *Server) observeEnd(c *Context) {
	for _, o := range s.observers {
		if o.End != nil {
			s.observeSafely(c, o.End)
		}
	}
}

func (s *Server) observeSafely(c *Context, fn func(*Context)) {
	defer func() {
		if rec := recover(); rec != nil {
			s.log.Error("hyperlane: Observer.End panicked", "panic", rec, "path", c.r.URL.Path)
		}
	}()
	fn(c)
}
