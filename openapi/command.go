package openapi

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// CommandName is the subcommand New adds to the Server.
const CommandName = "openapi"

const commandUsage = "usage: openapi [--format yaml|json] [--version 3.1|3.0]"

// command prints the document to stdout, exactly as it is served, so
// that a build can write api.yaml without starting the server.
func (a *API) command() hyperlane.Command {
	return hyperlane.Command{
		Name:    commandName(a.config.Prefix),
		Summary: "print the OpenAPI document and exit (--format yaml|json, --version 3.1|3.0)",
		Run: func(_ context.Context, args []string, stdout io.Writer) error {
			fs := flag.NewFlagSet(CommandName, flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			format := fs.String("format", "yaml", "yaml or json")
			version := fs.String("version", "3.1", "3.1 or 3.0")
			if err := fs.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return errors.New(commandUsage)
				}
				return fmt.Errorf("openapi: %w (%s)", err, commandUsage)
			}
			if fs.NArg() > 0 {
				return fmt.Errorf("openapi: unexpected argument %q (%s)", fs.Arg(0), commandUsage)
			}
			b, err := a.Spec(*version, *format)
			if err != nil {
				return err
			}
			_, err = stdout.Write(b)
			return err
		},
	}
}
