// Package broadcast is a publish/subscribe hub with rooms: a chat room, a
// document's viewers, a user's devices. It knows nothing of HTTP; a
// WebSocket or event-stream handler subscribes for its client and
// forwards what arrives:
//
//	hub := broadcast.New(broadcast.Options[Message]{})
//	s.OnShutdown(func() { _ = hub.Close() }) // subscribers learn of a shutdown
//
//	s.WebSocket("/rooms/{room}", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
//		sub := hub.Subscribe(c.Param("room"))
//		defer sub.Unsubscribe()
//		go func() {
//			for m := range sub.C() {
//				if ws.WriteJSON(ws.Context(), m) != nil {
//					return
//				}
//			}
//		}()
//		for {
//			var m Message
//			if err := ws.ReadJSON(ws.Context(), &m); err != nil {
//				return err
//			}
//			_ = hub.Publish(sub.Room(), m)
//		}
//	})
//
// Publish never waits for a subscriber: each has a bounded buffer, and a
// full one is handled by the hub's SlowConsumerPolicy. Messages published
// by one goroutine reach every subscriber in publish order.
//
// A hub delivers through a Backplane, in memory by default. A backplane
// over a broker (Redis pub/sub, NATS) lets hubs in several processes share
// rooms with no change to the code that publishes and subscribes; such a
// backplane lives in its own module and needs nothing but this package:
// Codec and EncodeDelivery/DecodeDelivery give it a wire format, and
// the modules backplane/redis and backplane/nats are two.
//
// An EventLog keeps the recent events of named streams so that an SSE
// client reconnecting with Last-Event-ID gets exactly what it missed:
// MemoryLog in one process, a log on a shared store (backplane/redis's
// StreamLog, on Redis Streams) on any instance.
package broadcast
