package broadcast

import "sync"

// Delivery is one message on its way through a Backplane: for every
// subscriber of Room, or, when To is set, for the one subscriber with
// that ID (Room is then empty).
type Delivery[T any] struct {
	Room string
	To   string
	Msg  T
}

// Backplane carries a Hub's deliveries to every process that shares it.
// A Hub owns its backplane (one backplane value per hub) and calls it so:
//
//   - Start, once, from New, before anything else. It keeps deliver,
//     which hands one delivery to this process's subscribers. deliver
//     never waits, is safe for concurrent use from any goroutine, and
//     stays harmless after Close. It returns ErrNoSubscriber for a
//     delivery To an ID that is not in this process (expected in every
//     process but one: not a failure) and ErrClosed once the hub is
//     closed. Start cannot fail: connect in the backplane's constructor.
//   - Publish, for every Hub.Publish, and for every Hub.SendTo whose
//     subscriber is not in this process. It must lead to exactly one
//     deliver call per delivery in every process sharing the backplane,
//     this one included, and in publish order for the deliveries of one
//     goroutine. It must not wait for subscribers or the network: queue,
//     and report later failures through a log. Its error goes back to
//     the caller of Hub.Publish or Hub.SendTo; return ErrNoSubscriber
//     only when no process can have the subscriber.
//   - Close, once, from Hub.Close, after the hub's subscriptions ended.
//     The hub never calls Publish during or after Close, and answers its
//     publishers with ErrClosed itself. Close releases what the
//     backplane holds (goroutines, connections); its error is returned,
//     wrapped, by Hub.Close.
//
// MemoryBackplane, the default, serves a single process; a backplane over
// Redis or NATS lets several processes share rooms without a change to
// the code that publishes and subscribes.
type Backplane[T any] interface {
	Start(deliver func(Delivery[T]) error)
	Publish(d Delivery[T]) error
	Close() error
}

// MemoryBackplane delivers in the publishing goroutine to the subscribers
// of this process. Delivery never blocks: a full subscriber buffer is
// handled by the hub's slow-consumer policy.
type MemoryBackplane[T any] struct {
	mu      sync.RWMutex
	deliver func(Delivery[T]) error
}

// NewMemoryBackplane returns the in-process backplane.
func NewMemoryBackplane[T any]() *MemoryBackplane[T] { return new(MemoryBackplane[T]) }

// Start implements Backplane.
func (m *MemoryBackplane[T]) Start(deliver func(Delivery[T]) error) {
	m.mu.Lock()
	m.deliver = deliver
	m.mu.Unlock()
}

// Publish implements Backplane: it delivers d at once. A delivery To an
// unknown subscriber returns ErrNoSubscriber; before Start or after Close
// it returns ErrClosed.
func (m *MemoryBackplane[T]) Publish(d Delivery[T]) error {
	m.mu.RLock()
	deliver := m.deliver
	m.mu.RUnlock()
	if deliver == nil {
		return ErrClosed
	}
	return deliver(d)
}

// Close implements Backplane; later publishes fail with ErrClosed.
func (m *MemoryBackplane[T]) Close() error {
	m.mu.Lock()
	m.deliver = nil
	m.mu.Unlock()
	return nil
}
