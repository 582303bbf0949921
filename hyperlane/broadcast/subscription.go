package broadcast

import (
	"context"
	"sync"
	"sync/atomic"
)

// Subscription is one subscriber of a Hub room. Receive from C, or call
// Recv; when the channel is closed, Err says why.
type Subscription[T any] struct {
	h    *Hub[T]
	id   string
	room string
	ch   chan T
	idx  int // position in the room; -1 once removed. Guarded by h.mu.

	mu      sync.Mutex // serializes sends with the close of ch
	err     error
	dropped atomic.Uint64
}

// ID returns the subscription's ID, the address SendTo takes. IDs carry a
// random per-hub prefix, so they stay unique across the processes that
// share a backplane.
func (s *Subscription[T]) ID() string { return s.id }

// Room returns the room subscribed to.
func (s *Subscription[T]) Room() string { return s.room }

// C returns the channel messages arrive on. It is closed when the
// subscription ends, after the messages already buffered.
func (s *Subscription[T]) C() <-chan T { return s.ch }

// Recv waits for the next message. It returns ctx's error when ctx ends
// first, and Err once the subscription ended and its buffer is drained.
func (s *Subscription[T]) Recv(ctx context.Context) (T, error) {
	select {
	case v, ok := <-s.ch:
		if ok {
			return v, nil
		}
		var zero T
		return zero, s.Err()
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Err returns nil while the subscription is live, and why it ended
// afterwards: ErrSlowConsumer, ErrUnsubscribed or ErrClosed.
func (s *Subscription[T]) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Dropped returns how many messages the DropOldest policy discarded.
func (s *Subscription[T]) Dropped() uint64 { return s.dropped.Load() }

// Unsubscribe leaves the room and closes the channel; Err then returns
// ErrUnsubscribed. Calling it again does nothing.
func (s *Subscription[T]) Unsubscribe() {
	s.h.remove(s)
	s.end(ErrUnsubscribed)
}

// offer buffers msg without waiting. It reports false when the
// subscriber was disconnected for being too slow.
func (s *Subscription[T]) offer(msg T) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return true
	}
	select {
	case s.ch <- msg:
		return true
	default:
	}
	if s.h.policy == Disconnect {
		s.h.counts.disconnected.Add(1)
		s.err = ErrSlowConsumer
		close(s.ch)
		return false
	}
	for { // DropOldest; the mutex keeps other senders out, so this ends
		select {
		case <-s.ch:
			s.dropped.Add(1)
			s.h.counts.dropped.Add(1)
		default:
		}
		select {
		case s.ch <- msg:
			return true
		default:
		}
	}
}

// end closes the subscription with err, once.
func (s *Subscription[T]) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
		close(s.ch)
	}
}
