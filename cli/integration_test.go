package cli_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// repoRoot is the directory of the hyperlane module.
func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	return filepath.Dir(filepath.Dir(file))
}

// goBuild builds pkg in the module at dir into out, without the race
// detector: the binary is under test, not the build.
func goBuild(t *testing.T, dir, pkg, out string, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

// TestQuickstartLifecycle drives the quickstart binary through the whole
// life of a detached server: start, refusal of a second start, restart
// under load without a failed request, stop, and recovery from a stale
// PID file.
func TestQuickstartLifecycle(t *testing.T) {
	spawnsProcesses(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "quickstart")
	goBuild(t, filepath.Join(repoRoot(t), "examples"), "./quickstart", bin)
	pidFile := filepath.Join(dir, "quickstart.pid")
	t.Cleanup(func() { killFromPIDFile(pidFile) })
	env := append(os.Environ(), "HYPERLANE_PID_FILE="+pidFile, "HYPERLANE_LOG_FILE=", "HYPERLANE_ADDR=127.0.0.1:0")
	started := regexp.MustCompile(`started: pid (\d+), serving on (\S+),`)
	run := func(wantCode int, args ...string) string {
		t.Helper()
		out, code := runCLI(t, bin, dir, env, args...)
		if code != wantCode {
			t.Fatalf("quickstart %s: exit %d, want %d\n%s\nlog:\n%s", strings.Join(args, " "), code, wantCode, out, tail(dir))
		}
		return out
	}

	// A registered subcommand runs without a server.
	if out := run(0, "openapi", "--format", "yaml"); !strings.HasPrefix(out, "openapi: 3.") {
		t.Errorf("openapi --format yaml printed no spec:\n%.300s", out)
	}
	if out := run(0, "--help"); !strings.Contains(out, "openapi") || !strings.Contains(out, "HYPERLANE_PID_FILE") {
		t.Errorf("--help lacks the openapi command or the environment:\n%s", out)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("a subcommand wrote a PID file: %v", err)
	}

	m := started.FindStringSubmatch(run(0, "start", "-d"))
	if m == nil {
		t.Fatal("start -d did not report its pid and address")
	}
	pid, addr := m[1], m[2]
	if out := run(0, "status"); !strings.Contains(out, "is running: pid "+pid) || !strings.Contains(out, addr) {
		t.Errorf("status does not report pid %s on %s:\n%s", pid, addr, out)
	}
	if body := get(t, "http://"+addr+"/"); body != "Hello hyperlane => /" {
		t.Errorf("/ says %q", body)
	}
	if out := run(1, "start", "-d"); !strings.Contains(out, "already running: pid "+pid) {
		t.Errorf("a second start -d is not refused naming pid %s:\n%s", pid, out)
	}

	l := startLoad("http://"+addr+"/", 4)
	l.awaitOK(t, 50)
	out := run(0, "restart")
	l.awaitOK(t, 50) // served by the new process alone
	l.finish(t)
	m = regexp.MustCompile(`restarted: pid (\d+) took over from pid (\d+)`).FindStringSubmatch(out)
	if m == nil || m[2] != pid || m[1] == pid {
		t.Fatalf("restart did not replace pid %s:\n%s", pid, out)
	}
	newPID := m[1]
	if out := run(0, "status"); !strings.Contains(out, "is running: pid "+newPID) {
		t.Errorf("status after restart does not report pid %s:\n%s", newPID, out)
	}

	run(0, "stop")
	if out := run(3, "status"); !strings.Contains(out, "is not running") {
		t.Errorf("status after stop:\n%s", out)
	}

	os.WriteFile(pidFile, []byte(strconv.Itoa(deadPID(t))+"\n"), 0o644)
	out = run(0, "start", "-d")
	if !strings.Contains(out, "removing stale PID file") || started.FindStringSubmatch(out) == nil {
		t.Errorf("start -d over a stale PID file:\n%s", out)
	}
	run(0, "status")
	run(0, "stop")
}

// tail returns the end of the quickstart's log in dir.
func tail(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "quickstart.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
