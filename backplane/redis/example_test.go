package redis_test

import (
	"time"

	goredis "github.com/redis/go-redis/v9"

	hlredis "github.com/hyperlane-go/hyperlane/backplane/redis"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
)

// Every instance that runs this spends the same budgets, in Redis.
func ExampleNewRateLimitStore() {
	opts, err := goredis.ParseURL("redis://127.0.0.1:6379/0")
	if err != nil {
		panic(err)
	}
	store := hlredis.NewRateLimitStore(goredis.NewClient(opts), "") // any goredis.UniversalClient
	s := hyperlane.New()
	middleware.Install(s, middleware.RateLimit(middleware.RateLimitConfig{
		Rate:  middleware.Rate{Limit: 5, Period: time.Minute},
		Key:   middleware.KeyByHeader("X-API-Key"),
		Store: store, // FailClosed: true refuses requests with 503 while Redis is down
	}))
}
