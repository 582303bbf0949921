package cluster

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestKillInstanceUnderLoad: instance 1 is killed with SIGKILL while a
// member on instance 3 talks and HTTP clients load nginx. Its WebSocket
// clients join again through nginx (on another instance) and keep
// receiving; its SSE clients resume through nginx by Last-Event-ID and
// have every message exactly once, in order.
func TestKillInstanceUnderLoad(t *testing.T) {
	c := redisCluster(t)
	const room, total, killAt = "killed", 150, 50
	t.Cleanup(func() { c.run(t, "revive", "1") })

	var sockets []*wsClient
	var feeds []*sseClient
	for i := range 3 {
		sockets = append(sockets, joinChat(t, c.pinned(1), c.lb(), fmt.Sprintf("ws%d", i), room))
		feeds = append(feeds, follow(t, c.pinned(1), c.lb(), room))
	}
	talker := joinChat(t, c.instance(3), "", "talker", room)
	load := startLoad(t, c.lb(), 4)

	want := make([]string, total)
	for i := range total {
		want[i] = fmt.Sprintf("k%03d", i+1)
		talker.say(t, want[i])
		if i+1 == killAt {
			c.run(t, "kill", "1")
		}
		time.Sleep(20 * time.Millisecond)
	}
	last := want[total-1]
	requests, failed := load.stop()
	t.Logf("report kill -9: %d HTTP requests through nginx during the test, %d failed", requests, failed)

	for i, s := range sockets {
		s.waitFor(t, fmt.Sprintf("ws%d to get the last message after joining again", i), guard, hasText(last))
		got := s.texts("talker")
		if s.reconnects() == 0 {
			t.Fatalf("ws%d never joined again, yet its instance was killed", i)
		}
		missed := total - len(got)
		t.Logf("report kill -9: ws%d joined again %d time(s) through nginx, received %d of %d (missed %d while away: the chat's WebSocket has no replay)",
			i, s.reconnects(), len(got), total, missed)
		if !isSubsequence(got, want) {
			t.Fatalf("ws%d got messages out of order or twice: %q", i, got)
		}
	}
	for i, f := range feeds {
		f.waitFor(t, fmt.Sprintf("feed %d to get the last message", i), guard, hasText(last))
		if f.resumed() == 0 {
			t.Fatalf("feed %d never resumed, yet its instance was killed", i)
		}
		if got := f.texts("talker"); !slices.Equal(got, want) {
			t.Fatalf("feed %d after resuming has %d messages, want all %d once in order: %q", i, len(got), total, got)
		}
		if dup := f.repeated(); len(dup) > 0 {
			t.Fatalf("feed %d got event ids twice: %v", i, dup)
		}
	}
	t.Logf("report kill -9: %d SSE clients resumed by Last-Event-ID through nginx with all %d messages, no gap, no duplicate", len(feeds), total)
}

// isSubsequence says whether got is want with some elements left out.
func isSubsequence(got, want []string) bool {
	i := 0
	for _, w := range want {
		if i < len(got) && got[i] == w {
			i++
		}
	}
	return i == len(got)
}

// load is n HTTP clients that GET /pets in a loop until stopped.
type load struct {
	stopped       atomic.Bool
	wg            sync.WaitGroup
	total, failed atomic.Int64
	mu            sync.Mutex
	firstFailures []string
}

// startLoad starts n clients against addr, each with its own keep-alive
// connection.
func startLoad(t *testing.T, addr string, n int) *load {
	l := &load{}
	for range n {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			client := &http.Client{Transport: &http.Transport{}, Timeout: guard}
			defer client.CloseIdleConnections()
			for !l.stopped.Load() {
				resp, err := client.Get("http://" + addr + "/pets")
				l.total.Add(1)
				if err == nil {
					_ = resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d from %s", resp.StatusCode, resp.Header.Get("X-Upstream"))
					}
				}
				if err != nil {
					l.failed.Add(1)
					l.mu.Lock()
					if len(l.firstFailures) < 5 {
						l.firstFailures = append(l.firstFailures, err.Error())
					}
					l.mu.Unlock()
				}
			}
		}()
	}
	t.Cleanup(func() { l.stop() })
	return l
}

// stop ends the load and returns the requests made and how many failed.
func (l *load) stop() (total, failed int64) {
	l.stopped.Store(true)
	l.wg.Wait()
	return l.total.Load(), l.failed.Load()
}

// failures returns the first few failures, for messages.
func (l *load) failures() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.firstFailures)
}
