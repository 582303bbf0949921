package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// settle is how long a draining process keeps its connections open after
// it stopped accepting and before net/http's Shutdown begins. net/http
// drops, unanswered, a request it finishes reading once Shutdown began;
// the pause gives connections accepted just before it time to deliver
// their request, and keep-alive clients, told "Connection: close", time to
// move to new connections, which the successor accepts.
const settle = 500 * time.Millisecond

// serve runs the server in the foreground until SIGINT or SIGTERM, or
// until SIGUSR2 has handed its socket to a successor; either way it
// drains in-flight requests before it returns. A second SIGINT or
// SIGTERM during the drain ends the process at once.
func (r *runner) serve(ctx context.Context) error {
	term := make(chan os.Signal, 1)
	upgrade := make(chan os.Signal, 1)
	signal.Notify(term, os.Interrupt, syscall.SIGTERM)
	signal.Notify(upgrade, syscall.SIGUSR2)
	defer signal.Stop(term)
	defer signal.Stop(upgrade) // SIGUSR2 is ignored until serve returns

	ready := readinessPipe()
	ln, err := inheritedListener()
	if err != nil {
		return err
	}
	// A hand-over takes its predecessor's PID file; a fresh start leaves
	// the file of another server that runs alone (start -d refuses).
	other := 0
	if ln == nil {
		if inst, err := running(r.cfg.PIDFile); err == nil {
			other = inst.pid
		}
	}
	s, err := r.build()
	if err != nil {
		return err
	}
	if ln == nil {
		if ln, err = s.Listen(ctx); err != nil {
			return err
		}
	}
	var draining atomic.Bool
	s.Use(closeWhen(&draining))
	pl := newPausable(ln)
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(pl) }()
	if err := awaitServing(s.Addr, errc); err != nil {
		return err
	}

	pid := os.Getpid()
	log := s.Logger()
	if other == 0 {
		if err := writePIDFile(r.cfg.PIDFile, pid); err != nil {
			_ = s.Shutdown(ctx)
			<-errc
			return err
		}
		defer removePIDFile(r.cfg.PIDFile, pid)
	} else {
		log.Warn("the PID file names another running server; leaving it, so stop, restart and status do not see this one (give it its own --pid-file)",
			"pid_file", r.cfg.PIDFile, "other_pid", other)
	}
	addr := s.Addr().String()
	log.Info("ready", "pid", pid, "addr", addr, "pid_file", r.cfg.PIDFile)
	ready(addr)
	if err := notifySystemd(fmt.Sprintf("MAINPID=%d\nREADY=1", pid)); err != nil {
		log.Warn("telling systemd we are ready", "error", err)
	}

	terminated := false
wait:
	for {
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
			break wait
		case <-term:
			terminated = true
			break wait
		case <-upgrade:
			next, err := r.handOver(ln)
			if err != nil {
				log.Error("restart failed, still serving", "error", err)
				continue
			}
			log.Info("handed the socket over", "successor", next)
			break wait
		}
	}
	// During the drain the next SIGINT or SIGTERM has its default effect,
	// ending the process at once; one that did not start the drain
	// (systemd stopping the unit during a reload) is taken as this drain.
	if terminated {
		signal.Stop(term)
	} else {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-term:
				signal.Stop(term)
			case <-done:
			}
		}()
	}
	return r.drain(ctx, s, pl, &draining, errc)
}

// drain stops accepting, pauses for settle, then shuts the server down
// within its grace period and returns the result.
func (r *runner) drain(ctx context.Context, s *hyperlane.Server, pl *pausable, draining *atomic.Bool, errc <-chan error) error {
	grace := s.ShutdownTimeout()
	s.Logger().Info("draining", "settle", settle, "grace", grace)
	draining.Store(true)
	pl.pause()
	select {
	case err := <-errc:
		return err
	case <-time.After(settle):
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := s.Shutdown(sctx)
	if serr := <-errc; err == nil && !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	return err
}

// closeWhen makes responses close their connection while draining is set,
// so that keep-alive clients reconnect, to the successor if there is one.
func closeWhen(draining *atomic.Bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if draining.Load() {
				w.Header().Set("Connection", "close")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// awaitServing waits until the server reports its address, which it does
// as it starts accepting, or until it stops first.
func awaitServing(addr func() net.Addr, errc <-chan error) error {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for addr() == nil {
		select {
		case err := <-errc:
			if err == nil {
				err = errors.New("stopped before serving")
			}
			return err
		case <-tick.C:
		}
	}
	return nil
}

// handOver starts this executable again on ln's socket and waits until the
// new process serves; it returns the new PID. The new process inherits
// this one's standard output and error, which outlive this process.
func (r *runner) handOver(ln net.Listener) (int, error) {
	f, ok := ln.(interface{ File() (*os.File, error) })
	if !ok {
		return 0, fmt.Errorf("a %T cannot be handed to another process", ln)
	}
	sock, err := f.File()
	if err != nil {
		return 0, err
	}
	defer sock.Close()
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd, rd, err := spawn{bin: exe, args: r.args, socket: sock, stdout: os.Stdout, stderr: os.Stderr}.start()
	if err != nil {
		return 0, err
	}
	if _, err := awaitReady(rd, r.timeout); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return 0, fmt.Errorf("new process %d: %w", cmd.Process.Pid, err)
	}
	go cmd.Wait() // reap it should it exit before this process does
	return cmd.Process.Pid, nil
}

// notifySystemd sends state to the service manager when it listens on
// NOTIFY_SOCKET (units with Type=notify). The MAINPID it sends after a
// hand-over moves systemd's attention to the successor, which needs
// NotifyAccess=all in the unit.
func notifySystemd(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	// Go maps a leading '@' to Linux's abstract socket namespace.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}

// pausable is a listener that can stop accepting without its server
// noticing: once paused, its socket is closed in this process, and Accept
// waits for Close, which Shutdown calls. Serve would otherwise end with
// the accept error and skip the drain.
type pausable struct {
	net.Listener
	paused, closed       chan struct{}
	pauseOnce, closeOnce sync.Once
}

func newPausable(ln net.Listener) *pausable {
	return &pausable{Listener: ln, paused: make(chan struct{}), closed: make(chan struct{})}
}

func (l *pausable) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		select {
		case <-l.paused:
			<-l.closed
			return nil, net.ErrClosed
		default:
		}
	}
	return c, err
}

// pause stops accepting. Connections still queued on a shared socket go
// to the other processes that accept on it.
func (l *pausable) pause() {
	l.pauseOnce.Do(func() {
		close(l.paused)
		_ = l.Listener.Close()
	})
}

func (l *pausable) Close() error {
	l.pause()
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}
