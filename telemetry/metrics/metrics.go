package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configures Install. The zero value is ready to use.
type Options struct {
	// Registry receives the series. Default: a new registry holding the
	// Go runtime and process collectors too, served by Handler.
	Registry *prometheus.Registry
	// Namespace prefixes every series name. Default: "hyperlane".
	Namespace string
	// DurationBuckets are the upper bounds, in seconds, of the request
	// duration histogram. Default: DefaultDurationBuckets.
	DurationBuckets []float64
	// SizeBuckets are the upper bounds, in bytes, of the request and
	// response size histograms. Default: DefaultSizeBuckets.
	SizeBuckets []float64
}

// DefaultDurationBuckets span 250µs to 10s: a framework that answers in
// microseconds needs finer buckets than Prometheus's defaults.
var DefaultDurationBuckets = []float64{.00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// DefaultSizeBuckets span 64 B to 16 MiB, by fours.
var DefaultSizeBuckets = prometheus.ExponentialBuckets(64, 4, 10)

// Unmatched is the route label of requests no route matched (404, 405,
// automatic OPTIONS): every such request shares it, whatever its path.
const Unmatched = "unmatched"

// OtherMethod is the method label of a request whose method is not one
// of the standard nine, as OpenTelemetry's conventions name it.
const OtherMethod = "_OTHER"

// Metrics holds a server's Prometheus series. Install makes it.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	reqSize  *prometheus.HistogramVec
	respSize *prometheus.HistogramVec
	// inFlight is an integer read at scrape time: an atomic add is cheaper
	// per request than a float gauge's compare-and-swap loop.
	inFlight atomic.Int64
	server   *serverCollector

	// routes caches each label set's children, indexed by route
	// (Context.RouteID + 1; 0 for unmatched requests), method and status
	// class, so a request finds them without hashing a string. The slice
	// is read without a lock and copied on the rare growth; a slot is
	// filled once, under mu. Their number is bounded by routes x
	// methods x status classes.
	routes atomic.Pointer[[]*routeSeries]
	mu     sync.Mutex
}

// routeSeries are one route's children, by method slot and status class.
type routeSeries struct {
	by [len(methodNames)][len(classNames)]atomic.Pointer[series]
}

type series struct {
	requests                    prometheus.Counter
	duration, reqSize, respSize prometheus.Observer
}

// labels are the labels of the request series, in order.
var labels = []string{"method", "route", "status", "operation"}

// Install registers s's series and starts counting its requests: HTTP
// requests, in-flight requests and the server's connections and streams
// (see Server.Stats). Serve them with Handler or Serve. It panics when
// the registry holds them already (Install called twice on one registry).
func Install(s *hyperlane.Server, opts Options) *Metrics {
	ns := opts.Namespace
	if ns == "" {
		ns = "hyperlane"
	}
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	durations := opts.DurationBuckets
	if durations == nil {
		durations = DefaultDurationBuckets
	}
	sizes := opts.SizeBuckets
	if sizes == nil {
		sizes = DefaultSizeBuckets
	}
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by method, route pattern, status class and OpenAPI operationId."}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Subsystem: "http", Name: "request_duration_seconds",
			Help: "Time from routing to the end of the response (of the stream, for WebSocket and SSE).", Buckets: durations}, labels),
		reqSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Subsystem: "http", Name: "request_size_bytes",
			Help: "Request body size: bytes read, or Content-Length when unread.", Buckets: sizes}, labels),
		respSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Subsystem: "http", Name: "response_size_bytes",
			Help: "Response body bytes Hyperlane wrote (buffered bodies, streamed writes, SSE events).", Buckets: sizes}, labels),
		server: newServerCollector(ns, s),
	}
	inFlight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: "http", Name: "requests_in_flight",
		Help: "Requests being answered now, open WebSocket sessions and SSE streams included."},
		func() float64 { return float64(m.inFlight.Load()) })
	m.routes.Store(new([]*routeSeries))
	reg.MustRegister(m.requests, m.duration, m.reqSize, m.respSize, inFlight, m.server)
	s.Observe(hyperlane.Observer{Begin: m.begin, End: m.end})
	return m
}

// Registry returns the registry the series are in, to add your own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format (or
// OpenMetrics when the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// Serve is Handler as a Hyperlane handler: s.Get("/metrics", m.Serve).
// A plain route is not a typed operation, so it stays out of the OpenAPI
// document.
func (m *Metrics) Serve(c *hyperlane.Context) error {
	m.Handler().ServeHTTP(c.BufferedWriter(), c.Request())
	return nil
}

func (m *Metrics) begin(*hyperlane.Context) { m.inFlight.Add(1) }

func (m *Metrics) end(c *hyperlane.Context) {
	m.inFlight.Add(-1)
	id := c.RouteID() + 1
	var rs *routeSeries
	if routes := *m.routes.Load(); id < len(routes) {
		rs = routes[id]
	}
	if rs == nil {
		rs = m.route(id)
	}
	mi, class := methodSlot(c.Method()), statusClass(c.StatusCode())
	se := rs.by[mi][class].Load()
	if se == nil {
		se = m.add(rs, c, mi, class)
	}
	se.requests.Inc()
	if t := c.Started(); !t.IsZero() {
		se.duration.Observe(time.Since(t).Seconds())
	}
	se.reqSize.Observe(float64(c.RequestBytes()))
	se.respSize.Observe(float64(c.ResponseBytes()))
}

// route returns the children of route slot id, growing the table.
func (m *Metrics) route(id int) *routeSeries {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.routes.Load()
	if id < len(old) && old[id] != nil {
		return old[id]
	}
	next := make([]*routeSeries, max(len(old), id+1))
	copy(next, old)
	next[id] = new(routeSeries)
	m.routes.Store(&next)
	return next[id]
}

// add makes the children of a label set seen for the first time.
func (m *Metrics) add(rs *routeSeries, c *hyperlane.Context, mi, class int) *series {
	m.mu.Lock()
	defer m.mu.Unlock()
	if se := rs.by[mi][class].Load(); se != nil {
		return se
	}
	route := c.RoutePattern()
	if route == "" {
		route = Unmatched
	}
	lv := []string{methodNames[mi], route, classNames[class], c.OperationID()}
	se := &series{
		requests: m.requests.WithLabelValues(lv...),
		duration: m.duration.WithLabelValues(lv...),
		reqSize:  m.reqSize.WithLabelValues(lv...),
		respSize: m.respSize.WithLabelValues(lv...),
	}
	rs.by[mi][class].Store(se)
	return se
}

// classNames are the status label's values, by statusClass.
var classNames = [...]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass maps a status to its index in classNames. A handler that
// set no status answered 200.
func statusClass(code int) int {
	if code == 0 {
		return 2
	}
	if code < 100 || code > 599 {
		return 0
	}
	return code / 100
}

// methodNames are the method label's values, by methodSlot: the nine
// standard methods, then OtherMethod for any other, so that invented
// methods add no series.
var methodNames = [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace, OtherMethod}

// methodSlot maps a method to its index in methodNames.
func methodSlot(m string) int {
	for i, name := range methodNames[:len(methodNames)-1] {
		if m == name {
			return i
		}
	}
	return len(methodNames) - 1
}
