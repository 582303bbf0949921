package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// serve runs the server in the foreground until SIGINT or SIGTERM, or
// until SIGUSR2 has handed its socket to a successor; either way it
// drains in-flight requests before it returns. The serving and the drain
// are the server's own (RunListener); serve adds the process around
// them: the inherited socket, the PID file, readiness and the hand-over.
// A second SIGINT or SIGTERM during the drain ends the process at once.
func (r *runner) serve(ctx context.Context) error {
	// Caught from the start, so that a signal before RunListener takes
	// over still drains; the first one ends serving, and from then on
	// the signal has its default effect, ending the process at once.
	// After a hand-over the first one (systemd stopping the unit during a
	// reload) is taken as the drain already under way.
	term := make(chan os.Signal, 1)
	upgrade := make(chan os.Signal, 1)
	signal.Notify(term, os.Interrupt, syscall.SIGTERM)
	signal.Notify(upgrade, syscall.SIGUSR2)
	defer signal.Stop(term)
	defer signal.Stop(upgrade) // SIGUSR2 is ignored until serve returns
	parent := ctx
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-term:
			signal.Stop(term)
			stop()
		case <-done:
		}
	}()

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
		if ln, err = s.Listen(parent); err != nil { // a signal now still serves, then drains
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- s.RunListener(ctx, ln) }()
	select {
	case <-s.Serving():
	case err := <-errc:
		if err == nil && ctx.Err() == nil {
			err = errors.New("stopped before serving")
		}
		return err // nil: told to stop before it served
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

	for {
		select {
		case err := <-errc:
			return err
		case <-upgrade:
			next, err := r.handOver(ln)
			if err != nil {
				log.Error("restart failed, still serving", "error", err)
				continue
			}
			log.Info("handed the socket over", "successor", next)
			stop()
			return <-errc
		}
	}
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
