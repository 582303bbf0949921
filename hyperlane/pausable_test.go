package hyperlane

import (
	"errors"
	"net"
	"testing"
	"time"
)

func TestPausableStopsAcceptingWithoutEndingServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pl := newPausableListener(ln)
	accepted := make(chan error, 1)
	go func() {
		for {
			c, err := pl.Accept()
			if err != nil {
				accepted <- err
				return
			}
			c.Close()
		}
	}()
	pl.pause()
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("a paused listener that nobody shares still takes connections")
	}
	select {
	case err := <-accepted:
		t.Fatalf("Accept returned %v while paused; Serve would end without draining", err)
	case <-time.After(50 * time.Millisecond):
	}
	pl.Close()
	select {
	case err := <-accepted:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close returned %v, want net.ErrClosed", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Accept did not return after Close")
	}
}
