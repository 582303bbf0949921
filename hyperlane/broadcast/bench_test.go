package broadcast_test

// Fan-out benchmark (figures in docs/realtime.md):
//
//	go test -run '^$' -bench Fanout -benchtime 3s ./hyperlane/broadcast/

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// BenchmarkFanout measures publish-to-last-delivery latency:
// one op is a Publish and the wait until all 1,000 subscribers have the
// message, on the hub alone and through 1,000 WebSocket connections.
func BenchmarkFanout(b *testing.B) {
	const subs = 1000
	b.Run("hub", func(b *testing.B) {
		hub := broadcast.New(broadcast.Options[int]{})
		defer hub.Close()
		var left atomic.Int64
		done := make(chan struct{})
		for range subs {
			s := hub.Subscribe("room")
			go func() {
				for range s.C() {
					if left.Add(-1) == 0 {
						done <- struct{}{}
					}
				}
			}()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			left.Store(subs)
			_ = hub.Publish("room", i)
			<-done
		}
	})
	b.Run("websocket", func(b *testing.B) {
		hub := broadcast.New(broadcast.Options[[]byte]{})
		defer hub.Close()
		s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
		s.WebSocket("/ws", func(c *hyperlane.Context, ws *hyperlane.Conn) error {
			sub := hub.Subscribe("room")
			defer sub.Unsubscribe()
			for {
				select {
				case m := <-sub.C():
					if err := ws.WriteBinary(ws.Context(), m); err != nil {
						return err
					}
				case <-ws.Done():
					return nil
				}
			}
		})
		srv := httptest.NewServer(s)
		defer srv.Close()
		var left atomic.Int64
		done := make(chan struct{})
		for range subs {
			c, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseNow()
			go func() {
				for {
					if _, _, err := c.Read(context.Background()); err != nil {
						return
					}
					if left.Add(-1) == 0 {
						done <- struct{}{}
					}
				}
			}()
		}
		for hub.Count("room") < subs {
			time.Sleep(time.Millisecond)
		}
		msg := []byte(strings.Repeat("m", 64))
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			left.Store(subs)
			_ = hub.Publish("room", msg)
			<-done
		}
	})
}
