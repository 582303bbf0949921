// Package redis lets several Hyperlane instances share, through Redis,
// what one process keeps in memory: broadcast rooms (pub/sub), SSE resume
// by Last-Event-ID (Streams) and rate-limit budgets. It is its own module,
// so the library's go.mod never depends on a Redis client. Import it under
// another name beside go-redis, for example hlredis.
package redis

import _ "github.com/redis/go-redis/v9" // the client every part of this package is built on
