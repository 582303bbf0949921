package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats-server/v2/server"
	goredis "github.com/redis/go-redis/v9"

	"github.com/hyperlane-go/hyperlane/examples/chat/chatroom"
)

func TestParseBackplaneURL(t *testing.T) {
	for _, tc := range []struct {
		name, raw, want string // want: "redis", "nats", "" (memory) or the error's words
	}{
		{"unset stays in memory", "", ""},
		{"a redis URL with a db is Redis", "redis://127.0.0.1:6379/2", "redis"},
		{"a nats URL with host and port is NATS", "nats://127.0.0.1:4222", "nats"},
		{"another scheme is refused", "http://127.0.0.1:6379", `unknown scheme "http"`},
		{"a redis db that is not a number is refused", "redis://127.0.0.1:6379/x", "invalid database number"},
		{"a nats URL without a port is refused", "nats://127.0.0.1", "host:port required"},
		{"a nats URL with a path is refused", "nats://127.0.0.1:4222/x", "no path"},
		{"garbage is refused", "::not a url", "not a URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := parseCluster(tc.raw)
			switch tc.want {
			case "", "redis", "nats":
				if err != nil {
					t.Fatal(err)
				}
				got := ""
				if cl.redis != nil {
					got = "redis"
				} else if cl.nats != "" {
					got = "nats"
				}
				if got != tc.want {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "HYPERLANE_BACKPLANE_URL") {
					t.Fatalf("err = %v, want one naming HYPERLANE_BACKPLANE_URL and saying %q", err, tc.want)
				}
			}
		})
	}
}

func TestBackplaneUnreachableIsAStartupError(t *testing.T) {
	cl, err := parseCluster("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newClusterApp(slog.New(slog.DiscardHandler), cl); err == nil || !strings.Contains(err.Error(), "HYPERLANE_BACKPLANE_URL") {
		t.Fatalf("err = %v, want a startup error naming the variable", err)
	}
}

// startRedis runs redis-server on a free port for the test, or skips
// when it is not installed (the e2e suite 70-backplanes installs it).
func startRedis(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed (apt-get install redis-server; make e2e installs it)")
	}
	port := freePort(t)
	dir := t.TempDir()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); c.Ping(context.Background()).Err() != nil; {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not answer PING within 10s")
		}
		time.Sleep(10 * time.Millisecond) // it gives no other sign of being ready
	}
	return "redis://" + addr + "/0"
}

func startNATS(t *testing.T) string {
	t.Helper()
	port := freePort(t)
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS not ready")
	}
	t.Cleanup(srv.Shutdown)
	return fmt.Sprintf("nats://127.0.0.1:%d", port)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// instances starts n quickstart apps on the broker at url.
func instances(t *testing.T, url string, n int) []*httptest.Server {
	t.Helper()
	cl, err := parseCluster(url)
	if err != nil {
		t.Fatal(err)
	}
	var out []*httptest.Server
	for range n {
		s, err := newClusterApp(slog.New(slog.DiscardHandler), cl)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s)
		t.Cleanup(func() { srv.Close(); _ = s.Shutdown(context.Background()) })
		out = append(out, srv)
	}
	return out
}

type chatClient struct {
	t *testing.T
	c *websocket.Conn
}

func joinChat(t *testing.T, srv *httptest.Server, nick string) *chatClient {
	c, _, err := websocket.Dial(guardCtx(t), "ws"+strings.TrimPrefix(srv.URL, "http")+"/chat/ws?nick="+nick, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	cc := &chatClient{t: t, c: c}
	if m := cc.next(); m.Type != "welcome" {
		t.Fatalf("first message %+v, want welcome", m)
	}
	return cc
}

func (cc *chatClient) say(text string) {
	if err := cc.c.Write(guardCtx(cc.t), websocket.MessageText, []byte(`{"text":"`+text+`"}`)); err != nil {
		cc.t.Fatal(err)
	}
}

func (cc *chatClient) next() chatroom.Message {
	_, b, err := cc.c.Read(guardCtx(cc.t))
	var m chatroom.Message
	if err != nil || json.Unmarshal(b, &m) != nil {
		cc.t.Fatalf("read: %s %v", b, err)
	}
	return m
}

// nextText skips join and leave messages to the next chat text.
func (cc *chatClient) nextText() string {
	for {
		if m := cc.next(); m.Type == "message" {
			return m.Nick + ":" + m.Text
		}
	}
}

// sseClient reads /chat/events one event at a time.
type sseClient struct {
	t    *testing.T
	resp *http.Response
	sc   *bufio.Scanner
}

func openEvents(t *testing.T, srv *httptest.Server, lastID string) *sseClient {
	req, _ := http.NewRequestWithContext(guardCtx(t), "GET", srv.URL+"/chat/events?room=lobby", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		t.Fatalf("/chat/events: %d", resp.StatusCode)
	}
	return &sseClient{t: t, resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next returns the next event's id and data.
func (s *sseClient) next() (id string, data string) {
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case line == "":
			if id != "" || data != "" {
				return id, data
			}
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			data += line[6:]
		}
	}
	s.t.Fatalf("event stream ended: %v", s.sc.Err())
	return "", ""
}

// nextText returns the next chat text and its id, skipping the rest.
func (s *sseClient) nextText() (string, string) {
	for {
		id, data := s.next()
		var m chatroom.Message
		if data != "" && json.Unmarshal([]byte(data), &m) == nil && m.Type == "message" {
			return id, m.Nick + ":" + m.Text
		}
	}
}

func TestChatSpansInstancesOnRedis(t *testing.T) {
	apps := instances(t, startRedis(t), 3)
	a, b, c := apps[0], apps[1], apps[2]
	onA := joinChat(t, a, "ada")
	feedB := openEvents(t, b, "")
	bob := joinChat(t, c, "bob")

	bob.say("hi from c")
	t.Run("a WebSocket client on another instance gets it", func(t *testing.T) {
		if got := onA.nextText(); got != "bob:hi from c" {
			t.Fatalf("got %q", got)
		}
	})
	id, got := feedB.nextText()
	t.Run("an SSE client on another instance gets it", func(t *testing.T) {
		if got != "bob:hi from c" {
			t.Fatalf("got %q", got)
		}
	})

	// The SSE client drops after that event; three more are said; it
	// reconnects to another instance with its Last-Event-ID.
	feedB.resp.Body.Close()
	for i := 1; i <= 3; i++ {
		bob.say("missed " + strconv.Itoa(i))
		if got := onA.nextText(); got != "bob:missed "+strconv.Itoa(i) { // said, and passed
			t.Fatalf("got %q", got)
		}
	}
	resumed := openEvents(t, a, id)
	bob.say("live")
	t.Run("resuming on another instance gets exactly the missed events, then live ones", func(t *testing.T) {
		var texts []string
		for range 4 {
			_, text := resumed.nextText()
			texts = append(texts, text)
		}
		want := "bob:missed 1|bob:missed 2|bob:missed 3|bob:live"
		if strings.Join(texts, "|") != want {
			t.Fatalf("got %q, want %q", texts, want)
		}
	})
	t.Run("a malformed Last-Event-ID is 400 problem+json", func(t *testing.T) {
		req, _ := http.NewRequest("GET", b.URL+"/chat/events", nil)
		req.Header.Set("Last-Event-ID", "12")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}

func TestChatSpansInstancesOnNATS(t *testing.T) {
	apps := instances(t, startNATS(t), 2)
	onA := joinChat(t, apps[0], "ada")
	bob := joinChat(t, apps[1], "bob")
	bob.say("hi over nats")
	if got := onA.nextText(); got != "bob:hi over nats" {
		t.Fatalf("got %q", got)
	}
}

func TestChatEventsResumeInOneProcess(t *testing.T) {
	srv := newRealtimeServer(t)
	feed := openEvents(t, srv, "")
	bob := joinChat(t, srv, "bob")
	bob.say("one")
	id, got := feed.nextText()
	if got != "bob:one" {
		t.Fatalf("got %q", got)
	}
	feed.resp.Body.Close()
	bob.say("two")
	_ = bob.nextText() // said; Read waits for its append if it is not there yet
	if _, got := openEvents(t, srv, id).nextText(); got != "bob:two" {
		t.Fatalf("resumed with %q, want the missed event", got)
	}
}
