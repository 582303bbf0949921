package cli

import (
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestInheritedListener(t *testing.T) {
	t.Run("none without the variables", func(t *testing.T) {
		t.Setenv(envListenFD, "")
		t.Setenv("LISTEN_PID", "")
		ln, err := inheritedListener()
		if ln != nil || err != nil {
			t.Fatalf("got %v, %v; want nothing", ln, err)
		}
	})
	t.Run("a descriptor named by HYPERLANE_LISTEN_FD", func(t *testing.T) {
		orig, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer orig.Close()
		fd := dupListener(t, orig)
		t.Setenv(envListenFD, strconv.Itoa(fd))
		ln, err := inheritedListener()
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		if ln.Addr().String() != orig.Addr().String() {
			t.Errorf("inherited %s, want %s", ln.Addr(), orig.Addr())
		}
		if os.Getenv(envListenFD) != "" {
			t.Error("the variable was not consumed")
		}
		if dup, err := syscall.Dup(fd); err == nil {
			syscall.Close(dup)
			t.Error("the inherited descriptor itself was left open")
		}
	})
	t.Run("systemd's LISTEN_FDS for another process is ignored", func(t *testing.T) {
		t.Setenv(envListenFD, "")
		t.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()+1))
		t.Setenv("LISTEN_FDS", "1")
		if ln, err := inheritedListener(); ln != nil || err != nil {
			t.Fatalf("got %v, %v; want nothing", ln, err)
		}
	})
	for _, bad := range []string{"x", "1", "-4"} {
		t.Run("a malformed descriptor "+bad+" is an error", func(t *testing.T) {
			t.Setenv(envListenFD, bad)
			if _, err := inheritedListener(); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// dupListener returns a descriptor of ln's socket that no *os.File owns.
func dupListener(t *testing.T, ln net.Listener) int {
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func TestReadinessPipe(t *testing.T) {
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Dup(int(wr.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	wr.Close()
	t.Setenv(envReadyFD, strconv.Itoa(fd))
	ready := readinessPipe()
	ready("127.0.0.1:1234")
	addr, err := awaitReady(rd, time.Minute)
	if addr != "127.0.0.1:1234" || err != nil {
		t.Fatalf("awaitReady = %q, %v", addr, err)
	}
}

func TestAwaitReady(t *testing.T) {
	t.Run("a closed pipe means the process failed", func(t *testing.T) {
		rd, wr, _ := os.Pipe()
		wr.Close()
		if _, err := awaitReady(rd, time.Minute); !errors.Is(err, errNotReady) {
			t.Fatalf("got %v, want errNotReady", err)
		}
	})
	t.Run("silence past the timeout is an error", func(t *testing.T) {
		rd, wr, _ := os.Pipe()
		defer wr.Close()
		if _, err := awaitReady(rd, 10*time.Millisecond); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestHandOverEnvDropsDescriptorVariables(t *testing.T) {
	env := []string{"PATH=/bin", envListenFD + "=4", envReadyFD + "=3", "LISTEN_PID=9", "LISTEN_FDS=1", "LISTEN_FDNAMES=web", "HYPERLANE_ADDR=:1"}
	got := handOverEnv(env)
	if want := []string{"PATH=/bin", "HYPERLANE_ADDR=:1"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestNotifySystemd(t *testing.T) {
	t.Run("without NOTIFY_SOCKET it does nothing", func(t *testing.T) {
		t.Setenv("NOTIFY_SOCKET", "")
		if err := notifySystemd("READY=1"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("it sends one datagram to the socket", func(t *testing.T) {
		path := t.TempDir() + "/notify"
		conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		t.Setenv("NOTIFY_SOCKET", path)
		if err := notifySystemd("MAINPID=42\nREADY=1"); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 256)
		conn.SetReadDeadline(time.Now().Add(time.Minute))
		n, err := conn.Read(buf)
		if got := string(buf[:n]); err != nil || got != "MAINPID=42\nREADY=1" {
			t.Fatalf("received %q, %v", got, err)
		}
	})
}
