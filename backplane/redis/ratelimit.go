package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

// DefaultRateLimitPrefix starts the Redis key of every rate-limited key.
const DefaultRateLimitPrefix = "hyperlane:ratelimit:"

// RateLimitStore is a middleware.RateLimitStore in Redis, so that every
// instance behind a load balancer spends one budget per key. Each Take is
// one Lua script (EVALSHA), atomic on the server, that reads the clock
// with Redis TIME: instances whose clocks disagree still agree on every
// budget. A key is one Redis string (the key's theoretical arrival time)
// that expires once its budget is whole again, so idle keys cost Redis
// nothing. It needs Redis 5 or later (scripts replicated by effects).
//
// Install it with middleware.RateLimitConfig{Store: store}; its
// FailClosed decides what requests get while Redis is unreachable.
type RateLimitStore struct {
	client goredis.Scripter
	prefix string
}

// NewRateLimitStore returns a store on client, a *goredis.Client,
// *goredis.ClusterClient, *goredis.Ring or any goredis.UniversalClient.
// prefix starts every Redis key ("" for DefaultRateLimitPrefix). The
// caller keeps the client and closes it.
func NewRateLimitStore(client goredis.Scripter, prefix string) *RateLimitStore {
	if client == nil {
		panic("redis: NewRateLimitStore needs a client")
	}
	if prefix == "" {
		prefix = DefaultRateLimitPrefix
	}
	return &RateLimitStore{client: client, prefix: prefix}
}

// gcraScript is the generic cell rate algorithm of the memory store, in
// microseconds of the Redis clock. KEYS[1]: the key; ARGV: interval (µs),
// limit, n. It returns {allowed, remaining, retry after µs, reset µs}.
var gcraScript = goredis.NewScript(`
local interval = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local period = interval * limit
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + n * interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, math.floor((period - (tat - now)) / interval), allow_at - now, tat - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', string.format('%d', math.ceil((new_tat - now) / 1000)))
return {1, math.floor((period - (new_tat - now)) / interval), 0, new_tat - now}
`)

// Take implements middleware.RateLimitStore.
func (s *RateLimitStore) Take(ctx context.Context, key string, rate middleware.Rate, n int) (middleware.RateLimitResult, error) {
	interval := rate.Interval().Microseconds()
	if rate.Limit <= 0 || interval <= 0 || n < 1 || n > rate.Limit {
		return middleware.RateLimitResult{}, fmt.Errorf("%w: %d requests under %v (Redis counts in µs: Period/Limit must be at least 1µs)",
			middleware.ErrRateLimitTake, n, rate)
	}
	v, err := gcraScript.Run(ctx, s.client, []string{s.prefix + key}, interval, rate.Limit, n).Int64Slice()
	if err != nil {
		return middleware.RateLimitResult{}, fmt.Errorf("redis rate limit %q: %w", key, err)
	}
	if len(v) != 4 {
		return middleware.RateLimitResult{}, fmt.Errorf("redis rate limit %q: script answered %v", key, v)
	}
	return middleware.RateLimitResult{
		Allowed:    v[0] == 1,
		Remaining:  int(v[1]),
		RetryAfter: time.Duration(v[2]) * time.Microsecond,
		Reset:      time.Duration(v[3]) * time.Microsecond,
	}, nil
}
