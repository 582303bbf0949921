package hyperlane

import (
	"context"
	"fmt"
	"io"
)

// Command is a subcommand an app binary answers besides serving, such as
// "openapi", which prints the spec without starting the server. Packages
// contribute commands to a Server (package openapi adds "openapi"); a
// command layer such as package cli runs them.
type Command struct {
	Name    string
	Summary string // one line for --help
	Run     func(ctx context.Context, args []string, stdout io.Writer) error
}

// AddCommand registers a subcommand; it panics on a duplicate or empty name.
func (s *Server) AddCommand(cmd Command) {
	if cmd.Name == "" || cmd.Run == nil {
		panic("hyperlane: AddCommand needs a name and a Run function")
	}
	for _, c := range s.commands {
		if c.Name == cmd.Name {
			panic(fmt.Sprintf("hyperlane: command %q registered twice", cmd.Name))
		}
	}
	s.commands = append(s.commands, cmd)
}

// Commands returns the registered subcommands in registration order.
func (s *Server) Commands() []Command { return append([]Command(nil), s.commands...) }
