package broadcast_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

func TestBroadcastThousandSubscribersInOrder(t *testing.T) {
	const subs, msgs = 1000, 100
	hub := broadcast.New(broadcast.Options[int]{Buffer: msgs, Policy: broadcast.Disconnect})
	defer hub.Close()
	var wg sync.WaitGroup
	failures := make(chan string, subs)
	ctx := guardCtx(t)
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
	hub := broadcast.New(broadcast.Options[string]{})
	defer hub.Close()
	a1, a2, b1 := hub.Subscribe("a"), hub.Subscribe("a"), hub.Subscribe("b")

	t.Run("publish reaches only the room's subscribers", func(t *testing.T) {
		if err := hub.Publish("a", "to a"); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*broadcast.Subscription[string]{a1, a2} {
			if got, _ := s.Recv(guardCtx(t)); got != "to a" {
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
		if got, _ := a2.Recv(guardCtx(t)); got != "just you" || len(a1.C()) != 0 {
			t.Fatalf("a2 got %q, a1 has %d waiting", got, len(a1.C()))
		}
		if err := hub.SendTo("no-such-id", "x"); !errors.Is(err, broadcast.ErrNoSubscriber) {
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
		if _, ok := <-b1.C(); ok || !errors.Is(b1.Err(), broadcast.ErrUnsubscribed) {
			t.Fatalf("after Unsubscribe: channel open=%v, Err %v", ok, b1.Err())
		}
		if got := hub.Rooms(); !slices.Equal(got, []string{"a"}) || hub.Count("b") != 0 {
			t.Fatalf("rooms %v after the last subscriber of b left", got)
		}
		if err := hub.SendTo(b1.ID(), "x"); !errors.Is(err, broadcast.ErrNoSubscriber) {
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
		policy      broadcast.SlowConsumerPolicy
		stuckGets   []int
		stuckErr    error
		stuckStays  bool
		stuckDrops  uint64
		countsAfter int
	}{
		{"DropOldest keeps the newest messages and the subscriber", broadcast.DropOldest,
			[]int{96, 97, 98, 99}, nil, true, msgs - buffer, 2},
		{"Disconnect ends the subscription after its buffer", broadcast.Disconnect,
			[]int{0, 1, 2, 3}, broadcast.ErrSlowConsumer, false, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := broadcast.New(broadcast.Options[int]{Buffer: buffer, Policy: tc.policy})
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
				if _, err := stuck.Recv(guardCtx(t)); !errors.Is(err, broadcast.ErrSlowConsumer) {
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
	hub := broadcast.New(broadcast.Options[string]{})
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
	if _, err := s.Recv(guardCtx(t)); !errors.Is(err, broadcast.ErrClosed) {
		t.Fatalf("Recv after Close: %v", err)
	}
	if err := hub.Publish("r", "after"); !errors.Is(err, broadcast.ErrClosed) {
		t.Fatalf("Publish after Close: %v", err)
	}
	late := hub.Subscribe("r")
	if _, ok := <-late.C(); ok || !errors.Is(late.Err(), broadcast.ErrClosed) {
		t.Fatal("Subscribe after Close returned a live subscription")
	}
	if hub.Count("r") != 0 || len(hub.Rooms()) != 0 {
		t.Fatal("rooms left after Close")
	}
}

func TestBroadcastOptionsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts broadcast.Options[int]
	}{
		{"negative buffer panics", broadcast.Options[int]{Buffer: -1}},
		{"unknown policy panics", broadcast.Options[int]{Policy: 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			broadcast.New(tc.opts)
		})
	}
}
