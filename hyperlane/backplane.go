package hyperlane

import "sync"

// Delivery is one message on its way through a Backplane: for every
// subscriber of Room, or, when To is set, for the one subscriber with
// that ID.
type Delivery[T any] struct {
	Room string
	To   string
	Msg  T
}

// Backplane carries a Broadcast's messages to every process that shares
// it. The Broadcast calls Start once, with the function that hands a
// delivery to this process's subscribers; Publish must lead to deliver
// being called, in every process, once per delivery, in publish order
// for one publisher. Publish must not wait for subscribers or the
// network: queue, and report failures through the error or a log.
//
// MemoryBackplane, the default, serves a single process; a backplane
// over Redis or NATS lets several processes share rooms without a change
// to the code that publishes and subscribes.
type Backplane[T any] interface {
	Start(deliver func(Delivery[T]) error)
	Publish(d Delivery[T]) error
	Close() error
}

// MemoryBackplane delivers in the publishing goroutine to the subscribers
// of this process. Delivery never blocks: a full subscriber buffer is
// handled by the Broadcast's slow-consumer policy.
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
// unknown subscriber returns ErrNoSubscriber.
func (m *MemoryBackplane[T]) Publish(d Delivery[T]) error {
	m.mu.RLock()
	deliver := m.deliver
	m.mu.RUnlock()
	if deliver == nil {
		return ErrBroadcastClosed
	}
	return deliver(d)
}

// Close implements Backplane; later publishes fail with ErrBroadcastClosed.
func (m *MemoryBackplane[T]) Close() error {
	m.mu.Lock()
	m.deliver = nil
	m.mu.Unlock()
	return nil
}
