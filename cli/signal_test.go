package cli_test

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// TestSecondSIGTERMDuringTheDrainEndsAtOnce: a SIGTERM starts the drain;
// with a request that never finishes and an hour of grace, a second
// SIGTERM ends the process by the signal, as it would without a handler.
func TestSecondSIGTERMDuringTheDrainEndsAtOnce(t *testing.T) {
	spawnsProcesses(t)
	dir := t.TempDir()
	p := startProc(t, testBinary(t), dir, helperEnv(dir, "CLI_TEST_GRACE=1h"), "serve")
	addr := p.waitFor(readyLine)[2]
	go func() {
		if resp, err := (&http.Client{Timeout: hangGuard}).Get("http://" + addr + "/hang"); err == nil {
			resp.Body.Close()
		}
	}()
	p.waitFor("hanging request started")
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitFor("msg=draining")
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.exit()
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("after a second SIGTERM during the drain the process ended with %v, want killed by SIGTERM", p.cmd.ProcessState)
	}
}

// TestSIGTERMAfterAHandOverIsTakenAsItsDrain: once SIGUSR2 handed the
// socket to a successor, the old process drains; a SIGTERM then (systemd
// stopping the unit during a reload) does not cut that drain short: the
// request in flight gets its answer and the old process exits 0.
func TestSIGTERMAfterAHandOverIsTakenAsItsDrain(t *testing.T) {
	spawnsProcesses(t)
	dir := t.TempDir()
	t.Cleanup(func() { killFromPIDFile(filepath.Join(dir, "app.pid")) })
	p := startProc(t, testBinary(t), dir, helperEnv(dir), "serve")
	m := p.waitFor(readyLine)
	pid, addr := m[1], m[2]
	got := make(chan string, 1)
	go func() {
		resp, err := (&http.Client{Timeout: hangGuard}).Get("http://" + addr + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		got <- strconv.Itoa(resp.StatusCode) + " " + b.String()
	}()
	p.waitFor("slow request started")
	p.cmd.Process.Signal(syscall.SIGUSR2)
	if next := p.waitFor(readyLine)[1]; next == pid {
		t.Fatalf("the successor has the old PID %s", pid)
	}
	p.waitFor("handed the socket over")
	p.cmd.Process.Signal(syscall.SIGTERM)
	if r := <-got; r != "200 slow done" {
		t.Errorf("the request in flight at the hand-over ended with %q, want 200 slow done", r)
	}
	if code := p.exit(); code != 0 {
		t.Errorf("the old process exited with %d after a SIGTERM during its drain, want 0", code)
	}
}
