package nats_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	hlnats "github.com/hyperlane-go/hyperlane/backplane/nats"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

type msg struct {
	Text string `json:"text"`
	N    int    `json:"n"`
}

// natsServer is an embedded NATS server on a fixed loopback port, so
// that it can be stopped and started again where clients look for it.
type natsServer struct {
	t    testing.TB
	port int
	srv  *server.Server
}

func startNATS(t testing.TB) *natsServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &natsServer{t: t, port: port}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *natsServer) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

func (s *natsServer) start() {
	s.t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: s.port, NoLog: true, NoSigs: true, MaxClosedClients: 1})
	if err != nil {
		s.t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		s.t.Fatal("embedded NATS server not ready within 10s")
	}
	s.srv = srv
}

func (s *natsServer) stop() {
	if s.srv == nil {
		return
	}
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	s.srv = nil
}

// kick disconnects, on the server's side, every client named name.
func (s *natsServer) kick(name string) {
	s.t.Helper()
	cz, err := s.srv.Connz(&server.ConnzOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range cz.Conns {
		if c.Name == name {
			if err := s.srv.DisconnectClientByID(c.Cid); err != nil {
				s.t.Fatal(err)
			}
		}
	}
}

type instance struct {
	hub   *broadcast.Hub[msg]
	bp    *hlnats.Backplane[msg]
	state chan bool
}

func newInstance(t *testing.T, s *natsServer, opts hlnats.Options[msg]) *instance {
	t.Helper()
	if opts.Subject == "" {
		opts.Subject = "test.hub"
	}
	if opts.MinBackoff == 0 {
		opts.MinBackoff, opts.MaxBackoff = time.Millisecond, 50*time.Millisecond
	}
	in := &instance{state: make(chan bool, 4096)}
	opts.OnStateChange = func(up bool) { in.state <- up }
	bp, err := hlnats.Dial(s.URL(), opts)
	if err != nil {
		t.Fatal(err)
	}
	in.bp = bp
	in.hub = broadcast.New(broadcast.Options[msg]{Buffer: 4096, Backplane: bp})
	t.Cleanup(func() { _ = in.hub.Close() })
	return in
}

func (in *instance) waitState(t *testing.T, want bool) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case got := <-in.state:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("backplane never reported connected=%v", want)
		}
	}
}

func recv(t *testing.T, s *broadcast.Subscription[msg]) msg {
	t.Helper()
	select {
	case m, ok := <-s.C():
		if !ok {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return msg{}
}

func TestNATSBackplaneCrossInstance(t *testing.T) {
	s := startNATS(t)
	a, b := newInstance(t, s, hlnats.Options[msg]{}), newInstance(t, s, hlnats.Options[msg]{})
	onA, onB := a.hub.Subscribe("lobby"), b.hub.Subscribe("lobby")
	other := b.hub.Subscribe("other")
	if err := a.hub.Publish("lobby", msg{Text: "hi from a"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sub  *broadcast.Subscription[msg]
	}{
		{"the publishing instance's subscriber gets it", onA},
		{"the other instance's subscriber gets it", onB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if m := recv(t, tc.sub); m.Text != "hi from a" {
				t.Fatalf("got %+v", m)
			}
		})
	}
	t.Run("SendTo reaches a subscriber of another instance", func(t *testing.T) {
		if err := a.hub.SendTo(onB.ID(), msg{Text: "just you"}); err != nil {
			t.Fatal(err)
		}
		if m := recv(t, onB); m.Text != "just you" {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("another room's subscriber gets nothing", func(t *testing.T) {
		_ = a.hub.Publish("other", msg{Text: "marker"})
		if m := recv(t, other); m.Text != "marker" {
			t.Fatalf("room other got %+v before its own message", m)
		}
	})
}

func TestNATSBackplaneOrderPerRoom(t *testing.T) {
	s := startNATS(t)
	a, b := newInstance(t, s, hlnats.Options[msg]{}), newInstance(t, s, hlnats.Options[msg]{})
	rooms := []string{"r1", "r2", "r3"}
	subs := map[string]*broadcast.Subscription[msg]{}
	for _, r := range rooms {
		subs[r] = b.hub.Subscribe(r)
	}
	const n = 3000
	for i := range n {
		if err := a.hub.Publish(rooms[i%3], msg{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	for ri, r := range rooms {
		for want := ri; want < n; want += 3 {
			if m := recv(t, subs[r]); m.N != want {
				t.Fatalf("room %s: got message %d, want %d (out of order or lost)", r, m.N, want)
			}
		}
	}
}

func TestNATSBackplaneServerRestart(t *testing.T) {
	s := startNATS(t)
	a, b := newInstance(t, s, hlnats.Options[msg]{}), newInstance(t, s, hlnats.Options[msg]{})
	onB := b.hub.Subscribe("lobby")
	s.stop()
	a.waitState(t, false)
	t.Run("a publish during the outage fails with ErrUnavailable", func(t *testing.T) {
		if err := a.hub.Publish("lobby", msg{Text: "lost"}); !errors.Is(err, hlnats.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
	s.start()
	a.waitState(t, true)
	b.waitState(t, true)
	t.Run("after the restart messages flow again, the refused one never arrives", func(t *testing.T) {
		if err := a.hub.Publish("lobby", msg{Text: "back"}); err != nil {
			t.Fatal(err)
		}
		if m := recv(t, onB); m.Text != "back" {
			t.Fatalf("got %+v, want the message sent after the restart", m)
		}
	})
}

// settle waits, for at most 10s, for the goroutine count to drop to
// want: a closed connection's goroutines (client and embedded server)
// exit shortly after the close, with no event to wait on.
func settle(want int) int {
	deadline := time.Now().Add(10 * time.Second)
	for {
		g := runtime.NumGoroutine()
		if g <= want || time.Now().After(deadline) {
			return g
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNATSBackplaneReconnectsDoNotGrow(t *testing.T) {
	s := startNATS(t)
	a := newInstance(t, s, hlnats.Options[msg]{Name: "a"})
	b := newInstance(t, s, hlnats.Options[msg]{Name: "b"})
	onB := b.hub.Subscribe("lobby")
	n := 1000
	if testing.Short() {
		n = 50
	}
	kick := func() {
		s.kick("a")
		s.kick("b")
		a.waitState(t, false)
		a.waitState(t, true)
		b.waitState(t, false)
		b.waitState(t, true)
	}
	kick() // warm up
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()
	for range n {
		kick()
	}
	g := settle(goroutines)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("%d reconnects: goroutines %d -> %d, heap %d -> %d bytes", n, goroutines, g, before.HeapAlloc, after.HeapAlloc)
	if g > goroutines {
		t.Errorf("goroutines grew from %d to %d across %d reconnects", goroutines, g, n)
	}
	if after.HeapAlloc > before.HeapAlloc+1<<20 {
		t.Errorf("heap grew from %d to %d bytes across %d reconnects", before.HeapAlloc, after.HeapAlloc, n)
	}
	if st := a.bp.Stats(); st.Reconnects != uint64(n+1) {
		t.Errorf("Reconnects = %d, want %d", st.Reconnects, n+1)
	}
	if err := a.hub.Publish("lobby", msg{Text: "still works"}); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, onB); m.Text != "still works" {
		t.Fatalf("got %+v", m)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNATSBackplaneRejectsBadFrames(t *testing.T) {
	s := startNATS(t)
	var logs syncBuffer
	b := newInstance(t, s, hlnats.Options[msg]{MaxMessage: 1024, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	onB := b.hub.Subscribe("lobby")
	raw, err := nats.Connect(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	good, _ := broadcast.EncodeDelivery(broadcast.JSONCodec[msg]{}, broadcast.Delivery[msg]{Room: "lobby", Msg: msg{Text: "good"}}, 0)
	for _, f := range [][]byte{
		[]byte("garbage"),
		{1, 5, 'l', 'o', 'b', 'b', 'y', 0, '{', 'x'},
		append(append([]byte{}, good[:len(good)-1]...), bytes.Repeat([]byte(" "), 2000)...),
		good,
	} {
		if err := raw.Publish("test.hub", f); err != nil {
			t.Fatal(err)
		}
	}
	if m := recv(t, onB); m.Text != "good" {
		t.Fatalf("got %+v, want only the good frame", m)
	}
	if st := b.bp.Stats(); st.Rejected != 3 || st.Received != 1 {
		t.Fatalf("stats %+v, want 3 rejected, 1 received", st)
	}
	if got := strings.Count(logs.String(), "frame from NATS dropped"); got != 3 {
		t.Fatalf("%d dropped frames logged, want 3:\n%s", got, logs.String())
	}
}

func TestNATSBackplanePublishErrors(t *testing.T) {
	s := startNATS(t)
	a := newInstance(t, s, hlnats.Options[msg]{MaxMessage: 256})
	t.Run("a message over MaxMessage fails naming the limit", func(t *testing.T) {
		err := a.hub.Publish("lobby", msg{Text: strings.Repeat("x", 300)})
		if err == nil || !strings.Contains(err.Error(), "limit of 256 bytes") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("after Close publishing fails with ErrClosed", func(t *testing.T) {
		_ = a.hub.Close()
		if err := a.bp.Publish(broadcast.Delivery[msg]{Room: "r"}); !errors.Is(err, broadcast.ErrClosed) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Dial without a server fails naming the URL", func(t *testing.T) {
		_, err := hlnats.Dial("nats://127.0.0.1:1", hlnats.Options[msg]{Subject: "x"})
		if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Dial without a subject fails naming it", func(t *testing.T) {
		_, err := hlnats.Dial(s.URL(), hlnats.Options[msg]{})
		if err == nil || !strings.Contains(err.Error(), "Subject") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestNATSBackplaneRestoredMeansSubscribed publishes from a the moment b
// reports its connection restored: b must get the message, every time.
// (The client resends its subscription as it reconnects; b reports the
// connection back only once the server has it.)
func TestNATSBackplaneRestoredMeansSubscribed(t *testing.T) {
	s := startNATS(t)
	a := newInstance(t, s, hlnats.Options[msg]{Name: "a"})
	b := newInstance(t, s, hlnats.Options[msg]{Name: "b"})
	onB := b.hub.Subscribe("lobby")
	n := 200
	if testing.Short() {
		n = 30
	}
	for i := range n {
		s.kick("b")
		b.waitState(t, false)
		b.waitState(t, true)
		text := strconv.Itoa(i)
		if err := a.hub.Publish("lobby", msg{Text: text}); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-onB.C():
			if m.Text != text {
				t.Fatalf("reconnect %d: got %+v, want %q", i, m, text)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("reconnect %d: b reported connected, and missed the message a sent right after", i)
		}
	}
}
