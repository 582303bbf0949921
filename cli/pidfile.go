package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A PID file holds one line: the decimal PID of the process serving. The
// serving process writes it once it accepts connections, so its
// modification time is when that process began serving, and removes it on
// exit unless a successor has written its own PID there.

// writePIDFile replaces path with pid atomically: readers see the old
// content or the new, never a partial file. Rename also replaces a
// symbolic link planted at path instead of writing through it.
func writePIDFile(path string, pid int) error {
	dir := filepath.Dir(path)
	err := os.MkdirAll(dir, 0o755) // #nosec G301 -- a runtime directory for the public PID file
	if err != nil {
		return fmt.Errorf("PID file: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("PID file: %w", err)
	}
	_, err = fmt.Fprintf(f, "%d\n", pid)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644) // #nosec G302 -- a PID file is public, as those in /run are, so that status works for any user
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("PID file: %w", err)
	}
	return nil
}

// readPIDFile returns the PID in path and when it was written.
func readPIDFile(path string) (pid int, written time.Time, err error) {
	b, err := os.ReadFile(path) // #nosec G304 -- the operator's --pid-file
	if err != nil {
		return 0, time.Time{}, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err = strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0, time.Time{}, fmt.Errorf("PID file %s does not hold a PID: %q", path, line)
	}
	if fi, err := os.Stat(path); err == nil {
		written = fi.ModTime()
	}
	return pid, written, nil
}

// removePIDFile removes path if it still names pid, so a process never
// removes the PID file of the successor it handed over to.
func removePIDFile(path string, pid int) {
	if got, _, err := readPIDFile(path); err == nil && got == pid {
		_ = os.Remove(path)
	}
}

// instance is a serving process found through its PID file.
type instance struct {
	pid   int
	since time.Time // when it began serving
}

// errNotRunning reports that no process of this app serves; stale names
// the dead or foreign PID the PID file held, if any.
type errNotRunning struct {
	path  string
	stale int
}

func (e *errNotRunning) Error() string {
	if e.stale != 0 {
		return fmt.Sprintf("not running (stale PID file %s names pid %d, which is not this app)", e.path, e.stale)
	}
	return fmt.Sprintf("not running (no PID file at %s)", e.path)
}

// running returns the live process of this app that the PID file at path
// names, or an *errNotRunning. A PID that is dead, a zombie, or reused by
// another program makes the file stale.
func running(path string) (instance, error) {
	pid, since, err := readPIDFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return instance{}, &errNotRunning{path: path}
	}
	if err != nil {
		return instance{}, err
	}
	if !isOurs(pid) {
		return instance{}, &errNotRunning{path: path, stale: pid}
	}
	return instance{pid: pid, since: since}, nil
}

// isOurs reports whether pid is a live process running an executable with
// this one's name. The name, not the path, is compared: dev runs each
// build from its own directory, and a binary replaced in place shows as
// deleted.
func isOurs(pid int) bool {
	alive, exe := inspect(pid)
	if !alive {
		return false
	}
	return exe == "" || exe == programName()
}
