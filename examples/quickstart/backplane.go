package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	hlnats "github.com/hyperlane-go/hyperlane/backplane/nats"
	hlredis "github.com/hyperlane-go/hyperlane/backplane/redis"
	"github.com/hyperlane-go/hyperlane/examples/chat/chatroom"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// backplaneEnv names the broker the instances share: redis://host:port/db
// or nats://host:port. Unset, everything stays in this process.
const backplaneEnv = "HYPERLANE_BACKPLANE_URL"

// connectTimeout bounds the first connection to the broker at startup.
const connectTimeout = 10 * time.Second

// cluster is the broker the quickstart's real-time routes share with the
// other instances: none (one process), Redis or NATS.
type cluster struct {
	url   string // as given, for messages; "" for none
	redis *goredis.Options
	nats  string // nats://host:port
}

// clusterFromEnv reads HYPERLANE_BACKPLANE_URL; a malformed value is an
// error that names the variable.
func clusterFromEnv() (*cluster, error) {
	return parseCluster(os.Getenv(backplaneEnv))
}

func parseCluster(raw string) (*cluster, error) {
	cl := &cluster{url: raw}
	if raw == "" {
		return cl, nil
	}
	bad := func(why string) error {
		return fmt.Errorf("%s=%q: %s (want redis://host:port/db or nats://host:port)", backplaneEnv, raw, why)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("not a URL")
	}
	switch u.Scheme {
	case "redis", "rediss":
		opts, err := goredis.ParseURL(raw)
		if err != nil {
			return nil, bad(strings.TrimPrefix(err.Error(), "redis: "))
		}
		cl.redis = opts
	case "nats":
		if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" || u.Hostname() == "" {
			return nil, bad("host:port required")
		}
		if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, bad("a NATS URL has no path or query")
		}
		cl.nats = raw
	default:
		return nil, bad(fmt.Sprintf("unknown scheme %q", u.Scheme))
	}
	return cl, nil
}

// connected is what connect made: the chat's options, and what to close
// after the chat on shutdown.
type connected struct {
	chat  chatroom.Options
	close func()
}

// connect makes the chat's backplane (and, on Redis, its event log on
// Redis Streams, so that /chat/events resumes on any instance). It fails
// when the broker does not answer within connectTimeout.
func (cl *cluster) connect(logger *slog.Logger) (connected, error) {
	switch {
	case cl.redis != nil:
		rdb := goredis.NewClient(cl.redis)
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		if err := rdb.Ping(ctx).Err(); err != nil {
			_ = rdb.Close()
			return connected{}, fmt.Errorf("%s=%q: Redis does not answer: %w", backplaneEnv, cl.url, err)
		}
		bp, err := hlredis.NewBackplane(ctx, rdb, hlredis.Options[chatroom.Message]{Channel: "hyperlane:chat", Logger: logger})
		if err != nil {
			_ = rdb.Close()
			return connected{}, fmt.Errorf("%s=%q: %w", backplaneEnv, cl.url, err)
		}
		log := hlredis.NewStreamLog(rdb, hlredis.StreamLogOptions{Logger: logger})
		return connected{
			chat:  chatroom.Options{Backplane: bp, Log: log},
			close: func() { _ = log.Close(); _ = rdb.Close() },
		}, nil
	case cl.nats != "":
		bp, err := hlnats.Dial(cl.nats, hlnats.Options[chatroom.Message]{Subject: "hyperlane.chat", Name: "quickstart", Logger: logger})
		if err != nil {
			return connected{}, fmt.Errorf("%s=%q: %w", backplaneEnv, cl.url, err)
		}
		// Core NATS keeps no history: the event log stays in this
		// process, so /chat/events resumes only on the same instance.
		return connected{chat: chatroom.Options{Backplane: bp, Log: broadcast.NewMemoryLog(0, 0)}, close: func() {}}, nil
	}
	return connected{close: func() {}}, nil
}
