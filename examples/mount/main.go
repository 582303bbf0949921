// Command mount is an existing net/http application — its own routes and
// middleware on a ServeMux — that mounts a Hyperlane API, typed and
// documented, at /api with Swagger UI at /api/swagger. It listens on
// HYPERLANE_ADDR (default 127.0.0.1:60001) and drains on SIGINT/SIGTERM.
package main

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(logger, cmp.Or(os.Getenv("HYPERLANE_ADDR"), "127.0.0.1:60001")); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

// run serves the app on addr the way the app did before Hyperlane came:
// a plain http.Server.
func run(logger *slog.Logger, addr string) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           newApp(logger),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("serving", "addr", addr, "api", "/api", "swagger", "/api/swagger")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}
