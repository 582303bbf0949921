package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// start runs "serve" detached: in its own session, standard input from
// /dev/null, output appended to the log file. It returns once the server
// accepts connections, or fails with the end of the log.
func (r *runner) start(context.Context) error {
	var nr *errNotRunning
	switch inst, err := running(r.cfg.PIDFile); {
	case err == nil:
		return fmt.Errorf("already running: pid %d (PID file %s)", inst.pid, r.cfg.PIDFile)
	case !errors.As(err, &nr):
		return err
	case nr.stale != 0:
		fmt.Fprintf(r.stderr, "%s: removing stale PID file %s (pid %d is gone)\n", r.name, r.cfg.PIDFile, nr.stale)
		if err := os.Remove(r.cfg.PIDFile); err != nil {
			return err
		}
	}
	pidFile, err := filepath.Abs(r.cfg.PIDFile)
	if err != nil {
		return err
	}
	logPath, err := filepath.Abs(r.cfg.LogFile)
	if err != nil {
		return err
	}
	err = os.MkdirAll(filepath.Dir(logPath), 0o755) // #nosec G301 -- only creates a missing runtime directory, such as one under $XDG_RUNTIME_DIR
	if err != nil {
		return err
	}
	// 0600: access logs name clients and paths, and the default directory
	// may be /tmp, which other users can list.
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600) // #nosec G304 -- the operator's --log-file
	if err != nil {
		return err
	}
	defer logf.Close()
	logStart, err := logf.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"serve", "--addr", r.cfg.Addr, "--pid-file", pidFile}
	cmd, rd, err := spawn{bin: exe, args: args, stdout: logf, stderr: logf, detach: true}.start()
	if err != nil {
		return err
	}
	addr, err := awaitReady(rd, r.timeout)
	if err != nil {
		_ = cmd.Process.Kill() // in case it hangs; it may have exited already
		_ = cmd.Wait()
		return fmt.Errorf("the server did not start: %w\n%s", err, logTail(logPath, logStart, 20))
	}
	pid := cmd.Process.Pid
	_ = cmd.Process.Release()
	fmt.Fprintf(r.stdout, "%s started: pid %d, serving on %s, log %s\n", r.name, pid, addr, logPath)
	return nil
}

// logTail returns the last n lines written to path after offset.
func logTail(path string, offset int64, n int) string {
	f, err := os.Open(path) // #nosec G304 -- the log file this command just started, named by the operator
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return fmt.Sprintf("last lines of %s:\n  %s", path, strings.Join(lines, "\n  "))
}
