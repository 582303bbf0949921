// Command quickstart is the showcase app that `make run` starts: every
// Hyperlane feature on one server, listening on HYPERLANE_ADDR
// (default 127.0.0.1:60000). Package cli gives the binary its commands:
// serve (the default), start -d, stop, restart, status, dev and openapi;
// see `quickstart --help` and docs/deploy.md. With HYPERLANE_BACKPLANE_URL
// (redis://host:port/db or nats://host:port) several instances share the
// chat rooms and, on Redis, the /chat/events feed: see backplane.go and
// docs/scaling.md.
package main

import (
	"fmt"
	"os"

	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func main() {
	exitOnBadRateLimitEnv() // HYPERLANE_RATE_LIMIT, see ratelimit.go
	cl, err := clusterFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(cli.ExitUsage)
	}
	cli.Main(func(cfg cli.Settings) *hyperlane.Server {
		s, err := newClusterApp(cfg.Logger, cl, cfg.Options()...)
		if err != nil {
			cfg.Logger.Error("quickstart: cannot start", "error", err)
			os.Exit(1)
		}
		return s
	})
}
