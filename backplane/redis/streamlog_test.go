package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	hlredis "github.com/hyperlane-go/hyperlane/backplane/redis"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

func newLog(t *testing.T, srv *redisServer, opts hlredis.StreamLogOptions) *hlredis.StreamLog {
	if opts.Block == 0 {
		opts.Block = 200 * time.Millisecond // Close waits for the XREAD under way
	}
	l := hlredis.NewStreamLog(srv.client(t), opts)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// TestStreamLogResumesOnAnotherInstance: two instances append to one
// stream while a client reads a few events from one, drops, and resumes
// with its last id on the other, again and again: it gets every event
// once, in the order of the stream.
func TestStreamLogResumesOnAnotherInstance(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	logs := []*hlredis.StreamLog{newLog(t, srv, hlredis.StreamLogOptions{}), newLog(t, srv, hlredis.StreamLogOptions{})}
	const n = 200
	var wg sync.WaitGroup
	for w, l := range logs { // both instances write, interleaved
		wg.Go(func() {
			for i := w; i < n; i += 2 {
				if _, err := l.Append(ctx, "room", fmt.Appendf(nil, "%d", i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	last, seen := "", map[string]bool{}
	var order []string
	for hop := 0; len(order) < n; hop++ {
		es, err := logs[hop%2].Read(ctx, "room", last, 7) // 7 events, then "reconnect" to the other instance
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if seen[string(e.Data)] {
				t.Fatalf("event %s (id %s) delivered twice", e.Data, e.ID)
			}
			seen[string(e.Data)] = true
			order = append(order, e.ID)
		}
		last = es[len(es)-1].ID
	}
	wg.Wait()
	all, err := logs[0].Read(ctx, "room", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range all {
		if e.ID != order[i] {
			t.Fatalf("event %d: read %s, the stream has %s", i, order[i], e.ID)
		}
	}
	if len(all) != n {
		t.Fatalf("stream has %d entries, want %d", len(all), n)
	}
}

func TestStreamLogReadWaitsAcrossInstances(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	a, b := newLog(t, srv, hlredis.StreamLogOptions{}), newLog(t, srv, hlredis.StreamLogOptions{})
	tail, err := b.Tail(ctx, "live")
	if err != nil {
		t.Fatal(err)
	}
	const readers = 50
	got := make(chan string, readers)
	for range readers {
		go func() {
			es, err := b.Read(ctx, "live", tail, 10)
			if err != nil {
				got <- err.Error()
				return
			}
			got <- string(es[0].Data)
		}()
	}
	admin := srv.client(t)
	// Every reader is waiting when the one XREAD of b is blocked and
	// nothing was appended: wait for that XREAD to show in CLIENT LIST.
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := admin.ClientList(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(list, "cmd=xread"); n == 1 {
			break
		} else if n > 1 {
			t.Fatalf("%d connections blocked in XREAD for %d readers of one stream, want 1", n, readers)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no XREAD blocked after 10s:\n%s", list)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := a.Append(ctx, "live", []byte("news")); err != nil {
		t.Fatal(err)
	}
	for range readers {
		if m := <-got; m != "news" {
			t.Fatalf("reader got %q, want the entry appended on the other instance", m)
		}
	}
}

func TestStreamLogIDs(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	l := newLog(t, srv, hlredis.StreamLogOptions{Cap: 5})
	for i := range 3 {
		if _, err := l.Append(ctx, "s", fmt.Appendf(nil, "e%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, after string
		want        string // data of the entries read, or the error
	}{
		{"a malformed id is ErrBadEventID", "abc", "bad"},
		{"an id with a third part is ErrBadEventID", "1-2-3", "bad"},
		{"an id past uint64 is ErrBadEventID", "99999999999999999999-0", "bad"},
		{"an id ahead of the stream reads it from the oldest kept", "99999999999999-0", "e0 e1 e2"},
		{"an old id reads every entry after it", "1-0", "e0 e1 e2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, err := l.Read(ctx, "s", tc.after, 10)
			if tc.want == "bad" {
				if !errors.Is(err, broadcast.ErrBadEventID) || !errors.Is(l.CheckID(tc.after), broadcast.ErrBadEventID) {
					t.Fatalf("err = %v, want ErrBadEventID", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, string(e.Data))
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("the stream keeps about Cap entries", func(t *testing.T) {
		for i := range 500 {
			_, _ = l.Append(ctx, "capped", fmt.Appendf(nil, "%d", i))
		}
		n, err := srv.client(t).XLen(ctx, hlredis.DefaultStreamPrefix+"capped").Result()
		if err != nil || n > 200 {
			t.Fatalf("XLEN = %d (%v), want about 5 (MAXLEN ~ trims whole nodes)", n, err)
		}
	})
	t.Run("the stream key has a TTL", func(t *testing.T) {
		ttl, err := srv.client(t).TTL(ctx, hlredis.DefaultStreamPrefix+"s").Result()
		if err != nil || ttl <= 0 {
			t.Fatalf("TTL = %v (%v), want the default 24h", ttl, err)
		}
	})
}

func TestStreamLogCloseEndsWaitingReaders(t *testing.T) {
	srv := startRedis(t)
	l := hlredis.NewStreamLog(srv.client(t), hlredis.StreamLogOptions{Block: 100 * time.Millisecond})
	done := make(chan error)
	go func() { _, err := l.Read(context.Background(), "s", "", 1); done <- err }()
	// The reader may not wait yet when Close runs: either way it must end.
	_ = l.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Read returned no error after Close")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a reader still waits 10s after Close")
	}
}

// Readers of more streams than MaxWatched do not take more connections:
// the others poll, and still get their entries.
func TestStreamLogBoundsBlockedConnections(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	l := newLog(t, srv, hlredis.StreamLogOptions{MaxWatched: 2, Poll: 20 * time.Millisecond})
	const streams = 30 // more than the client's pool (10 per CPU)
	got := make(chan string, streams)
	for i := range streams {
		go func() {
			es, err := l.Read(ctx, fmt.Sprintf("room-%d", i), "", 1)
			if err != nil {
				got <- err.Error()
				return
			}
			got <- string(es[0].Data)
		}()
	}
	admin := srv.client(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := admin.ClientList(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(list, "cmd=xread")
		if n > 2 {
			t.Fatalf("%d connections blocked in XREAD, want at most MaxWatched=2", n)
		}
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d XREADs blocked after 10s, want 2", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	w := hlredis.NewStreamLog(srv.client(t), hlredis.StreamLogOptions{})
	defer w.Close()
	for i := range streams {
		if _, err := w.Append(ctx, fmt.Sprintf("room-%d", i), fmt.Appendf(nil, "e%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for range streams {
		if m := <-got; !strings.HasPrefix(m, "e") {
			t.Fatalf("reader got %q", m)
		}
	}
}
