package cluster

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Sizes of the figures.
const (
	fanSubscribers = 1000 // spread over the instances
	fanRounds      = 30   // publishes timed
	joinBatch      = 40   // joins (and leaves) in flight at once: below the chat's 64-message buffer
	rateMessages   = 3000 // sent for messages/s
	rateWindow     = 50   // in flight at once, below the chat's buffer
)

// TestFigures measures, in one run, for Redis, NATS and the in-memory
// hub: the fan-out latency from one publish to the last of 1,000 chat
// members spread over three instances (one instance in memory), median
// and p95 of 30 publishes; and the chat messages per second from one
// sender to a member on each instance. The lines starting "figures" go
// into docs/scaling.md.
func TestFigures(t *testing.T) {
	targets := []struct {
		name      string
		instances func(t *testing.T) []string
	}{
		{"redis", func(t *testing.T) []string { return redisCluster(t).instances() }},
		{"nats", func(t *testing.T) []string { return natsCluster(t).instances() }},
		{"memory", func(t *testing.T) []string { return []string{startAlone(t)} }},
	}
	for _, tc := range targets {
		t.Run(tc.name, func(t *testing.T) {
			addrs := tc.instances(t)
			med, p95 := measureFanout(t, addrs)
			rate := measureRate(t, addrs)
			t.Logf("figures %-6s fan-out to %d members on %d instance(s): median %v, p95 %v (%d publishes); %d chat messages from one sender to a member on each instance: %.0f msgs/s",
				tc.name, fanSubscribers, len(addrs), med, p95, fanRounds, rateMessages, rate)
		})
	}
}

func (c *cluster) instances() []string { return []string{c.instance(1), c.instance(2), c.instance(3)} }

// startAlone starts the quickstart with no backplane (the in-memory hub)
// and returns its address.
func startAlone(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("QUICKSTART_BIN")
	if bin == "" {
		t.Fatal("QUICKSTART_BIN is not set: run these tests with e2e/suites/72-cluster.sh")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(bin, "serve")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HYPERLANE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HYPERLANE_ADDR="+addr, "HYPERLANE_PID_FILE="+t.TempDir()+"/alone.pid")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/health/ready")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		if time.Since(start) > guard {
			t.Fatalf("the quickstart alone on %s is not ready: %v", addr, err)
		}
	}
}

// member is a light chat client for the figures: it counts what it gets
// and hands each message of the sender to onMessage.
type member struct {
	conn                         *websocket.Conn
	joins, msgs                  atomic.Int64
	closing, cutShort, sawSender atomic.Bool
	done                         chan struct{}
}

var (
	joinMark   = []byte(`"type":"join"`)
	senderMark = []byte(`"nick":"sender"`)
	msgMark    = []byte(`"type":"message","room":`)
	textMark   = []byte(`"text":"`)
)

// dialMember joins room at addr as nick.
func dialMember(addr, room, nick string, onMessage func(text []byte)) (*member, error) {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	q := url.Values{"nick": {nick}, "room": {room}}
	conn, _, err := websocket.Dial(ctx, "ws://"+addr+"/chat/ws?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s joins at %s: %w", nick, addr, err)
	}
	m := &member{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				if !m.closing.Load() {
					m.cutShort.Store(true)
				}
				return
			}
			switch {
			case bytes.Contains(data, joinMark):
				m.joins.Add(1)
				if bytes.Contains(data, senderMark) {
					m.sawSender.Store(true)
				}
			case bytes.Contains(data, msgMark):
				m.msgs.Add(1)
				if i := bytes.Index(data, textMark); i >= 0 && onMessage != nil {
					rest := data[i+len(textMark):]
					if j := bytes.IndexByte(rest, '"'); j >= 0 {
						onMessage(rest[:j])
					}
				}
			}
		}
	}()
	return m, nil
}

func (m *member) say(text string) error {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	return m.conn.Write(ctx, websocket.MessageText, []byte(`{"text":"`+text+`"}`))
}

func (m *member) close() {
	m.closing.Store(true)
	_ = m.conn.Close(websocket.StatusNormalClosure, "")
	<-m.done
}

// waitUntil polls cond until it holds, or fails the test after guard.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(time.Millisecond) {
		if time.Since(start) > guard {
			t.Fatalf("waited %v for %s", guard, what)
		}
	}
}

// measureFanout joins fanSubscribers members spread over addrs, then
// times fanRounds publishes from a member on the last instance to the
// last member that gets each.
func measureFanout(t *testing.T, addrs []string) (median, p95 time.Duration) {
	room := fmt.Sprintf("fanout-%d", time.Now().UnixNano())
	type round struct {
		count atomic.Int64
		last  atomic.Int64 // UnixNano of the latest arrival
		done  chan struct{}
	}
	rounds := make([]round, fanRounds)
	for i := range rounds {
		rounds[i].done = make(chan struct{})
	}
	arrived := func(text []byte) {
		i, err := strconv.Atoi(strings.TrimPrefix(string(text), "f-"))
		if err != nil || i < 0 || i >= fanRounds {
			return
		}
		r := &rounds[i]
		now := time.Now().UnixNano()
		for {
			old := r.last.Load()
			if now <= old || r.last.CompareAndSwap(old, now) {
				break
			}
		}
		if r.count.Add(1) == fanSubscribers {
			close(r.done)
		}
	}

	members := make([]*member, 0, fanSubscribers)
	var mu sync.Mutex
	for start := 0; start < fanSubscribers; start += joinBatch {
		var wg sync.WaitGroup
		errs := make(chan error, joinBatch)
		for i := start; i < min(start+joinBatch, fanSubscribers); i++ {
			wg.Go(func() {
				m, err := dialMember(addrs[i%len(addrs)], room, fmt.Sprintf("m%d", i), arrived)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				members = append(members, m)
				mu.Unlock()
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// The joins of this batch reach the members before the next
		// batch comes, so that no member's buffer holds more than a
		// batch: n members see at least n(n+1)/2 joins in all, and the
		// count then stays still.
		waitQuiet(t, members)
	}
	t.Cleanup(func() { leaveInBatches(members) })
	sender, err := dialMember(addrs[len(addrs)-1], room, "sender", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sender.close()
	waitUntil(t, "the sender's join to reach every member", func() bool { return allSawSender(members) })

	lat := make([]time.Duration, fanRounds)
	for i := range fanRounds {
		t0 := time.Now()
		if err := sender.say(fmt.Sprintf("f-%d", i)); err != nil {
			t.Fatal(err)
		}
		select {
		case <-rounds[i].done:
		case <-time.After(guard):
			t.Fatalf("publish %d reached %d of %d members in %v", i, rounds[i].count.Load(), fanSubscribers, guard)
		}
		lat[i] = time.Duration(rounds[i].last.Load() - t0.UnixNano())
		time.Sleep(50 * time.Millisecond)
	}
	for i, m := range members {
		if m.cutShort.Load() {
			t.Fatalf("member %d was disconnected during the measure", i)
		}
	}
	slices.Sort(lat)
	return lat[len(lat)/2].Round(10 * time.Microsecond), lat[(len(lat)*95+99)/100-1].Round(10 * time.Microsecond)
}

// waitQuiet waits until members have seen every join among them: at
// least n(n+1)/2 in all, and no more coming for 50 ms.
func waitQuiet(t *testing.T, members []*member) {
	t.Helper()
	n := int64(len(members))
	sum := func() int64 {
		var s int64
		for _, m := range members {
			s += m.joins.Load()
		}
		return s
	}
	waitUntil(t, "the joins to reach the members", func() bool { return sum() >= n*(n+1)/2 })
	for prev := sum(); ; prev = sum() {
		time.Sleep(50 * time.Millisecond)
		if sum() == prev {
			return
		}
	}
}

// allSawSender says whether every member saw the sender join.
func allSawSender(members []*member) bool {
	for _, m := range members {
		if !m.sawSender.Load() {
			return false
		}
	}
	return true
}

// leaveInBatches closes members a batch at a time, so that their leave
// messages do not pile up in the others' buffers.
func leaveInBatches(members []*member) {
	for start := 0; start < len(members); start += joinBatch {
		var wg sync.WaitGroup
		for _, m := range members[start:min(start+joinBatch, len(members))] {
			wg.Go(m.close)
		}
		wg.Wait()
		time.Sleep(20 * time.Millisecond)
	}
}

// measureRate sends rateMessages from a member on the last instance to
// one member on each instance (three on one instance in memory), at most
// rateWindow in flight, and returns the messages per second that all
// receivers got.
func measureRate(t *testing.T, addrs []string) float64 {
	room := fmt.Sprintf("rate-%d", time.Now().UnixNano())
	var receivers []*member
	for i := range 3 {
		m, err := dialMember(addrs[i%len(addrs)], room, fmt.Sprintf("r%d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer m.close()
		receivers = append(receivers, m)
	}
	sender, err := dialMember(addrs[len(addrs)-1], room, "sender", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sender.close()
	waitUntil(t, "the sender's join to reach the receivers", func() bool { return allSawSender(receivers) })
	got := func(n int64) func() bool {
		return func() bool {
			for _, r := range receivers {
				if r.msgs.Load() < n {
					return false
				}
			}
			return sender.msgs.Load() >= n
		}
	}
	start := time.Now()
	for sent := 0; sent < rateMessages; {
		for range rateWindow {
			if err := sender.say("x" + strconv.Itoa(sent)); err != nil {
				t.Fatal(err)
			}
			sent++
		}
		waitUntil(t, fmt.Sprintf("%d messages at every receiver", sent), got(int64(sent)))
	}
	elapsed := time.Since(start)
	for i, r := range receivers {
		if r.cutShort.Load() {
			t.Fatalf("receiver %d was disconnected during the measure", i)
		}
	}
	return float64(rateMessages) / elapsed.Seconds()
}
