package broadcast

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
)

// DefaultBuffer is how many messages a subscriber may have waiting before
// its slow-consumer policy applies.
const DefaultBuffer = 64

// Errors a Subscription reports through Err once its channel is closed,
// and that Hub methods and backplanes return.
var (
	ErrSlowConsumer = errors.New("broadcast: subscriber too slow, disconnected")
	ErrUnsubscribed = errors.New("broadcast: subscription ended by Unsubscribe")
	ErrClosed       = errors.New("broadcast: hub closed")
	ErrNoSubscriber = errors.New("broadcast: no subscriber with that ID")
)

// SlowConsumerPolicy says what a Hub does when a message arrives for a
// subscriber whose buffer is full. Either way the publisher does not wait
// and the other subscribers are not slowed.
type SlowConsumerPolicy int

const (
	// DropOldest discards the oldest waiting message to make room: the
	// subscriber misses messages but stays (see Subscription.Dropped).
	DropOldest SlowConsumerPolicy = iota
	// Disconnect ends the subscription: its channel is closed after the
	// messages already buffered, and Err returns ErrSlowConsumer.
	Disconnect
)

// Options configures New. The zero value is ready to use.
type Options[T any] struct {
	// Buffer is the number of messages each subscriber may have waiting
	// (default DefaultBuffer).
	Buffer int
	// Policy applies when a subscriber's buffer is full (default DropOldest).
	Policy SlowConsumerPolicy
	// Backplane carries messages between processes (default: a
	// MemoryBackplane, for one process).
	Backplane Backplane[T]
}

// Hub is a publish/subscribe hub with rooms keyed by name. Rooms exist
// while they have subscribers. All methods are safe for concurrent use.
type Hub[T any] struct {
	buffer int
	policy SlowConsumerPolicy
	bp     Backplane[T]
	prefix string
	nextID atomic.Uint64

	// life is held shared around every call to bp.Publish and exclusively
	// by Close, so that a backplane never sees Publish during or after
	// its Close.
	life sync.RWMutex
	done bool // guarded by life

	counts counts // for Stats

	mu     sync.RWMutex
	rooms  map[string][]*Subscription[T]
	byID   map[string]*Subscription[T]
	closed bool
}

// New returns a hub configured by opts and starts its backplane. It
// panics on a negative Buffer or an unknown Policy.
func New[T any](opts Options[T]) *Hub[T] {
	if opts.Buffer < 0 {
		panic(fmt.Sprintf("broadcast: Options.Buffer %d is negative", opts.Buffer))
	}
	if opts.Policy != DropOldest && opts.Policy != Disconnect {
		panic(fmt.Sprintf("broadcast: Options.Policy %d is unknown", opts.Policy))
	}
	h := &Hub[T]{
		buffer: opts.Buffer,
		policy: opts.Policy,
		bp:     opts.Backplane,
		prefix: strconv.FormatUint(rand.Uint64()>>32, 36) + "-", // #nosec G404 -- tells hubs apart in subscription IDs; not a secret
		rooms:  map[string][]*Subscription[T]{},
		byID:   map[string]*Subscription[T]{},
	}
	if h.buffer == 0 {
		h.buffer = DefaultBuffer
	}
	if h.bp == nil {
		h.bp = NewMemoryBackplane[T]()
	}
	h.bp.Start(h.deliver)
	return h
}

// Subscribe joins room and returns the subscription. On a closed hub the
// subscription is returned already ended, with ErrClosed.
func (h *Hub[T]) Subscribe(room string) *Subscription[T] {
	s := &Subscription[T]{
		h:    h,
		id:   h.prefix + strconv.FormatUint(h.nextID.Add(1), 36),
		room: room,
		ch:   make(chan T, h.buffer),
		idx:  -1,
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.end(ErrClosed)
		return s
	}
	s.idx = len(h.rooms[room])
	h.rooms[room] = append(h.rooms[room], s)
	h.byID[s.id] = s
	return s
}

// Publish sends msg to every subscriber of room, in every process the
// backplane reaches. It never waits for a subscriber: one with a full
// buffer is handled by the slow-consumer policy. Messages from one
// goroutine arrive in the order published. After Close it returns
// ErrClosed.
func (h *Hub[T]) Publish(room string, msg T) error {
	return h.publish(Delivery[T]{Room: room, Msg: msg})
}

// SendTo sends msg to the one subscriber with the given ID, in whichever
// process it is, without waiting. It returns ErrNoSubscriber when the
// backplane can tell that there is none, and ErrClosed after Close.
func (h *Hub[T]) SendTo(id string, msg T) error {
	h.mu.RLock()
	s := h.byID[id]
	h.mu.RUnlock()
	if s != nil {
		if !s.offer(msg) {
			h.remove(s)
		}
		return nil
	}
	return h.publish(Delivery[T]{To: id, Msg: msg})
}

// Count returns the number of subscribers of room in this process.
func (h *Hub[T]) Count(room string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.rooms[room])
}

// Rooms returns the names of the rooms with subscribers in this process,
// in no particular order.
func (h *Hub[T]) Rooms() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]string, 0, len(h.rooms))
	for r := range h.rooms {
		out = append(out, r)
	}
	return out
}

// Close ends every subscription with ErrClosed and closes the backplane;
// later publishes fail. Calling it again does nothing. A hub is not tied
// to a server: register Close with the server's shutdown hook
// (hyperlane's Server.OnShutdown) so that subscribers learn of a
// shutdown.
func (h *Hub[T]) Close() error {
	h.life.Lock() // waits for publishes under way: none reaches bp after this
	if h.done {
		h.life.Unlock()
		return nil
	}
	h.done = true
	h.life.Unlock()

	h.mu.Lock()
	h.closed = true
	subs := make([]*Subscription[T], 0, len(h.byID))
	for _, s := range h.byID {
		s.idx = -1
		subs = append(subs, s)
	}
	clear(h.rooms)
	clear(h.byID)
	h.mu.Unlock()
	for _, s := range subs {
		s.end(ErrClosed)
	}
	if err := h.bp.Close(); err != nil {
		return fmt.Errorf("broadcast: closing the backplane: %w", err)
	}
	return nil
}

// publish hands d to the backplane unless the hub is closed.
func (h *Hub[T]) publish(d Delivery[T]) error {
	h.life.RLock()
	defer h.life.RUnlock()
	if h.done {
		return ErrClosed
	}
	err := h.bp.Publish(d)
	if err != nil && !errors.Is(err, ErrNoSubscriber) && !errors.Is(err, ErrClosed) {
		h.counts.publishErrors.Add(1)
	}
	return err
}

// deliver hands d to this process's subscribers; the backplane calls it.
func (h *Hub[T]) deliver(d Delivery[T]) error {
	if d.To != "" {
		h.mu.RLock()
		s := h.byID[d.To]
		h.mu.RUnlock()
		if s == nil {
			return ErrNoSubscriber
		}
		if !s.offer(d.Msg) {
			h.remove(s)
		}
		return nil
	}
	var slow []*Subscription[T]
	h.mu.RLock()
	if h.closed {
		h.mu.RUnlock()
		return ErrClosed
	}
	for _, s := range h.rooms[d.Room] {
		if !s.offer(d.Msg) {
			slow = append(slow, s)
		}
	}
	h.mu.RUnlock()
	for _, s := range slow {
		h.remove(s)
	}
	return nil
}

// remove takes s out of its room, deleting the room when it empties.
func (h *Hub[T]) remove(s *Subscription[T]) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.idx < 0 {
		return
	}
	subs := h.rooms[s.room]
	last := len(subs) - 1
	subs[s.idx] = subs[last]
	subs[s.idx].idx = s.idx
	subs[last] = nil
	if last == 0 {
		delete(h.rooms, s.room)
	} else {
		h.rooms[s.room] = subs[:last]
	}
	delete(h.byID, s.id)
	s.idx = -1
}
