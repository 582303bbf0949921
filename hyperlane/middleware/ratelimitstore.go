package middleware

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultRateLimitMaxKeys is how many keys a memory store holds unless
// told otherwise: about 10 MB at most.
const DefaultRateLimitMaxKeys = 100_000

// MemoryRateLimitConfig configures NewMemoryRateLimitStore. The zero
// value is ready to use.
type MemoryRateLimitConfig struct {
	// MaxKeys bounds the keys held (rounded up to a multiple of 32). A key whose budget is whole again
	// holds nothing and is dropped when met; when the store is full, the
	// key whose budget is nearest to whole, among a sample, is dropped
	// (it starts afresh if it comes back). Default:
	// DefaultRateLimitMaxKeys.
	MaxKeys int
	// Now is the store's clock. Default: time.Now. Tests inject one.
	Now func() time.Time
}

// memShards spreads the keys over locks so that concurrent requests
// rarely wait on each other.
const memShards = 32

// evictSample is how many entries a full shard looks at to find one to
// drop: enough to find an expired or nearly whole one, few enough to keep
// Take's cost bounded under a flood of new keys.
const evictSample = 32

// MemoryRateLimitStore is the RateLimitStore of one process, with bounded
// memory. Its budgets are not shared with other instances: use a Redis
// store for that.
type MemoryRateLimitStore struct {
	now    func() time.Time
	epoch  time.Time // times are kept as nanoseconds since
	seed   maphash.Seed
	max    int // per shard
	shards [memShards]memShard
}

type memShard struct {
	mu  sync.Mutex
	tat map[string]int64 // theoretical arrival time, ns since epoch: the budget is whole at tat
	_   [40]byte         // keep shards' locks on different cache lines
}

// NewMemoryRateLimitStore returns an empty memory store.
func NewMemoryRateLimitStore(cfg MemoryRateLimitConfig) *MemoryRateLimitStore {
	maxKeys := cfg.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultRateLimitMaxKeys
	}
	s := &MemoryRateLimitStore{now: cfg.Now, seed: maphash.MakeSeed(), max: (maxKeys + memShards - 1) / memShards}
	if s.now == nil {
		s.now = time.Now
	}
	s.epoch = s.now().Add(-24 * time.Hour) // so that no kept time is 0 or below
	for i := range s.shards {
		s.shards[i].tat = map[string]int64{}
	}
	return s
}

// Len returns how many keys the store holds.
func (s *MemoryRateLimitStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.tat)
		sh.mu.Unlock()
	}
	return n
}

// Take implements RateLimitStore.
func (s *MemoryRateLimitStore) Take(_ context.Context, key string, rate Rate, n int) (RateLimitResult, error) {
	if err := rate.check(); err != nil {
		return RateLimitResult{}, fmt.Errorf("%w: %w", ErrRateLimitTake, err)
	}
	if n < 1 || n > rate.Limit {
		return RateLimitResult{}, fmt.Errorf("%w: %d requests at once under %v", ErrRateLimitTake, n, rate)
	}
	now := int64(s.now().Sub(s.epoch)) // monotonic with time.Now: a wall-clock step changes no budget
	sh := &s.shards[maphash.String(s.seed, key)%memShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	tat, held := sh.tat[key]
	res, newTat := gcra(now, tat, rate, n)
	if res.Allowed {
		if !held && len(sh.tat) >= s.max {
			sh.evict(now)
		}
		sh.tat[key] = newTat
	}
	return res, nil
}

// evict drops, among a sample of the shard's entries, every one whose
// budget is whole, or else the one nearest to whole.
func (sh *memShard) evict(now int64) {
	var victim string
	least, seen, dropped := int64(0), 0, false
	for k, tat := range sh.tat { // map order is random: a fresh sample each time
		if tat <= now {
			delete(sh.tat, k)
			dropped = true
		} else if seen == 0 || tat < least {
			victim, least = k, tat
		}
		if seen++; seen >= evictSample {
			break
		}
	}
	if !dropped {
		delete(sh.tat, victim)
	}
}

// gcra applies the generic cell rate algorithm: the key's budget is
// whole at tat (its theoretical arrival time); each request moves tat
// one Interval later, and a request is allowed when tat, so moved, is at
// most Period ahead of now. It returns the answer and the new tat.
func gcra(now, tat int64, rate Rate, n int) (RateLimitResult, int64) {
	interval := int64(rate.Interval())
	period := int64(rate.Limit) * interval // Period, less what Interval rounded off
	tat = max(tat, now)
	newTat := tat + int64(n)*interval
	if allowAt := newTat - period; now < allowAt {
		return RateLimitResult{
			Remaining:  int((period - (tat - now)) / interval),
			RetryAfter: time.Duration(allowAt - now),
			Reset:      time.Duration(tat - now),
		}, tat
	}
	return RateLimitResult{
		Allowed:   true,
		Remaining: int((period - (newTat - now)) / interval),
		Reset:     time.Duration(newTat - now),
	}, newTat
}
