// Command quickstart is the showcase app that `make run` starts: every
// Hyperlane feature on one server, listening on HYPERLANE_ADDR
// (default 127.0.0.1:60000). Package cli gives the binary its commands:
// serve (the default), start -d, stop, restart, status, dev and openapi;
// see `quickstart --help` and docs/deploy.md. With HYPERLANE_BACKPLANE_URL
// (redis://host:port/db or nats://host:port) several instances share the
// chat rooms and, on Redis, the /chat/events feed: see backplane.go and
// docs/scaling.md. It serves Prometheus
// metrics at /metrics and sends traces over OTLP/HTTP when the OTEL_*
// variables ask for them (docs/observability.md).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/telemetry/tracing"
)

func main() {
	exitOnBadRateLimitEnv() // HYPERLANE_RATE_LIMIT, see ratelimit.go
	cl, err := clusterFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(cli.ExitUsage)
	}
	ctx := context.Background()
	var flushes []func(context.Context) error
	code := cli.Run(ctx, func(cfg cli.Settings) *hyperlane.Server {
		s, err := newClusterApp(cfg.Logger, cl, cfg.Options()...)
		if err != nil {
			cfg.Logger.Error("quickstart: cannot start", "error", err)
			os.Exit(1)
		}
		flush, err := tracing.Install(ctx, s)
		if err != nil {
			cfg.Logger.Error("tracing stays off", "error", err)
		}
		flushes = append(flushes, flush)
		return s
	}, os.Args[1:], os.Stdout, os.Stderr)
	for _, flush := range flushes { // spans still queued when the server stopped
		fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = flush(fctx)
		cancel()
	}
	os.Exit(code)
}
