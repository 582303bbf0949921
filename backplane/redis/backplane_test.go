package redis_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	hlredis "github.com/hyperlane-go/hyperlane/backplane/redis"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

type msg struct {
	Text string `json:"text"`
	N    int    `json:"n"`
}

// instance is one process's hub on the shared Redis, with its own client.
type instance struct {
	hub   *broadcast.Hub[msg]
	bp    *hlredis.Backplane[msg]
	state chan bool
}

func newInstance(t *testing.T, srv *redisServer, opts hlredis.Options[msg]) *instance {
	t.Helper()
	if opts.Channel == "" {
		opts.Channel = "test-hub"
	}
	in := &instance{state: make(chan bool, 4096)}
	opts.OnStateChange = func(up bool) { in.state <- up }
	if opts.MinBackoff == 0 {
		opts.MinBackoff = 5 * time.Millisecond
		opts.MaxBackoff = 100 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bp, err := hlredis.NewBackplane(ctx, srv.client(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	<-in.state // the first subscription
	in.bp = bp
	in.hub = broadcast.New(broadcast.Options[msg]{Buffer: 4096, Backplane: bp})
	t.Cleanup(func() { _ = in.hub.Close() })
	return in
}

// waitState waits for the backplane to report up (true) or down (false).
func (in *instance) waitState(t *testing.T, want bool) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case got := <-in.state:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("backplane never reported connected=%v", want)
		}
	}
}

func recv(t *testing.T, s *broadcast.Subscription[msg]) msg {
	t.Helper()
	select {
	case m, ok := <-s.C():
		if !ok {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return msg{}
}

func TestRedisBackplaneCrossInstance(t *testing.T) {
	srv := startRedis(t)
	a, b := newInstance(t, srv, hlredis.Options[msg]{}), newInstance(t, srv, hlredis.Options[msg]{})
	onA, onB := a.hub.Subscribe("lobby"), b.hub.Subscribe("lobby")
	other := b.hub.Subscribe("other")

	if err := a.hub.Publish("lobby", msg{Text: "hi from a"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sub  *broadcast.Subscription[msg]
	}{
		{"the publishing instance's subscriber gets it", onA},
		{"the other instance's subscriber gets it", onB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if m := recv(t, tc.sub); m.Text != "hi from a" {
				t.Fatalf("got %+v", m)
			}
		})
	}
	t.Run("SendTo reaches a subscriber of another instance", func(t *testing.T) {
		if err := a.hub.SendTo(onB.ID(), msg{Text: "just you"}); err != nil {
			t.Fatal(err)
		}
		if m := recv(t, onB); m.Text != "just you" {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("another room's subscriber gets nothing", func(t *testing.T) {
		_ = a.hub.Publish("other", msg{Text: "marker"})
		if m := recv(t, other); m.Text != "marker" {
			t.Fatalf("room other got %+v before its own message", m)
		}
	})
}

func TestRedisBackplaneOrderPerRoom(t *testing.T) {
	srv := startRedis(t)
	a, b := newInstance(t, srv, hlredis.Options[msg]{}), newInstance(t, srv, hlredis.Options[msg]{})
	rooms := []string{"r1", "r2", "r3"}
	subs := map[string]*broadcast.Subscription[msg]{}
	for _, r := range rooms {
		subs[r] = b.hub.Subscribe(r)
	}
	const n = 3000 // 1,000 per room, interleaved
	for i := range n {
		for {
			err := a.hub.Publish(rooms[i%3], msg{N: i})
			if err == nil {
				break
			}
			if !errors.Is(err, hlredis.ErrQueueFull) {
				t.Fatal(err)
			}
			runtime.Gosched() // the writer drains the queue
		}
	}
	for ri, r := range rooms {
		for want := ri; want < n; want += 3 {
			if m := recv(t, subs[r]); m.N != want {
				t.Fatalf("room %s: got message %d, want %d (out of order or lost)", r, m.N, want)
			}
		}
	}
}

func TestRedisBackplaneBrokerRestart(t *testing.T) {
	srv := startRedis(t)
	a, b := newInstance(t, srv, hlredis.Options[msg]{}), newInstance(t, srv, hlredis.Options[msg]{})
	onB := b.hub.Subscribe("lobby")

	srv.stop()
	a.waitState(t, false)
	t.Run("a publish during the outage fails with ErrUnavailable", func(t *testing.T) {
		if err := a.hub.Publish("lobby", msg{Text: "lost"}); !errors.Is(err, hlredis.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
	srv.start()
	a.waitState(t, true)
	b.waitState(t, true)
	t.Run("after the restart messages flow again, the refused one never arrives", func(t *testing.T) {
		if err := a.hub.Publish("lobby", msg{Text: "back"}); err != nil {
			t.Fatal(err)
		}
		if m := recv(t, onB); m.Text != "back" {
			t.Fatalf("got %+v, want the message sent after the restart", m)
		}
		if s := a.bp.Stats(); s.Reconnects != 1 || !s.Connected {
			t.Fatalf("stats %+v, want 1 reconnect and connected", s)
		}
	})
}

func TestRedisBackplaneReconnectsDoNotGrow(t *testing.T) {
	srv := startRedis(t)
	a, b := newInstance(t, srv, hlredis.Options[msg]{}), newInstance(t, srv, hlredis.Options[msg]{})
	onB := b.hub.Subscribe("lobby")
	admin := srv.client(t)
	ctx := context.Background()
	n := 1000
	if testing.Short() {
		n = 50
	}
	// Warm up: one reconnect, so that pools and lazily made goroutines
	// exist before the count.
	kill := func() {
		if err := admin.ClientKillByFilter(ctx, "TYPE", "pubsub").Err(); err != nil {
			t.Fatal(err)
		}
		a.waitState(t, false)
		a.waitState(t, true)
		b.waitState(t, false)
		b.waitState(t, true)
	}
	kill()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()
	for range n {
		kill()
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("%d reconnects: goroutines %d -> %d, heap %d -> %d bytes", n, goroutines, runtime.NumGoroutine(), before.HeapAlloc, after.HeapAlloc)
	if g := runtime.NumGoroutine(); g > goroutines {
		t.Errorf("goroutines grew from %d to %d across %d reconnects", goroutines, g, n)
	}
	// A leak of even one small object per reconnect would show as
	// n*100 bytes; allow 1 MiB of noise from the runtime and the test.
	if after.HeapAlloc > before.HeapAlloc+1<<20 {
		t.Errorf("heap grew from %d to %d bytes across %d reconnects", before.HeapAlloc, after.HeapAlloc, n)
	}
	if s := a.bp.Stats(); s.Reconnects != uint64(n+1) {
		t.Errorf("Reconnects = %d, want %d", s.Reconnects, n+1)
	}
	if err := a.hub.Publish("lobby", msg{Text: "still works"}); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, onB); m.Text != "still works" {
		t.Fatalf("got %+v", m)
	}
}

// syncBuffer is a log sink safe for the backplane's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRedisBackplaneRejectsBadFrames(t *testing.T) {
	srv := startRedis(t)
	var logs syncBuffer
	b := newInstance(t, srv, hlredis.Options[msg]{MaxMessage: 1024, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	onB := b.hub.Subscribe("lobby")
	raw := srv.client(t)
	ctx := context.Background()
	good, err := broadcast.EncodeDelivery(broadcast.JSONCodec[msg]{}, broadcast.Delivery[msg]{Room: "lobby", Msg: msg{Text: "good"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	frames := [][]byte{
		[]byte("garbage"),
		{1, 5, 'l', 'o', 'b', 'b', 'y', 0, '{', 'x'},                                        // undecodable JSON
		append(append([]byte{}, good[:len(good)-1]...), bytes.Repeat([]byte(" "), 2000)...), // over MaxMessage
		good,
	}
	for _, f := range frames { // one connection: Redis keeps their order
		if err := raw.Publish(ctx, "test-hub", f).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if m := recv(t, onB); m.Text != "good" {
		t.Fatalf("got %+v, want only the good frame", m)
	}
	if s := b.bp.Stats(); s.Rejected != 3 || s.Received != 1 {
		t.Fatalf("stats %+v, want 3 rejected, 1 received", s)
	}
	if got := strings.Count(logs.String(), "frame from Redis dropped"); got != 3 {
		t.Fatalf("%d dropped frames logged, want 3:\n%s", got, logs.String())
	}
}

func TestRedisBackplanePublishErrors(t *testing.T) {
	srv := startRedis(t)
	a := newInstance(t, srv, hlredis.Options[msg]{MaxMessage: 256})
	for _, tc := range []struct {
		name string
		msg  msg
		want string
	}{
		{"a message over MaxMessage fails naming the limit", msg{Text: strings.Repeat("x", 300)}, "limit of 256 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := a.hub.Publish("lobby", tc.msg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("after Close publishing fails with ErrClosed", func(t *testing.T) {
		_ = a.hub.Close()
		if err := a.bp.Publish(broadcast.Delivery[msg]{Room: "r"}); !errors.Is(err, broadcast.ErrClosed) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestNewBackplaneFailsWithoutRedis(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := hlredis.NewBackplane(ctx, c, hlredis.Options[msg]{Channel: "x", MinBackoff: 10 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `subscribing to "x"`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := hlredis.NewBackplane(ctx, c, hlredis.Options[msg]{}); err == nil || !strings.Contains(err.Error(), "Channel") {
		t.Fatalf("empty channel: err = %v", err)
	}
}
