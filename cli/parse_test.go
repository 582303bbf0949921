package cli

import (
	"errors"
	"flag"
	"io"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	defPID := filepath.Join(runtimeDir(), programName()+".pid")
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		cmd     string
		rest    []string
		addr    string
		pidFile string
		logFile string
		detach  bool
		force   bool
		timeout time.Duration
	}{
		{name: "no command serves on the default address", cmd: "serve", addr: DefaultAddr, pidFile: defPID},
		{name: "environment sets address, PID file and log file",
			env:  map[string]string{"HYPERLANE_ADDR": ":8080", "HYPERLANE_PID_FILE": "/run/a.pid", "HYPERLANE_LOG_FILE": "/var/log/a"},
			args: []string{"status"}, cmd: "status", addr: ":8080", pidFile: "/run/a.pid", logFile: "/var/log/a"},
		{name: "a flag beats its environment variable",
			env:  map[string]string{"HYPERLANE_ADDR": ":8080"},
			args: []string{"--addr", ":9090"}, cmd: "serve", addr: ":9090"},
		{name: "flags go before the command", args: []string{"--pid-file", "/x/y.pid", "stop"}, cmd: "stop", pidFile: "/x/y.pid"},
		{name: "flags go after the command", args: []string{"stop", "--pid-file=/x/y.pid", "--force", "--timeout", "2s"},
			cmd: "stop", pidFile: "/x/y.pid", force: true, timeout: 2 * time.Second},
		{name: "a flag after the command beats one before it", args: []string{"--addr", ":1", "serve", "--addr", ":2"}, cmd: "serve", addr: ":2"},
		{name: "the log file defaults to the PID file's name", args: []string{"start", "-d", "--pid-file", "/run/app.pid"},
			cmd: "start", detach: true, pidFile: "/run/app.pid", logFile: "/run/app.log"},
		{name: "start without -d stays in the foreground", args: []string{"start"}, cmd: "start"},
		{name: "dev takes a package", args: []string{"dev", "./cmd/app"}, cmd: "dev", rest: []string{"./cmd/app"}},
		{name: "dev defaults its package", args: []string{"dev"}, cmd: "dev", rest: []string{""}},
		{name: "a registered command keeps its flags", args: []string{"--addr", ":1", "openapi", "--format", "yaml"},
			cmd: "openapi", rest: []string{"--format", "yaml"}, addr: ":1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"HYPERLANE_ADDR", "HYPERLANE_PID_FILE", "HYPERLANE_LOG_FILE"} {
				t.Setenv(k, tc.env[k])
			}
			r := newRunner(nil, tc.args, io.Discard, io.Discard)
			cmd, rest, err := r.parse()
			if err != nil {
				t.Fatalf("parse(%q): %v", tc.args, err)
			}
			if cmd != tc.cmd || !slices.Equal(rest, tc.rest) {
				t.Errorf("command %q %q, want %q %q", cmd, rest, tc.cmd, tc.rest)
			}
			check := func(field, got, want string) {
				if want != "" && got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("addr", r.cfg.Addr, tc.addr)
			check("PID file", r.cfg.PIDFile, tc.pidFile)
			check("log file", r.cfg.LogFile, tc.logFile)
			if r.detach != tc.detach || r.force != tc.force {
				t.Errorf("detach %v force %v, want %v %v", r.detach, r.force, tc.detach, tc.force)
			}
			if tc.timeout != 0 && r.timeout != tc.timeout {
				t.Errorf("timeout %v, want %v", r.timeout, tc.timeout)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		help bool
	}{
		{name: "an unknown flag", args: []string{"--nope"}},
		{name: "a flag of another command", args: []string{"status", "--force"}},
		{name: "arguments to a command that takes none", args: []string{"stop", "now"}},
		{name: "two packages to dev", args: []string{"dev", "a", "b"}},
		{name: "a malformed duration", args: []string{"stop", "--timeout", "soon"}},
		{name: "--help asks for help", args: []string{"--help"}, help: true},
		{name: "help after a command asks for help", args: []string{"restart", "-h"}, help: true},
		{name: "the help command asks for help", args: []string{"help"}, help: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := newRunner(nil, tc.args, io.Discard, io.Discard).parse()
			var bad usageError
			switch {
			case tc.help && !errors.Is(err, flag.ErrHelp):
				t.Fatalf("parse(%q) = %v, want flag.ErrHelp", tc.args, err)
			case !tc.help && !errors.As(err, &bad):
				t.Fatalf("parse(%q) = %v, want a usage error", tc.args, err)
			}
		})
	}
}
