// Package chatroom is a WebSocket chat with rooms and nicknames, built on
// a broadcast.Hub: each connection is a subscription to its room and
// a read loop. Register adds the page and the socket to any server or
// group; examples/chat serves it alone and examples/quickstart at /chat.
//
// Wire format, JSON text messages both ways. The client sends
// {"text":"..."}; the server sends
//
//	{"type":"welcome","room":"lobby","nick":"ada","members":["ada","bob"]}
//	{"type":"join"|"leave","room":"lobby","nick":"bob","time":"..."}
//	{"type":"message","room":"lobby","nick":"bob","text":"hi","time":"..."}
//	{"type":"error","text":"message longer than 500 characters"}
//	{"type":"error","text":"message \"hi\" not sent: redis backplane: not connected to Redis (reconnecting)"}
//
// Text is sent as typed; the page escapes it on display (it only ever
// sets textContent), so markup in a message shows as text.
//
// Nicknames are NFKC-normalised ("ａｌｉｃｅ" becomes "alice") and may not
// hold invisible, control or direction characters nor mix lookalike
// scripts (400). One that only differs in case from a member's, or looks
// like it ("ѕсоре" in Cyrillic for "scope"), is taken (409), like the
// same name. The handshake checks its Origin before any of this, so a
// page of another site gets 403 and learns nothing of who is in a room.
package chatroom

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// Limits of the chat.
const (
	MaxText     = 500  // characters per message
	MaxNick     = 24   // characters per nickname, counted after NFKC normalisation
	MaxFrame    = 4096 // bytes per WebSocket message; more closes with 1009
	DefaultRoom = "lobby"
)

// Message is what the server sends to clients.
type Message struct {
	Type    string    `json:"type"`
	Room    string    `json:"room,omitempty"`
	Nick    string    `json:"nick,omitempty"`
	Text    string    `json:"text,omitempty"`
	Members []string  `json:"members,omitempty"`
	Time    time.Time `json:"time,omitzero"`
}

// inbound is what clients send.
type inbound struct {
	Text string `json:"text"`
}

//go:embed page.html
var page string

var roomName = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// Router is what Register needs: *hyperlane.Server and *hyperlane.Group
// both are one.
type Router interface {
	Get(pattern string, h hyperlane.Handler, opts ...hyperlane.RouteOption)
	WebSocket(pattern string, h hyperlane.WebSocketHandler, opts ...hyperlane.WebSocketOption)
}

// Chat is the state of one chat service: its hub, its event log and who
// is in which room.
type Chat struct {
	hub *broadcast.Hub[Message]
	log broadcast.EventLog

	mu      sync.Mutex
	members map[string][]nick // room -> nicknames, in join order
}

// Options configures NewWith. The zero value serves one process.
type Options struct {
	// Backplane carries the rooms' messages between instances (default:
	// in memory, one process). Its Publish errors reach the sender as an
	// "error" message: nothing is sent to anyone then.
	Backplane broadcast.Backplane[Message]
	// Log keeps each room's join, leave and message events for the SSE
	// feed, so that a client resumes by Last-Event-ID (default: a
	// broadcast.MemoryLog of 1000 events per room; a shared log, such as
	// the Redis module's StreamLog, lets it resume on any instance).
	Log broadcast.EventLog
}

// New returns an empty chat for one process. A client that cannot keep
// up with its room (64 messages behind) is disconnected rather than
// silently skipped.
func New() *Chat { return NewWith(Options{}) }

// NewWith returns an empty chat configured by opts.
func NewWith(opts Options) *Chat {
	if opts.Log == nil {
		opts.Log = broadcast.NewMemoryLog(0, 0)
	}
	return &Chat{
		hub:     broadcast.New(broadcast.Options[Message]{Buffer: 64, Policy: broadcast.Disconnect, Backplane: opts.Backplane}),
		log:     opts.Log,
		members: map[string][]nick{},
	}
}

// Register serves the page at path ("/" when path is "") and the socket
// at path+"/ws", and the rooms' Server-Sent Events at path+"/events"
// (see Events).
func (ch *Chat) Register(r Router, path string) {
	pagePath := path
	if pagePath == "" {
		pagePath = "/"
	}
	r.Get(pagePath, func(c *hyperlane.Context) error {
		c.SetHeader("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'")
		return c.HTML(http.StatusOK, page)
	})
	r.WebSocket(path+"/ws", ch.serve, hyperlane.WSReadLimit(MaxFrame), hyperlane.WSBeforeUpgrade(ch.admit))
	r.Get(path+"/events", ch.Events)
}

// Stats returns the figures of the chat's hub (rooms, members,
// slow-consumer disconnects), for metrics.WatchHub.
func (ch *Chat) Stats() broadcast.Stats { return ch.hub.Stats() }

// Close ends every subscription; connected clients are closed by the
// server's shutdown.
func (ch *Chat) Close() { _ = ch.hub.Close() }

// Count returns how many clients are in room.
func (ch *Chat) Count(room string) int { return ch.hub.Count(room) }

// admit checks the nickname and room before the handshake, so that a
// bad request gets an HTTP error the page can show: 400 for a nickname
// or room that is not allowed, 409 for one taken, or so like a member's
// that it would pass for it. The server checks the Origin before, so a
// foreign page cannot use it to learn who is in a room.
func (ch *Chat) admit(c *hyperlane.Context) error {
	n, room, err := parseJoin(c.Query("nick"), c.Query("room"))
	if err != nil {
		return hyperlane.Error(http.StatusBadRequest, err.Error())
	}
	if other, taken := ch.find(room, n); taken {
		if other == n.name {
			return hyperlane.Error(http.StatusConflict, fmt.Sprintf("nickname %q is taken in room %q", n.name, room))
		}
		return hyperlane.Error(http.StatusConflict,
			fmt.Sprintf("nickname %q is taken in room %q: it looks too much like %q, who is there", n.name, room, other))
	}
	return nil
}

// serve is one client: the welcome, then its messages to the room while
// a goroutine writes the room's messages to it.
func (ch *Chat) serve(c *hyperlane.Context, ws *hyperlane.Conn) error {
	n, room, _ := parseJoin(c.Query("nick"), c.Query("room"))
	if !ch.join(room, n) {
		// Another client took it between admit and now.
		return ws.Close(hyperlane.ClosePolicyViolation, "nickname taken")
	}
	nick := n.name
	sub := ch.hub.Subscribe(room)
	written := make(chan struct{})
	go func() { defer close(written); forward(ws, sub) }()
	_ = ch.hub.SendTo(sub.ID(), Message{Type: "welcome", Room: room, Nick: nick, Members: ch.list(room)})
	_ = ch.say(ws.Context(), Message{Type: "join", Room: room, Nick: nick, Time: time.Now().UTC()})

	err := ch.readLoop(ws, sub, room, nick)

	ch.leave(room, nick)
	_ = ch.say(context.WithoutCancel(ws.Context()), Message{Type: "leave", Room: room, Nick: nick, Time: time.Now().UTC()})
	sub.Unsubscribe()
	<-written // forward ends with the subscription; its errors show in the read loop too
	return err
}

// readLoop publishes what the client says until it leaves, and returns
// the error that ended the connection (never nil).
func (ch *Chat) readLoop(ws *hyperlane.Conn, sub *broadcast.Subscription[Message], room, nick string) error {
	for {
		var in inbound
		if err := ws.ReadJSON(ws.Context(), &in); err != nil {
			if ws.Err() != nil {
				return err // the client left (or was closed for a bad frame)
			}
			_ = ch.hub.SendTo(sub.ID(), Message{Type: "error", Text: "messages are JSON: {\"text\":\"...\"}"})
			continue
		}
		text := strings.TrimSpace(in.Text)
		switch n := utf8.RuneCountInString(text); {
		case n == 0:
			continue
		case n > MaxText:
			_ = ch.hub.SendTo(sub.ID(), Message{Type: "error", Text: "message longer than 500 characters, not sent"})
			continue
		}
		if err := ch.say(ws.Context(), Message{Type: "message", Room: room, Nick: nick, Text: text, Time: time.Now().UTC()}); err != nil {
			_ = ch.hub.SendTo(sub.ID(), Message{Type: "error", Text: refusal(text, err)})
		}
	}
}

// say publishes m to its room, then keeps it in the room's event log for
// the SSE feed. A message the backplane refuses goes nowhere.
func (ch *Chat) say(ctx context.Context, m Message) error {
	if err := ch.hub.Publish(m.Room, m); err != nil {
		return err
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, appendTimeout)
	defer cancel()
	if _, err := ch.log.Append(ctx, streamPrefix+m.Room, data); err != nil {
		return fmt.Errorf("%w: %w", errNotKept, err)
	}
	return nil
}

// errNotKept: the message reached the room, but not the event log, so
// SSE clients of the room do not get it.
var errNotKept = errors.New("sent, but not kept for the event feed")

// refusal is the error message that tells a sender what became of text:
// not sent at all (the backplane refused it: nobody got it), or sent
// but missing from the event feed. It names the text, so that a client
// that sends fast knows which of its messages to send again.
func refusal(text string, err error) string {
	if errors.Is(err, errNotKept) {
		return fmt.Sprintf("message %q %v", text, err)
	}
	return fmt.Sprintf("message %q not sent: %v", text, err)
}

// forward writes the room's messages to the client until the
// subscription ends. A client too slow for its room is closed with 1013.
func forward(ws *hyperlane.Conn, sub *broadcast.Subscription[Message]) {
	for m := range sub.C() {
		if err := ws.WriteJSON(ws.Context(), m); err != nil {
			return // the connection closed; the read loop sees it too
		}
	}
	if errors.Is(sub.Err(), broadcast.ErrSlowConsumer) {
		_ = ws.Close(hyperlane.CloseTryAgainLater, "too slow for this room")
	}
}

// find returns the name of the member of room that n would pass for.
func (ch *Chat) find(room string, n nick) (string, bool) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	i := slices.IndexFunc(ch.members[room], n.same)
	if i < 0 {
		return "", false
	}
	return ch.members[room][i].name, true
}

func (ch *Chat) join(room string, n nick) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if slices.ContainsFunc(ch.members[room], n.same) {
		return false
	}
	ch.members[room] = append(ch.members[room], n)
	return true
}

func (ch *Chat) leave(room, name string) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	m := slices.DeleteFunc(ch.members[room], func(n nick) bool { return n.name == name })
	if len(m) == 0 {
		delete(ch.members, room)
		return
	}
	ch.members[room] = m
}

func (ch *Chat) list(room string) []string {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	names := make([]string, len(ch.members[room]))
	for i, n := range ch.members[room] {
		names[i] = n.name
	}
	return names
}

// parseJoin validates a nickname (see parseNick) and a room name
// (lowercase letters, digits, '_' or '-'; "lobby" when empty).
func parseJoin(rawNick, room string) (nick, string, error) {
	if room == "" {
		room = DefaultRoom
	}
	n, err := parseNick(rawNick)
	if err != nil {
		return nick{}, "", err
	}
	if !roomName.MatchString(room) {
		return nick{}, "", errors.New("room must be 1 to 32 lowercase letters, digits, '_' or '-'")
	}
	return n, room, nil
}
