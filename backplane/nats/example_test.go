package nats_test

import (
	"log"

	hlnats "github.com/hyperlane-go/hyperlane/backplane/nats"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

type Message struct {
	Nick, Text string
}

// Every instance makes its hub so, on the same NATS server and subject.
func ExampleDial() {
	bp, err := hlnats.Dial("nats://127.0.0.1:4222", hlnats.Options[Message]{Subject: "myapp.chat"})
	if err != nil {
		log.Fatal(err)
	}
	hub := broadcast.New(broadcast.Options[Message]{Backplane: bp})
	defer hub.Close() // closes the backplane and its connection

	if err := hub.Publish("lobby", Message{"ada", "hi"}); err != nil {
		log.Print(err) // hlnats.ErrUnavailable while NATS is away
	}
}
