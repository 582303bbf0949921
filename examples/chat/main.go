// Command chat is a WebSocket chat with rooms and nicknames: open
// http://127.0.0.1:60002 in two browser tabs. The page is embedded in the
// binary and uses the browser's own WebSocket. It listens on
// HYPERLANE_ADDR (default 127.0.0.1:60002) and drains on SIGINT/SIGTERM,
// closing every socket with 1001.
package main

import (
	"cmp"
	"context"
	"log/slog"
	"os"

	"github.com/hyperlane-go/hyperlane/examples/chat/chatroom"
	"github.com/hyperlane-go/hyperlane/hyperlane"
	"github.com/hyperlane-go/hyperlane/openapi"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	s := newApp(logger, hyperlane.WithAddr(cmp.Or(os.Getenv("HYPERLANE_ADDR"), "127.0.0.1:60002")))
	if err := s.Run(context.Background()); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

// newApp serves the chat page at / and its socket at /ws, described at
// /asyncapi.json.
func newApp(logger *slog.Logger, opts ...hyperlane.Option) *hyperlane.Server {
	s := hyperlane.New(append([]hyperlane.Option{hyperlane.WithLogger(logger)}, opts...)...)
	api := openapi.New(s, openapi.Config{Title: "Chat", Version: "1.0.0",
		Description: "A WebSocket chat with rooms and nicknames; its messages are in /asyncapi.json."})
	chat := chatroom.New()
	chat.Register(s, api, "")
	s.OnShutdown(chat.Close)
	return s
}
