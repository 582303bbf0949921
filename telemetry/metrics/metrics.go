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
	inFlight prometheus.Gauge
	server   *serverCollector

	// series caches each label set's children: read without a lock,
	// copied on the rare write (a label set seen for the first time).
	// Their number is bounded by routes x methods x status classes.
	series atomic.Pointer[map[seriesKey]*series]
	mu     sync.Mutex
}

type seriesKey struct {
	method, route, operation string
	class                    uint8
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
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "http", Name: "requests_in_flight",
			Help: "Requests being answered now, open WebSocket sessions and SSE streams included."}),
		server: newServerCollector(ns, s),
	}
	empty := map[seriesKey]*series{}
	m.series.Store(&empty)
	reg.MustRegister(m.requests, m.duration, m.reqSize, m.respSize, m.inFlight, m.server)
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

func (m *Metrics) begin(*hyperlane.Context) { m.inFlight.Inc() }

func (m *Metrics) end(c *hyperlane.Context) {
	m.inFlight.Dec()
	route := c.RoutePattern()
	if route == "" {
		route = Unmatched
	}
	k := seriesKey{method: methodLabel(c.Method()), route: route, operation: c.OperationID(), class: statusClass(c.StatusCode())}
	se := (*m.series.Load())[k]
	if se == nil {
		se = m.add(k)
	}
	se.requests.Inc()
	if t := c.Started(); !t.IsZero() {
		se.duration.Observe(time.Since(t).Seconds())
	}
	se.reqSize.Observe(float64(c.RequestBytes()))
	se.respSize.Observe(float64(c.ResponseBytes()))
}

// add makes the children of a label set seen for the first time.
func (m *Metrics) add(k seriesKey) *series {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.series.Load()
	if se := old[k]; se != nil {
		return se
	}
	lv := []string{k.method, k.route, classNames[k.class], k.operation}
	se := &series{
		requests: m.requests.WithLabelValues(lv...),
		duration: m.duration.WithLabelValues(lv...),
		reqSize:  m.reqSize.WithLabelValues(lv...),
		respSize: m.respSize.WithLabelValues(lv...),
	}
	next := make(map[seriesKey]*series, len(old)+1)
	for key, v := range old {
		next[key] = v
	}
	next[k] = se
	m.series.Store(&next)
	return se
}

// classNames are the status label's values, by statusClass.
var classNames = [...]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass maps a status to its index in classNames. A handler that
// set no status answered 200.
func statusClass(code int) uint8 {
	if code == 0 {
		return 2
	}
	if code < 100 || code > 599 {
		return 0
	}
	return uint8(code / 100)
}

// methodLabel returns m when it is a standard method, OtherMethod
// otherwise, so that invented methods add no series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return OtherMethod
}
