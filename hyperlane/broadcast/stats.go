package broadcast

import "sync/atomic"

// Stats is a snapshot of a Hub in this process, for metrics.
type Stats struct {
	Rooms       int // rooms with at least one subscriber
	Subscribers int // subscriptions open, over all rooms
	// Dropped counts the messages the DropOldest policy discarded, over
	// every subscription the hub ever had.
	Dropped uint64
	// Disconnected counts the subscriptions the Disconnect policy ended.
	Disconnected uint64
	// PublishErrors counts the Publish and SendTo calls whose backplane
	// failed (ErrNoSubscriber and ErrClosed are answers, not failures).
	// A backplane reports later failures of its own through Stats.
	PublishErrors uint64
	// Backplane holds the backplane's own figures when it has a
	// Stats() BackplaneStats method; zero otherwise.
	Backplane BackplaneStats
}

// BackplaneStats is what a backplane may report about itself, through a
// method Stats() BackplaneStats; a Hub adds it to its Stats.
type BackplaneStats struct {
	// PublishErrors counts deliveries the backplane failed to carry
	// after its Publish returned (the broker refused or was gone).
	PublishErrors uint64
}

// counts are a Hub's running totals.
type counts struct {
	dropped       atomic.Uint64
	disconnected  atomic.Uint64
	publishErrors atomic.Uint64
}

// Stats returns a snapshot of the hub: rooms, subscribers, messages the
// slow-consumer policy dropped and backplane failures.
func (h *Hub[T]) Stats() Stats {
	h.mu.RLock()
	st := Stats{Rooms: len(h.rooms), Subscribers: len(h.byID)}
	h.mu.RUnlock()
	st.Dropped = h.counts.dropped.Load()
	st.Disconnected = h.counts.disconnected.Load()
	st.PublishErrors = h.counts.publishErrors.Load()
	if bs, ok := h.bp.(interface{ Stats() BackplaneStats }); ok {
		st.Backplane = bs.Stats()
	}
	return st
}
