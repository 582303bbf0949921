package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The hand-over protocol between a process and the serving process it
// starts: the child finds its inherited descriptors through environment
// variables, serves, then writes its address and a newline to the
// readiness pipe. A pipe closed without that line means the child failed.
const (
	envListenFD = "HYPERLANE_LISTEN_FD" // the inherited listening socket
	envReadyFD  = "HYPERLANE_READY_FD"  // the write end of the readiness pipe
)

// spawn describes a serving process to start.
type spawn struct {
	bin            string
	args           []string
	socket         *os.File // listening socket to hand over; nil to listen anew
	stdout, stderr io.Writer
	detach         bool // own session: no controlling terminal, survives its parent
	group          bool // own process group: the terminal's Ctrl-C reaches the parent only
}

// start starts the process and returns it with the read end of its
// readiness pipe, for awaitReady.
func (sp spawn) start() (*exec.Cmd, *os.File, error) {
	rd, wr, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer wr.Close()                        // the child holds its own copy
	cmd := exec.Command(sp.bin, sp.args...) // #nosec G204 -- re-executes this very binary (os.Executable) with its own arguments
	cmd.Stdout, cmd.Stderr = sp.stdout, sp.stderr
	// ExtraFiles[i] becomes descriptor 3+i in the child.
	cmd.ExtraFiles = []*os.File{wr}
	cmd.Env = append(handOverEnv(os.Environ()), envReadyFD+"=3")
	if sp.socket != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, sp.socket)
		cmd.Env = append(cmd.Env, envListenFD+"=4")
	}
	switch {
	case sp.detach:
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	case sp.group:
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	if err := cmd.Start(); err != nil {
		_ = rd.Close()
		return nil, nil, err
	}
	return cmd, rd, nil
}

// handOverEnv is env without the variables of an earlier hand-over or
// socket activation, which describe descriptors of this process only.
func handOverEnv(env []string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case envListenFD, envReadyFD, "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// errNotReady reports a child that did not come up.
var errNotReady = errors.New("exited before serving")

// awaitReady waits for the child's readiness line and returns the address
// it serves on; it closes rd.
func awaitReady(rd *os.File, timeout time.Duration) (string, error) {
	defer rd.Close()
	if err := rd.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(rd).ReadString('\n')
	switch {
	case err == nil:
		return strings.TrimSpace(line), nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "", fmt.Errorf("not serving after %s", timeout)
	default:
		return "", errNotReady
	}
}

// inheritedListener returns the listening socket handed to this process,
// by its predecessor or dev (HYPERLANE_LISTEN_FD) or by systemd socket
// activation (the first of LISTEN_FDS), or nil when there is none. The
// variables are consumed: processes this one starts do not see them.
func inheritedListener() (net.Listener, error) {
	fd := -1
	if v := os.Getenv(envListenFD); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 3 {
			return nil, fmt.Errorf("%s=%q is not a file descriptor", envListenFD, v)
		}
		fd = n
	} else if os.Getenv("LISTEN_PID") == strconv.Itoa(os.Getpid()) {
		n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
		const first = 3 // SD_LISTEN_FDS_START
		for i := 1; i < n; i++ {
			syscall.CloseOnExec(first + i) // unused; not passed on
		}
		if n > 0 {
			fd = first
		}
	}
	for _, k := range []string{envListenFD, "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		os.Unsetenv(k)
	}
	if fd < 0 {
		return nil, nil
	}
	f := os.NewFile(uintptr(fd), "inherited-listener")
	defer f.Close() // FileListener holds a duplicate
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("inherited socket (descriptor %d): %w", fd, err)
	}
	return ln, nil
}

// readinessPipe returns the function that reports this process ready to
// the one that started it, or a no-op when nothing waits for it.
func readinessPipe() func(addr string) {
	v := os.Getenv(envReadyFD)
	os.Unsetenv(envReadyFD)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return func(string) {}
	}
	syscall.CloseOnExec(fd) // not for processes the app starts
	f := os.NewFile(uintptr(fd), "readiness")
	return func(addr string) {
		fmt.Fprintln(f, addr)
		_ = f.Close()
	}
}
