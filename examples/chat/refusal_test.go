package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/hyperlane-go/hyperlane/examples/chat/chatroom"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// outage is a broker that can be cut: while down, Publish refuses as the
// Redis and NATS backplanes do, and Append fails as the Redis log does.
type outage struct {
	*broadcast.MemoryBackplane[chatroom.Message]
	broadcast.EventLog
	down, logDown atomic.Bool
}

var errBrokerDown = errors.New("not connected to the broker (reconnecting)")

func (o *outage) Publish(d broadcast.Delivery[chatroom.Message]) error {
	if o.down.Load() && d.To == "" { // messages to one client stay local, as SendTo's do
		return errBrokerDown
	}
	return o.MemoryBackplane.Publish(d)
}

func (o *outage) Append(ctx context.Context, stream string, data []byte) (string, error) {
	if o.logDown.Load() {
		return "", errBrokerDown
	}
	return o.EventLog.Append(ctx, stream, data)
}

func TestRefusedMessageNamesItsText(t *testing.T) {
	o := &outage{MemoryBackplane: broadcast.NewMemoryBackplane[chatroom.Message](), EventLog: broadcast.NewMemoryLog(0, 0)}
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	chat := chatroom.NewWith(chatroom.Options{Backplane: o, Log: o})
	chat.Register(s, openapi.New(s, openapi.Config{Title: "Chat", Version: "1.0.0"}), "")
	srv := httptest.NewServer(s)
	defer srv.Close()
	defer chat.Close()

	alice, _ := join(t, srv.URL, "alice", "lobby")
	alice.expect("welcome", "alice", "")
	alice.expect("join", "alice", "")
	bob, _ := join(t, srv.URL, "bob", "lobby")
	bob.expect("welcome", "bob", "")
	bob.expect("join", "bob", "")
	alice.expect("join", "bob", "")

	o.down.Store(true)
	alice.say("lost in the outage")
	alice.expect("error", "", `message "lost in the outage" not sent: `+errBrokerDown.Error())
	o.down.Store(false)
	o.logDown.Store(true)
	alice.say("only live")
	alice.expect("message", "alice", "only live")
	alice.expect("error", "", `message "only live" sent, but not kept for the event feed: `+errBrokerDown.Error())
	bob.expect("message", "alice", "only live") // the refused one never reached bob
	o.logDown.Store(false)
	alice.say("back")
	bob.expect("message", "alice", "back")
}
