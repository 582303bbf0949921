package broadcast_test

import (
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
