package hyperlane

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
)

// DefaultBroadcastBuffer is how many messages a subscriber may have
// waiting before its slow-consumer policy applies.
const DefaultBroadcastBuffer = 64

// Errors a Subscription reports through Err once its channel is closed,
// and that Broadcast methods return.
var (
	ErrSlowConsumer    = errors.New("hyperlane: broadcast subscriber too slow, disconnected")
	ErrUnsubscribed    = errors.New("hyperlane: broadcast subscription ended by Unsubscribe")
	ErrBroadcastClosed = errors.New("hyperlane: broadcast closed")
	ErrNoSubscriber    = errors.New("hyperlane: no broadcast subscriber with that ID")
)

// SlowConsumerPolicy says what a Broadcast does when a message arrives for
// a subscriber whose buffer is full. Either way the publisher does not
// wait and the other subscribers are not slowed.
type SlowConsumerPolicy int

const (
	// DropOldest discards the oldest waiting message to make room: the
	// subscriber misses messages but stays (see Subscription.Dropped).
	DropOldest SlowConsumerPolicy = iota
	// Disconnect ends the subscription: its channel is closed after the
	// messages already buffered, and Err returns ErrSlowConsumer.
	Disconnect
)

// BroadcastOptions configures NewBroadcast. The zero value is ready to use.
type BroadcastOptions[T any] struct {
	// Buffer is the number of messages each subscriber may have waiting
	// (default DefaultBroadcastBuffer).
	Buffer int
	// Policy applies when a subscriber's buffer is full (default DropOldest).
	Policy SlowConsumerPolicy
	// Backplane carries messages between processes (default: a
	// MemoryBackplane, for one process).
	Backplane Backplane[T]
}

// Broadcast is a publish/subscribe hub with rooms keyed by name: a chat
// room, a document's viewers, a user's devices. Rooms exist while they
// have subscribers. All methods are safe for concurrent use.
type Broadcast[T any] struct {
	buffer int
	policy SlowConsumerPolicy
	bp     Backplane[T]
	prefix string
	nextID atomic.Uint64

	mu     sync.RWMutex
	rooms  map[string][]*Subscription[T]
	byID   map[string]*Subscription[T]
	closed bool
}

// NewBroadcast returns a hub configured by opts. It panics on a negative
// Buffer or an unknown Policy.
func NewBroadcast[T any](opts BroadcastOptions[T]) *Broadcast[T] {
	if opts.Buffer < 0 {
		panic(fmt.Sprintf("hyperlane: BroadcastOptions.Buffer %d is negative", opts.Buffer))
	}
	if opts.Policy != DropOldest && opts.Policy != Disconnect {
		panic(fmt.Sprintf("hyperlane: BroadcastOptions.Policy %d is unknown", opts.Policy))
	}
	b := &Broadcast[T]{
		buffer: opts.Buffer,
		policy: opts.Policy,
		bp:     opts.Backplane,
		prefix: strconv.FormatUint(rand.Uint64()>>32, 36) + "-", // #nosec G404 -- tells hubs apart in subscription IDs; not a secret
		rooms:  map[string][]*Subscription[T]{},
		byID:   map[string]*Subscription[T]{},
	}
	if b.buffer == 0 {
		b.buffer = DefaultBroadcastBuffer
	}
	if b.bp == nil {
		b.bp = NewMemoryBackplane[T]()
	}
	b.bp.Start(b.deliver)
	return b
}

// Subscribe joins room and returns the subscription. On a closed hub the
// subscription is returned already ended, with ErrBroadcastClosed.
func (b *Broadcast[T]) Subscribe(room string) *Subscription[T] {
	s := &Subscription[T]{
		b:    b,
		id:   b.prefix + strconv.FormatUint(b.nextID.Add(1), 36),
		room: room,
		ch:   make(chan T, b.buffer),
		idx:  -1,
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.end(ErrBroadcastClosed)
		return s
	}
	s.idx = len(b.rooms[room])
	b.rooms[room] = append(b.rooms[room], s)
	b.byID[s.id] = s
	return s
}

// Publish sends msg to every subscriber of room. It never waits for a
// subscriber: one with a full buffer is handled by the slow-consumer
// policy. Messages from one goroutine arrive in the order published.
func (b *Broadcast[T]) Publish(room string, msg T) error {
	return b.bp.Publish(Delivery[T]{Room: room, Msg: msg})
}

// SendTo sends msg to the one subscriber with the given ID, in whichever
// process it is, without waiting. It returns ErrNoSubscriber when the
// backplane can tell that there is none.
func (b *Broadcast[T]) SendTo(id string, msg T) error {
	b.mu.RLock()
	s := b.byID[id]
	b.mu.RUnlock()
	if s != nil {
		if !s.offer(msg) {
			b.remove(s)
		}
		return nil
	}
	return b.bp.Publish(Delivery[T]{To: id, Msg: msg})
}

// Count returns the number of subscribers of room in this process.
func (b *Broadcast[T]) Count(room string) int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.rooms[room])
}

// Rooms returns the names of the rooms with subscribers in this process,
// in no particular order.
func (b *Broadcast[T]) Rooms() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]string, 0, len(b.rooms))
	for r := range b.rooms {
		out = append(out, r)
	}
	return out
}

// Close ends every subscription with ErrBroadcastClosed and closes the
// backplane; later publishes fail. Register it with Server.OnShutdown so
// that subscribers learn of a shutdown.
func (b *Broadcast[T]) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	subs := make([]*Subscription[T], 0, len(b.byID))
	for _, s := range b.byID {
		s.idx = -1
		subs = append(subs, s)
	}
	clear(b.rooms)
	clear(b.byID)
	b.mu.Unlock()
	for _, s := range subs {
		s.end(ErrBroadcastClosed)
	}
	return b.bp.Close()
}

// deliver hands d to this process's subscribers; the backplane calls it.
func (b *Broadcast[T]) deliver(d Delivery[T]) error {
	if d.To != "" {
		b.mu.RLock()
		s := b.byID[d.To]
		b.mu.RUnlock()
		if s == nil {
			return ErrNoSubscriber
		}
		if !s.offer(d.Msg) {
			b.remove(s)
		}
		return nil
	}
	var slow []*Subscription[T]
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return ErrBroadcastClosed
	}
	for _, s := range b.rooms[d.Room] {
		if !s.offer(d.Msg) {
			slow = append(slow, s)
		}
	}
	b.mu.RUnlock()
	for _, s := range slow {
		b.remove(s)
	}
	return nil
}

// remove takes s out of its room, deleting the room when it empties.
func (b *Broadcast[T]) remove(s *Subscription[T]) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.idx < 0 {
		return
	}
	subs := b.rooms[s.room]
	last := len(subs) - 1
	subs[s.idx] = subs[last]
	subs[s.idx].idx = s.idx
	subs[last] = nil
	if last == 0 {
		delete(b.rooms, s.room)
	} else {
		b.rooms[s.room] = subs[:last]
	}
	delete(b.byID, s.id)
	s.idx = -1
}

// Subscription is one subscriber of a Broadcast room. Receive from C, or
// call Recv; when the channel is closed, Err says why.
type Subscription[T any] struct {
	b    *Broadcast[T]
	id   string
	room string
	ch   chan T
	idx  int // position in the room; -1 once removed. Guarded by b.mu.

	mu      sync.Mutex // serializes sends with the close of ch
	err     error
	dropped atomic.Uint64
}

// ID returns the subscription's ID, the address SendTo takes.
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
// afterwards: ErrSlowConsumer, ErrUnsubscribed or ErrBroadcastClosed.
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
	s.b.remove(s)
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
	if s.b.policy == Disconnect {
		s.err = ErrSlowConsumer
		close(s.ch)
		return false
	}
	for { // DropOldest; the mutex keeps other senders out, so this ends
		select {
		case <-s.ch:
			s.dropped.Add(1)
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
