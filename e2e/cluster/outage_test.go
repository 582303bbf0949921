package cluster

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// refusedText reads the chat's error to a sender: `message "r001" not
// sent: ...` or `message "r001" sent, but not kept for the event feed: ...`.
var refusedText = regexp.MustCompile(`^message "([^"]*)" (not sent|sent, but not kept for the event feed): `)

// TestBrokerRestartDuringTraffic: redis-server is stopped for a second
// and started again, empty, while a member on instance 3 talks to a
// WebSocket client on instance 1 and an SSE client on instance 2. What
// docs/scaling.md says must hold for every message:
//   - refused (the sender's error says "not sent"): reached nobody;
//   - "sent, but not kept for the event feed": not in the SSE feed;
//   - sent before the outage, and from the recovery on: reached both;
//   - accepted but lost (no error, missing somewhere): only between the
//     outage and the recovery (at most once);
//   - none twice, none out of order.
func TestBrokerRestartDuringTraffic(t *testing.T) {
	c := redisCluster(t)
	// 10 messages a second: while the event log waits for Redis (up to
	// 5 s), the sender's messages queue in its socket, and their echoes
	// and errors then come in one burst; past 64 the chat closes a client
	// as too slow (see docs/scaling.md).
	const room, total, stopAt, tail, every = "outage", 140, 30, 20, 100 * time.Millisecond
	waitShared(t, c)
	ws := joinChat(t, c.instance(1), "", "watcher", room)
	feed := follow(t, c.instance(2), c.instance(2), room)
	talker := joinChat(t, c.instance(3), "", "talker", room)

	sentAt := make([]time.Time, total)
	restarted := make(chan time.Time, 1)
	var stoppedAt time.Time
	t.Cleanup(func() {
		if !stoppedAt.IsZero() {
			<-restarted // the broker is up again before the next test
		}
	})
	for i := range total {
		sentAt[i] = time.Now()
		talker.say(t, name(i))
		if i+1 == stopAt {
			stoppedAt = time.Now()
			go func() {
				defer func() { restarted <- time.Now() }()
				if _, err := c.exec("redis-restart", "1"); err != nil {
					t.Error(err)
				}
			}()
		}
		time.Sleep(every)
	}
	upAt := <-restarted
	restarted <- upAt
	last := name(total - 1)
	ws.waitFor(t, "the last message on instance 1", guard, hasText(last))
	feed.waitFor(t, "the last message on instance 2's feed", guard, hasText(last))
	time.Sleep(500 * time.Millisecond) // errors to the talker come after its own echo

	outcome := map[string]string{}
	for _, m := range talker.all() {
		if m.Type == "error" {
			sub := refusedText.FindStringSubmatch(m.Text)
			if sub == nil {
				t.Fatalf("an error to the sender that does not name its message: %q", m.Text)
			}
			outcome[sub[1]] = sub[2]
		}
	}
	onWS, onSSE := set(ws.texts("talker")), set(feed.texts("talker"))
	for _, got := range [][]string{ws.texts("talker"), feed.texts("talker")} {
		if !isSubsequence(got, names(total)) {
			t.Fatalf("a client got messages twice or out of order: %q", got)
		}
	}

	// The recovery: the first message from which on every one reached both.
	recovered := total
	for i := total - 1; i >= 0 && onWS[name(i)] && onSSE[name(i)]; i-- {
		recovered = i
	}
	if recovered > total-tail {
		t.Fatalf("the cluster did not recover: only the last %d messages reached both clients", total-recovered)
	}
	var both, refused, notKept, lost []string
	for i := range total {
		n := name(i)
		switch {
		case outcome[n] == "not sent":
			refused = append(refused, n)
			if onWS[n] || onSSE[n] {
				t.Errorf("%s was refused to its sender, yet reached a client (ws %v, sse %v)", n, onWS[n], onSSE[n])
			}
		case outcome[n] != "":
			notKept = append(notKept, n)
			if onSSE[n] {
				t.Errorf("%s was not kept for the event feed, yet is in it", n)
			}
		case onWS[n] && onSSE[n]:
			both = append(both, n)
		default:
			where := "both"
			if onWS[n] {
				where = "sse"
			} else if onSSE[n] {
				where = "ws"
			}
			lost = append(lost, n+" (missing on "+where+")")
			if i < stopAt-1 || i >= recovered {
				t.Errorf("%s (sent %v after the outage began) was accepted and lost outside the outage (ws %v, sse %v)",
					n, sentAt[i].Sub(stoppedAt).Round(time.Millisecond), onWS[n], onSSE[n])
			}
		}
	}
	if len(refused) == 0 {
		t.Errorf("no message was refused during a 1 s outage: the test did not see one")
	}
	for i := range stopAt - 1 {
		if !onWS[name(i)] || !onSSE[name(i)] {
			t.Errorf("%s, sent before the outage, did not reach both clients", name(i))
		}
	}
	t.Logf("report redis restart (down 1 s, up again %v after the stop; cluster recovered %v after it was up): %d messages, %d reached both clients, %d refused with an error to the sender naming them (%s..%s), %d sent but not kept for the feed, %d accepted and lost at the outage; feed resumed %d times",
		upAt.Sub(stoppedAt).Round(time.Millisecond), sentAt[recovered].Sub(upAt).Round(time.Millisecond),
		total, len(both), len(refused), first(refused), lastOf(refused), len(notKept), len(lost), feed.resumed())
	if len(lost) > 0 {
		t.Logf("report redis restart: accepted and lost: %s", strings.Join(lost, ", "))
	}
}

func name(i int) string { return fmt.Sprintf("r%03d", i+1) }

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = name(i)
	}
	return out
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func first(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return xs[0]
}

func lastOf(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return xs[len(xs)-1]
}
