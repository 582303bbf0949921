package broadcast_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

// A Hub fans messages out to the subscribers of a room; a subscriber that
// falls behind never slows the publisher.
func ExampleNew() {
	hub := broadcast.New(broadcast.Options[string]{Buffer: 16})
	defer hub.Close()

	alice := hub.Subscribe("lobby")
	bob := hub.Subscribe("lobby")
	_ = hub.Publish("lobby", "hi all")
	_ = hub.SendTo(bob.ID(), "psst, bob")

	fmt.Println(hub.Count("lobby"), <-alice.C(), "|", <-bob.C(), "|", <-bob.C())
	alice.Unsubscribe()
	_, open := <-alice.C()
	fmt.Println(hub.Count("lobby"), open, alice.Err())
	// Output:
	// 2 hi all | hi all | psst, bob
	// 1 false broadcast: subscription ended by Unsubscribe
}

// With Disconnect, a subscriber whose buffer is full is dropped, after
// the messages it already has; the others carry on.
func ExampleSlowConsumerPolicy() {
	hub := broadcast.New(broadcast.Options[int]{Buffer: 2, Policy: broadcast.Disconnect})
	defer hub.Close()

	slow := hub.Subscribe("ticks")
	for i := range 3 {
		_ = hub.Publish("ticks", i)
	}
	for m := range slow.C() {
		fmt.Println(m)
	}
	fmt.Println(slow.Err(), hub.Count("ticks"))
	// Output:
	// 0
	// 1
	// broadcast: subscriber too slow, disconnected 0
}

// An SSE handler keeps what it sends in an EventLog, so that a client that
// reconnects with Last-Event-ID gets exactly what it missed. MemoryLog
// serves one process; the Redis module's StreamLog serves many.
func ExampleMemoryLog() {
	ctx := context.Background()
	log := broadcast.NewMemoryLog(1000, 0) // 1000 events per stream
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		id, _ := log.Append(ctx, "chat:lobby", []byte(text))
		ids = append(ids, id)
	}
	// The client saw "one" (its Last-Event-ID is ids[0]) and dropped.
	missed, _ := log.Read(ctx, "chat:lobby", ids[0], 100)
	for _, e := range missed {
		fmt.Println(string(e.Data))
	}
	// A made-up Last-Event-ID is the client's mistake: answer 400.
	fmt.Println(errors.Is(log.CheckID("42"), broadcast.ErrBadEventID))
	// Output:
	// two
	// three
	// true
}
