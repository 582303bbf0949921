package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

// How often dev looks for changes, and how long it lets a burst of saves
// settle before building.
const (
	devPoll   = 300 * time.Millisecond
	devSettle = 100 * time.Millisecond
)

// dev serves pkg (default: this binary's main package) and rebuilds it on
// every change to the module's Go sources. This process holds the
// listening socket and never accepts on it: each build is started on the
// socket, and the previous build drains only once the new one serves. A
// build that fails to compile or to start is reported and the previous
// build keeps serving.
func (r *runner) dev(ctx context.Context, pkg string) error {
	if pkg == "" {
		pkg = mainPackage()
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("dev builds with the go command: %w", err)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	s, err := r.build()
	if err != nil {
		return err
	}
	ln, err := s.Listen(ctx)
	if err != nil {
		return err
	}
	f, ok := ln.(interface{ File() (*os.File, error) })
	if !ok {
		_ = ln.Close()
		return fmt.Errorf("a %T cannot be handed to another process", ln)
	}
	sock, err := f.File()
	_ = ln.Close() // sock keeps the socket open
	if err != nil {
		return err
	}
	defer sock.Close()
	tmp, err := os.MkdirTemp("", r.name+"-dev-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	d := &devSession{r: r, goCmd: goCmd, pkg: pkg, sock: sock, tmp: tmp, addr: ln.Addr().String()}
	fmt.Fprintf(r.stderr, "dev: serving %s on %s, watching %s\n", pkg, d.addr, root)
	w := newWatcher(root)
	cur := d.deploy(ctx, nil)
	tick := time.NewTicker(devPoll)
	defer tick.Stop()
	for {
		var exited <-chan struct{}
		if cur != nil {
			exited = cur.done
		}
		select {
		case <-ctx.Done():
			if cur != nil {
				cur.stop(r.timeout)
			}
			return nil
		case <-exited:
			fmt.Fprintf(r.stderr, "dev: the app exited (%v); waiting for a change\n", cur.err)
			cur = nil
		case <-tick.C:
			if !w.changed() {
				continue
			}
			time.Sleep(devSettle)
			w.changed()
			if next := d.deploy(ctx, cur); next != nil {
				if cur != nil {
					go cur.stop(r.timeout)
				}
				cur = next
			}
		}
	}
}

// devSession is what every build of a dev run shares.
type devSession struct {
	r     *runner
	goCmd string
	pkg   string
	sock  *os.File
	tmp   string
	addr  string
	gen   int
}

// devChild is one running build.
type devChild struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it exited; err is then set
	err  error
}

// deploy builds the package and starts it on the socket; it returns the
// new child once it serves, or nil (with the reason printed) when the
// build or its start failed and prev, if any, should go on serving.
func (d *devSession) deploy(ctx context.Context, prev *devChild) *devChild {
	r := d.r
	keep := "waiting for a change"
	if prev != nil {
		keep = "the previous build keeps serving"
	}
	d.gen++
	bin := filepath.Join(d.tmp, strconv.Itoa(d.gen), r.name)
	var out bytes.Buffer
	build := exec.CommandContext(ctx, d.goCmd, "build", "-o", bin, d.pkg) // #nosec G204 -- the developer's own go command on their own package, in dev mode
	build.Stdout, build.Stderr = &out, &out
	if err := build.Run(); err != nil {
		if ctx.Err() == nil {
			fmt.Fprintf(r.stderr, "dev: build failed (%v); %s:\n%s", err, keep, out.String())
		}
		return nil
	}
	args := []string{"serve", "--addr", d.addr, "--pid-file", r.cfg.PIDFile}
	// In its own process group, the build is stopped by this process alone,
	// with one SIGTERM, and drains; Ctrl-C reaching it too would be a second.
	cmd, rd, err := spawn{bin: bin, args: args, socket: d.sock, stdout: r.stdout, stderr: r.stderr, group: true}.start()
	if err != nil {
		fmt.Fprintf(r.stderr, "dev: starting build %d: %v; %s\n", d.gen, err, keep)
		return nil
	}
	c := &devChild{cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	if _, err := awaitReady(rd, r.timeout); err != nil {
		_ = cmd.Process.Kill()
		<-c.done
		fmt.Fprintf(r.stderr, "dev: build %d %v; %s\n", d.gen, err, keep)
		return nil
	}
	fmt.Fprintf(r.stderr, "dev: build %d serves (pid %d)\n", d.gen, cmd.Process.Pid)
	return c
}

// stop drains the child with SIGTERM and kills it after timeout; then
// its binary is removed.
func (c *devChild) stop(timeout time.Duration) {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	_ = os.RemoveAll(filepath.Dir(c.cmd.Path))
}

// mainPackage is the import path of this binary's main package, or "."
// when the build did not record one.
func mainPackage() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Path != "" && bi.Path != "command-line-arguments" {
		return bi.Path
	}
	return "."
}

// moduleRoot is the directory of the go.mod that governs the working
// directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("dev runs inside a Go module: no go.mod in the working directory or above")
		}
		dir = parent
	}
}
