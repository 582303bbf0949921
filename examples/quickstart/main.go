// Command quickstart is the showcase app that `make run` starts: every
// Hyperlane feature on one server, listening on HYPERLANE_ADDR
// (default 127.0.0.1:60000). Package cli gives the binary its commands:
// serve (the default), start -d, stop, restart, status, dev and openapi;
// see `quickstart --help` and docs/deploy.md.
package main

import (
	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func main() {
	exitOnBadRateLimitEnv() // HYPERLANE_RATE_LIMIT, see ratelimit.go
	cli.Main(func(cfg cli.Settings) *hyperlane.Server {
		return newApp(cfg.Logger, cfg.Options()...)
	})
}
