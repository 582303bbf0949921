package broadcast_test

// The backplanes here are written as an outside module would write one
// (a Redis or NATS backplane): in package broadcast_test, with nothing but
// the exported surface of package broadcast.

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// bus is a stand-in for a network backplane that delivers at once: every
// hub attached to it receives every delivery, in the publishing goroutine.
type bus[T any] struct {
	mu    sync.Mutex
	nodes []func(broadcast.Delivery[T]) error
}

type busBackplane[T any] struct{ bus *bus[T] }

func (b busBackplane[T]) Start(deliver func(broadcast.Delivery[T]) error) {
	b.bus.mu.Lock()
	b.bus.nodes = append(b.bus.nodes, deliver)
	b.bus.mu.Unlock()
}

func (b busBackplane[T]) Publish(d broadcast.Delivery[T]) error {
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
	east := broadcast.New(broadcast.Options[string]{Backplane: busBackplane[string]{shared}})
	west := broadcast.New(broadcast.Options[string]{Backplane: busBackplane[string]{shared}})
	e, w := east.Subscribe("room"), west.Subscribe("room")
	if err := east.Publish("room", "hello from east"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*broadcast.Subscription[string]{e, w} {
		if got, _ := s.Recv(guardCtx(t)); got != "hello from east" {
			t.Fatalf("got %q", got)
		}
	}
	if err := east.SendTo(w.ID(), "direct to west"); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Recv(guardCtx(t)); got != "direct to west" || len(e.C()) != 0 {
		t.Fatalf("SendTo across hubs: west got %q", got)
	}
	if e.ID() == w.ID() {
		t.Fatal("subscription IDs collide across hubs")
	}
}

// broker is a stand-in for a broker reached over the network: Publish
// only queues, and each attached hub has its own goroutine that calls
// deliver, as a Redis or NATS subscription loop would.
type broker[T any] struct {
	mu    sync.Mutex
	nodes []*node[T]
}

// node is one hub's connection to the broker: a Backplane.
type node[T any] struct {
	broker *broker[T]
	inbox  chan broadcast.Delivery[T]
	stop   chan struct{}
	done   chan struct{}
}

func (b *broker[T]) backplane() *node[T] {
	return &node[T]{
		broker: b,
		inbox:  make(chan broadcast.Delivery[T], 4096),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
}

func (n *node[T]) Start(deliver func(broadcast.Delivery[T]) error) {
	n.broker.mu.Lock()
	n.broker.nodes = append(n.broker.nodes, n)
	n.broker.mu.Unlock()
	go func() {
		defer close(n.done)
		for {
			select {
			case d := <-n.inbox:
				_ = deliver(d) // ErrNoSubscriber on the nodes that lack d.To
			case <-n.stop:
				return
			}
		}
	}()
}

// Publish queues d for every node without waiting; a full inbox is a
// reported failure, as a broker's send buffer would be.
func (n *node[T]) Publish(d broadcast.Delivery[T]) error {
	n.broker.mu.Lock()
	defer n.broker.mu.Unlock()
	for _, peer := range n.broker.nodes {
		select {
		case peer.inbox <- d:
		default:
			return errors.New("broker: inbox full")
		}
	}
	return nil
}

func (n *node[T]) Close() error {
	n.broker.mu.Lock()
	n.broker.nodes = slices.DeleteFunc(n.broker.nodes, func(p *node[T]) bool { return p == n })
	n.broker.mu.Unlock()
	close(n.stop)
	<-n.done
	return nil
}

func TestBroadcastAsyncBackplaneKeepsOrderAcrossHubs(t *testing.T) {
	const msgs = 1000
	base := runtime.NumGoroutine()
	b := &broker[int]{}
	// Disconnect with a buffer for every message: a lost or reordered
	// message cannot hide behind DropOldest.
	opts := func() broadcast.Options[int] {
		return broadcast.Options[int]{Buffer: msgs, Policy: broadcast.Disconnect, Backplane: b.backplane()}
	}
	east, west := broadcast.New(opts()), broadcast.New(opts())
	subs := []*broadcast.Subscription[int]{east.Subscribe("r"), east.Subscribe("r"), west.Subscribe("r"), west.Subscribe("r")}

	for i := range msgs {
		if err := east.Publish("r", i); err != nil {
			t.Fatal(err)
		}
	}
	ctx := guardCtx(t)
	for _, s := range subs {
		for want := range msgs {
			if got, err := s.Recv(ctx); err != nil || got != want {
				t.Fatalf("%s: got %d (%v), want %d", s.ID(), got, err, want)
			}
		}
	}

	t.Run("SendTo reaches a subscriber of the other hub only", func(t *testing.T) {
		if err := west.SendTo(subs[0].ID(), -1); err != nil {
			t.Fatal(err)
		}
		if got, _ := subs[0].Recv(ctx); got != -1 {
			t.Fatalf("got %d", got)
		}
		// A marker published after the SendTo: when it arrives, the
		// SendTo had its chance to reach the others too.
		if err := west.Publish("r", -2); err != nil {
			t.Fatal(err)
		}
		for _, s := range subs { // subs[0] had its -1 already
			if got, _ := s.Recv(ctx); got != -2 {
				t.Fatalf("%s got %d before the marker: a SendTo reached the wrong subscriber", s.ID(), got)
			}
		}
	})
	t.Run("Close stops the backplane's goroutines and later publishes fail", func(t *testing.T) {
		if err := east.Close(); err != nil {
			t.Fatal(err)
		}
		if err := west.Close(); err != nil {
			t.Fatal(err)
		}
		if err := east.Publish("r", 0); !errors.Is(err, broadcast.ErrClosed) {
			t.Fatalf("Publish after Close: %v", err)
		}
		for _, s := range subs {
			if _, err := s.Recv(ctx); !errors.Is(err, broadcast.ErrClosed) {
				t.Fatalf("%s after Close: %v", s.ID(), err)
			}
		}
	})
	settleGoroutines(t, base) // here, not in a subtest, which runs on a goroutine of its own
}

// strictBackplane fails the test when the hub breaks the Backplane
// contract: Start not first or not once, Publish during or after Close,
// Close twice.
type strictBackplane struct {
	t          *testing.T
	started    atomic.Int32
	inPublish  atomic.Int32
	closed     atomic.Bool
	closes     atomic.Int32
	published  atomic.Int64
	closeError error
}

func (s *strictBackplane) Start(func(broadcast.Delivery[int]) error) {
	if s.started.Add(1) != 1 {
		s.t.Error("Start called twice")
	}
}

func (s *strictBackplane) Publish(broadcast.Delivery[int]) error {
	s.inPublish.Add(1)
	defer s.inPublish.Add(-1)
	if s.started.Load() != 1 || s.closed.Load() {
		s.t.Error("Publish before Start or after Close")
	}
	s.published.Add(1)
	return nil
}

func (s *strictBackplane) Close() error {
	if s.inPublish.Load() != 0 {
		s.t.Error("Close while a Publish is under way")
	}
	s.closed.Store(true)
	s.closes.Add(1)
	return s.closeError
}

func TestBroadcastHubKeepsTheBackplaneContract(t *testing.T) {
	t.Run("no Publish during or after Close, even while publishers race it", func(t *testing.T) {
		bp := &strictBackplane{t: t}
		hub := broadcast.New(broadcast.Options[int]{Backplane: bp})
		start := make(chan struct{})
		var wg sync.WaitGroup
		var refused atomic.Int64
		for range 8 {
			wg.Go(func() {
				<-start
				for i := range 1000 {
					// A SendTo to an ID of no local subscriber goes
					// through the backplane too.
					for _, err := range []error{hub.Publish("r", i), hub.SendTo("elsewhere-1", i)} {
						if errors.Is(err, broadcast.ErrClosed) {
							refused.Add(1)
						} else if err != nil {
							t.Errorf("publish: %v", err)
						}
					}
				}
			})
		}
		close(start)
		for bp.published.Load() < 100 { // Close while publishers are busy
			runtime.Gosched()
		}
		if err := hub.Close(); err != nil {
			t.Fatal(err)
		}
		if err := hub.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		wg.Wait()
		if bp.closes.Load() != 1 {
			t.Fatalf("backplane closed %d times, want 1", bp.closes.Load())
		}
		if refused.Load() == 0 {
			t.Fatal("no publish was refused with ErrClosed after Close")
		}
	})
	t.Run("a backplane's Close error comes back from Hub.Close, wrapped", func(t *testing.T) {
		boom := errors.New("broker unreachable")
		hub := broadcast.New(broadcast.Options[int]{Backplane: &strictBackplane{t: t, closeError: boom}})
		if err := hub.Close(); !errors.Is(err, boom) {
			t.Fatalf("Close: %v", err)
		}
	})
}

// A backplane an outside module could write: here, one that counts the
// deliveries it carries before handing them to memory.
type countingBackplane struct {
	*broadcast.MemoryBackplane[string]
	n atomic.Int64
}

func (c *countingBackplane) Publish(d broadcast.Delivery[string]) error {
	c.n.Add(1)
	return c.MemoryBackplane.Publish(d)
}

func ExampleBackplane() {
	bp := &countingBackplane{MemoryBackplane: broadcast.NewMemoryBackplane[string]()}
	hub := broadcast.New(broadcast.Options[string]{Backplane: bp})
	defer hub.Close()

	sub := hub.Subscribe("news")
	_ = hub.Publish("news", "extra!")
	fmt.Println(<-sub.C(), bp.n.Load())
	// Output: extra! 1
}
