package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// DefaultAddr is the address served when neither --addr nor HYPERLANE_ADDR
// names one: hyperlane.DefaultAddr, loopback, so a first run is not
// exposed to the network.
const DefaultAddr = hyperlane.DefaultAddr

// DefaultTimeout is how long a new process may take to serve, and how long
// stop and restart wait for the old one to drain and exit: longer than
// hyperlane.DefaultShutdownTimeout.
const DefaultTimeout = 30 * time.Second

// Exit codes of Run besides 0 (success) and 1 (failure).
const (
	ExitUsage      = 2 // bad command line
	ExitNotRunning = 3 // status: no server runs, as in LSB init scripts
)

// Settings is what the command line and the environment resolved. The App
// builder receives it and must serve on Addr, which cfg.Options() does.
type Settings struct {
	Addr    string           // --addr, HYPERLANE_ADDR
	PIDFile string           // --pid-file, HYPERLANE_PID_FILE
	LogFile string           // --log-file, HYPERLANE_LOG_FILE: output of start -d
	Config  hyperlane.Config // the other HYPERLANE_* variables (hyperlane.ConfigFromEnv)
	Logger  *slog.Logger     // writes to standard error (the log file when detached)
}

// Options returns the server options the settings imply: the environment's
// configuration, the address and the logger.
func (cfg Settings) Options() []hyperlane.Option {
	return []hyperlane.Option{
		hyperlane.WithConfig(cfg.Config),
		hyperlane.WithAddr(cfg.Addr),
		hyperlane.WithLogger(cfg.Logger),
	}
}

// App builds the server. The command layer calls it once in every process
// that serves, and for --help and registered subcommands; it does not call
// it for start -d, stop, restart and status, which only manage processes.
type App func(cfg Settings) *hyperlane.Server

// Main runs the command line of os.Args and exits with Run's status.
func Main(app App) {
	os.Exit(Run(context.Background(), app, os.Args[1:], os.Stdout, os.Stderr))
}

// Run runs one command line (without the program name) and returns the
// exit status: 0 on success, 1 on failure, ExitUsage for a bad command
// line, ExitNotRunning when status finds no server. Serving processes
// started by it (start -d, restart, dev) run the same executable, so args
// must be the ones the binary was given.
func Run(ctx context.Context, app App, args []string, stdout, stderr io.Writer) int {
	r := newRunner(app, args, stdout, stderr)
	err := r.run(ctx)
	var code exitError
	var bad usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		r.usage(stdout)
		return 0
	case errors.As(err, &code):
		if code.msg != "" {
			fmt.Fprintln(stdout, code.msg)
		}
		return code.code
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", r.name, err, r.name)
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "%s: %v\n", r.name, err)
		return 1
	}
}

// usageError is a bad command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return usageError{fmt.Sprintf(format, a...)}
}

// exitError is a result that is not a failure but has its own status,
// such as status reporting that nothing runs.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// runner is one invocation of Run.
type runner struct {
	app     App
	args    []string
	name    string
	cfg     Settings
	timeout time.Duration // waits for a process to serve or to exit
	force   bool          // stop
	detach  bool          // start

	stdout, stderr io.Writer
	server         *hyperlane.Server // built on first use
}

// newRunner starts from the environment and the defaults.
func newRunner(app App, args []string, stdout, stderr io.Writer) *runner {
	name := programName()
	return &runner{
		app: app, args: args, name: name, stdout: stdout, stderr: stderr,
		cfg: Settings{
			Addr:    envOr("HYPERLANE_ADDR", DefaultAddr),
			PIDFile: envOr("HYPERLANE_PID_FILE", filepath.Join(runtimeDir(), name+".pid")),
			LogFile: os.Getenv("HYPERLANE_LOG_FILE"),
		},
		timeout: DefaultTimeout,
	}
}

// builtins are the commands of the layer itself, in help order.
var builtins = []struct{ name, summary string }{
	{"serve", "serve in the foreground (the default)"},
	{"start", "start -d: serve detached, return once it accepts connections"},
	{"stop", "drain in-flight requests and stop the server (--force: SIGKILL after --timeout)"},
	{"restart", "replace the running server without refusing or failing a request"},
	{"status", "report whether the server runs: exit 0 if it does, 3 if not"},
	{"dev", "serve, rebuild on every .go change and restart without downtime"},
}

func (r *runner) run(ctx context.Context) error {
	cmd, rest, err := r.parse()
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		return r.serve(ctx)
	case "start":
		if !r.detach {
			return r.serve(ctx)
		}
		return r.start(ctx)
	case "stop":
		return r.stop()
	case "restart":
		return r.restart()
	case "status":
		return r.status()
	case "dev":
		return r.dev(ctx, rest[0])
	default:
		return r.command(ctx, cmd, rest)
	}
}

// parse resolves the command line into the settings and returns the
// command with its arguments: flags before and after a built-in command
// are read, those after a registered command are its own.
func (r *runner) parse() (cmd string, rest []string, err error) {
	global := r.flags("")
	if err := global.Parse(r.args); err != nil {
		return "", nil, r.flagError(err)
	}
	rest = global.Args()
	cmd = "serve"
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	if cmd == "help" {
		return "", nil, flag.ErrHelp
	}
	if !isBuiltin(cmd) {
		return cmd, rest, nil
	}
	fs := r.flags(cmd)
	if err := fs.Parse(rest); err != nil {
		return "", nil, r.flagError(err)
	}
	rest = fs.Args()
	switch {
	case cmd == "dev" && len(rest) > 1:
		return "", nil, usageErrorf("dev takes at most one package, got %q", rest)
	case cmd == "dev" && len(rest) == 0:
		rest = []string{""}
	case cmd != "dev" && len(rest) > 0:
		return "", nil, usageErrorf("%s takes no arguments, got %q", cmd, rest)
	}
	if r.cfg.LogFile == "" {
		r.cfg.LogFile = strings.TrimSuffix(r.cfg.PIDFile, ".pid") + ".log"
	}
	return cmd, rest, nil
}

// command runs a subcommand the app registered, without serving.
func (r *runner) command(ctx context.Context, name string, args []string) error {
	s, err := r.build()
	if err != nil {
		return err
	}
	for _, c := range s.Commands() {
		if c.Name == name {
			return c.Run(ctx, args, r.stdout)
		}
	}
	return usageErrorf("unknown command %q", name)
}

// build returns the app's server, building it on first use. A malformed
// HYPERLANE_* variable is a usage error naming it.
func (r *runner) build() (*hyperlane.Server, error) {
	if r.server == nil {
		env, err := hyperlane.ConfigFromEnv()
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		env.Addr = "" // the command line's Addr rules
		r.cfg.Config = env
		if r.cfg.Logger == nil {
			r.cfg.Logger = slog.New(slog.NewTextHandler(r.stderr, nil))
		}
		r.server = r.app(r.cfg)
	}
	return r.server, nil
}

// flags returns the flag set of cmd ("" for the flags before a command),
// with the current settings as defaults so a later set keeps what an
// earlier one parsed.
func (r *runner) flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&r.cfg.Addr, "addr", r.cfg.Addr, "")
	fs.StringVar(&r.cfg.PIDFile, "pid-file", r.cfg.PIDFile, "")
	fs.StringVar(&r.cfg.LogFile, "log-file", r.cfg.LogFile, "")
	switch cmd {
	case "start":
		fs.BoolVar(&r.detach, "d", false, "")
		fs.BoolVar(&r.detach, "detach", false, "")
		fs.DurationVar(&r.timeout, "timeout", r.timeout, "")
	case "stop":
		fs.BoolVar(&r.force, "force", false, "")
		fs.DurationVar(&r.timeout, "timeout", r.timeout, "")
	case "restart", "dev":
		fs.DurationVar(&r.timeout, "timeout", r.timeout, "")
	}
	return fs
}

func (r *runner) flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageErrorf("%v", err)
}

// usage writes --help: commands (registered ones included), flags,
// environment and signals.
func (r *runner) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s [command] [flags]\n\nCommands:\n", r.name)
	for _, b := range builtins {
		fmt.Fprintf(w, "  %-9s %s\n", b.name, b.summary)
	}
	if s, err := r.build(); err == nil {
		for _, c := range s.Commands() {
			fmt.Fprintf(w, "  %-9s %s\n", c.Name, c.Summary)
		}
	} else {
		fmt.Fprintf(w, "  (the app's own commands are not listed: %v)\n", err)
	}
	fmt.Fprintf(w, `
Flags (before or after the command; a flag beats its environment variable):
  --addr ADDR       address to serve on; env HYPERLANE_ADDR (default %s)
  --pid-file PATH   PID file of the serving process; env HYPERLANE_PID_FILE
                    (default %s)
  --log-file PATH   start -d: where the server's output goes; env HYPERLANE_LOG_FILE
                    (default: the PID file's path ending in .log)
  -d, --detach      start: run in the background
  --timeout DUR     start, restart, dev: how long a new process may take to serve;
                    stop, restart: how long the old one may take to drain (default %s)
  --force           stop: SIGKILL the server if it has not exited after --timeout
  -h, --help        this help

Every other HYPERLANE_<KEY> variable of hyperlane.Config applies to the
server too, such as HYPERLANE_SHUTDOWN_TIMEOUT=30s or HYPERLANE_MAX_CONNS=512.

dev [package] builds package (default: this binary's main package) with
'go build' and watches the .go files of its module.

Signals to a serving process:
  SIGINT, SIGTERM   stop accepting, finish in-flight requests, exit
  SIGUSR2           start this executable again on the same socket, then drain
`, DefaultAddr, filepath.Join(runtimeDir(), r.name+".pid"), DefaultTimeout)
}

func isBuiltin(name string) bool {
	for _, b := range builtins {
		if b.name == name {
			return true
		}
	}
	return false
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// runtimeDir is where PID and log files go by default: the user's runtime
// directory when the session has one, else the temporary directory.
func runtimeDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return d
	}
	return os.TempDir()
}

// programName is the base name of the running executable.
func programName() string {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	return filepath.Base(exe)
}
