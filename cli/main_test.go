package cli_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/cli"
	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// hangGuard bounds every wait of these tests. It is no performance
// assertion: a loaded machine passes well within it; only a hang does not.
const hangGuard = 60 * time.Second

// spawnsProcesses skips a test that builds binaries or runs several
// server processes when go test runs with -short (make test); make e2e
// runs them all (e2e/suites/05-go-full.sh).
func spawnsProcesses(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("spawns server processes: runs without -short in make e2e (suite 05-go-full)")
	}
}

// TestMain lets the test binary stand in for an app's processes, chosen
// by CLI_TEST_APP: "serve" runs testApp's command line ("systemd" too,
// as a socket-activated service would), "sleep" idles as
// a live process of this executable, "exit" exits at once.
func TestMain(m *testing.M) {
	switch os.Getenv("CLI_TEST_APP") {
	case "systemd":
		// systemd sets LISTEN_PID in the service process after fork.
		os.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
		fallthrough
	case "serve":
		os.Exit(cli.Run(context.Background(), testApp, os.Args[1:], os.Stdout, os.Stderr))
	case "sleep":
		time.Sleep(time.Minute)
		os.Exit(0)
	case "exit":
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testApp answers "/" with its PID, "/slow" after a second and "/hang"
// never; it logs when a slow or hanging request starts. CLI_TEST_GRACE
// sets the shutdown timeout; CLI_TEST_FAIL_IF names a file whose
// existence makes the app fail to start.
func testApp(cfg cli.Settings) *hyperlane.Server {
	if p := os.Getenv("CLI_TEST_FAIL_IF"); p != "" {
		if _, err := os.Stat(p); err == nil {
			cfg.Logger.Error("refusing to start: " + p + " exists")
			os.Exit(1)
		}
	}
	opts := cfg.Options()
	if d, err := time.ParseDuration(os.Getenv("CLI_TEST_GRACE")); err == nil {
		opts = append(opts, hyperlane.WithShutdownTimeout(d))
	}
	s := hyperlane.New(opts...)
	s.Get("/", func(c *hyperlane.Context) error {
		return c.Text(http.StatusOK, "pid "+strconv.Itoa(os.Getpid()))
	})
	s.Get("/slow", func(c *hyperlane.Context) error {
		c.Logger().Info("slow request started")
		time.Sleep(time.Second)
		return c.Text(http.StatusOK, "slow done")
	})
	s.Get("/hang", func(c *hyperlane.Context) error {
		c.Logger().Info("hanging request started")
		time.Sleep(time.Hour)
		return nil
	})
	s.AddCommand(hyperlane.Command{
		Name:    "greet",
		Summary: "print a greeting",
		Run: func(_ context.Context, args []string, stdout io.Writer) error {
			if len(args) == 0 {
				return errors.New("greet whom?")
			}
			_, err := fmt.Fprintln(stdout, "hello,", strings.Join(args, " "))
			return err
		},
	})
	return s
}

// helperEnv is the environment of a test-binary process serving testApp
// with its PID file in dir.
func helperEnv(dir string, extra ...string) []string {
	return append(os.Environ(), append([]string{
		"CLI_TEST_APP=serve",
		"GORACE=atexit_sleep_ms=0", // a race-enabled binary otherwise idles a second at exit
		"HYPERLANE_ADDR=127.0.0.1:0",
		"HYPERLANE_PID_FILE=" + filepath.Join(dir, "app.pid"),
		"HYPERLANE_LOG_FILE=",
	}, extra...)...)
}

func testBinary(t *testing.T) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// runCLI runs one command line to its end and returns its combined
// output and exit status.
func runCLI(t *testing.T, bin, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		return string(out), exit.ExitCode()
	default:
		t.Fatalf("%s %q: %v\n%s", filepath.Base(bin), args, err, out)
		return "", 0
	}
}

// proc is a process under test whose output (standard output and error
// together, its successors' included) is kept line by line.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan struct{} // closed when the process exited
	err  error         // its exit, once done

	mu    sync.Mutex
	lines []string
	next  int // first line waitFor has not consumed
}

func startProc(t *testing.T, bin, dir string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	return startCmd(t, cmd)
}

func startCmd(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	bin := cmd.Path
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = wr, wr
	err = p.cmd.Start()
	wr.Close()
	if err != nil {
		rd.Close()
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(rd)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
		rd.Close()
	}()
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(bin), p.output())
		}
	})
	return p
}

// waitFor returns the submatches of the first line, after those already
// consumed, that matches re.
func (p *proc) waitFor(re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(hangGuard)
	for {
		p.mu.Lock()
		for i := p.next; i < len(p.lines); i++ {
			if m := rx.FindStringSubmatch(p.lines[i]); m != nil {
				p.next = i + 1
				p.mu.Unlock()
				return m
			}
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			p.t.Fatalf("no output line matches %q", re)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// exit waits for the process to exit and returns its status.
func (p *proc) exit() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(hangGuard):
		p.t.Fatal("the process did not exit")
	}
	return p.cmd.ProcessState.ExitCode()
}

// load keeps GET requests going to one URL from several clients until
// finish: half reuse keep-alive connections, half open a connection per
// request. It records every outcome.
type load struct {
	stop                chan struct{}
	wg                  sync.WaitGroup
	ok, failed, refused atomic.Int64

	mu     sync.Mutex
	bodies map[string]int
	errs   []string
}

func startLoad(url string, clients int) *load {
	l := &load{stop: make(chan struct{}), bodies: make(map[string]int)}
	for i := range clients {
		client := &http.Client{
			Timeout:   hangGuard,
			Transport: &http.Transport{DisableKeepAlives: i%2 == 1},
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer client.CloseIdleConnections()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				l.get(client, url, i%2 == 1)
				time.Sleep(time.Millisecond) // leave the CPU to the servers
			}
		}()
	}
	return l
}

func (l *load) get(client *http.Client, url string, fresh bool) {
	resp, err := client.Get(url)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			l.refused.Add(1)
		}
		l.fail(fmt.Sprintf("%v (new connection: %v)", err, fresh))
		return
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		l.fail(fmt.Sprintf("status %d, body %q, read error %v", resp.StatusCode, body, err))
		return
	}
	l.ok.Add(1)
	l.mu.Lock()
	l.bodies[string(body)]++
	l.mu.Unlock()
}

func (l *load) fail(msg string) {
	l.failed.Add(1)
	l.mu.Lock()
	if len(l.errs) < 10 {
		l.errs = append(l.errs, msg)
	}
	l.mu.Unlock()
}

// served reports how many responses had body.
func (l *load) served(body string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bodies[body]
}

// awaitOK waits until n more requests succeeded than when it was called.
func (l *load) awaitOK(t *testing.T, n int64) {
	t.Helper()
	target := l.ok.Load() + n
	for deadline := time.Now().Add(hangGuard); l.ok.Load() < target; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d requests succeeded; failures: %v", l.ok.Load(), target, l.errs)
		}
	}
}

// awaitBody waits until a response carried body.
func (l *load) awaitBody(t *testing.T, body string) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); l.served(body) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no response said %q; bodies seen: %v", body, l.bodies)
		}
	}
}

// finish stops the clients and fails the test on any failed request.
func (l *load) finish(t *testing.T) {
	t.Helper()
	close(l.stop)
	l.wg.Wait()
	t.Logf("load: %d requests succeeded, %d failed, %d refused; bodies %v", l.ok.Load(), l.failed.Load(), l.refused.Load(), l.bodies)
	if l.failed.Load() != 0 || l.refused.Load() != 0 {
		t.Errorf("%d requests failed, %d connections refused: %v", l.failed.Load(), l.refused.Load(), l.errs)
	}
}

// killFromPIDFile ends whatever process the PID file names; it is the
// clean-up of tests that leave detached servers behind when they fail.
func killFromPIDFile(path string) {
	if b, err := os.ReadFile(path); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// get returns the body of a GET, failing the test on any error.
func get(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: hangGuard}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %q %v", url, resp.StatusCode, b, err)
	}
	return string(b)
}

// waitForFile waits until the file at path contains s.
func waitForFile(t *testing.T, path, s string) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile(path); strings.Contains(string(b), s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never said %q", path, s)
		}
	}
}

// isZombie reports whether pid has exited but was not reaped.
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// deadPID returns the PID of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

// waitGone waits until pid has exited.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); syscall.Kill(pid, 0) == nil && !isZombie(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d did not exit", pid)
		}
	}
}
