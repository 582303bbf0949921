package cli_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// An app's packages add subcommands to the server; the command layer runs
// them instead of serving, as it runs "openapi" for package openapi.
func ExampleRun() {
	app := func(cfg cli.Settings) *hyperlane.Server {
		s := hyperlane.New(cfg.Options()...)
		s.AddCommand(hyperlane.Command{
			Name:    "routes",
			Summary: "print the routes",
			Run: func(_ context.Context, args []string, stdout io.Writer) error {
				_, err := fmt.Fprintln(stdout, "GET / (format", args[1]+")")
				return err
			},
		})
		return s
	}
	code := cli.Run(context.Background(), app, []string{"routes", "--format", "text"}, os.Stdout, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// GET / (format text)
	// exit status 0
}

// Status exits with ExitNotRunning (3) when the PID file names no live
// process, as LSB init scripts do.
func ExampleRun_status() {
	app := func(cfg cli.Settings) *hyperlane.Server { return hyperlane.New(cfg.Options()...) }
	code := cli.Run(context.Background(), app, []string{"status", "--pid-file", "/nonexistent/app.pid"}, io.Discard, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// exit status 3
}
