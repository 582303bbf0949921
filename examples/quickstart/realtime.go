package main

import (
	"net/http"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hyperlane-go/hyperlane/examples/chat/chatroom"
	"github.com/hyperlane-go/hyperlane/hyperlane"
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
//	GET /chat            the chat page; GET /chat/ws is its socket
//	GET /events          SSE: ids 1..n, one per interval, resuming after Last-Event-ID
//	GET /metrics/stream  SSE: goroutines, heap, uptime and requests served, each second
//
// It returns the chat, whose hub the metrics watch.
func registerRealtime(s *hyperlane.Server) *chatroom.Chat {
	start := time.Now()
	var served atomic.Uint64
	s.RequestMiddleware(func(c *hyperlane.Context) error {
		served.Add(1)
		return nil
	})

	s.WebSocket("/ws", echoSocket, hyperlane.WSCompression(true))

	chat := chatroom.New()
	chat.Register(s, "/chat")
	s.OnShutdown(chat.Close)

	s.Get("/events", countEvents)
	s.Get("/metrics/stream", func(c *hyperlane.Context) error {
		return streamMetrics(c, start, &served)
	})
	return chat
}

// echoSocket sends every message back as it came, text or binary.
func echoSocket(c *hyperlane.Context, ws *hyperlane.Conn) error {
	for {
		typ, msg, err := ws.Read(ws.Context())
		if err != nil {
			return err
		}
		if err := ws.Write(ws.Context(), typ, msg); err != nil {
			return err
		}
	}
}

// countEvents streams events with ids 1..n (query n, default 10), one per
// interval (query interval, default 1s), starting after the client's
// Last-Event-ID. With drop=k the stream ends after event k, as a network
// failure would, and the client reconnects to resume. A client that has
// every event gets 204, which tells EventSource to stop reconnecting.
func countEvents(c *hyperlane.Context) error {
	n, err := intQuery(c, "n", 10, 1, maxEvents)
	if err != nil {
		return err
	}
	drop, err := intQuery(c, "drop", 0, 0, maxEvents)
	if err != nil {
		return err
	}
	every := time.Second
	if v := c.Query("interval"); v != "" {
		d, perr := time.ParseDuration(v)
		if perr != nil || d < minEventEvery || d > maxEventEvery {
			return hyperlane.Errorf(http.StatusBadRequest, "interval %q must be a duration from %v to %v", v, minEventEvery, maxEventEvery)
		}
		every = d
	}
	last := 0
	if v := c.Header("Last-Event-ID"); v != "" {
		if last, err = strconv.Atoi(v); err != nil || last < 0 {
			return hyperlane.Errorf(http.StatusBadRequest, "Last-Event-ID %q is not an event id of this stream", v)
		}
	}
	if last >= n {
		return c.NoContent(http.StatusNoContent)
	}

	es := c.SSE()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for id := last + 1; id <= n; id++ {
		if id > last+1 {
			select {
			case <-es.Done():
				return nil
			case <-tick.C:
			}
		}
		ev := hyperlane.Event{ID: strconv.Itoa(id), Data: map[string]any{"n": id, "of": n}}
		if id == last+1 {
			ev.Retry = eventsRetry
		}
		if es.Send(ev) != nil || id == drop {
			return nil
		}
	}
	return nil
}

// intQuery reads an integer query parameter within [lo, hi].
func intQuery(c *hyperlane.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, hyperlane.Errorf(http.StatusBadRequest, "query %s=%q must be an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
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
		err := es.Send(hyperlane.Event{ID: strconv.Itoa(seq), Event: "metrics", Data: map[string]any{
			"goroutines":      samples[0].Value.Uint64(),
			"heap_bytes":      samples[1].Value.Uint64(),
			"uptime_seconds":  time.Since(start).Seconds(),
			"requests_served": served.Load(),
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
