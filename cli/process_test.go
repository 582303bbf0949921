package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

const readyLine = `msg=ready pid=(\d+) addr=(\S+)`

func TestSIGTERMCompletesInFlightRequests(t *testing.T) {
	dir := t.TempDir()
	p := startProc(t, testBinary(t), dir, helperEnv(dir), "serve")
	addr := p.waitFor(readyLine)[2]

	const n = 4
	var wg sync.WaitGroup
	results := make([]string, n)
	for i := range n {
		wg.Go(func() {
			resp, err := (&http.Client{Timeout: hangGuard}).Get("http://" + addr + "/slow")
			if err != nil {
				results[i] = err.Error()
				return
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			results[i] = strconv.Itoa(resp.StatusCode) + " " + b.String()
		})
	}
	for range n {
		p.waitFor("slow request started")
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	wg.Wait()
	for i, got := range results {
		if got != "200 slow done" {
			t.Errorf("in-flight request %d ended with %q, want 200 slow done", i, got)
		}
	}
	if code := p.exit(); code != 0 {
		t.Errorf("exit status %d after a graceful drain, want 0", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "app.pid")); !os.IsNotExist(err) {
		t.Errorf("the PID file outlived the server: %v", err)
	}
}

// TestSIGUSR2HandsOverUnderLoad is a restart under a supervisor: the test
// runs the server in the foreground and signals it, as systemd's
// ExecReload would, three times in a row while clients keep asking.
func TestSIGUSR2HandsOverUnderLoad(t *testing.T) {
	spawnsProcesses(t)
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "app.pid")
	t.Cleanup(func() { killFromPIDFile(pidFile) })
	p := startProc(t, testBinary(t), dir, helperEnv(dir), "serve")
	m := p.waitFor(readyLine)
	pid, addr := m[1], m[2]

	l := startLoad("http://"+addr+"/", 4)
	l.awaitOK(t, 50)
	for round := range 3 {
		old, _ := strconv.Atoi(pid)
		syscall.Kill(old, syscall.SIGUSR2)
		pid = p.waitFor(readyLine)[1]
		if pid == strconv.Itoa(old) {
			t.Fatalf("round %d: the successor has the old PID %d", round, old)
		}
		if round == 0 {
			if code := p.exit(); code != 0 {
				t.Errorf("the first process exited with %d after handing over, want 0", code)
			}
		} else {
			waitGone(t, old)
		}
		l.awaitBody(t, "pid "+pid)
		if got := l.served("pid " + strconv.Itoa(old)); got == 0 {
			t.Errorf("round %d: the old process served nothing while under load", round)
		}
		l.awaitOK(t, 50)
	}
	l.finish(t)
	if b, _ := os.ReadFile(pidFile); strings.TrimSpace(string(b)) != pid {
		t.Errorf("PID file holds %q, want the last successor's %s", b, pid)
	}
}

func TestFailedSuccessorKeepsTheOldProcessServing(t *testing.T) {
	spawnsProcesses(t)
	dir := t.TempDir()
	fail := filepath.Join(dir, "fail")
	p := startProc(t, testBinary(t), dir, helperEnv(dir, "CLI_TEST_FAIL_IF="+fail), "serve")
	m := p.waitFor(readyLine)
	pid, addr := m[1], m[2]

	os.WriteFile(fail, nil, 0o644)
	p.cmd.Process.Signal(syscall.SIGUSR2)
	p.waitFor("restart failed, still serving")
	if got := get(t, "http://"+addr+"/"); got != "pid "+pid {
		t.Errorf("after a failed restart / says %q, want the old process's %q", got, "pid "+pid)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "app.pid")); strings.TrimSpace(string(b)) != pid {
		t.Errorf("PID file holds %q, want the old process's %s", b, pid)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.exit(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
}

func TestStartDetached(t *testing.T) {
	spawnsProcesses(t)
	bin, dir := testBinary(t), t.TempDir()
	pidFile := filepath.Join(dir, "app.pid")
	t.Cleanup(func() { killFromPIDFile(pidFile) })
	env := helperEnv(dir)

	out, code := runCLI(t, bin, dir, env, "start", "-d")
	if code != 0 || !strings.Contains(out, "started: pid") {
		t.Fatalf("start -d: exit %d\n%s", code, out)
	}
	fields := strings.Fields(out[strings.Index(out, "serving on "):])
	addr := strings.TrimSuffix(fields[2], ",")
	pid := strings.TrimSpace(readFile(t, pidFile))
	if got := get(t, "http://"+addr+"/"); got != "pid "+pid {
		t.Errorf("/ says %q, want %q", got, "pid "+pid)
	}
	if log := readFile(t, filepath.Join(dir, "app.log")); !strings.Contains(log, "msg=ready pid="+pid) {
		t.Errorf("the log file lacks the server's output:\n%s", log)
	}
	out, code = runCLI(t, bin, dir, env, "start", "-d")
	if code != 1 || !strings.Contains(out, "already running: pid "+pid) {
		t.Errorf("second start -d: exit %d, want 1 naming pid %s\n%s", code, pid, out)
	}
	out, code = runCLI(t, bin, dir, env, "status")
	if code != 0 || !strings.Contains(out, "is running: pid "+pid) || !strings.Contains(out, addr) {
		t.Errorf("status: exit %d, want 0 with pid %s and %s\n%s", code, pid, addr, out)
	}
	out, code = runCLI(t, bin, dir, env, "stop")
	if code != 0 || !strings.Contains(out, "stopped: pid "+pid) {
		t.Errorf("stop: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("stop left the PID file: %v", err)
	}
}

func TestStartDetachedReportsWhyItFailed(t *testing.T) {
	bin, dir := testBinary(t), t.TempDir()
	fail := filepath.Join(dir, "fail")
	os.WriteFile(fail, nil, 0o644)
	out, code := runCLI(t, bin, dir, helperEnv(dir, "CLI_TEST_FAIL_IF="+fail), "start", "-d")
	if code != 1 || !strings.Contains(out, "did not start") || !strings.Contains(out, "refusing to start") {
		t.Errorf("start -d of a failing app: exit %d, want 1 with the log's reason\n%s", code, out)
	}
}

func TestStop(t *testing.T) {
	spawnsProcesses(t)
	tests := []struct {
		name  string
		args  []string
		code  int
		says  string
		alive bool
	}{
		{name: "a server that drains past the timeout is left running", args: []string{"stop", "--timeout", "300ms"},
			code: 1, says: "still drains after 300ms", alive: true},
		{name: "--force kills it after the timeout", args: []string{"stop", "--timeout", "300ms", "--force"},
			code: 0, says: "killed: pid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin, dir := testBinary(t), t.TempDir()
			pidFile := filepath.Join(dir, "app.pid")
			t.Cleanup(func() { killFromPIDFile(pidFile) })
			env := helperEnv(dir, "CLI_TEST_GRACE=1m")
			out, code := runCLI(t, bin, dir, env, "start", "-d")
			if code != 0 {
				t.Fatalf("start -d: exit %d\n%s", code, out)
			}
			addr := strings.TrimSuffix(strings.Fields(out[strings.Index(out, "serving on "):])[2], ",")
			pid, _ := strconv.Atoi(strings.TrimSpace(readFile(t, pidFile)))
			go http.Get("http://" + addr + "/hang") // ends with the server
			waitForFile(t, filepath.Join(dir, "app.log"), "hanging request started")

			out, code = runCLI(t, bin, dir, env, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.says) {
				t.Errorf("%q: exit %d, want %d saying %q\n%s", tc.args, code, tc.code, tc.says, out)
			}
			alive := syscall.Kill(pid, 0) == nil && !isZombie(pid)
			if alive != tc.alive {
				t.Errorf("server alive = %v, want %v", alive, tc.alive)
			}
			if _, err := os.Stat(pidFile); os.IsNotExist(err) == tc.alive {
				t.Errorf("PID file exists = %v, want %v", err == nil, tc.alive)
			}
		})
	}
}

func TestNothingRuns(t *testing.T) {
	spawnsProcesses(t)
	bin, dir := testBinary(t), t.TempDir()
	pidFile := filepath.Join(dir, "app.pid")
	env := helperEnv(dir)
	tests := []struct {
		name  string
		stale bool
		args  []string
		code  int
		says  string
	}{
		{name: "status exits 3", args: []string{"status"}, code: cli.ExitNotRunning, says: "is not running (no PID file"},
		{name: "status names a stale PID file", stale: true, args: []string{"status"}, code: cli.ExitNotRunning, says: "stale PID file"},
		{name: "stop is an error", args: []string{"stop"}, code: 1, says: "is not running"},
		{name: "restart is an error", args: []string{"restart"}, code: 1, says: "is not running"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(pidFile)
			if tc.stale {
				os.WriteFile(pidFile, []byte(strconv.Itoa(deadPID(t))+"\n"), 0o644)
			}
			out, code := runCLI(t, bin, dir, env, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.says) {
				t.Errorf("%q: exit %d, want %d saying %q\n%s", tc.args, code, tc.code, tc.says, out)
			}
		})
	}
}

func TestRegisteredCommandRunsWithoutServing(t *testing.T) {
	var stdout, stderr bytes.Buffer
	// The default address would be taken by a server; the command must
	// return instead of serving.
	code := cli.Run(context.Background(), testApp, []string{"greet", "gopher"}, &stdout, &stderr)
	if code != 0 || stdout.String() != "hello, gopher\n" {
		t.Errorf("greet: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	code = cli.Run(context.Background(), testApp, []string{"greet"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "greet whom?") {
		t.Errorf("a failing command: exit %d, stderr %q; want 1 and its error", code, stderr.String())
	}
}

func TestHelp(t *testing.T) {
	var stdout bytes.Buffer
	if code := cli.Run(context.Background(), testApp, []string{"--help"}, &stdout, &stdout); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for _, want := range []string{
		"serve", "start", "stop", "restart", "status", "dev",
		"greet     print a greeting",
		"--addr", "HYPERLANE_ADDR", "--pid-file", "HYPERLANE_PID_FILE", "--log-file", "HYPERLANE_LOG_FILE",
		"--timeout", "--force", "-d", "SIGUSR2",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--help does not mention %q:\n%s", want, stdout.String())
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{"nonsense"}, {"--nope"}, {"status", "extra"}} {
		var stderr bytes.Buffer
		code := cli.Run(context.Background(), testApp, args, &stderr, &stderr)
		if code != cli.ExitUsage || !strings.Contains(stderr.String(), "--help") {
			t.Errorf("%q: exit %d, output %q; want %d pointing at --help", args, code, stderr.String(), cli.ExitUsage)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSystemdSocketActivation plays systemd: it opens the socket, starts
// the service with it as descriptor 3 (LISTEN_FDS), and listens on
// NOTIFY_SOCKET. The service serves on the socket and reports its main
// PID; after SIGUSR2 (ExecReload) its successor reports the new one.
func TestSystemdSocketActivation(t *testing.T) {
	spawnsProcesses(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sock, err := ln.(*net.TCPListener).File()
	ln.Close() // sock keeps the socket open, as systemd does
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "notify"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	pidFile := filepath.Join(dir, "app.pid")
	t.Cleanup(func() { killFromPIDFile(pidFile) })

	cmd := exec.Command(testBinary(t), "serve")
	cmd.Env = append(helperEnv(dir), "CLI_TEST_APP=systemd", "LISTEN_FDS=1", "NOTIFY_SOCKET="+filepath.Join(dir, "notify"))
	cmd.ExtraFiles = []*os.File{sock}
	p := startCmd(t, cmd)
	readNotify := func() string {
		buf := make([]byte, 256)
		notify.SetReadDeadline(time.Now().Add(hangGuard))
		n, err := notify.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}
	pid := p.waitFor(readyLine)[1]
	if got := readNotify(); got != "MAINPID="+pid+"\nREADY=1" {
		t.Errorf("first notification %q, want MAINPID=%s and READY=1", got, pid)
	}
	addr := ln.Addr().String()
	if got := get(t, "http://"+addr+"/"); got != "pid "+pid {
		t.Errorf("the activated socket answers %q, want %q", got, "pid "+pid)
	}

	cmd.Process.Signal(syscall.SIGUSR2)
	next := p.waitFor(readyLine)[1]
	if got := readNotify(); got != "MAINPID="+next+"\nREADY=1" {
		t.Errorf("notification after reload %q, want MAINPID=%s", got, next)
	}
	if code := p.exit(); code != 0 {
		t.Errorf("the first process exited with %d, want 0", code)
	}
	if got := get(t, "http://"+addr+"/"); got != "pid "+next {
		t.Errorf("after reload the socket answers %q, want %q", got, "pid "+next)
	}
}

func TestEnvironmentConfiguresTheServer(t *testing.T) {
	app := func(cfg cli.Settings) *hyperlane.Server {
		s := hyperlane.New(cfg.Options()...)
		s.AddCommand(hyperlane.Command{Name: "grace", Run: func(_ context.Context, _ []string, w io.Writer) error {
			_, err := fmt.Fprintln(w, s.ShutdownTimeout())
			return err
		}})
		return s
	}
	tests := []struct {
		name, value string
		code        int
		out         string
	}{
		{name: "a HYPERLANE_* variable reaches the server", value: "42s", code: 0, out: "42s\n"},
		{name: "a malformed one is a usage error naming it", value: "soon", code: cli.ExitUsage, out: "HYPERLANE_SHUTDOWN_TIMEOUT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HYPERLANE_SHUTDOWN_TIMEOUT", tc.value)
			var out bytes.Buffer
			code := cli.Run(context.Background(), app, []string{"grace"}, &out, &out)
			if code != tc.code || !strings.Contains(out.String(), tc.out) {
				t.Errorf("exit %d, output %q; want %d and %q", code, out.String(), tc.code, tc.out)
			}
		})
	}
}

func TestRestartThatFailsLeavesTheServerServing(t *testing.T) {
	spawnsProcesses(t)
	bin, dir := testBinary(t), t.TempDir()
	pidFile := filepath.Join(dir, "app.pid")
	t.Cleanup(func() { killFromPIDFile(pidFile) })
	fail := filepath.Join(dir, "fail")
	env := helperEnv(dir, "CLI_TEST_FAIL_IF="+fail)
	out, code := runCLI(t, bin, dir, env, "start", "-d")
	if code != 0 {
		t.Fatalf("start -d: exit %d\n%s", code, out)
	}
	addr := strings.TrimSuffix(strings.Fields(out[strings.Index(out, "serving on "):])[2], ",")
	pid := strings.TrimSpace(readFile(t, pidFile))

	os.WriteFile(fail, nil, 0o644) // the next process of the app fails to start
	out, code = runCLI(t, bin, dir, env, "restart", "--timeout", "1s")
	if code != 1 || !strings.Contains(out, "no new process serves after 1s; pid "+pid+" still does") {
		t.Errorf("restart to a failing build: exit %d, want 1 saying pid %s still serves\n%s", code, pid, out)
	}
	waitForFile(t, filepath.Join(dir, "app.log"), "restart failed, still serving")
	if got := get(t, "http://"+addr+"/"); got != "pid "+pid {
		t.Errorf("/ says %q, want the old process's %q", got, "pid "+pid)
	}
	if _, code = runCLI(t, bin, dir, env, "stop"); code != 0 {
		t.Errorf("stop after a failed restart: exit %d", code)
	}
}

func TestForegroundServerLeavesAnotherServersPIDFile(t *testing.T) {
	spawnsProcesses(t)
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "app.pid")
	first := exec.Command(testBinary(t), "-test.run=^$")
	first.Env = append(os.Environ(), "CLI_TEST_APP=sleep") // a live process of this app
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Process.Kill(); first.Wait() })
	want := strconv.Itoa(first.Process.Pid) + "\n"
	os.WriteFile(pidFile, []byte(want), 0o644)

	p := startProc(t, testBinary(t), dir, helperEnv(dir), "serve")
	p.waitFor("the PID file names another running server")
	addr := p.waitFor(readyLine)[2]
	get(t, "http://"+addr+"/")
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.exit(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if got := readFile(t, pidFile); got != want {
		t.Errorf("PID file holds %q, want the first server's %q", got, want)
	}
}
