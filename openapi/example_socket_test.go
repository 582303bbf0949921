package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

// The messages of a typed counter socket: the client sends add and
// reset, told apart by "type"; the server sends total and problem.
type (
	Add struct {
		By int `json:"by" required:"true" minimum:"1" maximum:"100"`
	}
	Reset struct{}
	Total struct {
		Type  string `json:"type" const:"total"`
		Value int    `json:"value"`
	}
	Problem struct {
		Type   string `json:"type" const:"problem"`
		Detail string `json:"detail"`
	}
	// CounterInput is the handshake, bound and validated before the upgrade.
	CounterInput struct {
		Start int `query:"start" minimum:"0"`
	}
)

// A typed WebSocket: each incoming message is decoded into its declared
// type and validated against its schema before the handler sees it; an
// invalid one is answered with a declared message; and the AsyncAPI
// document at /asyncapi.json describes the socket from the same types.
func ExampleWebSocket() {
	s := hyperlane.New(hyperlane.WithLogger(slog.New(slog.DiscardHandler)))
	api := openapi.New(s, openapi.Config{Title: "Counter", Version: "1.0.0"})
	openapi.WebSocket(api, "/counter", func(c *hyperlane.Context, in *CounterInput, sock *openapi.Socket) error {
		total := in.Start
		for {
			msg, err := sock.Receive(sock.Conn().Context())
			if err != nil {
				return err
			}
			switch m := msg.(type) {
			case Add:
				total += m.By
			case Reset:
				total = 0
			}
			if err := sock.Send(Total{Type: "total", Value: total}); err != nil {
				return err
			}
		}
	},
		openapi.OperationID("counter"), openapi.Summary("A shared counter"),
		openapi.Discriminator("type"),
		openapi.Receives[Add]("add"), openapi.Receives[Reset]("reset"),
		openapi.Sends[Total]("total"), openapi.Sends[Problem]("problem"),
		openapi.OnInvalidMessage(func(e *openapi.InvalidMessageError) Problem {
			return Problem{Type: "problem", Detail: e.Error()}
		}))
	srv := httptest.NewServer(s)
	defer srv.Close()

	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/counter?start=10", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.CloseNow()
	for _, msg := range []string{`{"type":"add","by":5}`, `{"type":"add","by":500}`, `{"type":"jump"}`, `{"type":"reset"}`} {
		_ = conn.Write(ctx, websocket.MessageText, []byte(msg))
		_, answer, _ := conn.Read(ctx)
		fmt.Printf("%s -> %s\n", msg, answer)
	}

	// The AsyncAPI document: the socket is a channel with a receive and
	// a send operation.
	doc, _ := api.AsyncAPI("json")
	var d struct {
		Operations map[string]struct {
			Action   string `json:"action"`
			Messages []struct {
				Ref string `json:"$ref"`
			} `json:"messages"`
		} `json:"operations"`
	}
	_ = json.Unmarshal(doc, &d)
	for _, id := range []string{"counterReceive", "counterSend"} {
		op := d.Operations[id]
		fmt.Print(id, " ", op.Action, ":")
		for _, m := range op.Messages {
			fmt.Print(" ", m.Ref[strings.LastIndex(m.Ref, "/")+1:])
		}
		fmt.Println()
	}
	// Output:
	// {"type":"add","by":5} -> {"type":"total","value":15}
	// {"type":"add","by":500} -> {"type":"problem","detail":"invalid message \"add\": the payload does not match its schema: message.by must be at most 100"}
	// {"type":"jump"} -> {"type":"problem","detail":"invalid message: \"type\" must be one of \"add\", \"reset\""}
	// {"type":"reset"} -> {"type":"total","value":0}
	// counterReceive receive: add reset
	// counterSend send: total problem
}
