// Package redisbackplane lets several Hyperlane instances share what one
// process keeps in memory, through Redis: broadcast rooms (pub/sub), SSE
// resume by Last-Event-ID (Streams) and rate-limit budgets. It is its own
// module, so the library's go.mod never depends on a Redis client.
package redisbackplane

import _ "github.com/redis/go-redis/v9" // the client every part of this package is built on
