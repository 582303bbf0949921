package hyperlane_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func TestBroadcastThousandSubscribersInOrder(t *testing.T) {
	const subs, msgs = 1000, 100
	hub := hyperlane.NewBroadcast(hyperlane.BroadcastOptions[int]{Buffer: msgs, Policy: hyperlane.Disconnect})
	defer hub.Close()
	var wg sync.WaitGroup
	failures := make(chan string, subs)
	ctx := rtCtx(t)
	for range subs {
		s := hub.Subscribe("all")
		wg.Go(func() {
			for want := range msgs {
				got, err := s.Recv(ctx)
				if err != nil || got != want {
					failures <- s.ID()
					return
				}
			}
		})
	}
	if n := hub.Count("all"); n != subs {
		t.Fatalf("Count %d, want %d", n, subs)
	}
	for i := range msgs {
		if err := hub.Publish("all", i); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(failures)
	if n := len(failures); n > 0 {
		t.Fatalf("%d subscribers missed a message or got one out of order", n)
	}
}

func TestBroadcastRooms(t *testing.T) {
	hub := hyperlane.NewBroadcast(hyperlane.BroadcastOptions[string]{})
	defer hub.Close()
	a1, a2, b1 := hub.Subscribe("a"), hub.Subscribe("a"), hub.Subscribe("b")

	t.Run("publish reaches only the room's subscribers", func(t *testing.T) {
		if err := hub.Publish("a", "to a"); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*hyperlane.Subscription[string]{a1, a2} {
			if got, _ := s.Recv(rtCtx(t)); got != "to a" {
				t.Fatalf("%s got %q", s.ID(), got)
			}
		}
		if len(b1.C()) != 0 {
			t.Fatal("room b received a message for room a")
		}
		if err := hub.Publish("nobody", "x"); err != nil {
			t.Fatalf("publish to an empty room: %v", err)
		}
	})
	t.Run("SendTo reaches one subscriber by ID", func(t *testing.T) {
		if err := hub.SendTo(a2.ID(), "just you"); err != nil {
			t.Fatal(err)
		}
		if got, _ := a2.Recv(rtCtx(t)); got != "just you" || len(a1.C()) != 0 {
			t.Fatalf("a2 got %q, a1 has %d waiting", got, len(a1.C()))
		}
		if err := hub.SendTo("no-such-id", "x"); !errors.Is(err, hyperlane.ErrNoSubscriber) {
			t.Fatalf("SendTo unknown ID: %v", err)
		}
	})
	t.Run("Count and Rooms follow subscriptions; empty rooms disappear", func(t *testing.T) {
		rooms := hub.Rooms()
		slices.Sort(rooms)
		if !slices.Equal(rooms, []string{"a", "b"}) || hub.Count("a") != 2 || hub.Count("b") != 1 {
			t.Fatalf("rooms %v, counts %d %d", rooms, hub.Count("a"), hub.Count("b"))
		}
		b1.Unsubscribe()
		b1.Unsubscribe() // again: nothing happens
		if _, ok := <-b1.C(); ok || !errors.Is(b1.Err(), hyperlane.ErrUnsubscribed) {
			t.Fatalf("after Unsubscribe: channel open=%v, Err %v", ok, b1.Err())
		}
		if got := hub.Rooms(); !slices.Equal(got, []string{"a"}) || hub.Count("b") != 0 {
			t.Fatalf("rooms %v after the last subscriber of b left", got)
		}
		if err := hub.SendTo(b1.ID(), "x"); !errors.Is(err, hyperlane.ErrNoSubscriber) {
			t.Fatalf("SendTo a departed subscriber: %v", err)
		}
	})
	t.Run("Recv returns when its context ends", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if _, err := a1.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Recv: %v", err)
		}
		if a1.Err() != nil {
			t.Fatal("a timed-out Recv ended the subscription")
		}
	})
}

func TestBroadcastSlowConsumer(t *testing.T) {
	const buffer, msgs = 4, 100
	for _, tc := range []struct {
		name        string
		policy      hyperlane.SlowConsumerPolicy
		stuckGets   []int
		stuckErr    error
		stuckStays  bool
		stuckDrops  uint64
		countsAfter int
	}{
		{"DropOldest keeps the newest messages and the subscriber", hyperlane.DropOldest,
			[]int{96, 97, 98, 99}, nil, true, msgs - buffer, 2},
		{"Disconnect ends the subscription after its buffer", hyperlane.Disconnect,
			[]int{0, 1, 2, 3}, hyperlane.ErrSlowConsumer, false, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := hyperlane.NewBroadcast(hyperlane.BroadcastOptions[int]{Buffer: buffer, Policy: tc.policy})
			defer hub.Close()
			stuck, fast := hub.Subscribe("r"), hub.Subscribe("r")
			for i := range msgs {
				if err := hub.Publish("r", i); err != nil { // never waits for the stuck one
					t.Fatal(err)
				}
				if got := <-fast.C(); got != i {
					t.Fatalf("fast subscriber got %d, want %d: the stuck one slowed it", got, i)
				}
			}
			if hub.Count("r") != tc.countsAfter {
				t.Fatalf("Count %d, want %d", hub.Count("r"), tc.countsAfter)
			}
			var got []int
			for range buffer {
				got = append(got, <-stuck.C())
			}
			if !slices.Equal(got, tc.stuckGets) {
				t.Fatalf("stuck subscriber got %v, want %v", got, tc.stuckGets)
			}
			if stuck.Dropped() != tc.stuckDrops {
				t.Fatalf("Dropped %d, want %d", stuck.Dropped(), tc.stuckDrops)
			}
			if !tc.stuckStays {
				if _, ok := <-stuck.C(); ok || !errors.Is(stuck.Err(), tc.stuckErr) {
					t.Fatalf("disconnect not visible: channel open=%v, Err %v", ok, stuck.Err())
				}
				if _, err := stuck.Recv(rtCtx(t)); !errors.Is(err, hyperlane.ErrSlowConsumer) {
					t.Fatalf("Recv after disconnect: %v", err)
				}
				return
			}
			if err := hub.Publish("r", 100); err != nil || <-stuck.C() != 100 || stuck.Err() != nil {
				t.Fatal("subscriber did not stay after drops")
			}
		})
	}
}

func TestBroadcastClose(t *testing.T) {
	hub := hyperlane.NewBroadcast(hyperlane.BroadcastOptions[string]{})
	s := hub.Subscribe("r")
	if err := hub.Publish("r", "before"); err != nil {
		t.Fatal(err)
	}
	if err := hub.Close(); err != nil {
		t.Fatal(err)
	}
	if got := <-s.C(); got != "before" {
		t.Fatalf("buffered message lost on close: %q", got)
	}
	if _, err := s.Recv(rtCtx(t)); !errors.Is(err, hyperlane.ErrBroadcastClosed) {
		t.Fatalf("Recv after Close: %v", err)
	}
	if err := hub.Publish("r", "after"); !errors.Is(err, hyperlane.ErrBroadcastClosed) {
		t.Fatalf("Publish after Close: %v", err)
	}
	late := hub.Subscribe("r")
	if _, ok := <-late.C(); ok || !errors.Is(late.Err(), hyperlane.ErrBroadcastClosed) {
		t.Fatal("Subscribe after Close returned a live subscription")
	}
	if hub.Count("r") != 0 || len(hub.Rooms()) != 0 {
		t.Fatal("rooms left after Close")
	}
}

func TestBroadcastClosesOnShutdown(t *testing.T) {
	hub := hyperlane.NewBroadcast(hyperlane.BroadcastOptions[string]{})
	s, _ := rtServer()
	s.OnShutdown(func() { _ = hub.Close() })
	rtServe(t, s)
	sub := hub.Subscribe("lobby")
	if err := s.Shutdown(rtCtx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Recv(rtCtx(t)); !errors.Is(err, hyperlane.ErrBroadcastClosed) {
		t.Fatalf("subscription after shutdown: %v", err)
	}
}

// bus is a stand-in for a network backplane such as Redis pub/sub: every
// hub attached to it receives every delivery.
type bus[T any] struct {
	mu    sync.Mutex
	nodes []func(hyperlane.Delivery[T]) error
}

type busBackplane[T any] struct{ bus *bus[T] }

func (b busBackplane[T]) Start(deliver func(hyperlane.Delivery[T]) error) {
	b.bus.mu.Lock()
	b.bus.nodes = append(b.bus.nodes, deliver)
	b.bus.mu.Unlock()
}

func (b busBackplane[T]) Publish(d hyperlane.Delivery[T]) error {
	b.bus.mu.Lock()
	defer b.bus.mu.Unlock()
	for _, deliver := range b.bus.nodes {
		_ = deliver(d) // ErrNoSubscriber from the nodes that lack d.To
	}
	return nil
}

func (b busBackplane[T]) Close() error { return nil }

func TestBroadcastBackplaneSpansHubs(t *testing.T) {
	shared := &bus[string]{}
	// Two hubs, as two processes would have, with the same user code.
	east := hyperlane.NewBroadcast(hyperlane.BroadcastOptions[string]{Backplane: busBackplane[string]{shared}})
	west := hyperlane.NewBroadcast(hyperlane.BroadcastOptions[string]{Backplane: busBackplane[string]{shared}})
	e, w := east.Subscribe("room"), west.Subscribe("room")
	if err := east.Publish("room", "hello from east"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*hyperlane.Subscription[string]{e, w} {
		if got, _ := s.Recv(rtCtx(t)); got != "hello from east" {
			t.Fatalf("got %q", got)
		}
	}
	if err := east.SendTo(w.ID(), "direct to west"); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Recv(rtCtx(t)); got != "direct to west" || len(e.C()) != 0 {
		t.Fatalf("SendTo across hubs: west got %q", got)
	}
	if e.ID() == w.ID() {
		t.Fatal("subscription IDs collide across hubs")
	}
}

func TestBroadcastOptionsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts hyperlane.BroadcastOptions[int]
	}{
		{"negative buffer panics", hyperlane.BroadcastOptions[int]{Buffer: -1}},
		{"unknown policy panics", hyperlane.BroadcastOptions[int]{Policy: 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			hyperlane.NewBroadcast(tc.opts)
		})
	}
}
