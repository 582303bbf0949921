package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// status reports the server named by the PID file: exit 0 and its PID,
// uptime and address when it runs, ExitNotRunning when not.
func (r *runner) status() error {
	inst, err := running(r.cfg.PIDFile)
	var nr *errNotRunning
	if errors.As(err, &nr) {
		return exitError{code: ExitNotRunning, msg: r.name + " is " + nr.Error()}
	}
	if err != nil {
		return err
	}
	addr := strings.Join(listenAddrs(inst.pid), ", ")
	if addr == "" {
		addr = r.cfg.Addr
	}
	fmt.Fprintf(r.stdout, "%s is running: pid %d, up %s, serving on %s\n",
		r.name, inst.pid, time.Since(inst.since).Round(time.Second), addr)
	return nil
}

// stop sends SIGTERM and waits for the drain; with --force, SIGKILL
// follows when the timeout passes.
func (r *runner) stop() error {
	inst, err := r.mustRun()
	if err != nil {
		return err
	}
	if err := syscall.Kill(inst.pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("signalling pid %d: %w", inst.pid, err)
	}
	if waitExit(inst.pid, r.timeout) {
		removePIDFile(r.cfg.PIDFile, inst.pid)
		fmt.Fprintf(r.stdout, "%s stopped: pid %d drained and exited\n", r.name, inst.pid)
		return nil
	}
	if !r.force {
		return fmt.Errorf("pid %d still drains after %s; wait with a longer --timeout or end it with --force", inst.pid, r.timeout)
	}
	if err := syscall.Kill(inst.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing pid %d: %w", inst.pid, err)
	}
	if !waitExit(inst.pid, 5*time.Second) {
		return fmt.Errorf("pid %d survived SIGKILL", inst.pid)
	}
	removePIDFile(r.cfg.PIDFile, inst.pid)
	fmt.Fprintf(r.stdout, "%s killed: pid %d had not drained after %s\n", r.name, inst.pid, r.timeout)
	return nil
}

// restart asks the running server to hand its socket to a new process
// (SIGUSR2) and waits until the new one serves and the old one is gone.
func (r *runner) restart() error {
	old, err := r.mustRun()
	if err != nil {
		return err
	}
	if err := syscall.Kill(old.pid, syscall.SIGUSR2); err != nil {
		return fmt.Errorf("signalling pid %d: %w", old.pid, err)
	}
	next, err := r.awaitSuccessor(old.pid)
	if err != nil {
		return err
	}
	if !waitExit(old.pid, r.timeout) {
		return fmt.Errorf("pid %d serves now, but pid %d still drains after %s", next, old.pid, r.timeout)
	}
	fmt.Fprintf(r.stdout, "%s restarted: pid %d took over from pid %d\n", r.name, next, old.pid)
	return nil
}

// awaitSuccessor waits until the PID file names a live process of this app
// other than old, which the successor writes once it serves.
func (r *runner) awaitSuccessor(old int) (int, error) {
	deadline := time.Now().Add(r.timeout)
	for {
		if pid, _, err := readPIDFile(r.cfg.PIDFile); err == nil && pid != old && isOurs(pid) {
			return pid, nil
		}
		if alive, _ := inspect(old); !alive {
			return 0, fmt.Errorf("pid %d exited without a successor; see its log", old)
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no new process serves after %s; pid %d still does (its log says why)", r.timeout, old)
		}
		time.Sleep(pollInterval)
	}
}

// mustRun returns the running server, or an error saying nothing runs; a
// stale PID file is removed on the way.
func (r *runner) mustRun() (instance, error) {
	inst, err := running(r.cfg.PIDFile)
	var nr *errNotRunning
	if errors.As(err, &nr) {
		if nr.stale != 0 {
			_ = os.Remove(r.cfg.PIDFile)
		}
		return instance{}, fmt.Errorf("%s is %v", r.name, nr)
	}
	return inst, err
}

// pollInterval paces the waits on processes that are not our children.
const pollInterval = 20 * time.Millisecond

// waitExit waits up to timeout for pid to exit and reports whether it did.
func waitExit(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if alive, _ := inspect(pid); !alive {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollInterval)
	}
}
