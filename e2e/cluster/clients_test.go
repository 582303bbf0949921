package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// message is what the chat sends (examples/chat/chatroom.Message).
type message struct {
	Type string `json:"type"`
	Room string `json:"room"`
	Nick string `json:"nick"`
	Text string `json:"text"`
}

// inbox keeps what a client received, for tests to wait on.
type inbox struct {
	mu      sync.Mutex
	msgs    []message
	changed chan struct{}
}

func newInbox() *inbox { return &inbox{changed: make(chan struct{}, 1)} }

func (b *inbox) add(m message) {
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// all returns a copy of what came so far.
func (b *inbox) all() []message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]message(nil), b.msgs...)
}

// texts returns, in order, the texts of the messages nick sent.
func (b *inbox) texts(nick string) []string {
	var out []string
	for _, m := range b.all() {
		if m.Type == "message" && m.Nick == nick {
			out = append(out, m.Text)
		}
	}
	return out
}

// waitFor waits until ok holds of what came, or fails the test after d.
func (b *inbox) waitFor(t *testing.T, what string, d time.Duration, ok func([]message) bool) {
	t.Helper()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		if ok(b.all()) {
			return
		}
		select {
		case <-b.changed:
		case <-deadline.C:
			t.Fatalf("waited %v for %s; got %d messages: %.600v", d, what, len(b.all()), b.all())
		}
	}
}

// hasText says whether a message of type "message" with text came.
func hasText(text string) func([]message) bool {
	return func(ms []message) bool {
		for _, m := range ms {
			if m.Type == "message" && m.Text == text {
				return true
			}
		}
		return false
	}
}

// wsClient is a chat member over /chat/ws. With a redial address, it
// joins again through it whenever its connection breaks, as the chat
// page does.
type wsClient struct {
	*inbox
	nick, room string

	mu      sync.Mutex
	conn    *websocket.Conn
	redials int
	lastErr error // what ended the last connection
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
}

// joinChat connects nick to room at addr and waits for its welcome. When
// redial is not "", a broken connection joins again through redial.
func joinChat(t *testing.T, addr, redial, nick, room string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &wsClient{inbox: newInbox(), nick: nick, room: room, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	conn, err := c.dial(addr)
	if err != nil {
		cancel()
		t.Fatalf("%s joins %s at %s: %v", nick, room, addr, err)
	}
	c.conn = conn
	t.Cleanup(c.close)
	go c.loop(conn, redial)
	c.waitFor(t, nick+"'s welcome", guard, func(ms []message) bool { return len(ms) > 0 && ms[0].Type == "welcome" })
	return c
}

func (c *wsClient) dial(addr string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(c.ctx, guard)
	defer cancel()
	q := url.Values{"nick": {c.nick}, "room": {c.room}}
	conn, _, err := websocket.Dial(ctx, "ws://"+addr+"/chat/ws?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	return conn, nil
}

// loop reads until the client is closed, joining again through redial
// after a break.
func (c *wsClient) loop(conn *websocket.Conn, redial string) {
	defer close(c.done)
	for {
		for {
			_, data, err := conn.Read(c.ctx)
			if err != nil {
				c.mu.Lock()
				c.lastErr = err
				c.mu.Unlock()
				break
			}
			var m message
			if json.Unmarshal(data, &m) == nil {
				c.add(m)
			}
		}
		if redial == "" || c.ctx.Err() != nil {
			return
		}
		for {
			next, err := c.dial(redial)
			if err == nil {
				c.mu.Lock()
				c.conn, conn = next, next
				c.redials++
				c.mu.Unlock()
				break
			}
			select {
			case <-c.ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// say sends text to the room.
func (c *wsClient) say(t *testing.T, text string) {
	t.Helper()
	c.mu.Lock()
	conn, lastErr := c.conn, c.lastErr
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(c.ctx, guard)
	defer cancel()
	data, _ := json.Marshal(map[string]string{"type": "message", "text": text})
	if err := conn.Write(ctx, websocket.MessageText, data); err != nil {
		t.Fatalf("%s says %q: %v (the connection ended with: %v)", c.nick, text, err, lastErr)
	}
}

// reconnects returns how many times the client joined again.
func (c *wsClient) reconnects() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.redials
}

func (c *wsClient) close() {
	c.cancel()
	c.mu.Lock()
	_ = c.conn.CloseNow()
	c.mu.Unlock()
	<-c.done
}

// sseClient follows /chat/events?room= and, when its stream breaks,
// resumes with Last-Event-ID through redial, as EventSource does.
type sseClient struct {
	*inbox
	ids map[string]int // event id -> how many times it came

	mu      sync.Mutex
	last    string
	resumes int
	cancel  context.CancelFunc
	done    chan struct{}
}

// follow opens room's event feed at addr and waits for its first event
// (the newest id, or "ready" in an empty room).
func follow(t *testing.T, addr, redial, room string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &sseClient{inbox: newInbox(), ids: map[string]int{}, cancel: cancel, done: make(chan struct{})}
	started := make(chan error, 1)
	go s.loop(ctx, addr, redial, room, started)
	t.Cleanup(func() { cancel(); <-s.done })
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("GET %s/chat/events: %v", addr, err)
		}
	case <-time.After(guard):
		t.Fatalf("no first event from %s/chat/events in %v", addr, guard)
	}
	return s
}

func (s *sseClient) loop(ctx context.Context, addr, redial, room string, started chan<- error) {
	defer close(s.done)
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			if redial == "" {
				return
			}
			addr = redial
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		err := s.stream(ctx, addr, room, started)
		if started != nil {
			if err != nil {
				started <- err
				return
			}
			started = nil
		}
	}
}

// stream reads one response of the feed until it ends. It reports the
// first event on started.
func (s *sseClient) stream(ctx context.Context, addr, room string, started chan<- error) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/chat/events?room="+url.QueryEscape(room), nil)
	s.mu.Lock()
	if s.last != "" {
		req.Header.Set("Last-Event-ID", s.last)
		s.resumes++
	}
	s.mu.Unlock()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	var id, data string
	first := true
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			data += line[6:]
		case line == "":
			s.event(id, data)
			id, data = "", ""
			if first && started != nil {
				started <- nil
				started = nil
			}
			first = false
		}
	}
	return nil
}

// event records one event: its id as the place to resume from, and its
// message when it carries one.
func (s *sseClient) event(id, data string) {
	if id == "" {
		return // the "ready" of an empty room
	}
	s.mu.Lock()
	s.last = id
	var m message
	isMsg := data != "" && json.Unmarshal([]byte(data), &m) == nil && m.Type != ""
	if isMsg {
		s.ids[id]++
	}
	s.mu.Unlock()
	if isMsg {
		s.add(m)
	}
}

// resumed returns how many times the client resumed by Last-Event-ID.
func (s *sseClient) resumed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumes
}

// repeated returns the event ids that came more than once.
func (s *sseClient) repeated() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, n := range s.ids {
		if n > 1 {
			out = append(out, id)
		}
	}
	return out
}
