package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// devApp is a small app of its own module; its greeting is what the test
// edits.
const devApp = `package main

import (
	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

func main() {
	cli.Main(func(cfg cli.Settings) *hyperlane.Server {
		s := hyperlane.New(cfg.Options()...)
		s.Get("/", func(c *hyperlane.Context) error { return c.Text(200, greeting) })
		return s
	})
}

const greeting = "GREETING"
`

// newDevModule writes a module with devApp greeting greeting, using this
// repository for github.com/hyperlane-go/hyperlane, and returns its
// directory and the environment that builds it offline.
func newDevModule(t *testing.T, greeting string) (string, []string) {
	dir := t.TempDir()
	root := repoRoot(t)
	gomod := "module example.com/devapp\n\ngo 1.26\n\nrequire github.com/hyperlane-go/hyperlane v0.0.0\n\n" +
		"replace github.com/hyperlane-go/hyperlane => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644)
	os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
	writeGreeting(t, dir, greeting)
	// -mod=mod completes go.mod from the module cache; GOPROXY=off keeps
	// the build off the network.
	env := []string{"GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOWORK=off"}
	return dir, env
}

func writeGreeting(t *testing.T, dir, greeting string) {
	t.Helper()
	src := strings.Replace(devApp, "GREETING", greeting, 1)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDevReloadsOnChange edits the handler of a running dev session: the
// new text is served with no failed request in between, and a syntax
// error is printed while the last good build keeps serving.
func TestDevReloadsOnChange(t *testing.T) {
	spawnsProcesses(t)
	app, buildEnv := newDevModule(t, "version one")
	bin := filepath.Join(t.TempDir(), "devapp")
	goBuild(t, app, ".", bin, buildEnv...)
	pidFile := filepath.Join(t.TempDir(), "devapp.pid")
	t.Cleanup(func() { killFromPIDFile(pidFile) })
	env := append(os.Environ(), buildEnv...)
	env = append(env, "HYPERLANE_ADDR=127.0.0.1:0", "HYPERLANE_PID_FILE="+pidFile)

	p := startProc(t, bin, app, env, "dev")
	addr := p.waitFor(`^dev: serving example.com/devapp on (\S+), watching`)[1]
	p.waitFor(`^dev: build 1 serves`)
	l := startLoad("http://"+addr+"/", 4)
	l.awaitBody(t, "version one")

	edited := time.Now()
	writeGreeting(t, app, "version two, edited")
	p.waitFor(`^dev: build 2 serves`)
	l.awaitBody(t, "version two, edited")
	t.Logf("the edit was served %s after the save", time.Since(edited).Round(time.Millisecond))

	os.WriteFile(filepath.Join(app, "main.go"), []byte(devApp+"\nfunc broken( {\n"), 0o644)
	p.waitFor(`^dev: build failed .*the previous build keeps serving`)
	p.waitFor(`main\.go:\d+:\d+: syntax error`)
	l.awaitOK(t, 20)
	if got := get(t, "http://"+addr+"/"); got != "version two, edited" {
		t.Errorf("after a failed build / says %q, want the last good build's text", got)
	}
	l.finish(t)

	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.exit(); code != 0 {
		t.Errorf("dev exited with %d, want 0", code)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("the app's PID file outlived the dev session: %v", err)
	}
}
