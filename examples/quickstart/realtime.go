package main

import (
	"net/http"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hyperlane-go/hyperlane/examples/chat/chatroom"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// Bounds of GET /events.
const (
	maxEvents       = 1000
	minEventEvery   = 10 * time.Millisecond
	maxEventEvery   = time.Minute
	eventsRetry     = 500 * time.Millisecond
	metricsInterval = time.Second
)

// registerRealtime adds the WebSocket and SSE routes:
//
//	GET /ws              WebSocket echo (text and binary; permessage-deflate offered)
//	GET /chat            the chat page; GET /chat/ws is its typed socket,
//	                     GET /chat/events?room=lobby the room as SSE
//	GET /events          SSE: ids 1..n, one per interval, resuming after Last-Event-ID
//	                     (a typed operation, registered in pets.go with the Pet API)
//	GET /metrics/stream  SSE: goroutines, heap, uptime and requests served, each second
//
// The sockets are typed (openapi.WebSocket) and, with the typed SSE
// streams, described in api's AsyncAPI document (/asyncapi.json). It
// returns the chat, whose hub the metrics watch.
func registerRealtime(s *hyperlane.Server, api *openapi.API, conn connected) *chatroom.Chat {
	start := time.Now()
	var served atomic.Uint64
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		served.Add(1)
		return nil
	})

	openapi.WebSocket(api, "/ws", echoSocket,
		openapi.OperationID("echo"), openapi.Summary("WebSocket echo"), openapi.Tags("realtime"),
		openapi.Description("Every message comes back as it was sent, text as text and binary as binary."),
		openapi.Receives[string]("text"), openapi.Receives[[]byte]("binary"),
		openapi.Sends[string]("text"), openapi.Sends[[]byte]("binary"),
		openapi.SocketOptions(hyperlane.WSCompression(true)))

	chat := chatroom.NewWith(conn.chat)
	chat.Register(s, api, "/chat")
	s.OnShutdown(func() {
		chat.Close() // closes the hub, and with it the backplane
		conn.close()
	})

	s.Get("/metrics/stream", func(c *hyperlane.Context) error {
		return streamMetrics(c, start, &served)
	})
	openapi.DocumentEvents[metricsEvents](api, "/metrics/stream", openapi.OperationID("metricsStream"), openapi.Tags("realtime"),
		openapi.Summary("Live process metrics (Server-Sent Events)"),
		openapi.Description("One metrics event a second, ids counting from 1."))
	return chat
}

// echoSocket sends every message back as it came, text or binary.
func echoSocket(_ *hyperlane.Context, _ *struct{}, s *openapi.Socket) error {
	for {
		msg, err := s.Receive(s.Conn().Context())
		if err != nil {
			return err
		}
		if err := s.Send(msg); err != nil {
			return err
		}
	}
}

// countEvents streams count events with ids 1..n (query n, default 10),
// one per interval (query interval, default 1s), then done. A client
// that sends Last-Event-ID gets resumed first and the events after that
// id. With drop=k the stream ends after event k, as a network failure
// would, and the client reconnects to resume. A client that has every
// event gets 204, which tells EventSource to stop reconnecting. The
// input was validated before the call (422 otherwise); an error returned
// before the first event is a problem+json answer too.
func countEvents(c *hyperlane.Context, in *countEventsQuery, send *openapi.Sender[countStream]) error {
	every := time.Second
	if in.Interval != "" {
		d, err := time.ParseDuration(in.Interval)
		if err != nil || d < minEventEvery || d > maxEventEvery {
			return hyperlane.Errorf(http.StatusBadRequest, "interval %q must be a duration from %v to %v", in.Interval, minEventEvery, maxEventEvery)
		}
		every = d
	}
	n, last := in.N, in.LastEventID
	if last >= n {
		return c.NoContent(http.StatusNoContent)
	}
	if last > 0 {
		if err := send.Send(countStream{Resumed: &resumedEvent{After: last, Remaining: n - last}}); err != nil {
			return nil
		}
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for id := last + 1; id <= n; id++ {
		if id > last+1 {
			select {
			case <-send.Done():
				return nil
			case <-tick.C:
			}
		}
		opts := []openapi.EventOption{openapi.EventID(strconv.Itoa(id))}
		if id == last+1 {
			opts = append(opts, openapi.EventRetry(eventsRetry))
		}
		if send.Send(countStream{Count: &countEvent{N: id, Of: n}}, opts...) != nil || id == in.Drop {
			return nil
		}
	}
	_ = send.Send(countStream{Done: &doneEvent{Sent: n - last, Of: n}}) // the client may have left
	return nil
}

// metricsEvents are the events of GET /metrics/stream.
type metricsEvents struct {
	Metrics *metricsSample `event:"metrics"`
}

// metricsSample is the data of one metrics event.
type metricsSample struct {
	Goroutines     uint64  `json:"goroutines" description:"Live goroutines."`
	HeapBytes      uint64  `json:"heap_bytes" description:"Bytes of live and unswept heap objects."`
	UptimeSeconds  float64 `json:"uptime_seconds" description:"Seconds since the server started."`
	RequestsServed uint64  `json:"requests_served" description:"Requests served since the start."`
}

// streamMetrics sends the process's live numbers once a second, read
// through runtime/metrics, which does not stop the world.
func streamMetrics(c *hyperlane.Context, start time.Time, served *atomic.Uint64) error {
	samples := []metrics.Sample{
		{Name: "/sched/goroutines:goroutines"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	es := c.SSE()
	tick := time.NewTicker(metricsInterval)
	defer tick.Stop()
	for seq := 1; ; seq++ {
		metrics.Read(samples)
		err := es.Send(hyperlane.Event{ID: strconv.Itoa(seq), Event: "metrics", Data: metricsSample{
			Goroutines:     samples[0].Value.Uint64(),
			HeapBytes:      samples[1].Value.Uint64(),
			UptimeSeconds:  time.Since(start).Seconds(),
			RequestsServed: served.Load(),
		}})
		if err != nil {
			return nil
		}
		select {
		case <-es.Done():
			return nil
		case <-tick.C:
		}
	}
}
