package hyperlane

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// acceptAsync runs ln.Accept in the background.
func acceptAsync(ln net.Listener) <-chan net.Conn {
	c := make(chan net.Conn, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			close(c)
			return
		}
		c <- conn
	}()
	return c
}

// notAccepted gives a wrongly admitted connection time to show up; a
// correct limit passes whatever the timing.
func notAccepted(t *testing.T, c <-chan net.Conn, when string) {
	t.Helper()
	select {
	case conn, ok := <-c:
		if ok {
			conn.Close()
		}
		t.Fatalf("%s: Accept returned beyond the limit", when)
	case <-time.After(200 * time.Millisecond):
	}
}

func accepted(t *testing.T, c <-chan net.Conn) net.Conn {
	t.Helper()
	select {
	case conn, ok := <-c:
		if !ok {
			t.Fatal("Accept failed")
		}
		return conn
	case <-time.After(hangGuard):
		t.Fatal("hang guard: Accept blocked although a slot was free")
		return nil
	}
}

func TestLimitListenerHoldsASlotPerOpenConnection(t *testing.T) {
	t.Parallel()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListener(inner, 1, new(connCounter))
	defer ln.Close()
	dial := func() {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatalf("dial: %v (a waiting client must not be refused)", err)
		}
		t.Cleanup(func() { c.Close() })
	}

	dial()
	first := accepted(t, acceptAsync(ln))
	dial()
	next := acceptAsync(ln)
	notAccepted(t, next, "one connection open")

	first.Close()
	first.Close() // a second Close must not free a second slot
	second := accepted(t, next)
	defer second.Close()

	dial()
	third := acceptAsync(ln)
	notAccepted(t, third, "after a double Close")

	ln.Close()
	if _, ok := <-third; ok {
		t.Fatal("Accept waiting for a slot returned a connection after Close")
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close = %v, want net.ErrClosed", err)
	}
}

func TestLimitedConnKeepsTCPFeatures(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListener(inner, 1, new(connCounter))
	defer ln.Close()
	client, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	conn := accepted(t, acceptAsync(ln))
	defer conn.Close()

	if _, ok := conn.(io.ReaderFrom); !ok {
		t.Error("limited connection lost io.ReaderFrom (sendfile)")
	}
	cw, ok := conn.(interface{ CloseWrite() error })
	if !ok {
		t.Fatal("limited connection lost CloseWrite")
	}
	if _, err := conn.(io.ReaderFrom).ReadFrom(io.LimitReader(zeros{}, 3)); err != nil {
		t.Fatal(err)
	}
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_ = client.SetReadDeadline(time.Now().Add(hangGuard))
	got, err := io.ReadAll(client)
	if err != nil || len(got) != 3 {
		t.Errorf("client read %d bytes, %v; want 3 then EOF from the half-close", len(got), err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
