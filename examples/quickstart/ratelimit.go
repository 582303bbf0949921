package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	hlredis "github.com/hyperlane-go/hyperlane/backplane/redis"
	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane/middleware"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// rateLimitEnv limits the Pet API's writes per API key, written
// N/duration ("5/1m": five writes a minute, in a burst or spread). Unset
// or empty: no limit. When rateLimitRedisEnv is a redis:// URL, every
// instance spends the same budgets in that Redis.
const rateLimitEnv = "HYPERLANE_RATE_LIMIT"

// rateLimitRedisEnv is the backplane's variable (redis://host:port/db or
// nats://host:port); the rate limit shares its budgets through it when it
// names Redis, and keeps them in the process otherwise.
const rateLimitRedisEnv = "HYPERLANE_BACKPLANE_URL"

// rateLimitPrefix starts the quickstart's rate-limit keys in Redis.
const rateLimitPrefix = "hyperlane:quickstart:ratelimit:"

// checkRateLimitEnv reports a malformed rateLimitEnv, naming it and the
// form expected, so that main stops before serving.
func checkRateLimitEnv() error {
	_, err := rateLimitFromEnv()
	return err
}

func rateLimitFromEnv() (middleware.Rate, error) {
	v := strings.TrimSpace(os.Getenv(rateLimitEnv))
	if v == "" {
		return middleware.Rate{}, nil
	}
	rate, err := middleware.ParseRate(v)
	if err != nil {
		return middleware.Rate{}, fmt.Errorf("%s: %w", rateLimitEnv, err)
	}
	return rate, nil
}

// petWriteLimit returns the options that rate-limit a Pet API write
// (openapi.RateLimited, which also documents the 429), or none when
// rateLimitEnv is unset. A malformed variable panics, naming it; main
// checks it before building the app.
func petWriteLimit(logger *slog.Logger) []openapi.Option {
	rate, err := rateLimitFromEnv()
	if err != nil {
		panic(err)
	}
	if rate.Limit == 0 {
		return nil
	}
	cfg := middleware.RateLimitConfig{Rate: rate, Name: "writes", Key: middleware.KeyByHeader("X-API-Key")}
	url := os.Getenv(rateLimitRedisEnv)
	switch {
	case strings.HasPrefix(url, "redis://"), strings.HasPrefix(url, "rediss://"):
		opts, err := goredis.ParseURL(url)
		if err != nil {
			panic(fmt.Errorf("%s: %w", rateLimitRedisEnv, err))
		}
		// The process keeps the client to its end: requests still drain
		// through the limiter during shutdown.
		cfg.Store = hlredis.NewRateLimitStore(goredis.NewClient(opts), rateLimitPrefix)
		logger.Info("Pet API writes are rate limited per API key, shared through Redis", "rate", rate.String(), "redis", opts.Addr)
	default:
		logger.Info("Pet API writes are rate limited per API key, in this process", "rate", rate.String())
	}
	return []openapi.Option{openapi.RateLimited(middleware.NewRateLimiter(cfg))}
}

// exitOnBadRateLimitEnv stops the program with status 2 (cli.ExitUsage) and a message
// naming the variable when rateLimitEnv is malformed.
func exitOnBadRateLimitEnv() {
	if err := checkRateLimitEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(cli.ExitUsage)
	}
}
