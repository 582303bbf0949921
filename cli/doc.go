// Package cli is the command layer of a Hyperlane app binary. One call
// from main gives the binary a foreground server, a detached one with a
// PID file, stop, status, a restart that drops no request, a hot-reloading
// dev mode, and every subcommand the app's packages registered with
// hyperlane.Server.AddCommand (package openapi adds "openapi"):
//
//	func main() {
//		cli.Main(func(cfg cli.Settings) *hyperlane.Server {
//			s := hyperlane.New(cfg.Options()...)
//			s.Get("/", func(c *hyperlane.Context) error {
//				return c.Text(200, "Hello hyperlane => /")
//			})
//			return s
//		})
//	}
//
// The binary then answers:
//
//	app                 serve in the foreground (also: app serve)
//	app start -d        serve detached; return once it accepts connections
//	app status          running or not (exit 0 or 3), PID, uptime, address
//	app restart         hand the socket to a new process, then drain the old
//	app stop [--force]  drain in-flight requests, then exit
//	app dev             rebuild on every .go change, restart without downtime
//	app openapi ...     any registered subcommand; the server does not start
//
// Run app --help for the flags and their environment variables; every
// HYPERLANE_* variable of hyperlane.Config configures the server too.
// Process management needs a Unix system (Linux, macOS, the BSDs); status
// reads /proc on Linux to check that a PID is this app's and to find its
// address.
//
// # Restarts that drop nothing
//
// The listening socket outlives every process that serves it. On SIGUSR2
// a serving process starts its own executable again (a rebuilt binary at
// the same path is picked up), passing the socket as an inherited file
// descriptor. The new process serves on it, writes the PID file and
// reports ready over a pipe; only then does the old process stop
// accepting and drain. Connections that arrive in between wait in the
// kernel's accept queue, which both processes share, so none is refused.
// If the new process fails to start, the old one logs why and keeps
// serving. "app restart" is SIGUSR2 plus waiting for the PID to change.
//
// A draining process stops accepting, answers with "Connection: close"
// for half a second so that keep-alive clients move on, and then shuts
// down within the server's grace period (hyperlane.WithShutdownTimeout).
//
// The same hand-over serves "app dev", where a supervising process holds
// the socket and starts each new build on it, and systemd, which may hand
// a socket in with LISTEN_FDS (socket activation) and is told the new
// main PID over NOTIFY_SOCKET. docs/deploy.md shows the unit files and the
// drain timeline.
package cli
