package metrics

import (
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/prometheus/client_golang/prometheus"
)

// serverCollector reads Server.Stats and the watched hubs at each scrape.
type serverCollector struct {
	s                                                         *hyperlane.Server
	open, max, waits, atLimit, ws, sse, ready                 *prometheus.Desc
	hubRooms, hubSubs, hubDropped, hubDisconnected, hubPubErr *prometheus.Desc
	hubs                                                      hubList
}

func newServerCollector(ns string, s *hyperlane.Server) *serverCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(ns, "", name), help, labels, nil)
	}
	return &serverCollector{
		s:       s,
		open:    d("connections_open", "HTTP connections open (a connection that became a WebSocket counts in websocket_connections)."),
		max:     d("connections_max", "The WithMaxConns limit; 0 without one."),
		waits:   d("connection_limit_waits_total", "Times the server found MaxConns connections open and stopped accepting until one closed."),
		atLimit: d("connection_limit_reached", "1 while the server waits at the MaxConns limit (new clients queue in the kernel backlog)."),
		ws:      d("websocket_connections", "WebSocket connections whose handler runs."),
		sse:     d("sse_streams", "Server-Sent Events streams open."),
		ready:   d("ready", "1 while the server serves and is not draining or shutting down."),

		hubRooms:        d("hub_rooms", "Rooms with at least one subscriber.", "hub"),
		hubSubs:         d("hub_subscribers", "Subscriptions open over all rooms.", "hub"),
		hubDropped:      d("hub_dropped_messages_total", "Messages the DropOldest slow-consumer policy discarded.", "hub"),
		hubDisconnected: d("hub_slow_consumer_disconnects_total", "Subscriptions the Disconnect slow-consumer policy ended.", "hub"),
		hubPubErr:       d("hub_publish_errors_total", "Publishes the backplane failed, at Publish or later.", "hub"),
	}
}

func (sc *serverCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{sc.open, sc.max, sc.waits, sc.atLimit, sc.ws, sc.sse, sc.ready,
		sc.hubRooms, sc.hubSubs, sc.hubDropped, sc.hubDisconnected, sc.hubPubErr} {
		ch <- d
	}
}

func (sc *serverCollector) Collect(ch chan<- prometheus.Metric) {
	st := sc.s.Stats()
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	g(sc.open, float64(st.OpenConns))
	g(sc.max, float64(st.MaxConns))
	ch <- prometheus.MustNewConstMetric(sc.waits, prometheus.CounterValue, float64(st.ConnLimitWaits))
	g(sc.atLimit, boolValue(st.AtConnLimit))
	g(sc.ws, float64(st.WebSockets))
	g(sc.sse, float64(st.EventStreams))
	g(sc.ready, boolValue(sc.s.Ready()))
	for _, h := range sc.hubs.snapshot() {
		hs := h.hub.Stats()
		ch <- prometheus.MustNewConstMetric(sc.hubRooms, prometheus.GaugeValue, float64(hs.Rooms), h.name)
		ch <- prometheus.MustNewConstMetric(sc.hubSubs, prometheus.GaugeValue, float64(hs.Subscribers), h.name)
		ch <- prometheus.MustNewConstMetric(sc.hubDropped, prometheus.CounterValue, float64(hs.Dropped), h.name)
		ch <- prometheus.MustNewConstMetric(sc.hubDisconnected, prometheus.CounterValue, float64(hs.Disconnected), h.name)
		ch <- prometheus.MustNewConstMetric(sc.hubPubErr, prometheus.CounterValue,
			float64(hs.PublishErrors+hs.Backplane.PublishErrors), h.name)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
