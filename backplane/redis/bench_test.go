package redis_test

// Messages per second through the Redis backplane beside the in-memory
// hub, publisher and subscriber on two hubs (figures in docs/scaling.md):
//
//	go test -run '^$' -bench Throughput -benchtime 20000x ./   (in backplane/redis)

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	hlredis "github.com/hyperlane-go/hyperlane/backplane/redis"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// throughput publishes b.N messages on pub and waits for the last one on
// sub's subscriber; it reports messages/s and how many the subscriber's
// buffer dropped (DropOldest).
func throughput(b *testing.B, pub, sub *broadcast.Hub[msg], retry func(error) bool) {
	s := sub.Subscribe("room")
	defer s.Unsubscribe()
	done := make(chan int)
	go func() {
		got := 0
		for m := range s.C() {
			got++
			if m.N == b.N-1 {
				done <- got
				return
			}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for {
			err := pub.Publish("room", msg{N: i, Text: "a chat message of a usual size"})
			if err == nil {
				break
			}
			if !retry(err) {
				b.Fatal(err)
			}
			runtime.Gosched()
		}
	}
	got := <-done
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	b.ReportMetric(float64(b.N-got), "dropped")
}

func BenchmarkThroughput(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		h := broadcast.New(broadcast.Options[msg]{Buffer: 1 << 16})
		defer h.Close()
		throughput(b, h, h, func(error) bool { return false })
	})
	b.Run("redis", func(b *testing.B) {
		srv := startRedis(b)
		a, c := benchHub(b, srv), benchHub(b, srv)
		throughput(b, a, c, func(err error) bool { return errors.Is(err, hlredis.ErrQueueFull) })
	})
}

func benchHub(b *testing.B, srv *redisServer) *broadcast.Hub[msg] {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bp, err := hlredis.NewBackplane(ctx, srv.client(b), hlredis.Options[msg]{Channel: "bench", Queue: 1 << 14})
	if err != nil {
		b.Fatal(err)
	}
	h := broadcast.New(broadcast.Options[msg]{Buffer: 1 << 16, Backplane: bp})
	b.Cleanup(func() { _ = h.Close() })
	return h
}
