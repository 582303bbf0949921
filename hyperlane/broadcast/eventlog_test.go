package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// ids lists entries as N=data, N the part of the id after the '-'.
func ids(es []broadcast.LogEntry) string {
	s := ""
	for _, e := range es {
		_, n, _ := strings.Cut(e.ID, "-")
		s += n + "=" + string(e.Data) + " "
	}
	return s
}

func TestMemoryLogResume(t *testing.T) {
	ctx := context.Background()
	l := broadcast.NewMemoryLog(3, 0)
	var id []string
	for i := 1; i <= 5; i++ {
		v, err := l.Append(ctx, "s", fmt.Appendf(nil, "e%d", i))
		if err != nil {
			t.Fatal(err)
		}
		id = append(id, v)
	}
	epoch, _, _ := strings.Cut(id[0], "-")
	for _, tc := range []struct {
		name, after string
		max         int
		want        string
	}{
		{"after an id, exactly the entries that follow", id[2], 10, "4=e4 5=e5 "},
		{"max bounds one read", id[1], 1, "3=e3 "},
		{"an empty id reads from the oldest kept", "", 10, "3=e3 4=e4 5=e5 "},
		{"an id older than the cap reads what is kept", id[0], 10, "3=e3 4=e4 5=e5 "},
		{"an id ahead of the log reads it from the oldest kept", epoch + "-99", 10, "3=e3 4=e4 5=e5 "},
		{"an id of an earlier run reads from the oldest kept", "1-4", 10, "3=e3 4=e4 5=e5 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := l.Read(ctx, "s", tc.after, tc.max)
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != tc.want {
				t.Fatalf("got %q, want %q", ids(got), tc.want)
			}
		})
	}
}

func TestMemoryLogReadWaitsForAppend(t *testing.T) {
	ctx := context.Background()
	l := broadcast.NewMemoryLog(0, 0)
	tail, _ := l.Tail(ctx, "s")
	got := make(chan []broadcast.LogEntry)
	go func() {
		es, _ := l.Read(ctx, "s", tail, 10)
		got <- es
	}()
	if _, err := l.Append(ctx, "s", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if es := <-got; ids(es) != "1=x " {
		t.Fatalf("got %q", ids(es))
	}
}

func TestMemoryLogReadEndsWithContext(t *testing.T) {
	l := broadcast.NewMemoryLog(0, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := l.Read(ctx, "s", "", 1); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestMemoryLogRejectsForeignIDs(t *testing.T) {
	l := broadcast.NewMemoryLog(0, 0)
	for _, id := range []string{"x", "-1", "1", "1-x", "1-99999999999999999999", "1-2-3"} {
		if err := l.CheckID(id); !errors.Is(err, broadcast.ErrBadEventID) {
			t.Errorf("CheckID(%q) = %v, want ErrBadEventID", id, err)
		}
		if _, err := l.Read(context.Background(), "s", id, 1); !errors.Is(err, broadcast.ErrBadEventID) {
			t.Errorf("Read after %q = %v, want ErrBadEventID", id, err)
		}
	}
}

func TestMemoryLogBoundsStreams(t *testing.T) {
	ctx := context.Background()
	l := broadcast.NewMemoryLog(1, 2)
	waiting := make(chan error)
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	first, _ := l.Append(ctx, "a", []byte("a1"))
	go func() {
		es, err := l.Read(rctx, "a", first, 1) // woken when "a" is evicted, then waits on the new "a"
		if err == nil && ids(es) != "1=a2 " {
			err = fmt.Errorf("got %q", ids(es))
		}
		waiting <- err
	}()
	_, _ = l.Append(ctx, "b", []byte("b1"))
	_, _ = l.Append(ctx, "c", []byte("c1")) // a third stream evicts "a"
	if tail, _ := l.Tail(ctx, "a"); tail != "" {
		// the reader may have made "a" anew already: it is then empty
		t.Fatalf("stream a still has entries up to %s after eviction", tail)
	}
	_, _ = l.Append(ctx, "a", []byte("a2"))
	if err := <-waiting; err != nil {
		t.Fatal(err)
	}
}
