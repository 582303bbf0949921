// Package chatroom is a WebSocket chat with rooms and nicknames, built on
// a broadcast.Hub: each connection is a subscription to its room and
// a read loop. Register adds the page and the socket to any server or
// group; examples/chat serves it alone and examples/quickstart at /chat.
//
// Wire format, JSON text messages both ways, each with its "type". The
// socket is a typed endpoint (openapi.WebSocket): its messages are
// declared Go types, validated as they arrive and published in the
// AsyncAPI document. The client sends
//
//	{"type":"message","text":"hi"}      say something to the room ("type" may be left out)
//	{"type":"join","room":"dev"}        move to another room
//	{"type":"leave"}                    leave; the socket closes with 1000
//
// and the server sends
//
//	{"type":"welcome","room":"lobby","nick":"ada","members":["ada","bob"]}   (presence)
//	{"type":"join"|"leave","room":"lobby","nick":"bob","time":"..."}        (presence)
//	{"type":"message","room":"lobby","nick":"bob","text":"hi","time":"..."}
//	{"type":"error","text":"message longer than 500 characters, not sent"}
//	{"type":"error","text":"message \"hi\" not sent: redis backplane: not connected to Redis (reconnecting)"}
//
// An invalid message is answered with an error message; the socket
// stays open.
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

	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
	"github.com/hyperlane-go/hyperlane/openapi"
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

// Say is the client's chat message: {"type":"message","text":"..."}.
// Leading and trailing space is dropped; a text of only space is
// ignored.
type Say struct {
	Text string `json:"text" required:"true" maxLength:"500" description:"What to say, at most 500 characters."`
}

// Join moves the client to another room: {"type":"join","room":"dev"}.
// The nickname is kept; when it is taken there, an error answers and the
// client stays where it is.
type Join struct {
	Room string `json:"room" required:"true" pattern:"^[a-z0-9_-]{1,32}$" description:"The room to move to."`
}

// Leave leaves the room: {"type":"leave"}. The server closes the socket
// with 1000.
type Leave struct{}

// Said is a message said in the room, as the server sends it.
type Said struct {
	Type string    `json:"type" const:"message"`
	Room string    `json:"room"`
	Nick string    `json:"nick"`
	Text string    `json:"text"`
	Time time.Time `json:"time"`
}

// Presence tells who is in the room: "welcome" to the newcomer with the
// members, "join" and "leave" to everyone.
type Presence struct {
	Type    string    `json:"type" enum:"welcome,join,leave"`
	Room    string    `json:"room"`
	Nick    string    `json:"nick"`
	Members []string  `json:"members,omitempty" description:"welcome only: the members, in join order"`
	Time    time.Time `json:"time,omitzero" description:"join and leave only"`
}

// Notice is an error the server sends to one client only, such as the
// answer to an invalid message.
type Notice struct {
	Type string `json:"type" const:"error"`
	Text string `json:"text"`
}

// outbound is the typed form of a hub message, as the socket sends it.
func outbound(m Message) any {
	switch m.Type {
	case "message":
		return Said{Type: m.Type, Room: m.Room, Nick: m.Nick, Text: m.Text, Time: m.Time}
	case "error":
		return Notice{Type: m.Type, Text: m.Text}
	}
	return Presence{Type: m.Type, Room: m.Room, Nick: m.Nick, Members: m.Members, Time: m.Time}
}

//go:embed page.html
var page string

var roomName = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// Router is what Register needs for the page and the event feed:
// *hyperlane.Server and *hyperlane.Group both are one.
type Router interface {
	Get(pattern string, h hyperlane.Handler, opts ...hyperlane.RouteOption)
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

// Register serves the page at path ("/" when path is "") on r, the
// typed socket at path+"/ws" on api (the *openapi.API or a Group of it
// whose prefix r has), and the rooms' Server-Sent Events at
// path+"/events" (see Events). The socket and the rooms are described in
// api's AsyncAPI document.
func (ch *Chat) Register(r Router, api openapi.Registrar, path string) {
	pagePath := path
	if pagePath == "" {
		pagePath = "/"
	}
	r.Get(pagePath, func(c *hyperlane.Context) error {
		c.SetHeader("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'")
		return c.HTML(http.StatusOK, page)
	})
	openapi.WebSocket(api, path+"/ws", ch.serve,
		openapi.OperationID("chat"), openapi.Summary("Chat rooms"), openapi.Tags("realtime"),
		openapi.Description("The chat's socket: the nickname and room are checked before the upgrade (400, 409)."),
		openapi.Discriminator("type"), openapi.DefaultMessage("message"),
		openapi.Receives[Say]("message"), openapi.Receives[Join]("join"), openapi.Receives[Leave]("leave"),
		openapi.Sends[Said]("message"), openapi.Sends[Presence]("presence"), openapi.Sends[Notice]("error"),
		openapi.OnInvalidMessage(invalidAnswer),
		openapi.SocketOptions(hyperlane.WSReadLimit(MaxFrame), hyperlane.WSBeforeUpgrade(ch.admit)))
	openapi.Room(api, "chat/{room}", "message", ch.hub, openapi.OperationID("chatRoom"), openapi.Tags("realtime"),
		openapi.Summary("A chat room"),
		openapi.Description("What the hub fans out to the room's sockets (and, on a backplane, to the other instances): every message, join and leave."))
	r.Get(path+"/events", ch.Events)
	openapi.DocumentEvents[RoomEvents](api, path+"/events", openapi.OperationID("chatEvents"), openapi.Tags("realtime"),
		openapi.Summary("A chat room as Server-Sent Events"), openapi.Request(eventsQuery{}),
		openapi.Description("The room's join, leave and message events, each with its id in the chat's event log: "+
			"a client that reconnects with Last-Event-ID gets exactly the events it missed. "+
			"A new client first gets the room's newest id alone (or a ready event in an empty room). 400 for a bad room or Last-Event-ID."))
}

// RoomEvents are the events of the room feed (Events).
type RoomEvents struct {
	Ready   *struct{} `event:"ready"`   // an empty room: the feed is open
	Message *Message  `event:"message"` // join, leave and message, as the hub carries them
}

// eventsQuery documents the feed's parameters.
type eventsQuery struct {
	Room        string `query:"room" description:"The room, lobby by default."`
	LastEventID string `header:"Last-Event-ID" description:"The id of the last event received, to resume after it."`
}

// joinQuery is the handshake's input, documented here and checked by
// admit, whose rules (normalisation, lookalikes, a taken name) a schema
// cannot say: 400 for a nickname or room not allowed, 409 for a taken
// one.
type joinQuery struct {
	Nick string `query:"nick" description:"Your nickname: required, at most 24 characters, letters, digits, space, '_' or '-' (400 otherwise; 409 when taken in the room)."`
	Room string `query:"room" description:"The room: 1 to 32 lowercase letters, digits, '_' or '-' (400 otherwise); lobby by default."`
}

// invalidAnswer is the error message that answers an invalid message.
func invalidAnswer(e *openapi.InvalidMessageError) Notice {
	for _, d := range e.Errors {
		if d.Location == "message.text" && strings.Contains(d.Message, "at most") {
			return Notice{Type: "error", Text: "message longer than 500 characters, not sent"}
		}
	}
	return Notice{Type: "error", Text: e.Error()}
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
func (ch *Chat) serve(c *hyperlane.Context, _ *joinQuery, s *openapi.Socket) error {
	n, room, _ := parseJoin(c.Query("nick"), c.Query("room"))
	if !ch.join(room, n) {
		// Another client took it between admit and now.
		return s.Close(hyperlane.ClosePolicyViolation, "nickname taken")
	}
	m := &member{ch: ch, s: s, nick: n, room: room}
	m.enter()
	err := m.readLoop()
	m.exit()
	return err
}

// member is one connected client and the room it is in.
type member struct {
	ch      *Chat
	s       *openapi.Socket
	nick    nick
	room    string
	sub     *broadcast.Subscription[Message]
	written chan struct{}
}

// enter subscribes to the room, welcomes the client and tells the room.
func (m *member) enter() {
	ch, ws := m.ch, m.s.Conn()
	m.sub = ch.hub.Subscribe(m.room)
	m.written = make(chan struct{})
	sub, written := m.sub, m.written
	go func() { defer close(written); forward(m.s, sub) }()
	_ = ch.hub.SendTo(sub.ID(), Message{Type: "welcome", Room: m.room, Nick: m.nick.name, Members: ch.list(m.room)})
	_ = ch.say(ws.Context(), Message{Type: "join", Room: m.room, Nick: m.nick.name, Time: time.Now().UTC()})
}

// exit leaves the room and tells it. The subscription ends first, so
// that a client moving to another room never hears its own leave.
func (m *member) exit() {
	ch, ws := m.ch, m.s.Conn()
	m.sub.Unsubscribe()
	<-m.written // forward ends with the subscription; its errors show in the read loop too
	ch.leave(m.room, m.nick.name)
	_ = ch.say(context.WithoutCancel(ws.Context()), Message{Type: "leave", Room: m.room, Nick: m.nick.name, Time: time.Now().UTC()})
}

// readLoop acts on what the client sends until it leaves, and returns
// the error that ended the connection (nil when it left with "leave").
func (m *member) readLoop() error {
	ch, ws := m.ch, m.s.Conn()
	for {
		v, err := m.s.Receive(ws.Context())
		if err != nil {
			return err // the client left (or was closed for a bad frame)
		}
		switch v := v.(type) {
		case Leave:
			return nil // the socket closes with 1000
		case Join:
			if v.Room == m.room {
				continue
			}
			if other, taken := ch.find(v.Room, m.nick); taken {
				_ = ch.hub.SendTo(m.sub.ID(), Message{Type: "error", Text: fmt.Sprintf("nickname %q is taken in room %q (by %q)", m.nick.name, v.Room, other)})
				continue
			}
			m.exit()
			m.room = v.Room
			if !ch.join(m.room, m.nick) {
				return m.s.Close(hyperlane.ClosePolicyViolation, "nickname taken")
			}
			m.enter()
		case Say:
			text := strings.TrimSpace(v.Text)
			if text == "" {
				continue
			}
			if err := ch.say(ws.Context(), Message{Type: "message", Room: m.room, Nick: m.nick.name, Text: text, Time: time.Now().UTC()}); err != nil {
				_ = ch.hub.SendTo(m.sub.ID(), Message{Type: "error", Text: refusal(text, err)})
			}
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
func forward(s *openapi.Socket, sub *broadcast.Subscription[Message]) {
	for m := range sub.C() {
		if err := s.Send(outbound(m)); err != nil {
			return // the connection closed; the read loop sees it too
		}
	}
	if errors.Is(sub.Err(), broadcast.ErrSlowConsumer) {
		_ = s.Close(hyperlane.CloseTryAgainLater, "too slow for this room")
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
