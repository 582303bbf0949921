package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestWritePIDFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run", "app.pid")
	if err := writePIDFile(path, 1234); err != nil {
		t.Fatal(err)
	}
	if err := writePIDFile(path, 5678); err != nil {
		t.Fatal("replacing a PID file:", err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "5678\n" {
		t.Fatalf("PID file holds %q (%v), want \"5678\\n\"", b, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left beside the PID file: %v", entries)
	}

	// A symbolic link planted at the path is replaced, not written through.
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link.pid")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := writePIDFile(link, 42); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was overwritten: %q", b)
	}
}

func TestReadPIDFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		pid     int
	}{
		{name: "a PID and a newline", content: "77\n", pid: 77},
		{name: "a PID without a newline", content: "77", pid: 77},
		{name: "surrounding blanks", content: " 77 \n", pid: 77},
		{name: "only the first line counts", content: "77\nextra\n", pid: 77},
		{name: "not a number is an error", content: "seventy\n"},
		{name: "an empty file is an error", content: ""},
		{name: "zero is an error", content: "0\n"},
		{name: "a negative PID is an error", content: "-5\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.pid")
			os.WriteFile(path, []byte(tc.content), 0o644)
			pid, written, err := readPIDFile(path)
			if tc.pid == 0 {
				if err == nil {
					t.Fatalf("read %q as pid %d, want an error", tc.content, pid)
				}
				return
			}
			if err != nil || pid != tc.pid || written.IsZero() {
				t.Fatalf("got pid %d written %v err %v, want %d", pid, written, err, tc.pid)
			}
		})
	}
}

func TestRemovePIDFileKeepsASuccessorsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.pid")
	writePIDFile(path, 200)
	removePIDFile(path, 100)
	if _, err := os.Stat(path); err != nil {
		t.Fatal("removed the PID file of another process")
	}
	removePIDFile(path, 200)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("kept its own PID file")
	}
}

func TestRunning(t *testing.T) {
	// A live process of this executable: the test binary idling (see
	// TestMain in main_test.go).
	self, _ := os.Executable()
	ours := exec.Command(self, "-test.run=^$")
	ours.Env = append(os.Environ(), "CLI_TEST_APP=sleep")
	if err := ours.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ours.Process.Kill(); ours.Wait() })

	foreign := exec.Command("sleep", "60")
	if err := foreign.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { foreign.Process.Kill(); foreign.Wait() })

	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}

	zombie := exec.Command(self, "-test.run=^$")
	zombie.Env = append(os.Environ(), "CLI_TEST_APP=exit", "GORACE=atexit_sleep_ms=0")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zombie.Wait() })
	// Not reaped on purpose: once it exits it is a zombie.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if alive, _ := inspect(zombie.Process.Pid); !alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the helper did not exit")
		}
	}

	tests := []struct {
		name    string
		content string // "" writes no file
		running bool
		stale   int
	}{
		{name: "no PID file: not running"},
		{name: "a live process of this app: running", content: strconv.Itoa(ours.Process.Pid), running: true},
		{name: "a dead process: stale", content: strconv.Itoa(dead.ProcessState.Pid()), stale: dead.ProcessState.Pid()},
		{name: "an unreaped zombie: stale", content: strconv.Itoa(zombie.Process.Pid), stale: zombie.Process.Pid},
		{name: "a reused PID of another program: stale", content: strconv.Itoa(foreign.Process.Pid), stale: foreign.Process.Pid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.pid")
			if tc.content != "" {
				os.WriteFile(path, []byte(tc.content+"\n"), 0o644)
			}
			inst, err := running(path)
			if tc.running {
				if err != nil || inst.pid != ours.Process.Pid {
					t.Fatalf("running = %+v, %v; want pid %d", inst, err, ours.Process.Pid)
				}
				return
			}
			var nr *errNotRunning
			if !errors.As(err, &nr) || nr.stale != tc.stale {
				t.Fatalf("running = %+v, %v; want not running with stale pid %d", inst, err, tc.stale)
			}
		})
	}
}
