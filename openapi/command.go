package openapi

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

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

// AsyncAPICommandName is the subcommand New adds to print the AsyncAPI
// document.
const AsyncAPICommandName = "asyncapi"

const asyncCommandUsage = "usage: asyncapi [--format yaml|json]"

// asyncCommand prints the AsyncAPI document (see API.AsyncAPI), so that
// a build can write asyncapi.yaml without starting the server.
func (a *API) asyncCommand() hyperlane.Command {
	name := AsyncAPICommandName
	if p := a.config.Prefix; p != "" {
		name += strings.ReplaceAll(p, "/", "-")
	}
	return hyperlane.Command{
		Name:    name,
		Summary: "print the AsyncAPI 3.0 document of the WebSocket and SSE endpoints and exit (--format yaml|json)",
		Run: func(_ context.Context, args []string, stdout io.Writer) error {
			fs := flag.NewFlagSet(AsyncAPICommandName, flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			format := fs.String("format", "yaml", "yaml or json")
			if err := fs.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return errors.New(asyncCommandUsage)
				}
				return fmt.Errorf("asyncapi: %w (%s)", err, asyncCommandUsage)
			}
			if fs.NArg() > 0 {
				return fmt.Errorf("asyncapi: unexpected argument %q (%s)", fs.Arg(0), asyncCommandUsage)
			}
			b, err := a.AsyncAPI(*format)
			if err != nil {
				return err
			}
			_, err = stdout.Write(b)
			return err
		},
	}
}
