package redis_test

import (
	"context"
	"log"
	"time"

	goredis "github.com/redis/go-redis/v9"

	hlredis "github.com/hyperlane-go/hyperlane/backplane/redis"
	"github.com/hyperlane-go/hyperlane/hyperlane/broadcast"
)

type Message struct {
	Nick, Text string
}

// Every instance makes its hub so, on the same Redis and channel: a
// message published on any of them reaches the room's subscribers on all.
func ExampleNewBackplane() {
	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bp, err := hlredis.NewBackplane(ctx, rdb, hlredis.Options[Message]{Channel: "myapp:chat"})
	if err != nil {
		log.Fatal(err) // Redis did not confirm the subscription in time
	}
	hub := broadcast.New(broadcast.Options[Message]{Backplane: bp})
	defer hub.Close() // closes the backplane; the client is yours

	if err := hub.Publish("lobby", Message{"ada", "hi"}); err != nil {
		log.Print(err) // hlredis.ErrUnavailable while Redis is away: tell the sender
	}
}

// An SSE feed whose event ids are Redis stream ids, global to every
// instance: hand it to what serves the feed (chatroom.Options.Log in the
// examples) and a client resumes by Last-Event-ID wherever it lands.
func ExampleNewStreamLog() {
	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	var events broadcast.EventLog = hlredis.NewStreamLog(rdb, hlredis.StreamLogOptions{Cap: 1000})
	id, err := events.Append(context.Background(), "chat:lobby", []byte(`{"text":"hi"}`))
	if err != nil {
		log.Fatal(err)
	}
	log.Println("appended", id) // such as 1764870000000-0
}
